"""pairing/schedule.py: the due-date arithmetic everything counts from."""

from datetime import UTC, date, datetime

import pytest

from pairing import schedule
from pairing.models import Pairing
from programs.models import Program


@pytest.mark.parametrize(
    ("start", "latest", "cadence", "expected"),
    [
        (date(2026, 1, 31), None, 28, date(2026, 2, 28)),
        (date(2028, 1, 31), None, 28, date(2028, 2, 28)),
        (date(2028, 1, 31), None, 29, date(2028, 2, 29)),
        (date(2026, 1, 31), None, 30, date(2026, 3, 2)),
        (date(2026, 1, 1), date(2026, 2, 28), 28, date(2026, 3, 28)),
        (date(2026, 12, 1), date(2026, 12, 20), 14, date(2027, 1, 3)),
        (date(2026, 2, 22), None, 14, date(2026, 3, 8)),
    ],
)
def test_next_checkin_due_adds_days_not_months(start, latest, cadence, expected):
    assert (
        schedule.next_checkin_due(start=start, latest_checkin=latest, cadence_days=cadence)
        == expected
    )


def test_the_first_checkin_counts_from_the_programme_start_when_accepted_before():
    program = Program(checkin_cadence_days=14, starts_on=date(2026, 4, 1))
    assert schedule.first_checkin_due(program, date(2026, 3, 20)) == date(2026, 4, 15)
    assert schedule.first_checkin_due(program, date(2026, 4, 10)) == date(2026, 4, 24)
    assert schedule.first_checkin_due(Program(checkin_cadence_days=7), date(2026, 4, 10)) == date(
        2026, 4, 17
    )


def test_schedule_start_is_the_later_of_activation_and_programme_start():
    program = Program(starts_on=date(2026, 4, 1))
    early = Pairing(program=program, activated_at=datetime(2026, 3, 20, 12, tzinfo=UTC))
    late = Pairing(program=program, activated_at=datetime(2026, 4, 9, 12, tzinfo=UTC))
    assert schedule.schedule_start(early) == date(2026, 4, 1)
    assert schedule.schedule_start(late) == date(2026, 4, 9)


def test_a_proposal_lapses_after_the_programmes_expiry():
    proposed = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert schedule.proposal_expires_at(Program(proposal_expiry_days=10), proposed) == datetime(
        2026, 3, 12, 9, tzinfo=UTC
    )


def test_checkins_due_is_one_per_whole_cadence():
    due = schedule.checkins_due
    assert due(active_from=date(2026, 1, 1), until=date(2026, 1, 14), cadence_days=14) == 0
    assert due(active_from=date(2026, 1, 1), until=date(2026, 1, 15), cadence_days=14) == 1
    assert due(active_from=date(2026, 1, 1), until=date(2026, 3, 1), cadence_days=14) == 4
    assert due(active_from=date(2026, 3, 1), until=date(2026, 1, 1), cadence_days=14) == 0


def test_stalled_is_two_cadences_of_silence_both_ways_round():
    # Last met 1 March, cadence 14: due 15 March, stalled from 29 March.
    assert schedule.stalled_on(next_due=date(2026, 3, 15), cadence_days=14) == date(2026, 3, 29)
    assert schedule.stalled_cutoff(today=date(2026, 3, 29), cadence_days=14) == date(2026, 3, 1)
