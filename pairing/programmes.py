"""Changing a programme once it has pairings.

A programme is programs/' business, but some of its settings were baked into the
pairings made under it: the kind fixed their roles (mentor and mentee, or peers), the
check-in cadence their open schedules. The rules that follow from that live here, above
both apps, and every place that edits a programme (HR's settings page, the Django admin)
asks them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from pairing import rules
from pairing.reminders import pairing_reschedule_program
from programs.models import Program
from programs.services import program_update

KIND_LOCKED = (
    "The kind cannot change once the programme has pairings: their roles and check-ins were "
    "made for this kind. Start a new programme instead."
)


@transaction.atomic
def program_settings_update(*, program: Program, actor, data: dict) -> list[str]:
    """HR saves the programme's settings (see programs.services.program_update, which
    returns the changed fields). A new check-in cadence moves the open schedules in the
    same transaction: the setting and the due dates change together, or neither does.

    The kind is fixed once the programme has pairings (rules.program_kind_locked). Refused with
    a ValidationError on kind."""
    stored_kind = Program.objects.values_list("kind", flat=True).get(pk=program.pk)
    if data.get("kind", stored_kind) != stored_kind and rules.program_kind_locked(program=program):
        raise ValidationError({"kind": KIND_LOCKED})
    changed = program_update(program=program, actor=actor, data=data)
    if "checkin_cadence_days" in changed:
        pairing_reschedule_program(program=program)
    return changed
