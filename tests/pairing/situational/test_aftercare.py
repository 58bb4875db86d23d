"""Marking a session held, and the two-question feedback."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing.models import Challenge, HelpSession, SessionFeedback
from programs.models import Participant
from tests.factories import (
    make_challenge,
    make_employee,
    make_help_session,
    make_participant,
    make_program,
    make_situational_program,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    program = make_situational_program()
    asker = make_participant(program=program, employee=make_employee(name="Ana Asker"))
    helper = make_participant(
        program=program, role=Participant.Role.MENTOR, employee=make_employee(name="Hugo Helper")
    )
    return asker, helper


def _session(people, *, hours_from_now: float, **extra) -> HelpSession:
    asker, helper = people
    return make_help_session(
        challenge=make_challenge(asker=asker, status=Challenge.Status.BOOKED),
        helper=helper,
        starts_at=timezone.now() + timedelta(hours=hours_from_now),
        **extra,
    )


def _as(client, participant):
    client.force_login(participant.employee.user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- held ----------------------------------------------------------------------------


def test_either_person_marks_a_started_session_held_once(client, people):
    asker, helper = people
    session = _session(people, hours_from_now=-0.25)
    url = reverse("pairing:session_held", args=[session.pk])
    response = _as(client, helper).post(url, follow=True)
    assert _messages(response) == ["Marked held. Thank you: two short questions follow."]
    session.refresh_from_db()
    held_at = session.held_at
    assert session.status == HelpSession.Status.HELD
    assert held_at is not None
    assert session.challenge.status == Challenge.Status.DONE
    _as(client, asker).post(url)
    session.refresh_from_db()
    assert session.held_at == held_at


def test_a_session_is_not_marked_held_before_its_start(client, people):
    session = _session(people, hours_from_now=2)
    response = _as(client, people[0]).post(
        reverse("pairing:session_held", args=[session.pk]), follow=True
    )
    assert _messages(response) == ["This session has not started yet: mark it held once it has."]
    session.refresh_from_db()
    assert (session.status, session.held_at) == (HelpSession.Status.BOOKED, None)


def test_a_cancelled_session_is_not_marked_held(client, people):
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.CANCELLED)
    response = _as(client, people[1]).post(
        reverse("pairing:session_held", args=[session.pk]), follow=True
    )
    assert _messages(response) == ["This session was cancelled, so it cannot be marked held."]
    assert HelpSession.objects.get(pk=session.pk).status == HelpSession.Status.CANCELLED


def test_held_is_post_only_and_for_the_two_people_only(client, people, outsider):
    session = _session(people, hours_from_now=-1)
    url = reverse("pairing:session_held", args=[session.pk])
    assert _as(client, people[0]).get(url).status_code == 405
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert HelpSession.objects.get(pk=session.pk).status == HelpSession.Status.BOOKED


# --- feedback ------------------------------------------------------------------------


def test_each_person_answers_once_and_sees_only_their_own(client, people):
    asker, helper = people
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD)
    url = reverse("pairing:session_feedback", args=[session.pk])
    response = _as(client, asker).post(url, {"helpful": "yes", "meet_again": "no"}, follow=True)
    assert _messages(response) == ["Thank you: your answers are saved. Only you see them."]
    response = client.post(url, {"helpful": "no", "meet_again": "yes"}, follow=True)
    assert _messages(response) == ["You answered already; your first answers stand."]
    assert response.context["after"].my_feedback.helpful is True
    assert response.context["feedback_form"] is None
    assert list(SessionFeedback.objects.values_list("participant", "helpful", "meet_again")) == [
        (asker.pk, True, False)
    ]
    page = _as(client, helper).get(reverse("pairing:session_detail", args=[session.pk]))
    assert page.context["after"].my_feedback is None
    assert page.context["feedback_form"] is not None
    assert "Your answers" not in page.content.decode()


def test_feedback_opens_after_the_end_even_unmarked(client, people):
    session = _session(people, hours_from_now=-1)  # 30 minutes, ended half an hour ago
    url = reverse("pairing:session_feedback", args=[session.pk])
    _as(client, people[1]).post(url, {"helpful": "yes", "meet_again": "yes"})
    assert SessionFeedback.objects.get().participant == people[1]


def test_no_feedback_before_the_session_or_once_cancelled(client, people):
    soon = _session(people, hours_from_now=3)
    response = _as(client, people[0]).post(
        reverse("pairing:session_feedback", args=[soon.pk]),
        {"helpful": "yes", "meet_again": "yes"},
        follow=True,
    )
    assert _messages(response) == ["Feedback opens once the session has taken place."]
    assert response.context["feedback_form"] is None
    gone = _session(people, hours_from_now=-5, status=HelpSession.Status.CANCELLED)
    response = client.post(
        reverse("pairing:session_feedback", args=[gone.pk]),
        {"helpful": "yes", "meet_again": "yes"},
        follow=True,
    )
    assert _messages(response) == [
        "This session was cancelled, so there is nothing to give feedback on."
    ]
    assert SessionFeedback.objects.count() == 0


def test_a_missing_answer_is_a_field_error(client, people):
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD)
    response = _as(client, people[0]).post(
        reverse("pairing:session_feedback", args=[session.pk]), {"helpful": "maybe"}
    )
    assert response.status_code == 400
    assert response.context["feedback_form"].errors == {
        "helpful": ["Select a valid choice. maybe is not one of the available choices."],
        "meet_again": ["This field is required."],
    }
    assert SessionFeedback.objects.count() == 0


def test_feedback_is_for_the_two_people_only(client, people, outsider):
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD)
    url = reverse("pairing:session_feedback", args=[session.pk])
    client.force_login(outsider)
    assert client.get(reverse("pairing:session_detail", args=[session.pk])).status_code == 404
    assert client.post(url, {"helpful": "yes", "meet_again": "yes"}).status_code == 404
    assert _as(client, people[0]).get(url).status_code == 405
    assert SessionFeedback.objects.count() == 0


def test_the_page_shows_the_time_in_the_viewers_zone(client, people):
    asker, _ = people
    asker.employee.time_zone = "America/New_York"
    asker.employee.save(update_fields=["time_zone"])
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD)
    local = session.starts_at.astimezone(asker.employee.tzinfo)
    page = _as(client, asker).get(reverse("pairing:session_detail", args=[session.pk]))
    assert f"{local:%H:%M} to {local + timedelta(minutes=30):%H:%M} (America/New_York time)" in (
        page.content.decode()
    )


def test_the_held_date_is_the_viewers(client, people):
    asker, _ = people
    asker.employee.time_zone = "America/New_York"
    asker.employee.save(update_fields=["time_zone"])
    # 02:00 in London on the 5th is still the evening of the 4th in New York.
    held_at = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD, held_at=held_at)
    page = _as(client, asker).get(reverse("pairing:session_detail", args=[session.pk]))
    assert "<p>Held on 4 December 2026.</p>" in page.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(client, people, django_assert_num_queries):
    session = _session(people, hours_from_now=-1, status=HelpSession.Status.HELD)
    SessionFeedback.objects.create(
        session=session, participant=people[0], helpful=True, meet_again=True
    )
    for name in ("One", "Two", "Three"):
        program = make_program(name=name)
        make_participant(program=program, employee=people[0].employee)
        make_participant(program=program, role=Participant.Role.MENTOR, employee=people[1].employee)
    _as(client, people[0])
    # The login session and user, the help session and its challenge's topics, the
    # viewer's feedback, the "meet again" check, the two enrolment queries, and the
    # navbar's two (groups, employee).
    with django_assert_num_queries(10):
        response = client.get(reverse("pairing:session_detail", args=[session.pk]))
    assert [o.program.name for o in response.context["after"].convert_options] == [
        "One",
        "Three",
        "Two",
    ]
