"""A Celery worker killed (SIGKILL) after handing a reminder to the mail server and before
it was confirmed: the next dispatch after the claim's lease sends it again, with the same
Message-ID, and HR can see it was in doubt. A real worker process on Redis and PostgreSQL
(the worker needs the test database from another process, which SQLite's in-memory test
database cannot give)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from pairing import reminders, tasks
from pairing.models import Reminder
from pairing.reminders import Outcome, reminder_send, reminders_dispatch
from tests.brokers import BROKER_URL
from tests.factories import make_due_pairing, make_program

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(hold_dir: Path) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": BROKER_URL,
        "EMAIL_BACKEND": "tests.mail_hold.HoldingBackend",
        "MAIL_HOLD_DIR": str(hold_dir),
        "SITE_URL": settings.SITE_URL,
    }


def _wait(predicate, *, seconds: float, what: str, worker, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert worker.poll() is None, f"the worker exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"{what} within {seconds} s: {log.read_text()[-2000:]}"
        time.sleep(0.2)


def test_a_worker_killed_mid_send_loses_nothing_and_the_resend_keeps_the_message_id(
    redis_app, tmp_path
):
    make_due_pairing(program=make_program())
    first, second = reminders_dispatch()
    # A queue of this test's own: another test run on the same Redis never takes its task.
    queue = f"crash-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue],
        cwd=ROOT,
        env=_worker_env(tmp_path),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        # On an explicit connection: a producer the suite made earlier may still point at
        # the suite's own broker.
        with redis_app.connection_for_write(BROKER_URL) as broker:
            tasks.send_reminder.apply_async((first,), queue=queue, connection=broker)
        held = tmp_path / "held"
        _wait(
            held.exists,
            seconds=90,
            what="the worker reached the mail server",
            worker=worker,
            log=log,
        )
        row = Reminder.objects.get(pk=first)
        assert (row.claimed_at is not None, row.handed_over_at is not None, row.sent_at) == (
            True,
            True,
            None,
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    # Inside the lease the dead worker's claim still stands; the dispatcher run after it
    # (every minute) takes it up again, so it goes out within about two minutes.
    assert reminders_dispatch(now=row.handed_over_at + reminders.CLAIM_LEASE) == [second]
    picked_up = row.handed_over_at + reminders.CLAIM_LEASE + timedelta(minutes=1)
    ready = reminders_dispatch(now=picked_up)
    assert ready == [first, second]
    assert [reminder_send(reminder_id=pk) for pk in ready] == [Outcome.SENT, Outcome.SENT]

    resent = Reminder.objects.get(pk=first)
    assert (resent.doubted_at, resent.last_error) == (picked_up, reminders.IN_DOUBT)
    by_id = {m.extra_headers["Message-ID"]: m for m in mail.outbox}
    assert held.read_text() == f"<reminder-{first}@127.0.0.1>"
    assert sorted(by_id) == sorted(
        [f"<reminder-{first}@127.0.0.1>", f"<reminder-{second}@127.0.0.1>"]
    )
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
