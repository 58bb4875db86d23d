"""Someone who withdraws from the programme or leaves the organisation takes their
sessions to come with them: both calendars get the cancellation, nobody is reminded of it,
and the other person's challenge is open again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pairing.models import Challenge, HelpSession
from pairing.situational import booking, reminders
from programs.services import employees_deactivate, participant_withdraw
from tests.factories import make_help_session, make_people_admin, make_situational_program
from tests.pairing.situational.cast import asker, helper

pytestmark = pytest.mark.django_db


def _booked(program, guide, *, days):
    challenge = asker(program)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.BOOKED)
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return make_help_session(challenge=challenge, helper=guide, starts_at=starts_at)


def _methods():
    def method(message):
        body = message.attachments[0][1]
        text = body.decode() if isinstance(body, bytes) else body
        return "CANCEL" if "METHOD:CANCEL" in text else "REQUEST"

    return sorted((m.to[0], method(m)) for m in mail.outbox)


def test_a_helper_who_withdraws_cancels_their_sessions_to_come(
    django_capture_on_commit_callbacks,
):
    program = make_situational_program()
    guide = helper(program)
    coming = _booked(program, guide, days=3)
    held = _booked(program, guide, days=-2)
    HelpSession.objects.filter(pk=held.pk).update(status=HelpSession.Status.HELD)

    with django_capture_on_commit_callbacks(execute=True):
        participant_withdraw(participant=guide, actor=guide.employee.user)

    coming.refresh_from_db()
    held.refresh_from_db()
    assert (coming.status, coming.sequence, coming.cancelled_by) == ("cancelled", 1, None)
    assert held.status == "held"
    assert Challenge.objects.get(pk=coming.challenge_id).status == Challenge.Status.OPEN
    assert _methods() == sorted(
        [(coming.challenge.asker.employee.email, "CANCEL"), (guide.employee.email, "CANCEL")]
    )
    assert list(reminders.reminders_due(now=coming.starts_at - timedelta(hours=12))) == []
    assert booking.sessions_close_for(participant_ids=[guide.pk]) == 0


def test_an_asker_who_leaves_takes_their_sessions_and_challenges_with_them():
    program = make_situational_program()
    guide = helper(program)
    coming = _booked(program, guide, days=3)
    leaver = coming.challenge.asker
    another = asker(program, email="same@example.org")
    Challenge.objects.filter(pk=another.pk).update(asker=leaver)

    employees_deactivate(employees=[leaver.employee], actor=make_people_admin())

    coming.refresh_from_db()
    assert coming.status == HelpSession.Status.CANCELLED
    assert set(Challenge.objects.filter(asker=leaver).values_list("status", flat=True)) == {
        Challenge.Status.WITHDRAWN
    }


def test_a_withdrawn_asker_cannot_book():
    program = make_situational_program()
    guide = helper(program, slots=[(day, "09:30") for day in range(7)])
    challenge = asker(program)
    participant_withdraw(participant=challenge.asker, actor=challenge.asker.employee.user)
    challenge.refresh_from_db()
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.OPEN)

    with pytest.raises(booking.BookingError) as refused:
        booking.session_book(
            challenge=challenge,
            helper_id=guide.pk,
            starts_at=timezone.now() + timedelta(days=2),
            user=challenge.asker.employee.user,
        )
    assert str(refused.value) == "You are no longer in this programme."
    assert HelpSession.objects.count() == 0
