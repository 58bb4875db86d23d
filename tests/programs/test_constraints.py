"""The database itself refuses rows that break the domain's invariants."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from pairing.models import CheckIn, Pairing, PairingMember
from programs.models import Employee, Participant, Program
from tests.factories import make_employee, make_participant, make_program

pytestmark = pytest.mark.django_db


def _refused(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_employee_level_outside_1_to_6_is_refused():
    employee = make_employee()
    _refused(lambda: Employee.objects.filter(pk=employee.pk).update(level=9))
    _refused(lambda: Employee.objects.filter(pk=employee.pk).update(level=0))


def test_employee_email_must_be_stored_lower_case():
    employee = make_employee()
    _refused(lambda: Employee.objects.filter(pk=employee.pk).update(email="Mixed@Example.org"))


@pytest.mark.parametrize(
    "change",
    [
        {"default_capacity": 0},
        {"min_gap": 3, "ideal_gap": 2},
        {"ideal_gap": 4, "max_gap": 3},
        {"weight_goals": 0, "weight_level": 0, "weight_style": 0, "weight_department": 0},
        {"enrol_opens": date(2026, 5, 2), "enrol_closes": date(2026, 5, 1)},
        {"starts_on": date(2026, 6, 2), "ends_on": date(2026, 6, 1)},
        {"checkin_cadence_days": 0},
        {"proposal_expiry_days": 0},
        {"kind": "speed_dating"},
    ],
)
def test_program_invalid_settings_are_refused(change):
    program = make_program()
    _refused(lambda: Program.objects.filter(pk=program.pk).update(**change))


def test_participant_capacity_zero_and_double_enrolment_are_refused():
    program = make_program()
    participant = make_participant(program=program, role=Participant.Role.MENTOR)
    _refused(lambda: Participant.objects.filter(pk=participant.pk).update(capacity=0))
    _refused(
        lambda: Participant.objects.create(
            program=program, employee=participant.employee, role=Participant.Role.MENTEE
        )
    )


def test_learner_cannot_be_in_two_live_pairings():
    program = make_program()
    mentee = make_participant(program=program)
    first = Pairing.objects.create(program=program)
    second = Pairing.objects.create(program=program)
    PairingMember.objects.create(pairing=first, participant=mentee, role="learner")
    _refused(
        lambda: PairingMember.objects.create(pairing=second, participant=mentee, role="learner")
    )
    # Once the first pairing is over, the mentee is free for another one.
    PairingMember.objects.filter(pairing=first).update(live=False)
    PairingMember.objects.create(pairing=second, participant=mentee, role="learner")
    assert PairingMember.objects.filter(participant=mentee, live=True).count() == 1


def test_mentor_can_be_in_several_live_pairings():
    program = make_program()
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    for _ in range(2):
        pairing = Pairing.objects.create(program=program)
        PairingMember.objects.create(pairing=pairing, participant=mentor, role="guide")
    assert PairingMember.objects.filter(participant=mentor, live=True).count() == 2


def test_checkin_rating_and_decline_reason_are_enforced():
    program = make_program()
    mentee = make_participant(program=program)
    pairing = Pairing.objects.create(program=program, status=Pairing.Status.ACTIVE)
    member = PairingMember.objects.create(pairing=pairing, participant=mentee, role="learner")
    _refused(
        lambda: CheckIn.objects.create(
            pairing=pairing, held_on=date(2026, 1, 5), logged_by=mentee, summary="x", rating=6
        )
    )
    _refused(lambda: PairingMember.objects.filter(pk=member.pk).update(response="declined"))


def test_pairing_score_above_100_is_refused():
    program = make_program()
    _refused(lambda: Pairing.objects.create(program=program, score=100.5))
