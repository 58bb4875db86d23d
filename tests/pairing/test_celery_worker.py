"""Integration: a real Celery worker on Redis runs the dispatcher and delivers a due
check-in reminder (tests/brokers.py: CI fails when Redis is missing)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from pairing import tasks
from pairing.models import Reminder
from tests.factories import make_due_pairing, make_program

pytestmark = pytest.mark.django_db(transaction=True)


def test_real_worker_on_redis_delivers_a_due_checkin_reminder_once(redis_app):
    pairing = make_due_pairing(program=make_program())
    emails = sorted(pairing.members.values_list("participant__employee__email", flat=True))

    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # Through the broker as beat would send it; the worker's dispatcher then enqueues
        # one send per due row on the same broker.
        tasks.dispatch_due_reminders.delay()
        deadline = time.monotonic() + 30
        while Reminder.objects.filter(sent_at__isnull=False).count() < 2:
            assert time.monotonic() < deadline, "the worker did not send within 30 s"
            time.sleep(0.2)

    assert sorted(m.to[0] for m in mail.outbox) == emails
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
