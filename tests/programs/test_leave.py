"""An employee leaves a programme: a confirmation page, then the same service as HR's
withdrawal, so their proposal is cancelled, their pairing ends and partners are told."""

import pytest
from django.core import mail
from django.urls import reverse

from pairing.models import Pairing
from pairing.services import WITHDREW
from programs.models import AuditEvent, Participant, Program
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db


def person(program, role, *, name, level, **extra):
    return make_participant(
        program=program, role=role, employee=make_employee(name=name, level=level), **extra
    )


def leave_url(program):
    return reverse("programs:program_leave", args=[program.slug])


def test_the_leave_page_asks_first_and_changes_nothing(client, program):
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3)
    client.force_login(mo.employee.user)
    response = client.get(leave_url(program))
    assert response.status_code == 200
    assert f"Leave {program.name}?" in response.content.decode()
    mo.refresh_from_db()
    assert mo.withdrawn_at is None


def test_the_enrolment_page_links_to_leaving(client, program):
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3, goals=["SQL"])
    client.force_login(mo.employee.user)
    page = client.get(reverse("programs:program_enrol", args=[program.slug])).content.decode()
    assert f'href="{leave_url(program)}"' in page


def test_leaving_ends_the_pairing_tells_the_mentor_and_records_it(
    client, program, django_capture_on_commit_callbacks
):
    gil = person(program, Participant.Role.MENTOR, name="Gil Guide", level=5)
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3)
    pairing = make_active_pairing(guide=gil, learner=mo)
    mail.outbox.clear()
    client.force_login(mo.employee.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(leave_url(program), {"reason": "New role"}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert [str(m) for m in response.context["messages"]] == [f"You have left {program.name}."]
    mo.refresh_from_db()
    assert mo.withdrawn_at is not None
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason, pairing.ended_by) == (
        Pairing.Status.ENDED,
        WITHDREW,
        mo.employee.user,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([gil.employee.email], f"Your {program.name} pairing has ended: Mo Mentee withdrew")
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PARTICIPANT_LEFT)
    assert (event.program, event.actor, event.summary) == (
        program,
        mo.employee.user,
        "Mo Mentee left the programme: New role",
    )
    # Gone from the page: a second POST is a 404, not a second withdrawal.
    assert client.post(leave_url(program)).status_code == 404


def test_a_leaving_peer_cancels_the_proposal_and_the_other_is_reproposed(
    client, hr_admin, django_capture_on_commit_callbacks
):
    program = make_program(
        admins=[hr_admin],
        kind=Program.Kind.PEER_COACHING,
        matching_mode=Program.MatchingMode.ADMIN,
    )
    lea = person(program, Participant.Role.PEER, name="Lea", level=3)
    sam = person(program, Participant.Role.PEER, name="Sam", level=3)
    val = person(program, Participant.Role.PEER, name="Val", level=3)
    proposal = make_proposal(guide=sam, learner=lea)
    client.force_login(sam.employee.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(leave_url(program))

    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.CANCELLED
    new = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert {m.participant for m in new.members.all()} == {lea, val}


def test_leaving_is_only_for_ones_own_current_enrolment(client, program, outsider):
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3)
    client.force_login(outsider)
    assert client.get(leave_url(program)).status_code == 404
    assert client.post(leave_url(program)).status_code == 404
    mo.refresh_from_db()
    assert mo.withdrawn_at is None
    closed = make_program(status=Program.Status.CLOSED)
    person(closed, Participant.Role.MENTEE, name="Cleo", level=3)
    client.force_login(closed.participants.get().employee.user)
    assert client.post(leave_url(closed)).status_code == 404


def test_someone_who_left_may_enrol_again_while_it_is_open(client, program):
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3, goals=["SQL"])
    client.force_login(mo.employee.user)
    client.post(leave_url(program))
    home = client.get(reverse("home"))
    assert program in home.context["home"].open_programs

    page = client.get(reverse("programs:program_enrol", args=[program.slug]))
    assert page.context["participant"] is None
    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"new_goals": "Budgeting", "style": "either", "focus": "long_term"},
    )
    assert response.status_code == 302
    mo.refresh_from_db()
    assert mo.withdrawn_at is None
    assert [t.name for t in mo.goals.all()] == ["Budgeting"]
    assert Participant.objects.filter(program=program, employee=mo.employee).count() == 1
