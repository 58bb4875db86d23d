"""The Celery tasks, run eagerly: enqueue after commit, retry with backoff, give up cleanly."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from config.celery_app import app
from pairing import reminders, tasks
from pairing.models import Reminder
from tests.factories import make_due_pairing

pytestmark = pytest.mark.django_db


def fail_first(monkeypatch, times: int):
    """The mail server refuses the first ``times`` sends, then accepts."""
    real = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] <= times:
            raise SMTPServerDisconnected(f"refused send {calls['n']}")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return calls


def test_beat_runs_the_dispatcher_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-reminders"]
    assert entry["task"] == "pairing.tasks.dispatch_due_reminders"
    assert entry["task"] in app.tasks
    assert str(entry["schedule"]) == "<crontab: * * * * * (m/h/dM/MY/d)>"


def test_dispatch_enqueues_one_send_per_due_row_after_commit_and_twice_sends_once(
    program, django_capture_on_commit_callbacks
):
    make_due_pairing(program=program)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.dispatch_due_reminders.delay()
    assert len(callbacks) == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.dispatch_due_reminders.delay()
    assert callbacks == []
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def test_send_that_raises_is_retried_and_then_sent_once(program, monkeypatch):
    make_due_pairing(program=program)
    [first, second] = reminders.reminders_dispatch()
    calls = fail_first(monkeypatch, times=1)
    tasks.send_reminder.delay(first)
    tasks.send_reminder.delay(first)  # a duplicate message changes nothing
    assert calls["n"] == 2
    assert len(mail.outbox) == 1
    row = Reminder.objects.get(pk=first)
    assert row.sent_at is not None
    assert (row.attempts, row.last_error) == (1, "SMTPServerDisconnected: refused send 1")
    assert Reminder.objects.get(pk=second).sent_at is None


def test_send_failing_every_try_gives_up_released_and_the_dispatcher_takes_it_up_later(
    program, monkeypatch
):
    make_due_pairing(program=program)
    [first, second] = reminders.reminders_dispatch()
    calls = fail_first(monkeypatch, times=reminders.SEND_TRIES)
    before = timezone.now()
    tasks.send_reminder.delay(first)
    assert calls["n"] == reminders.SEND_TRIES
    row = Reminder.objects.get(pk=first)
    assert (row.sent_at, row.claimed_at, row.attempts) == (None, None, reminders.SEND_TRIES)
    assert row.send_after >= before + reminders.GIVE_UP_PAUSE
    assert reminders.reminders_dispatch() == [second]
    later = timezone.now() + reminders.GIVE_UP_PAUSE + timedelta(minutes=1)
    assert sorted(reminders.reminders_dispatch(now=later)) == [first, second]
    assert tasks.send_reminder.delay(first).get() == reminders.Outcome.SENT
    assert len(mail.outbox) == 1


def test_retry_delays_grow_exponentially_and_stay_below_the_visibility_timeout():
    delays = [reminders.retry_delay(n) for n in range(reminders.SEND_TRIES - 1)]
    assert delays == [30, 60, 120, 240]
    assert sum(delays) < 3600
