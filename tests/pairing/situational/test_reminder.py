"""The day-before reminder of a booked session: once per person and start time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from pairing import tasks
from pairing.models import HelpSession, SentNotice
from pairing.situational import reminders
from programs.models import Participant
from tests.factories import (
    make_challenge,
    make_employee,
    make_help_session,
    make_participant,
    make_situational_program,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def _session(*, starts_at, asker_zone="America/New_York", helper_zone="Europe/London", **extra):
    program = make_situational_program()
    asker = make_participant(
        program=program,
        employee=make_employee(name="Ana Asker", time_zone=asker_zone),
    )
    helper = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Hugo Helper", time_zone=helper_zone),
    )
    challenge = make_challenge(asker=asker, text="Running my first retro")
    return make_help_session(challenge=challenge, helper=helper, starts_at=starts_at, **extra)


def _dispatch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.dispatch_session_reminders.delay().get()


def test_each_person_is_reminded_once_however_often_it_runs(
    frozen, django_capture_on_commit_callbacks
):
    session = _session(starts_at=NOW + timedelta(hours=20))
    assert _dispatch(django_capture_on_commit_callbacks) == 2
    assert _dispatch(django_capture_on_commit_callbacks) == 0
    asker, helper = session.challenge.asker, session.helper
    assert tasks.send_session_reminder.delay(session.pk, asker.pk).get() is False
    assert tasks.send_session_reminder.delay(session.pk, helper.pk).get() is False
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [asker.employee.email, helper.employee.email]
    )
    key = f"session:{session.uid}:reminder:{session.starts_at.isoformat()}"
    assert set(SentNotice.objects.values_list("key", "participant_id")) == {
        (key, asker.pk),
        (key, helper.pk),
    }


def test_the_same_task_twice_sends_once(frozen):
    session = _session(starts_at=NOW + timedelta(hours=5))
    asker = session.challenge.asker
    assert tasks.send_session_reminder.delay(session.pk, asker.pk).get() is True
    assert tasks.send_session_reminder.delay(session.pk, asker.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_rescheduled_session_is_reminded_again_for_its_new_time(
    frozen, django_capture_on_commit_callbacks
):
    session = _session(starts_at=NOW + timedelta(hours=20))
    _dispatch(django_capture_on_commit_callbacks)
    HelpSession.objects.filter(pk=session.pk).update(
        starts_at=NOW + timedelta(hours=22),
        ends_at=NOW + timedelta(hours=22, minutes=30),
        sequence=1,
    )
    assert _dispatch(django_capture_on_commit_callbacks) == 2
    assert _dispatch(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 4


def test_no_reminder_for_cancelled_sessions_far_ones_or_the_last_hour(
    frozen, django_capture_on_commit_callbacks
):
    _session(starts_at=NOW + timedelta(hours=20), status=HelpSession.Status.CANCELLED)
    _session(starts_at=NOW + timedelta(hours=24, minutes=1))
    _session(starts_at=NOW + timedelta(minutes=59))
    assert _dispatch(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_session_cancelled_after_dispatch_is_not_sent(frozen):
    session = _session(starts_at=NOW + timedelta(hours=20))
    due = reminders.reminders_due(now=NOW)
    HelpSession.objects.filter(pk=session.pk).update(status=HelpSession.Status.CANCELLED)
    assert [tasks.send_session_reminder.delay(*row).get() for row in due] == [False, False]
    assert mail.outbox == []


def test_the_time_is_in_each_readers_own_zone(frozen, django_capture_on_commit_callbacks):
    # 11:00 UTC on 8 December: 06:00 in New York (EST), 11:00 in London (GMT).
    session = _session(starts_at=datetime(2026, 12, 8, 11, 0, tzinfo=UTC))
    _dispatch(django_capture_on_commit_callbacks)
    by_to = {m.to[0]: m for m in mail.outbox}
    to_asker = by_to[session.challenge.asker.employee.email]
    to_helper = by_to[session.helper.employee.email]
    assert to_asker.subject == (
        "Reminder: your session with Hugo Helper, "
        "Tuesday 8 December 2026, 06:00 (America/New_York, EST)"
    )
    assert to_helper.subject == (
        "Reminder: your session with Ana Asker, Tuesday 8 December 2026, 11:00 (Europe/London, GMT)"
    )
    assert "Tuesday 8 December 2026, 06:00 (America/New_York, EST)" in to_asker.body
    assert "Running my first retro" in to_helper.body
    assert f"{settings.SITE_URL}/help/sessions/{session.pk}/" in to_asker.body
    assert '"Cancel" or "Reschedule"' in to_asker.body


def test_someone_who_never_signed_in_gets_their_sign_in_link(frozen):
    session = _session(starts_at=NOW + timedelta(hours=20))
    helper = session.helper
    helper.employee.user.last_login = None
    helper.employee.user.save(update_fields=["last_login"])
    asker = session.challenge.asker
    asker.employee.user.last_login = NOW
    asker.employee.user.save(update_fields=["last_login"])
    tasks.send_session_reminder.delay(session.pk, helper.pk).get()
    tasks.send_session_reminder.delay(session.pk, asker.pk).get()
    to_helper, to_asker = mail.outbox
    assert "the link sets your password" in to_helper.body
    assert "the link sets your password" not in to_asker.body


def test_a_failed_send_is_retried_and_goes_once(frozen, monkeypatch):
    session = _session(starts_at=NOW + timedelta(hours=20))
    real = reminders.send_templated
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 1:
            raise ConnectionError("mail server down")
        real(**kwargs)

    monkeypatch.setattr(reminders, "send_templated", flaky)
    asker = session.challenge.asker
    assert tasks.send_session_reminder.delay(session.pk, asker.pk).get() is True
    assert len(calls) == 2
    assert len(mail.outbox) == 1
