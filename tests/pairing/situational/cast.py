"""The people of the situational tests: a programme, helpers with office hours, askers."""

from datetime import UTC, datetime

from programs.models import Participant
from tests.factories import make_challenge, make_office_hours, make_participant

# A Monday, long before the clocks change in March 2026 (New York 8 March, London 29 March).
NOW = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


def helper(program, *, zone="Europe/London", slots=((1, "09:30"),), level=5, **hours):
    """A mentor with office hours (``slots``: (weekday, "HH:MM") in ``zone``)."""
    participant = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        expertise=("Retrospectives",),
        employee_kwargs={"level": level, "time_zone": zone},
    )
    make_office_hours(helper=participant, slots=slots, **hours)
    return participant


def asker(program, *, zone="America/New_York", topics=("Retrospectives",), **extra):
    """A mentee with one open challenge; returns the challenge."""
    participant = make_participant(
        program=program,
        role=Participant.Role.MENTEE,
        employee_kwargs={"level": 3, "time_zone": zone, **extra},
    )
    return make_challenge(asker=participant, topics=topics)


def at(text: str) -> datetime:
    """An ISO 8601 instant, "2026-02-03T09:30Z"."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
