"""The booking services: holding a slot, refusing the rest, moving and cancelling."""

from datetime import time, timedelta

import pytest

from pairing.models import Challenge, HelpSession, OfficeHours
from pairing.situational import booking, selectors
from tests.factories import make_help_session, make_situational_program, make_topics
from tests.pairing.situational.cast import NOW, asker, at, helper

pytestmark = pytest.mark.django_db


def _book(challenge, guide, starts_at, now=NOW):
    return booking.session_book(
        challenge=challenge,
        helper_id=guide.pk,
        starts_at=starts_at,
        user=challenge.asker.employee.user,
        now=now,
    )


def test_booking_a_free_slot_holds_it_and_books_the_challenge(django_capture_on_commit_callbacks):
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)

    with django_capture_on_commit_callbacks() as callbacks:
        session = _book(challenge, guide, at("2026-02-03T09:30Z"))

    assert (session.starts_at, session.ends_at) == (
        at("2026-02-03T09:30Z"),
        at("2026-02-03T10:00Z"),
    )
    assert (session.status, session.sequence, session.helper) == ("booked", 0, guide)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.BOOKED
    assert len(callbacks) == 1  # the invitations, after commit


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("2026-02-03T10:30Z", "Ada does not offer that time."),
        ("2026-02-02T13:00Z", "That time is too soon: book at least 2 hours ahead."),
        ("2026-01-27T09:30Z", "That time is too soon: book at least 2 hours ahead."),
        ("2026-03-03T09:30Z", "Sessions can be booked up to 28 days ahead."),
    ],
)
def test_a_time_that_is_no_free_slot_is_refused_with_why(starts_at, message):
    program = make_situational_program()
    guide = helper(program)
    guide.employee.name = "Ada"
    guide.employee.save()
    challenge = asker(program)

    with pytest.raises(booking.BookingError) as refused:
        _book(challenge, guide, at(starts_at))

    assert str(refused.value) == message
    assert HelpSession.objects.count() == 0
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.OPEN


def test_a_taken_slot_is_refused_as_just_taken():
    program = make_situational_program()
    guide = helper(program)
    first, second = asker(program), asker(program)
    _book(first, guide, at("2026-02-03T09:30Z"))

    with pytest.raises(booking.BookingError) as refused:
        _book(second, guide, at("2026-02-03T09:30Z"))

    assert str(refused.value) == booking.JUST_TAKEN
    assert HelpSession.objects.filter(status="booked").count() == 1


def test_the_monthly_cap_counts_the_helpers_own_month():
    program = make_situational_program()
    guide = helper(program, monthly_cap=1)
    first, second = asker(program), asker(program)
    _book(first, guide, at("2026-02-03T09:30Z"))

    with pytest.raises(booking.BookingError) as refused:
        _book(second, guide, at("2026-02-10T09:30Z"))

    assert str(refused.value).endswith(
        "has no sessions left that month. Please pick a time in another month."
    )
    # March is another month: still free.
    assert _book(second, guide, at("2026-03-03T09:30Z"), now=NOW + timedelta(days=7)).pk


def test_held_sessions_take_their_place_under_the_cap_and_cancelled_ones_do_not():
    program = make_situational_program()
    guide = helper(program, monthly_cap=2)
    held, cancelled, later = asker(program), asker(program), asker(program)
    # Earlier in February (the clock is NOW): one session held, one cancelled.
    make_help_session(
        challenge=held, helper=guide, starts_at=NOW - timedelta(hours=5), status="held"
    )
    make_help_session(
        challenge=cancelled, helper=guide, starts_at=NOW - timedelta(hours=4), status="cancelled"
    )

    def free():
        hours = selectors.hours_for_booking(helper_id=guide.pk)
        return [slot.starts_at for slot in selectors.free_slots([hours], now=NOW)[guide.pk]]

    # The held one took a place, the cancelled one did not: one left, on four Tuesdays.
    assert free() == [at(f"2026-02-{day:02}T09:30Z") for day in (3, 10, 17, 24)]
    _book(later, guide, at("2026-02-03T09:30Z"))
    assert free() == []
    with pytest.raises(booking.BookingError) as refused:
        _book(asker(program), guide, at("2026-02-10T09:30Z"))
    assert str(refused.value).endswith(
        "has no sessions left that month. Please pick a time in another month."
    )


def test_paused_office_hours_and_the_wrong_people_are_refused():
    program = make_situational_program()
    guide = helper(program, paused=True)
    challenge = asker(program)

    with pytest.raises(booking.BookingError) as paused:
        _book(challenge, guide, at("2026-02-03T09:30Z"))
    with pytest.raises(booking.BookingError) as unknown:
        booking.session_book(
            challenge=challenge,
            helper_id=guide.pk + 1000,
            starts_at=at("2026-02-03T09:30Z"),
            user=challenge.asker.employee.user,
            now=NOW,
        )
    with pytest.raises(booking.BookingError) as not_asker:
        booking.session_book(
            challenge=challenge,
            helper_id=guide.pk,
            starts_at=at("2026-02-03T09:30Z"),
            user=guide.employee.user,
            now=NOW,
        )

    assert str(paused.value) == f"{guide.employee.name} is not taking bookings right now."
    assert str(unknown.value) == "Choose one of the people listed for your challenge."
    assert str(not_asker.value) == "Only the person who asked can book a session."
    assert HelpSession.objects.count() == 0


def test_the_askers_manager_cannot_be_booked():
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program, manager=guide.employee)

    with pytest.raises(booking.BookingError) as refused:
        _book(challenge, guide, at("2026-02-03T09:30Z"))

    assert str(refused.value) == "Choose one of the people listed for your challenge."


def test_a_challenge_has_one_booked_session_at_a_time():
    program = make_situational_program()
    guide, other = helper(program), helper(program)
    challenge = asker(program)
    _book(challenge, guide, at("2026-02-03T09:30Z"))

    with pytest.raises(booking.BookingError) as refused:
        _book(challenge, other, at("2026-02-03T09:30Z"))

    assert str(refused.value) == "This challenge already has a session booked: move or cancel it."


def test_the_unique_constraint_backstop_says_just_taken(monkeypatch):
    program = make_situational_program()
    guide = helper(program)
    first, second = asker(program), asker(program)
    make_help_session(challenge=first, helper=guide, starts_at=at("2026-02-03T09:30Z"))
    # As if the free slots had been read before the first session existed.
    monkeypatch.setattr(
        booking,
        "_free",
        lambda hours, now, ignoring=None: [
            booking.slots.Slot(at("2026-02-03T09:30Z"), at("2026-02-03T10:00Z"))
        ],
    )

    with pytest.raises(booking.BookingError) as refused:
        _book(second, guide, at("2026-02-03T09:30Z"))

    assert str(refused.value) == booking.JUST_TAKEN
    second.refresh_from_db()
    assert second.status == Challenge.Status.OPEN


def test_cancel_opens_the_challenge_again_and_raises_the_sequence():
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)
    session = _book(challenge, guide, at("2026-02-03T09:30Z"))

    booking.session_cancel(session=session, user=guide.employee.user, now=NOW)

    session.refresh_from_db()
    challenge.refresh_from_db()
    assert (session.status, session.sequence, session.cancelled_by, session.cancelled_at) == (
        "cancelled",
        1,
        guide,
        NOW,
    )
    assert challenge.status == Challenge.Status.OPEN
    with pytest.raises(booking.BookingError) as again:
        booking.session_cancel(session=session, user=guide.employee.user, now=NOW)
    assert str(again.value) == "This session is no longer booked."
    # The asker can book again, the same slot too.
    assert _book(challenge, guide, at("2026-02-03T09:30Z")).sequence == 0


def test_a_started_session_cannot_be_cancelled_or_moved():
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)
    session = _book(challenge, guide, at("2026-02-03T09:30Z"))
    later = at("2026-02-03T09:31Z")

    with pytest.raises(booking.BookingError) as cancel:
        booking.session_cancel(session=session, user=challenge.asker.employee.user, now=later)
    with pytest.raises(booking.BookingError) as move:
        booking.session_reschedule(
            session=session,
            starts_at=at("2026-02-10T09:30Z"),
            user=challenge.asker.employee.user,
            now=later,
        )

    assert str(cancel.value) == str(move.value) == "This session has already started."


def test_reschedule_moves_to_a_free_slot_under_the_same_identity():
    program = make_situational_program()
    guide = helper(program)
    challenge = asker(program)
    session = _book(challenge, guide, at("2026-02-03T09:30Z"))
    uid = session.uid

    moved = booking.session_reschedule(
        session=session,
        starts_at=at("2026-02-10T09:30Z"),
        user=challenge.asker.employee.user,
        now=NOW,
    )

    moved.refresh_from_db()
    assert (moved.uid, moved.sequence, moved.starts_at, moved.ends_at) == (
        uid,
        1,
        at("2026-02-10T09:30Z"),
        at("2026-02-10T10:00Z"),
    )
    with pytest.raises(booking.BookingError) as same:
        booking.session_reschedule(
            session=moved, starts_at=at("2026-02-10T09:30Z"), user=guide.employee.user, now=NOW
        )
    assert str(same.value) == "The session is already at that time."


def test_reschedule_at_the_cap_may_stay_in_the_month():
    """The session being moved does not count against the cap of its own month."""
    program = make_situational_program()
    guide = helper(program, monthly_cap=1)
    challenge = asker(program)
    session = _book(challenge, guide, at("2026-02-03T09:30Z"))

    session = booking.session_reschedule(
        session=session, starts_at=at("2026-02-17T09:30Z"), user=guide.employee.user, now=NOW
    )

    assert HelpSession.objects.get().starts_at == at("2026-02-17T09:30Z")
    hours = selectors.hours_for_booking(helper_id=guide.pk)
    assert [s.starts_at for s in selectors.reschedule_slots(session=session, now=NOW)] == [
        at("2026-02-03T09:30Z"),
        at("2026-02-10T09:30Z"),
        at("2026-02-24T09:30Z"),
    ]
    assert selectors.free_slots([hours], now=NOW)[guide.pk] == []


def test_a_paused_helpers_booked_session_can_still_be_moved():
    """A pause stops new bookings; either person may still move a session already booked."""
    program = make_situational_program()
    guide = helper(program)
    first, second = asker(program), asker(program)
    session = _book(first, guide, at("2026-02-03T09:30Z"))
    OfficeHours.objects.filter(helper=guide).update(paused=True)

    assert [s.starts_at for s in selectors.reschedule_slots(session=session, now=NOW)] == [
        at("2026-02-10T09:30Z"),
        at("2026-02-17T09:30Z"),
        at("2026-02-24T09:30Z"),
    ]
    moved = booking.session_reschedule(
        session=session, starts_at=at("2026-02-10T09:30Z"), user=first.asker.employee.user, now=NOW
    )
    assert (moved.starts_at, moved.sequence) == (at("2026-02-10T09:30Z"), 1)
    with pytest.raises(booking.BookingError) as refused:
        _book(second, guide, at("2026-02-17T09:30Z"))
    assert "not taking bookings right now" in str(refused.value)


def test_office_hours_save_replaces_slots_and_expertise():
    program = make_situational_program(monthly_help_cap=6)
    guide = helper(program, slots=[(0, "09:00")])
    make_topics("Hiring")

    hours = booking.office_hours_save(
        helper=guide,
        session_minutes=45,
        monthly_cap=3,
        paused=True,
        expertise=["Hiring", "Public speaking"],
        weekly=[(2, time(14, 0)), (2, time(14, 45))],
        user=guide.employee.user,
    )

    hours = OfficeHours.objects.get(pk=hours.pk)
    assert (hours.session_minutes, hours.monthly_cap, hours.paused) == (45, 3, True)
    assert [(s.weekday, s.starts_at) for s in hours.slots.all()] == [
        (2, time(14, 0)),
        (2, time(14, 45)),
    ]
    assert sorted(t.name for t in guide.expertise.all()) == ["Hiring", "Public speaking"]


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ([(2, time(14, 0)), (2, time(14, 30))], "Two of your weekly slots overlap."),
        ([(6, time(23, 45)), (0, time(0, 0))], "Two of your weekly slots overlap."),
        ([(1, time(9, 0)), (1, time(9, 0))], "Two of your weekly slots overlap."),
    ],
)
def test_office_hours_save_refuses_overlaps(weekly, message):
    program = make_situational_program()
    guide = helper(program)

    with pytest.raises(booking.BookingError) as refused:
        booking.office_hours_save(
            helper=guide,
            session_minutes=45,
            monthly_cap=None,
            paused=False,
            expertise=["Retrospectives"],
            weekly=weekly,
            user=guide.employee.user,
        )

    assert str(refused.value) == message


def test_office_hours_cap_above_the_programme_is_refused():
    program = make_situational_program(monthly_help_cap=4)
    guide = helper(program)

    with pytest.raises(booking.BookingError) as refused:
        booking.office_hours_save(
            helper=guide,
            session_minutes=30,
            monthly_cap=5,
            paused=False,
            expertise=["Retrospectives"],
            weekly=[],
            user=guide.employee.user,
        )

    assert str(refused.value) == "The programme allows at most 4 sessions a month."


def test_overlapping_names_the_slots_that_start_too_early():
    assert booking.overlapping(
        [(0, time(9, 0)), (0, time(9, 20)), (0, time(10, 0))], minutes=30
    ) == [(0, time(9, 20))]
    assert booking.overlapping([(0, time(9, 0)), (0, time(9, 30))], minutes=30) == []
