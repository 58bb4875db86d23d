"""A leaver's live pairings end ("left the organisation") and their partners are free."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from pairing.models import Pairing, PairingMember
from pairing.services import LEFT_ORGANISATION
from programs.models import AuditEvent, Participant, Program
from programs.services import employee_reactivate, employees_deactivate
from tests.factories import (
    make_active_pairing,
    make_hr_admin,
    make_participant,
    make_people_admin,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db


def person(program, role, *, name, level, goals=(), expertise=()):
    return make_participant(
        program=program,
        role=role,
        goals=goals,
        expertise=expertise,
        employee_kwargs={"name": name, "level": level, "department": "Ops"},
    )


def sign_in(client, user):
    return client.post(
        "/accounts/login/", {"username": user.username, "password": "pass-for-tests"}
    )


@pytest.fixture
def hr_run(hr_admin):
    return make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.ADMIN)


def test_a_leaving_mentor_frees_the_mentee_who_is_proposed_the_next_best_at_once(
    hr_run, django_capture_on_commit_callbacks
):
    leaving = person(hr_run, Participant.Role.MENTOR, name="Lee Leaving", level=5)
    spare = person(hr_run, Participant.Role.MENTOR, name="Sam Spare", level=5, expertise=["SQL"])
    learner = person(hr_run, Participant.Role.MENTEE, name="Mo Mentee", level=2, goals=["SQL"])
    pairing = make_active_pairing(guide=leaving, learner=learner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        left = employees_deactivate(employees=[leaving.employee], actor=make_people_admin())

    assert [e.pk for e in left] == [leaving.employee.pk]
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, LEFT_ORGANISATION)
    assert not pairing.members.filter(live=True).exists()
    leaving.employee.user.refresh_from_db()
    assert leaving.employee.user.is_active is False
    # The mentee is back in the pool and, HR running matching, proposed to the spare mentor.
    new = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert {m.participant for m in new.members.all()} == {spare, learner}
    # Mo is told the pairing ended; Sam gets the new proposal; the leaver gets nothing.
    by_recipient = {message.to[0]: message.subject for message in mail.outbox}
    assert by_recipient == {
        learner.employee.email: f"Your {hr_run.name} pairing has ended: "
        "Lee Leaving left the organisation",
        spare.employee.email: by_recipient[spare.employee.email],
    }
    assert "proposal" in by_recipient[spare.employee.email].lower()
    # Their enrolment and the ended pairing stay, for reporting; matching no longer uses them.
    assert Participant.objects.filter(pk=leaving.pk).exists()
    assert not Participant.objects.active().filter(pk=leaving.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PEOPLE_LEFT)
    assert (event.program, event.detail) == (None, {"emails": [leaving.employee.email]})


def test_a_leaving_mentee_ends_a_proposal_and_the_mentor_is_told_once(
    hr_run, django_capture_on_commit_callbacks
):
    guide = person(hr_run, Participant.Role.MENTOR, name="Gil Guide", level=5)
    leaving = person(hr_run, Participant.Role.MENTEE, name="Lou Leaving", level=2)
    pairing = make_proposal(guide=guide, learner=leaving)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        employees_deactivate(employees=[leaving.employee], actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        # Marking them again (a repeated SCIM call, a re-imported file) does nothing.
        assert employees_deactivate(employees=[leaving.employee], actor=None) == []

    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert [m.to for m in mail.outbox] == [[guide.employee.email]]
    assert "Your place is free again" in mail.outbox[0].body
    member = pairing.members.get(participant=guide)
    assert member.partner_left_notified_at is not None
    assert Pairing.objects.count() == 1  # a mentor is not re-proposed; matching will use them


def test_in_a_self_select_programme_the_partner_returns_to_the_pool_unproposed(
    hr_admin, django_capture_on_commit_callbacks
):
    program = make_program(
        admins=[hr_admin],
        kind=Program.Kind.PEER_COACHING,
        matching_mode=Program.MatchingMode.SELF_SELECT,
    )
    staying = person(program, Participant.Role.PEER, name="Sue Staying", level=3)
    leaving = person(program, Participant.Role.PEER, name="Lars Leaving", level=3)
    person(program, Participant.Role.PEER, name="Val Vacant", level=3)
    make_active_pairing(guide=leaving, learner=staying)

    with django_capture_on_commit_callbacks(execute=True):
        employees_deactivate(employees=[leaving.employee], actor=None)

    assert not PairingMember.objects.filter(participant=staying, live=True).exists()
    assert Pairing.objects.filter(status=Pairing.Status.PROPOSED).count() == 0
    assert "choose your next partner" in mail.outbox[-1].body


def test_only_people_admins_mark_leavers(program):
    someone = person(program, Participant.Role.MENTEE, name="Ann", level=2)
    with pytest.raises(PermissionDenied):
        employees_deactivate(employees=[someone.employee], actor=make_hr_admin(name="H"))
    someone.employee.user.refresh_from_db()
    assert someone.employee.user.is_active is True


def test_a_leaver_cannot_sign_in_and_can_come_back(client, program):
    someone = person(program, Participant.Role.MENTEE, name="Ann", level=2)
    user = someone.employee.user
    client.force_login(user)
    employees_deactivate(employees=[someone.employee], actor=None)

    # The open session dies on its next request, and the password no longer works.
    assert client.get("/")["Location"] == "/accounts/login/?next=/"
    refused = sign_in(client, user)
    assert refused.status_code == 200  # the form again, with its error
    assert client.get("/")["Location"] == "/accounts/login/?next=/"

    admin = make_people_admin()
    assert employee_reactivate(employee=someone.employee, actor=admin) is True
    assert employee_reactivate(employee=someone.employee, actor=admin) is False
    assert sign_in(client, user).status_code == 302
    assert client.get("/").status_code == 200
    assert Participant.objects.active().filter(pk=someone.pk).exists()
