"""Continuing a held session as ongoing mentoring: the asker's request, every hard rule."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import HelpSession, Pairing, PairingMember, SessionFeedback
from pairing.services import proposal_accept, proposal_decline
from pairing.situational.aftercare import NOT_OFFERED
from programs.models import Participant, Program
from tests.factories import (
    make_active_pairing,
    make_challenge,
    make_employee,
    make_help_session,
    make_participant,
    make_program,
    make_proposal,
    make_situational_program,
)

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR


@pytest.fixture
def ana():
    return make_employee(name="Ana Asker", level=2)


@pytest.fixture
def hugo():
    return make_employee(name="Hugo Helper", level=4)


@pytest.fixture
def session(ana, hugo):
    situational = make_situational_program()
    asker = make_participant(program=situational, employee=ana)
    helper = make_participant(program=situational, role=MENTOR, employee=hugo)
    return make_help_session(
        challenge=make_challenge(asker=asker),
        helper=helper,
        starts_at=timezone.now() - timedelta(hours=2),
        status=HelpSession.Status.HELD,
        held_at=timezone.now() - timedelta(hours=1),
    )


def _mentoring(ana, hugo, *, name="Mentoring", kind=Program.Kind.MENTORING, **extra):
    program = make_program(name=name, kind=kind, **extra)
    mentee = make_participant(program=program, employee=ana)
    mentor = make_participant(program=program, role=MENTOR, employee=hugo)
    return program, mentee, mentor


def _url(session) -> str:
    return reverse("pairing:session_convert", args=[session.pk])


def _convert(client, session, program):
    client.force_login(session.challenge.asker.employee.user)
    return client.post(_url(session), {"program": str(program.pk)})


def _form_errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


def test_the_asker_asks_the_helper_who_accepts_in_their_inbox(
    client, session, ana, hugo, django_capture_on_commit_callbacks
):
    program, mentee, mentor = _mentoring(ana, hugo)
    with django_capture_on_commit_callbacks(execute=True):
        response = _convert(client, session, program)
    assert response.status_code == 302
    assert response.url == reverse("pairing:session_detail", args=[session.pk])
    pairing = Pairing.objects.get()
    session.refresh_from_db()
    assert session.converted_to == pairing
    assert (pairing.program, pairing.status, pairing.source) == (
        program,
        Pairing.Status.PROPOSED,
        Pairing.Source.SELF_SELECT,
    )
    members = {m.participant_id: (m.role, m.response) for m in pairing.members.all()}
    assert members == {
        mentor.pk: (PairingMember.Role.GUIDE, PairingMember.Response.PENDING),
        mentee.pk: (PairingMember.Role.LEARNER, PairingMember.Response.ACCEPTED),
    }
    assert [m.to for m in mail.outbox] == [[hugo.email]]
    page = client.get(reverse("pairing:session_detail", args=[session.pk]))
    assert [str(m) for m in page.context["messages"]] == [
        "Asked Hugo Helper to continue as ongoing mentoring in Mentoring. They accept or "
        "decline it in their proposals."
    ]
    accepted = proposal_accept(member=pairing.members.get(participant=mentor), user=hugo.user)
    assert accepted.status == Pairing.Status.ACTIVE


def test_a_session_converts_once(client, session, ana, hugo):
    program, _, _ = _mentoring(ana, hugo)
    _convert(client, session, program)
    second, _, _ = _mentoring(ana, hugo, name="Second")
    response = _convert(client, session, second)
    assert response.status_code == 400
    assert response.context["refusal"] == "This session already continued as ongoing mentoring."
    assert Pairing.objects.count() == 1


def test_the_page_lists_the_programmes_both_are_in(
    client, session, ana, hugo, django_assert_num_queries
):
    _mentoring(ana, hugo, name="Beta")
    _mentoring(ana, hugo, name="Alpha", kind=Program.Kind.REVERSE_MENTORING, min_gap=0)
    _mentoring(ana, hugo, name="Peers", kind=Program.Kind.PEER_COACHING)
    _mentoring(ana, hugo, name="Closed", status=Program.Status.CLOSED)
    only_ana = make_program(name="Only Ana")
    make_participant(program=only_ana, employee=ana)
    client.force_login(ana.user)
    # The login session and user, the help session and its challenge's topics, the
    # feedback, the two enrolment queries, and the navbar's two (groups, employee).
    with django_assert_num_queries(9):
        response = client.get(_url(session))
    assert [o.program.name for o in response.context["options"]] == ["Alpha", "Beta"]


def test_listing_many_programmes_costs_the_same(
    client, session, ana, hugo, django_assert_num_queries
):
    for name in ("One", "Two", "Three"):
        _mentoring(ana, hugo, name=name)
    client.force_login(ana.user)
    with django_assert_num_queries(9):
        response = client.get(_url(session))
    assert len(response.context["options"]) == 3


def test_the_page_says_when_there_is_no_programme(client, session, ana):
    client.force_login(ana.user)
    response = client.get(_url(session))
    assert response.context["options"] == []
    assert "There is no mentoring programme where you are a mentee and Hugo Helper a mentor" in (
        response.content.decode()
    )


def test_only_the_asker_reaches_it(client, session, hugo, outsider):
    client.force_login(hugo.user)
    assert client.get(_url(session)).status_code == 404
    client.force_login(outsider)
    assert client.get(_url(session)).status_code == 404
    assert client.post(_url(session), {"program": "1"}).status_code == 404
    client.force_login(session.challenge.asker.employee.user)
    assert client.delete(_url(session)).status_code == 405


def test_not_before_the_session_is_held(client, session, ana, hugo):
    HelpSession.objects.filter(pk=session.pk).update(status=HelpSession.Status.BOOKED)
    program, _, _ = _mentoring(ana, hugo)
    response = _convert(client, session, program)
    assert response.context["refusal"] == (
        "A session continues as ongoing mentoring once it is marked held."
    )
    assert Pairing.objects.count() == 0


@pytest.mark.parametrize("who", ["asker", "helper"])
def test_not_offered_when_either_would_not_meet_again(client, session, ana, hugo, who):
    program, _, _ = _mentoring(ana, hugo)
    person = session.challenge.asker if who == "asker" else session.helper
    SessionFeedback.objects.create(
        session=session, participant=person, helpful=True, meet_again=False
    )
    response = _convert(client, session, program)
    assert response.context["refusal"] == NOT_OFFERED
    assert Pairing.objects.count() == 0
    page = client.get(reverse("pairing:session_detail", args=[session.pk]))
    assert NOT_OFFERED in page.content.decode()
    assert "Continue as ongoing mentoring</a>" not in page.content.decode()


def test_refused_when_the_mentor_has_no_free_place(client, session, ana, hugo):
    program, _, mentor = _mentoring(ana, hugo)
    mentor.capacity = 1
    mentor.save(update_fields=["capacity"])
    make_active_pairing(guide=mentor, learner=make_participant(program=program))
    response = _convert(client, session, program)
    assert response.status_code == 400
    assert _form_errors(response) == ["Hugo Helper has no free place left in Mentoring."]
    session.refresh_from_db()
    assert session.converted_to is None
    assert Pairing.objects.count() == 1


def test_refused_when_one_manages_the_other(client, session, ana, hugo):
    ana.manager = hugo
    ana.save(update_fields=["manager"])
    program, _, _ = _mentoring(ana, hugo)
    response = _convert(client, session, program)
    assert _form_errors(response) == [
        "You and Hugo Helper cannot be paired in Mentoring under its rules: one manages the other."
    ]
    assert Pairing.objects.count() == 0


def test_refused_when_the_levels_are_too_far_apart(client, session, ana, hugo):
    program, _, _ = _mentoring(ana, hugo, max_gap=1, ideal_gap=1)
    response = _convert(client, session, program)
    assert _form_errors(response) == [
        "You and Hugo Helper cannot be paired in Mentoring under its rules: their levels are "
        "too far apart."
    ]


def test_refused_when_the_pair_was_declined_before(client, session, ana, hugo):
    program, mentee, mentor = _mentoring(ana, hugo)
    earlier = make_proposal(guide=mentor, learner=mentee)
    proposal_decline(
        member=earlier.members.get(participant=mentor),
        user=hugo.user,
        reason=PairingMember.DeclineReason.NO_TIME,
    )
    response = _convert(client, session, program)
    assert _form_errors(response) == [
        "You and Hugo Helper were proposed or paired in Mentoring before and may not be "
        "paired again."
    ]
    assert Pairing.objects.count() == 1


def test_refused_when_the_mentee_is_paired_already(client, session, ana, hugo):
    program, mentee, _ = _mentoring(ana, hugo)
    make_active_pairing(
        guide=make_participant(program=program, role=MENTOR, employee_kwargs={"level": 5}),
        learner=mentee,
    )
    response = _convert(client, session, program)
    assert _form_errors(response) == [
        "You already have a pairing or a proposal in Mentoring; it has to end before you "
        "continue with someone else."
    ]


def test_refused_when_the_mentor_is_paused(client, session, ana, hugo):
    program, _, mentor = _mentoring(ana, hugo)
    mentor.paused_until = timezone.localdate() + timedelta(days=7)
    mentor.save(update_fields=["paused_until"])
    client.force_login(ana.user)
    # A paused mentor is not "active": the programme is not offered.
    assert client.get(_url(session)).context["options"] == []
    response = _convert(client, session, program)
    assert response.context["form"].errors == {
        "program": [f"Select a valid choice. {program.pk} is not one of the available choices."]
    }


def test_refused_when_the_mentor_has_as_many_requests_waiting_as_places(client, session, ana, hugo):
    program, _, mentor = _mentoring(ana, hugo)
    mentor.capacity = 1
    mentor.save(update_fields=["capacity"])
    make_proposal(guide=mentor, learner=make_participant(program=program))
    response = _convert(client, session, program)
    assert _form_errors(response) == [
        "Hugo Helper cannot take another mentee in Mentoring now: they are paused, or have "
        "as many proposals waiting as free places."
    ]


def test_a_programme_not_offered_is_a_field_error(client, session, ana, hugo):
    _mentoring(ana, hugo)
    client.force_login(ana.user)
    response = client.post(_url(session), {"program": str(2**70)})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["program"]
