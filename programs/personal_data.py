"""Everything the product holds about one person, for "download my data".

programs/ collects its own part (profile, enrolments, invitation) and asks the sections
other apps registered for theirs: pairing/ registers its section in PairingConfig.ready,
so this module never imports it. A section is a function of the employee returning a
dict of top-level keys, each a list or a dict of plain JSON values; each section does its
own queries, a fixed number whatever the person's history.
"""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from programs.models import Employee, Participant

Section = Callable[[Employee], dict[str, Any]]

_sections: dict[str, Section] = {}


def register_section(name: str, section: Section) -> None:
    """Add another app's part (called from its AppConfig.ready; registering a name again
    replaces it, so a reloaded app is not counted twice)."""
    _sections[name] = section


def _moment(value):
    return value.isoformat() if value is not None else None


def _profile(employee: Employee) -> dict[str, Any]:
    user = employee.user
    return {
        "email": employee.email,
        "name": employee.name,
        "department": employee.department,
        "title": employee.title,
        "level": employee.get_level_display(),
        "manager": employee.manager.name if employee.manager else None,
        "time_zone": employee.time_zone,
        "optional_emails": employee.optional_emails,
        "active": user.is_active,
        "joined": _moment(user.date_joined),
        "last_signed_in": _moment(user.last_login),
    }


def _enrolments(employee: Employee) -> list[dict[str, Any]]:
    enrolments = (
        Participant.objects.filter(employee=employee)
        .select_related("program")
        .prefetch_related("goals", "expertise")
        .order_by("enrolled_at", "pk")
    )
    return [
        {
            "programme": enrolment.program.name,
            "role": enrolment.get_role_display(),
            "goals": [topic.name for topic in enrolment.goals.all()],
            "expertise": [topic.name for topic in enrolment.expertise.all()],
            "style": enrolment.get_style_display(),
            "focus": enrolment.get_focus_display(),
            "capacity": enrolment.capacity,
            "paused_until": _moment(enrolment.paused_until),
            "note": enrolment.note,
            "enrolled_at": _moment(enrolment.enrolled_at),
            "withdrawn_at": _moment(enrolment.withdrawn_at),
        }
        for enrolment in enrolments
    ]


def personal_data(*, user) -> dict[str, Any]:
    """The signed-in person's data as plain JSON values. Raises Employee.DoesNotExist for
    an account with no directory row (a bare superuser): the view's 404."""
    employee = Employee.objects.select_related("user", "manager").get(user=user)
    data: dict[str, Any] = {
        "generated_at": _moment(timezone.now()),
        "profile": _profile(employee),
        "enrolments": _enrolments(employee),
        "invitation_emails": (
            [{"last_sent_at": _moment(employee.invited_at)}] if employee.invited_at else []
        ),
    }
    for name, section in _sections.items():
        part = section(employee)
        clash = data.keys() & part.keys()
        if clash:
            raise ValueError(f"personal data section {name!r} repeats {sorted(clash)}")
        data.update(part)
    return data


def as_tree(value, label: str = "") -> dict[str, Any]:
    """The data as nodes the HTML page renders recursively: a dict becomes labelled
    fields, a list its items, anything else text."""
    if isinstance(value, dict):
        children = [as_tree(v, k.replace("_", " ").capitalize()) for k, v in value.items()]
        return {"label": label, "kind": "fields", "children": children}
    if isinstance(value, list):
        return {"label": label, "kind": "list", "children": [as_tree(item) for item in value]}
    if value is None or value == "":
        text = "—"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return {"label": label, "kind": "text", "text": text}
