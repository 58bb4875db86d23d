"""Holding a slot under concurrency (PostgreSQL only, like test_fair_share_concurrency.py):
the helper's OfficeHours row lock decides who gets a slot, and the last free place of a
helper's month.

The last two tests force the dangerous interleaving deterministically: every booking waits
at a barrier right after it checked the free slots and before it writes. Without the lock
all six pass the check before anyone writes and all six are booked; with it, the second
booking cannot even read the free slots until the first commits (the barrier times out
for the first, which then goes on alone), and exactly one is booked.
"""

import contextlib
import threading

import pytest

from pairing.models import HelpSession
from pairing.situational import booking, selectors
from tests.factories import make_help_session, make_situational_program
from tests.pairing.situational.cast import NOW, asker, at, helper
from tests.races import race

THREADS = 6
EVERY_DAY = [(day, "09:30") for day in range(7)]
# Six different free slots of February, the helper's month (London: 09:30 is 09:30Z).
FEBRUARY = [at(f"2026-02-{day:02d}T09:30Z") for day in range(4, 4 + THREADS)]


def _race(work, items):
    return race(work, items, refused=(booking.BookingError,))


def _book(challenge, guide, starts_at):
    return booking.session_book(
        challenge=challenge,
        helper_id=guide.pk,
        starts_at=starts_at,
        user=challenge.asker.employee.user,
        now=NOW,
    )


def _last_place():
    """A helper with a monthly cap of 2, one February session already booked, and six
    askers with a challenge each."""
    program = make_situational_program()
    guide = helper(program, slots=EVERY_DAY, monthly_cap=2)
    make_help_session(challenge=asker(program), helper=guide, starts_at=at("2026-02-03T09:30Z"))
    return guide, [asker(program) for _ in range(THREADS)]


def _wait_after_the_check(monkeypatch, *, timeout: float):
    """Every booking waits at a barrier of THREADS right after reading the free slots."""
    checked = threading.Barrier(THREADS)
    free = booking._free

    def free_then_wait(hours, *, now, ignoring=None):
        found = free(hours, now=now, ignoring=ignoring)
        # Broken: the others are queued on the lock, so this one goes on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait(timeout=timeout)
        return found

    monkeypatch.setattr(booking, "_free", free_then_wait)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_askers_booking_the_same_slot_at_once_one_gets_it():
    program = make_situational_program()
    guide = helper(program)
    challenges = [asker(program) for _ in range(THREADS)]

    outcomes = _race(lambda c: _book(c, guide, at("2026-02-03T09:30Z")), challenges)

    assert outcomes == ["ok"] + ["refused"] * (THREADS - 1)
    assert HelpSession.objects.filter(status="booked").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_askers_booking_the_last_free_place_in_six_slots_at_once_one_gets_it():
    guide, challenges = _last_place()

    outcomes = _race(
        lambda item: _book(item[0], guide, item[1]), list(zip(challenges, FEBRUARY, strict=True))
    )

    assert outcomes == ["ok"] + ["refused"] * (THREADS - 1)
    assert HelpSession.objects.filter(helper=guide, status="booked").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_last_free_place_is_booked_six_times(monkeypatch):
    guide, challenges = _last_place()
    # The lock removed: the same read, without FOR UPDATE.
    monkeypatch.setattr(
        booking,
        "_hours_for_update",
        lambda helper_id: selectors.hours_for_booking(helper_id=helper_id),
    )
    _wait_after_the_check(monkeypatch, timeout=30)

    outcomes = _race(
        lambda item: _book(item[0], guide, item[1]), list(zip(challenges, FEBRUARY, strict=True))
    )

    assert outcomes == ["ok"] * THREADS
    assert HelpSession.objects.filter(helper=guide, status="booked").count() == 1 + THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_the_lock_the_same_interleaving_books_the_last_place_once(monkeypatch):
    guide, challenges = _last_place()
    _wait_after_the_check(monkeypatch, timeout=1)

    outcomes = _race(
        lambda item: _book(item[0], guide, item[1]), list(zip(challenges, FEBRUARY, strict=True))
    )

    assert outcomes == ["ok"] + ["refused"] * (THREADS - 1)
    assert HelpSession.objects.filter(helper=guide, status="booked").count() == 2
