"""The rules of booking a session, each written once."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q

from pairing.models import HelpSession, OfficeHours
from programs.models import Participant, Program

# Slots are offered this far ahead: far enough to find a time, near enough that the
# helper's week still looks as it did when they published it.
BOOKING_HORIZON = timedelta(days=28)
# Nobody is booked for a session starting sooner than this: the helper needs to see it.
MIN_NOTICE = timedelta(hours=2)


# The sessions a monthly cap counts: those booked and those held (a cancelled one gave no
# time).
TAKE_A_PLACE = (HelpSession.Status.BOOKED, HelpSession.Status.HELD)


def monthly_cap(hours: OfficeHours) -> int:
    """The most sessions the helper gives in one of their calendar months: their own cap,
    never above the programme's (HR's monthly_help_cap). ``hours.helper.program`` read."""
    program_cap = hours.helper.program.monthly_help_cap
    return min(hours.monthly_cap or program_cap, program_cap)


def may_offer_help(participant: Participant) -> bool:
    """Whether ``participant`` may publish office hours: in a situational programme, the
    people HR enrolled as mentors, or anyone enrolled when the programme says so."""
    program = participant.program
    if not program.is_situational or participant.withdrawn_at is not None:
        return False
    return (
        participant.role == Participant.Role.MENTOR
        or program.help_offered_by == Program.HelpOfferedBy.ANYONE
    )


def offers_help(program: Program, through: str = "") -> Q:
    """Participants (a filter; ``through`` prefixes the lookups, e.g. "helper__") who may
    offer help in ``program`` now: may_offer_help as a query, and still in the
    organisation."""
    q = Q(
        **{
            f"{through}program": program,
            f"{through}withdrawn_at__isnull": True,
            f"{through}employee__user__is_active": True,
        }
    )
    if program.help_offered_by != Program.HelpOfferedBy.ANYONE:
        q &= Q(**{f"{through}role": Participant.Role.MENTOR})
    return q
