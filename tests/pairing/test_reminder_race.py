"""Workers racing on the same due rows (reminders, HR's nudges) send each email once
(PostgreSQL, real threads)."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from pairing.models import Reminder
from pairing.reminders import Outcome, reminder_send, reminders_dispatch
from pairing.services import member_nudge
from tests.factories import make_due_pairing, make_live_pairing, make_program

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def three_pairings_due() -> None:
    # Not the program fixture: its HR group comes from a data migration that the flush
    # between transactional tests removes.
    program = make_program()
    for _ in range(3):
        make_due_pairing(program=program)


def race(work) -> list:
    """Run ``work`` in WORKERS threads released together by a barrier."""
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.extend(work())
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_workers_racing_on_the_same_ids_send_each_email_once():
    three_pairings_due()
    ids = reminders_dispatch()
    assert len(ids) == 6

    outcomes = race(lambda: [reminder_send(reminder_id=pk) for pk in ids])

    assert Counter(outcomes) == {Outcome.SENT: 6, Outcome.SKIPPED: 6 * (WORKERS - 1)}
    assert len(mail.outbox) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Reminder.objects.values_list("recipient__email", flat=True)
    )
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 6


def test_dispatchers_racing_create_each_row_once_and_send_each_email_once():
    three_pairings_due()

    def dispatch_and_send():
        return [reminder_send(reminder_id=pk) for pk in reminders_dispatch()]

    outcomes = race(dispatch_and_send)

    assert Counter(outcomes)[Outcome.SENT] == 6
    assert Reminder.objects.count() == 6
    assert len(mail.outbox) == 6
    assert len({m.to[0] for m in mail.outbox}) == 6


def test_workers_racing_on_hrs_nudges_send_each_email_once():
    program = make_program()
    members = [
        make_live_pairing(program=program, status="proposed").members.get(response="pending").pk
        for _ in range(3)
    ]
    day = timezone.localdate()

    sent = race(lambda: [member_nudge(member_id=pk, day=day) for pk in members])

    assert Counter(sent) == {True: 3, False: 3 * (WORKERS - 1)}
    assert len(mail.outbox) == 3
