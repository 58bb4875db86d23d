"""Ten mentors' answers racing for two places: the lock on the mentor's row decides.

Threads need real transactions and a database that locks rows, so this runs on PostgreSQL
only (DATABASE_URL=postgres://...); on SQLite the `postgres` marker deselects it.
"""

import threading

import pytest
from django.db import connection

from pairing.models import Pairing, PairingMember
from pairing.services import PairingError, proposal_accept, proposal_decline, proposal_notify
from programs.models import Participant, Program
from tests.factories import make_group, make_participant, make_program, make_proposal
from tests.races import race

THREADS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_acceptances_at_once_fill_exactly_the_mentors_capacity():
    # No HR admin: a transactional test before this one may have flushed the HR group
    # that a data migration creates.
    program = make_program()
    guide = make_participant(
        program=program, role=Participant.Role.MENTOR, capacity=2, employee_kwargs={"level": 5}
    )
    proposals = [
        make_proposal(
            guide=guide,
            learner=make_participant(
                program=program, role=Participant.Role.MENTEE, employee_kwargs={"level": 3}
            ),
        )
        for _ in range(THREADS)
    ]
    members = [p.members.get(role=PairingMember.Role.GUIDE) for p in proposals]
    user = guide.employee.user
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(member):
        try:
            # Connect first, so the barrier releases ten open connections at once rather
            # than ten connection handshakes that would spread the transactions out.
            connection.ensure_connection()
            barrier.wait()
            proposal_accept(member=member, user=user)
            result = "accepted"
        except PairingError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted"] * 2 + ["refused"] * 8
    assert Pairing.objects.filter(status=Pairing.Status.ACTIVE).count() == 2
    assert Pairing.objects.filter(status=Pairing.Status.PROPOSED).count() == 8
    assert (
        PairingMember.objects.filter(
            participant=guide, response=PairingMember.Response.ACCEPTED
        ).count()
        == 2
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_workers_sending_the_same_proposal_emails_send_each_once(mailoutbox):
    # Claims that filter across a join become `id IN (SELECT ...)`, which PostgreSQL does
    # not re-check on a row a concurrent claim has just changed: every racer then won.
    program = make_program()
    proposals = [
        make_proposal(
            guide=make_participant(
                program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
            ),
            learner=make_participant(program=program, employee_kwargs={"level": 3}),
        )
        for _ in range(3)
    ]
    member_ids = [p.members.get(role=PairingMember.Role.GUIDE).pk for p in proposals]
    # Publishing sent them already (on commit); unsent again, as before a worker's run.
    PairingMember.objects.filter(pk__in=member_ids).update(notified_at=None)
    mailoutbox.clear()
    barrier = threading.Barrier(THREADS)
    sent: list[bool] = []
    lock = threading.Lock()

    def send_all():
        try:
            connection.ensure_connection()
            barrier.wait()
            results = [proposal_notify(member_id=pk) for pk in member_ids]
        finally:
            connection.close()
        with lock:
            sent.extend(results)

    threads = [threading.Thread(target=send_all) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sent.count(True) == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        p.members.get(role=PairingMember.Role.GUIDE).participant.employee.email for p in proposals
    )


def _race(calls) -> list[str]:
    """Run the calls at once, each in its own thread and connection; their outcomes."""
    return race(lambda call: call(), calls, refused=(PairingError,))


def _circles():
    return make_program(
        kind=Program.Kind.PEER_CIRCLES, group_min=4, group_max=6, group_level_spread=2
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_group_answered_by_everyone_at_once_starts_once_with_everyone_in_it():
    program = _circles()
    people = [make_participant(program=program, role=Participant.Role.PEER) for _ in range(6)]
    group = make_group(program=program, members=people)
    members = list(group.members.select_related("participant__employee__user"))
    calls = [
        (lambda m=m: proposal_accept(member=m, user=m.participant.employee.user)) for m in members
    ]
    assert _race(calls) == ["ok"] * 6
    group.refresh_from_db()
    assert group.status == Pairing.Status.ACTIVE
    assert sorted(group.members.values_list("response", flat=True)) == ["accepted"] * 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_declines_at_once_top_the_group_up_with_the_one_free_person_once():
    program = _circles()
    people = [make_participant(program=program, role=Participant.Role.PEER) for _ in range(5)]
    free = make_participant(program=program, role=Participant.Role.PEER)
    group = make_group(program=program, members=people)
    leaving = list(group.members.filter(participant__in=people[:2]))
    calls = [
        (lambda m=m: proposal_decline(member=m, user=m.participant.employee.user, reason="no_time"))
        for m in leaving
    ]
    assert _race(calls) == ["ok", "ok"]
    group.refresh_from_db()
    # Three stay, the one free person joins: four, enough to start once they accept.
    assert group.status == Pairing.Status.PROPOSED
    live = sorted(group.members.filter(live=True).values_list("participant_id", flat=True))
    assert live == sorted([p.pk for p in people[2:]] + [free.pk])
