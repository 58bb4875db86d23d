"""HR cancels a published proposal or gives its mentee another mentor: the rules of
capacity, no repeats and declined pairs hold, everyone in it is told, the audit log says."""

import pytest
from django.core import mail
from django.urls import reverse

from pairing.models import Pairing, PairingMember
from pairing.services import proposal_decline
from programs.models import AuditEvent, Participant, Program
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_hr_admin,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db

MENTOR, MENTEE, PEER = Participant.Role.MENTOR, Participant.Role.MENTEE, Participant.Role.PEER


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


@pytest.fixture
def cast(hr_run):
    """Gil is proposed to Mo; Sam and Tess have places; Fay is full; Dee declined Mo."""
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5, capacity=2, expertise=["SQL"])
    sam = person(hr_run, MENTOR, name="Sam Spare", level=5, capacity=1, expertise=["SQL"])
    tess = person(hr_run, MENTOR, name="Tess Other", level=5, capacity=2)
    fay = person(hr_run, MENTOR, name="Fay Full", level=5, capacity=1, expertise=["SQL"])
    dee = person(hr_run, MENTOR, name="Dee Declined", level=5, capacity=3, expertise=["SQL"])
    mo = person(hr_run, MENTEE, name="Mo Mentee", level=3, goals=["SQL"])
    make_active_pairing(guide=fay, learner=person(hr_run, MENTEE, name="Flo", level=3))
    declined = make_proposal(guide=dee, learner=mo)
    proposal_decline(
        member=declined.members.get(participant=dee), user=dee.employee.user, reason="no_time"
    )
    # Mo's decline re-proposal went to the best free mentor; make it Gil's, for the tests.
    Pairing.objects.filter(status=Pairing.Status.PROPOSED).delete()
    proposal = make_proposal(guide=gil, learner=mo)
    mail.outbox.clear()
    return {"gil": gil, "sam": sam, "tess": tess, "fay": fay, "dee": dee, "mo": mo,
            "proposal": proposal}  # fmt: skip


def url(name, pairing):
    return reverse(f"hr:{name}", args=[pairing.program.slug, pairing.pk])


# --- cancel ----------------------------------------------------------------------------


def test_cancel_closes_the_proposal_tells_both_and_reproposes_someone_else(
    client, hr_admin, cast, django_capture_on_commit_callbacks
):
    proposal, mo = cast["proposal"], cast["mo"]
    client.force_login(hr_admin)
    assert client.get(url("proposal_cancel", proposal)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("proposal_cancel", proposal), {"reason": "Same team soon"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.end_reason, proposal.ended_by) == (
        Pairing.Status.CANCELLED,
        "Same team soon",
        hr_admin,
    )
    assert not proposal.members.filter(live=True).exists()
    # Never Gil again, nor Dee (declined), nor Fay (full): Sam, the best free fit.
    new = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert {m.participant for m in new.members.all()} == {cast["sam"], mo}
    recipients = sorted((m.to[0], m.subject) for m in mail.outbox)
    name = proposal.program.name
    assert recipients == sorted(
        [
            (cast["gil"].employee.email, f"Your {name} proposal was cancelled"),
            (mo.employee.email, f"Your {name} proposal was cancelled"),
            (cast["sam"].employee.email, f"New mentoring proposal in {name}"),
        ]
    )
    assert "HR cancelled your" in mail.outbox[0].body
    assert "Same team soon" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROPOSAL_CANCELLED)
    assert (event.actor, event.summary, event.detail) == (
        hr_admin,
        "Cancelled the proposal of Gil Guide and Mo Mentee: Same team soon",
        {"pairing": proposal.pk, "reason": "Same team soon", "new_proposals": [new.pk]},
    )


def test_cancel_leaves_the_mentee_unmatched_when_nobody_fits(
    client, hr_admin, hr_run, django_capture_on_commit_callbacks
):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5)
    proposal = make_proposal(guide=gil, learner=person(hr_run, MENTEE, name="Mo", level=3))
    client.force_login(hr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("proposal_cancel", proposal), {"reason": "x"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Cancelled the proposal; everyone in it is emailed. Nobody free fits in its place, "
        "so they are unmatched for now."
    ]
    assert Pairing.objects.filter(status=Pairing.Status.PROPOSED).count() == 0


def test_cancel_needs_a_reason_and_an_open_proposal(client, hr_admin, hr_run):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5)
    mo = person(hr_run, MENTEE, name="Mo", level=3)
    active = make_active_pairing(guide=gil, learner=mo)
    client.force_login(hr_admin)

    page = client.get(url("proposal_cancel", active))
    assert page.status_code == 200
    assert "This proposal is no longer open (it is active)" in page.content.decode()
    response = client.post(url("proposal_cancel", active), {"reason": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    response = client.post(url("proposal_cancel", active), {"reason": "Too late"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["This proposal is no longer open (it is active)."]
    }
    active.refresh_from_db()
    assert active.status == Pairing.Status.ACTIVE


def test_proposal_actions_are_for_the_programmes_admins_only(client, cast, outsider, hr_admin):
    proposal = cast["proposal"]
    for name in ("proposal_cancel", "proposal_reassign"):
        client.force_login(outsider)
        assert client.get(url(name, proposal)).status_code == 403
        client.force_login(cast["mo"].employee.user)
        assert client.post(url(name, proposal), {"reason": "x"}).status_code == 403
        client.force_login(make_hr_admin(name="Other HR"))
        assert client.post(url(name, proposal), {"reason": "x"}).status_code == 404
        # A pairing of another programme of theirs, named under this one's address.
        other = make_program(admins=[hr_admin])
        client.force_login(hr_admin)
        wrong = reverse(f"hr:{name}", args=[other.slug, proposal.pk])
        assert client.post(wrong, {"reason": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.PROPOSED


# --- reassign --------------------------------------------------------------------------


def test_reassign_lists_only_mentors_the_rules_allow_and_searches_by_name(client, hr_admin, cast):
    client.force_login(hr_admin)
    page = client.get(url("proposal_reassign", cast["proposal"]))
    assert page.status_code == 200
    # Not Gil (proposed now), Dee (declined Mo) nor Fay (full); best score first.
    assert [c.participant for c in page.context["candidates"]] == [cast["sam"], cast["tess"]]
    assert page.context["total"] == 2
    found = client.get(url("proposal_reassign", cast["proposal"]), {"q": "tESS"})
    assert [c.participant for c in found.context["candidates"]] == [cast["tess"]]
    none = client.get(url("proposal_reassign", cast["proposal"]), {"q": "Fay"})
    assert none.context["candidates"] == []
    assert "No mentor with a free place matches “Fay”." in none.content.decode()


def test_reassign_cancels_the_old_proposal_and_asks_the_new_mentor(
    client, hr_admin, cast, django_capture_on_commit_callbacks
):
    proposal, mo, tess = cast["proposal"], cast["mo"], cast["tess"]
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("proposal_reassign", proposal), {"guide": tess.pk, "reason": "Tess asked"}
        )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.end_reason) == (
        Pairing.Status.CANCELLED,
        "Reassigned to Tess Other: Tess asked",
    )
    new = Pairing.objects.get(status=Pairing.Status.PROPOSED)
    assert new.source == Pairing.Source.PINNED
    assert {(m.participant, m.response) for m in new.members.all()} == {
        (tess, PairingMember.Response.PENDING),
        (mo, PairingMember.Response.ACCEPTED),
    }
    name = proposal.program.name
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (cast["gil"].employee.email, f"Your {name} proposal was cancelled"),
            (mo.employee.email, f"Your {name} proposal was cancelled"),
            (tess.employee.email, f"New mentoring proposal in {name}"),
        ]
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROPOSAL_REASSIGNED)
    assert (event.summary, event.detail) == (
        "Reassigned Mo Mentee from Gil Guide to Tess Other: Tess asked",
        {"pairing": proposal.pk, "new_pairing": new.pk, "reason": "Tess asked"},
    )


@pytest.mark.parametrize(("who", "error"), [("fay", "full"), ("dee", "declined"), ("gil", "same")])
def test_reassign_refuses_a_mentor_the_rules_bar_and_changes_nothing(
    client, hr_admin, cast, who, error
):
    proposal = cast["proposal"]
    client.force_login(hr_admin)
    response = client.post(url("proposal_reassign", proposal), {"guide": cast[who].pk})
    assert response.status_code == 400
    expected = (
        "Gil Guide is already proposed."
        if error == "same"
        else "That mentor cannot take this mentee: they have no free place, are paused, or "
        "the programme's rules or an earlier decline bar the pair."
    )
    assert response.context["form"].errors == {"guide": [expected]}
    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.PROPOSED
    assert Pairing.objects.filter(status=Pairing.Status.CANCELLED).count() == 0


def test_reassign_without_a_choice_or_with_garbage_is_a_field_error(client, hr_admin, cast):
    client.force_login(hr_admin)
    target = url("proposal_reassign", cast["proposal"])
    assert client.post(target, {}).context["form"].errors == {"guide": ["Choose the new mentor."]}
    response = client.post(target, {"guide": "x"})
    assert (response.status_code, response.context["form"].errors) == (
        400,
        {"guide": ["Enter a whole number."]},
    )


def test_a_peer_proposal_can_be_cancelled_not_reassigned(client, hr_admin):
    program = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    lea = person(program, PEER, name="Lea", level=3)
    sam = person(program, PEER, name="Sam", level=3)
    proposal = make_proposal(guide=sam, learner=lea)
    client.force_login(hr_admin)
    page = client.get(url("proposal_reassign", proposal))
    assert "Peer proposals have no mentor to swap." in page.content.decode()
    response = client.post(url("proposal_reassign", proposal), {"guide": sam.pk})
    assert response.context["form"].errors == {
        "guide": ["Peer proposals have no mentor to reassign; cancel it instead."]
    }


@pytest.mark.parametrize("mentors", [1, 3])
def test_the_reassign_page_keeps_its_query_count(
    client, hr_admin, hr_run, django_assert_num_queries, mentors
):
    gil = person(hr_run, MENTOR, name="Gil Guide", level=5)
    for n in range(mentors):
        person(hr_run, MENTOR, name=f"Mentor {n}", level=5, expertise=["SQL"])
    proposal = make_proposal(guide=gil, learner=person(hr_run, MENTEE, name="Mo", level=3))
    client.force_login(hr_admin)
    # The request's own (session, user, HR group, navbar), the proposal and its members,
    # the mentee and their topics, their declined partners, the free mentors and theirs:
    # the same for any number of mentors.
    with django_assert_num_queries(13):
        response = client.get(url("proposal_reassign", proposal))
    assert response.context["total"] == mentors
