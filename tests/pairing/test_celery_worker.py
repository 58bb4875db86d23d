"""Integration: a real Celery worker on Redis runs the dispatcher and delivers a due
check-in reminder. CI (the CI environment variable set) fails when Redis is missing;
elsewhere the test is skipped with the reason."""

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from kombu import pools

from config.celery_app import app
from pairing import tasks
from pairing.models import Reminder
from tests.factories import make_due_pairing, make_program

# Database 15, away from CI's suite broker (14) and any development data (0).
BROKER_URL = "redis://127.0.0.1:6379/15"

pytestmark = pytest.mark.django_db(transaction=True)


def _require_redis() -> None:
    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at {BROKER_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI runs this test against a real broker)")
        pytest.skip(reason)


def _drop_cached_connections() -> None:
    # A producer pool cached under the old broker URL would keep publishing there. kombu
    # also keeps pools in a process-wide registry: reset that, not just the app's refs.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_app():
    _require_redis()
    redis.Redis.from_url(BROKER_URL).flushdb()  # nothing left over from an earlier run
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=BROKER_URL,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
    )
    _drop_cached_connections()
    yield app
    app.conf.update(saved)
    _drop_cached_connections()


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
