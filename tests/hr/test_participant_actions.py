"""HR edits or withdraws a participant: role-appropriate fields, a confirmation page,
their live proposals cancelled and pairings ended, partners told and re-proposed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Pairing, PairingMember
from pairing.services import WITHDREW
from programs.models import AuditEvent, Participant, Program
from programs.services import participant_withdraw
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_hr_admin,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE


def person(program, role, *, name, level, **extra):
    return make_participant(
        program=program,
        role=role,
        employee=make_employee(name=name, level=level, department="Ops"),
        **extra,
    )


@pytest.fixture
def hr_run(hr_admin):
    return make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.ADMIN)


def edit_url(participant):
    return reverse("hr:participant_edit", args=[participant.program.slug, participant.pk])


def withdraw_url(participant):
    return reverse("hr:participant_withdraw", args=[participant.program.slug, participant.pk])


# --- edit ------------------------------------------------------------------------------


def test_edit_a_mentor_changes_their_fields_and_records_each_change(client, hr_admin, program):
    ada = person(program, MENTOR, name="Ada Mentor", level=5, expertise=["Python"], capacity=1)
    client.force_login(hr_admin)
    paused = timezone.localdate() + timedelta(days=30)

    response = client.post(
        edit_url(ada),
        {
            "expertise": "Python; Public speaking",
            "style": "directive",
            "capacity": "3",
            "paused_until": paused.isoformat(),
        },
    )

    assert (response.status_code, response.url) == (
        302,
        reverse("hr:participant_table", args=[program.slug]),
    )
    ada.refresh_from_db()
    assert (ada.style, ada.capacity, ada.paused_until) == ("directive", 3, paused)
    assert sorted(t.name for t in ada.expertise.all()) == ["Public speaking", "Python"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PARTICIPANT_CHANGED)
    assert (event.program, event.actor, event.summary) == (
        program,
        hr_admin,
        "Changed Ada Mentor's expertise, style, capacity, paused until",
    )
    assert event.detail == {
        "email": ada.employee.email,
        "expertise": {"from": ["Python"], "to": ["Public speaking", "Python"]},
        "style": {"from": "either", "to": "directive"},
        "capacity": {"from": 1, "to": 3},
        "paused_until": {"from": None, "to": paused.isoformat()},
    }


def test_a_mentee_has_goals_and_style_only(client, hr_admin, program):
    cy = person(program, MENTEE, name="Cy Mentee", level=3, goals=["Hiring"])
    client.force_login(hr_admin)

    page = client.get(edit_url(cy))
    assert list(page.context["form"].fields) == ["goals", "style"]
    assert page.context["form"]["goals"].value() == "Hiring"

    # Fields a mentee does not have are ignored, not saved.
    response = client.post(
        edit_url(cy),
        {"goals": "Hiring, Budgeting", "style": "reflective", "capacity": "4",
         "paused_until": "2099-01-01"},
    )  # fmt: skip
    assert response.status_code == 302
    cy.refresh_from_db()
    assert (cy.style, cy.capacity, cy.paused_until) == ("reflective", None, None)
    assert sorted(t.name for t in cy.goals.all()) == ["Budgeting", "Hiring"]


def test_an_unchanged_edit_leaves_no_trace(client, hr_admin, program):
    cy = person(program, MENTEE, name="Cy Mentee", level=3, goals=["Hiring"])
    client.force_login(hr_admin)
    response = client.post(edit_url(cy), {"goals": " hiring ", "style": "either"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Nothing changed for Cy Mentee."]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PARTICIPANT_CHANGED).exists()


def test_bad_input_gives_field_errors_and_changes_nothing(client, hr_admin, program):
    ada = person(program, MENTOR, name="Ada Mentor", level=5, expertise=["Python"], capacity=1)
    client.force_login(hr_admin)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        edit_url(ada),
        {"expertise": " ; ", "style": "loud", "capacity": "0",
         "paused_until": yesterday.isoformat()},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "expertise": ["Give at least one area of expertise."],
        "style": ["Select a valid choice. loud is not one of the available choices."],
        "capacity": ["Ensure this value is greater than or equal to 1."],
        "paused_until": ["Choose a date after today, or leave it empty."],
    }
    ada.refresh_from_db()
    assert (ada.capacity, ada.style) == (1, "either")


def test_edit_and_withdraw_are_for_the_programmes_admins_only(client, program, outsider):
    cy = person(program, MENTEE, name="Cy Mentee", level=3, goals=["Hiring"])
    client.force_login(outsider)
    assert client.get(edit_url(cy)).status_code == 403
    assert client.post(withdraw_url(cy)).status_code == 403
    client.force_login(make_hr_admin(name="Other HR"))
    assert client.get(edit_url(cy)).status_code == 404
    assert client.post(withdraw_url(cy)).status_code == 404
    cy.refresh_from_db()
    assert cy.withdrawn_at is None


def test_a_participant_of_another_programme_is_404_under_this_one(client, hr_admin, program):
    other = make_program(admins=[hr_admin])
    cy = person(other, MENTEE, name="Cy Mentee", level=3)
    client.force_login(hr_admin)
    url = reverse("hr:participant_edit", args=[program.slug, cy.pk])
    assert client.get(url).status_code == 404


# --- withdraw --------------------------------------------------------------------------


def test_the_withdraw_page_lists_what_closes_and_changes_nothing(client, hr_admin, hr_run):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5, capacity=3)
    mo = person(hr_run, MENTEE, name="Mo Mentee", level=3)
    proposal = make_proposal(guide=gil, learner=mo)
    client.force_login(hr_admin)

    response = client.get(withdraw_url(gil))

    assert response.status_code == 200
    assert response.context["live"] == [proposal]
    assert "Withdraw Gil Guide from" in response.content.decode()
    gil.refresh_from_db()
    assert gil.withdrawn_at is None


def test_withdrawing_a_mentor_cancels_the_proposal_ends_the_pairing_and_reproposes(
    client, hr_admin, hr_run, django_capture_on_commit_callbacks
):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5, capacity=3, expertise=["SQL"])
    sam = person(hr_run, MENTOR, name="Sam Spare", level=5, capacity=2, expertise=["SQL"])
    mo = person(hr_run, MENTEE, name="Mo Mentee", level=3, goals=["SQL"])
    ana = person(hr_run, MENTEE, name="Ana Active", level=3, goals=["Budgeting"])
    proposal = make_proposal(guide=gil, learner=mo)
    active = make_active_pairing(guide=gil, learner=ana)
    mail.outbox.clear()
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_url(gil), {"reason": "Moved abroad"})

    assert (response.status_code, response.url) == (
        302,
        reverse("hr:participant_table", args=[hr_run.slug]),
    )
    gil.refresh_from_db()
    assert gil.withdrawn_at is not None
    proposal.refresh_from_db()
    active.refresh_from_db()
    assert (proposal.status, proposal.end_reason, proposal.ended_by) == (
        Pairing.Status.CANCELLED,
        WITHDREW,
        hr_admin,
    )
    assert (active.status, active.end_reason, active.next_checkin_due) == (
        Pairing.Status.ENDED,
        WITHDREW,
        None,
    )
    assert not PairingMember.objects.filter(participant=gil, live=True).exists()
    # Both mentees are back in the pool and proposed Sam's two free places.
    new = Pairing.objects.filter(status=Pairing.Status.PROPOSED)
    assert {frozenset(m.participant for m in p.members.all()) for p in new} == {
        frozenset({sam, mo}),
        frozenset({sam, ana}),
    }
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == sorted(
        [
            (mo.employee.email, f"Your {hr_run.name} proposal was cancelled: Gil Guide withdrew"),
            (ana.employee.email, f"Your {hr_run.name} pairing has ended: Gil Guide withdrew"),
            (sam.employee.email, f"New mentoring proposal in {hr_run.name}"),
            (sam.employee.email, f"New mentoring proposal in {hr_run.name}"),
        ]
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PARTICIPANT_WITHDRAWN)
    assert (event.program, event.actor, event.summary, event.detail) == (
        hr_run,
        hr_admin,
        "Withdrew Gil Guide: Moved abroad",
        {"email": gil.employee.email, "reason": "Moved abroad"},
    )
    # Withdrawn people leave the table and their pages.
    client.force_login(hr_admin)
    table = client.get(reverse("hr:participant_table", args=[hr_run.slug]))
    assert gil not in list(table.context["page"])
    assert client.get(edit_url(gil)).status_code == 404


def test_withdrawing_twice_closes_and_emails_once(
    hr_admin, hr_run, django_capture_on_commit_callbacks
):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5)
    mo = person(hr_run, MENTEE, name="Mo Mentee", level=3)
    make_active_pairing(guide=gil, learner=mo)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert participant_withdraw(participant=gil, actor=hr_admin) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert participant_withdraw(participant=gil, actor=hr_admin) is False
    assert [m.to for m in mail.outbox] == [[mo.employee.email]]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PARTICIPANT_WITHDRAWN).count() == 1


def test_withdraw_is_get_confirm_then_post_only(client, hr_admin, program):
    cy = person(program, MENTEE, name="Cy Mentee", level=3)
    client.force_login(hr_admin)
    assert client.put(withdraw_url(cy)).status_code == 405
    cy.refresh_from_db()
    assert cy.withdrawn_at is None


# --- the table -------------------------------------------------------------------------


def test_the_table_links_each_row_and_a_mentees_open_proposal(client, hr_admin, program):
    gil = person(program, MENTOR, name="Gil Guide", level=5, capacity=3)
    mo = person(program, MENTEE, name="Mo Mentee", level=3)
    proposal = make_proposal(guide=gil, learner=mo)
    client.force_login(hr_admin)

    page = client.get(reverse("hr:participant_table", args=[program.slug])).content.decode()

    assert f'href="{edit_url(mo)}"' in page
    assert f'href="{withdraw_url(mo)}"' in page
    for name in ("proposal_cancel", "proposal_reassign"):
        assert f'href="{reverse(f"hr:{name}", args=[program.slug, proposal.pk])}"' in page
    rows = {p.pk: (p.live_pairing_id, p.live_pairing_status) for p in client.get(
        reverse("hr:participant_table", args=[program.slug])).context["page"]}  # fmt: skip
    # A mentor's proposals are acted on from their mentees' rows (a mentor may have many).
    assert rows == {gil.pk: (None, None), mo.pk: (proposal.pk, "proposed")}


@pytest.mark.parametrize("rows", [1, 3])
def test_the_table_with_proposals_keeps_its_query_count(
    client, hr_admin, program, django_assert_num_queries, rows
):
    gil = person(program, MENTOR, name="Gil Guide", level=5, capacity=5)
    for n in range(rows):
        make_proposal(guide=gil, learner=person(program, MENTEE, name=f"Mentee {n}", level=3))
    client.force_login(hr_admin)
    # As tests/hr/test_participants.py counts it: the proposal columns are subqueries.
    with django_assert_num_queries(12):
        response = client.get(reverse("hr:participant_table", args=[program.slug]))
    assert response.context["page"].paginator.count == rows + 1


@pytest.mark.parametrize("pairings", [1, 3])
def test_the_edit_page_keeps_its_query_count(
    client, hr_admin, program, django_assert_num_queries, pairings
):
    gil = person(program, MENTOR, name="Gil Guide", level=5, capacity=5, expertise=["SQL"])
    for n in range(pairings):
        make_proposal(guide=gil, learner=person(program, MENTEE, name=f"Mentee {n}", level=3))
    client.force_login(hr_admin)
    # session, user, HR group, navbar's employee, participant, goals, expertise, live
    # pairings, their members
    with django_assert_num_queries(9):
        response = client.get(edit_url(gil))
    assert len(response.context["live"]) == pairings


def test_the_service_refuses_a_field_the_role_does_not_have(hr_admin, program):
    from django.core.exceptions import ValidationError

    from programs.services import participant_hr_update

    cy = person(program, MENTEE, name="Cy Mentee", level=3)
    with pytest.raises(ValidationError) as refused:
        participant_hr_update(participant=cy, actor=hr_admin, capacity=3, paused_until=None)
    assert refused.value.messages == ["A mentee has no capacity, paused until."]


def test_the_closed_email_is_sent_once_however_often_the_task_runs(hr_admin, hr_run):
    from pairing.services import pairing_closed_notify

    gil = person(hr_run, MENTOR, name="Gil Guide", level=5)
    mo = person(hr_run, MENTEE, name="Mo Mentee", level=3)
    pairing = make_active_pairing(guide=gil, learner=mo)
    participant_withdraw(participant=gil, actor=hr_admin)  # no on-commit: nothing sent yet
    mail.outbox.clear()
    member = pairing.members.get(participant=mo)

    assert [pairing_closed_notify(member_id=member.pk) for _ in range(2)] == [True, False]
    assert [m.to for m in mail.outbox] == [[mo.employee.email]]
