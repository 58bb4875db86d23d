"""HR sees when each person was last active (issue 16, part 5): every act of a person's
own moves their Employee.last_active_at to that moment, and nobody else's."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pairing import services
from pairing.models import Pairing, PairingMember
from programs import services as program_services
from programs.models import Employee, Focus, Participant, Program, Style
from tests.factories import make_active_pairing, make_participant, make_program, make_proposal

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime(2026, 11, 20, 9, 30))


@pytest.fixture
def frozen(monkeypatch):
    """Every timezone.now() in the services reads AT."""
    monkeypatch.setattr(timezone, "now", lambda: AT)
    return AT


@pytest.fixture
def program(hr_admin):
    return make_program(admins=[hr_admin], starts_on=None)


def pair(program):
    guide = make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}
    )
    learner = make_participant(program=program, employee_kwargs={"level": 2})
    return guide, learner


def last_active(participant) -> datetime | None:
    return Employee.objects.get(pk=participant.employee_id).last_active_at


def test_signing_in_is_activity(program, frozen):
    guide, _ = pair(program)
    user = guide.employee.user
    user.set_password("a long passphrase for tests")
    user.save()
    response = Client().post(
        reverse("login"), {"username": user.username, "password": "a long passphrase for tests"}
    )
    assert response.status_code == 302
    assert last_active(guide) == AT


def test_answering_a_proposal_marks_only_the_one_who_answered(program, frozen):
    guide, learner = pair(program)
    pairing = make_proposal(guide=guide, learner=learner)
    Employee.objects.update(last_active_at=None)
    seat = pairing.members.get(role=PairingMember.Role.GUIDE)
    services.proposal_accept(member=seat, user=guide.employee.user)
    assert (last_active(guide), last_active(learner)) == (AT, None)


def test_declining_is_activity(program, frozen):
    guide, learner = pair(program)
    pairing = make_proposal(guide=guide, learner=learner)
    Employee.objects.update(last_active_at=None)
    seat = pairing.members.get(role=PairingMember.Role.GUIDE)
    services.proposal_decline(
        member=seat, user=guide.employee.user, reason=PairingMember.DeclineReason.NO_TIME
    )
    assert (last_active(guide), last_active(learner)) == (AT, None)


def test_logging_a_check_in_is_activity(program, frozen):
    guide, learner = pair(program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    assert pairing.status == Pairing.Status.ACTIVE
    Employee.objects.update(last_active_at=None)
    services.checkin_log(
        pairing=pairing,
        participant=learner,
        held_on=AT.date(),
        summary="Talked through the first goal.",
        rating=4,
    )
    assert (last_active(learner), last_active(guide)) == (AT, None)


def test_enrolling_and_editing_the_enrolment_are_activity(program, frozen, monkeypatch):
    guide, _ = pair(program)
    employee = guide.employee
    Participant.objects.filter(pk=guide.pk).delete()
    participant = program_services.participant_enrol(
        program=program,
        employee=employee,
        role=Participant.Role.MENTOR,
        goals=[],
        expertise=["Negotiation"],
        style=Style.DIRECTIVE,
        focus=Focus.LONG_TERM,
        capacity=2,
    )
    assert last_active(participant) == AT
    later = AT + timedelta(hours=2)
    Employee.objects.filter(pk=employee.pk).update(last_active_at=None)
    monkeypatch.setattr(timezone, "now", lambda: later)
    program_services.participant_update(
        participant=participant,
        goals=[],
        expertise=["Negotiation", "Hiring"],
        style=Style.REFLECTIVE,
        focus=Focus.LONG_TERM,
        capacity=1,
    )
    assert last_active(participant) == later


def test_pausing_and_resuming_are_activity(program, frozen):
    guide, _ = pair(program)
    user = guide.employee.user
    program_services.participant_pause(participant=guide, weeks=2, user=user)
    assert last_active(guide) == AT
    Employee.objects.filter(pk=guide.employee_id).update(last_active_at=None)
    program_services.participant_resume(participant=guide, user=user)
    assert last_active(guide) == AT


def test_asking_and_withdrawing_a_request_are_activity(hr_admin, frozen):
    self_select = make_program(
        admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT, starts_on=None
    )
    guide, learner = pair(self_select)
    pairing = services.proposal_request(
        learner=learner, partner_id=guide.pk, user=learner.employee.user
    )
    assert (last_active(learner), last_active(guide)) == (AT, None)
    Employee.objects.update(last_active_at=None)
    seat = pairing.members.get(participant=learner)
    services.request_withdraw(member=seat, user=learner.employee.user)
    assert (last_active(learner), last_active(guide)) == (AT, None)


def test_last_activity_never_moves_back(program, frozen):
    guide, _ = pair(program)
    later = AT + timedelta(days=1)
    Employee.objects.filter(pk=guide.employee_id).update(last_active_at=later)
    program_services.participants_mark_active(participant_ids=[guide.pk])
    assert last_active(guide) == later
