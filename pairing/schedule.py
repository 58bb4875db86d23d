"""Due dates, each written once: when a proposal lapses (and lapses "soon"), when the
first and the next check-in fall due, how many check-ins a pairing's life calls for, and
when silence makes a pairing "stalled". Services, reminders, HR's dashboard and cockpit and
the demo all count from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from pairing.models import Pairing
    from programs.models import Program

# A pairing with no check-in for this many cadences has stalled.
STALLED_CADENCES = 2
# A waiting proposal lapses "soon" (HR's cockpit lists it to chase) within this many days.
LAPSING_SOON_DAYS = 2


def proposal_expires_at(program: Program, proposed_at: datetime) -> datetime:
    return proposed_at + timedelta(days=program.proposal_expiry_days)


def first_checkin_due(program: Program, accepted_on: date) -> date:
    """A cadence after the pairing began; one accepted before its programme starts counts
    from the start."""
    start = max(accepted_on, program.starts_on) if program.starts_on else accepted_on
    return start + timedelta(days=program.checkin_cadence_days)


def schedule_start(pairing: Pairing) -> date:
    """The day a pairing's cadence counts from when no check-in has been held: its
    activation day, or the programme's start when it was accepted before."""
    activated = timezone.localdate(pairing.activated_at)
    starts_on = pairing.program.starts_on
    return max(activated, starts_on) if starts_on else activated


def next_checkin_due(*, start: date, latest_checkin: date | None, cadence_days: int) -> date:
    """A cadence after the latest check-in, or after the start when none was held."""
    return (latest_checkin or start) + timedelta(days=cadence_days)


def days_overdue(*, due: date, today: date) -> int:
    """How many days past ``due`` today is; 0 on the day itself or before."""
    return max(0, (today - due).days)


def checkins_due(*, active_from: date, until: date, cadence_days: int) -> int:
    """Check-ins a pairing active from ``active_from`` to ``until`` should have held: one
    per cadence elapsed."""
    return max(0, (until - active_from).days) // cadence_days


def stalled_on(*, next_due: date, cadence_days: int) -> date:
    """The day a pairing due a check-in on ``next_due`` (a cadence after its latest one)
    has gone STALLED_CADENCES cadences without meeting."""
    return next_due + timedelta(days=(STALLED_CADENCES - 1) * cadence_days)


def stalled_cutoff(*, today: date, cadence_days: int) -> date:
    """Pairings whose latest check-in (or start) is before this day have stalled."""
    return today - timedelta(days=STALLED_CADENCES * cadence_days)


def stalled_due_before(*, today: date, cadence_days: int) -> date:
    """stalled_cutoff in terms of the stored due date: a scheduled pairing whose next
    check-in fell due before this day (a cadence after its latest one, or after its start)
    has stalled. The same pairings as stalled_cutoff finds, read from one indexed column."""
    return today - timedelta(days=(STALLED_CADENCES - 1) * cadence_days)


def lapsing_soon_by(now: datetime) -> datetime:
    """Waiting proposals that expire before this instant lapse soon."""
    return now + timedelta(days=LAPSING_SOON_DAYS)
