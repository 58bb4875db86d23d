"""The request caps under concurrency (PostgreSQL only, like test_concurrency.py): the
learners' and mentors' row locks decide."""

import pytest
from django.core.exceptions import PermissionDenied

from pairing.models import Pairing, PairingMember
from pairing.services import PairingError, proposal_accept, proposal_request
from programs.models import Participant, Program
from tests.factories import make_participant, make_program
from tests.races import race

THREADS = 6


def _race(work, items):
    return race(work, items, refused=(PairingError, PermissionDenied))


def _program(**fields):
    return make_program(matching_mode=Program.MatchingMode.SELF_SELECT, **fields)


def _mentor(program, **extra):
    return make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}, **extra
    )


def _mentee(program):
    return make_participant(
        program=program, role=Participant.Role.MENTEE, employee_kwargs={"level": 3}
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_learner_asking_six_mentors_at_once_gets_exactly_the_cap():
    program = _program(max_requests_per_mentee=3)
    learner = _mentee(program)
    guides = [_mentor(program) for _ in range(THREADS)]
    user = learner.employee.user

    outcomes = _race(
        lambda guide: proposal_request(learner=learner, partner_id=guide.pk, user=user), guides
    )

    assert outcomes == ["ok"] * 3 + ["refused"] * 3
    assert Pairing.objects.filter(status=Pairing.Status.PROPOSED).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_learners_asking_one_mentor_at_once_never_exceed_the_mentor_cap():
    program = _program(max_requests_per_mentor=2)
    guide = _mentor(program, capacity=5)
    learners = [_mentee(program) for _ in range(THREADS)]

    outcomes = _race(
        lambda learner: proposal_request(
            learner=learner, partner_id=guide.pk, user=learner.employee.user
        ),
        learners,
    )

    assert outcomes == ["ok"] * 2 + ["refused"] * 4
    assert PairingMember.objects.filter(participant=guide, live=True).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_mentors_accepting_one_learners_requests_at_once_make_one_pairing():
    program = _program()
    learner = _mentee(program)
    guides = [_mentor(program), _mentor(program)]
    for guide in guides:
        proposal_request(learner=learner, partner_id=guide.pk, user=learner.employee.user)
    seats = list(PairingMember.objects.filter(role=PairingMember.Role.GUIDE).order_by("pk"))

    outcomes = _race(
        lambda seat: proposal_accept(member=seat, user=seat.participant.employee.user), seats
    )

    assert outcomes == ["ok", "refused"]
    assert Pairing.objects.filter(status=Pairing.Status.ACTIVE).count() == 1
    assert Pairing.objects.filter(status=Pairing.Status.CANCELLED).count() == 1
