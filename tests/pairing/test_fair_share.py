"""Part 4 and 5 of issue 16: several waiting self-select requests, capped; mentors offered
for their free places only; pauses that resume with a reminder; the ghost pause."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pairing import selectors, services
from pairing.models import Pairing, PairingMember
from pairing.services import PairingError
from programs import services as program_services
from programs import tasks as program_tasks
from programs.accounts import invitation_tokens
from programs.models import AuditEvent, Participant, Program
from tests.factories import make_participant, make_program

pytestmark = pytest.mark.django_db

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE


def mentor(program, **extra):
    return make_participant(
        program=program, role=MENTOR, employee_kwargs={"level": 5, "department": "Sales"}, **extra
    )


def mentee(program, **extra):
    return make_participant(program=program, role=MENTEE, employee_kwargs={"level": 3}, **extra)


@pytest.fixture
def self_select(hr_admin):
    return make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)


def ask(learner, guide):
    return services.proposal_request(
        learner=learner, partner_id=guide.pk, user=learner.employee.user
    )


def guide_seat(pairing):
    return pairing.members.get(role=PairingMember.Role.GUIDE)


def test_learner_holds_three_waiting_requests_and_the_fourth_is_refused(self_select):
    learner = mentee(self_select)
    guides = [mentor(self_select) for _ in range(4)]
    for guide in guides[:3]:
        ask(learner, guide)
    with pytest.raises(PairingError, match="You have asked 3 of 3 people already"):
        ask(learner, guides[3])
    assert selectors.requests_of(participant=learner).asked == 3


def test_accepting_one_request_withdraws_the_others_and_tells_those_mentors_once(
    self_select, django_capture_on_commit_callbacks
):
    learner = mentee(self_select)
    first, second, third = (mentor(self_select) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        a, b, c = ask(learner, first), ask(learner, second), ask(learner, third)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_accept(member=guide_seat(b), user=second.employee.user)
    for pairing in (a, c):
        pairing.refresh_from_db()
        assert pairing.status == Pairing.Status.CANCELLED
        assert pairing.end_reason == services.PAIRED_ELSEWHERE
    b.refresh_from_db()
    assert b.status == Pairing.Status.ACTIVE
    assert list(b.members.values_list("waiting_request", flat=True)) == [False, False]
    withdrawn = [
        m for m in mail.outbox if m.subject == f"Your {self_select.name} request was withdrawn"
    ]
    assert sorted(m.to[0] for m in withdrawn) == sorted(
        [first.employee.email, third.employee.email]
    )
    # Neither has signed in yet (imported people): the email carries their own way in.
    for email in withdrawn:
        guide = first if email.to == [first.employee.email] else third
        token = re.search(r"/accounts/invitation/[^/]+/([^/]+)/", email.body).group(1)
        assert invitation_tokens.check_token(guide.employee.user, token)
    # Told once: the task running again sends nothing.
    for seat in (guide_seat(a), guide_seat(c)):
        assert services.pairing_closed_notify(member_id=seat.pk) is False
    assert len([m for m in mail.outbox if "withdrawn" in m.subject]) == 2


def test_database_refuses_a_second_agreed_pairing_for_one_learner(self_select):
    learner = mentee(self_select)
    a = ask(learner, mentor(self_select))
    b = ask(learner, mentor(self_select))
    a.members.update(waiting_request=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        b.members.update(waiting_request=False)


def test_mentor_with_one_free_place_is_offered_to_one_learner_at_a_time(self_select):
    guide = mentor(self_select, capacity=1)
    first, second = mentee(self_select), mentee(self_select)
    assert [c.participant for c in selectors.candidates_for(participant=second)] == [guide]
    ask(first, guide)
    assert selectors.candidates_for(participant=second) == []
    with pytest.raises(PairingError, match="no longer among your best candidates"):
        ask(second, guide)


def test_mentor_places_are_capped_by_max_requests_per_mentor(self_select):
    self_select.max_requests_per_mentor = 2
    self_select.save()
    guide = mentor(self_select, capacity=5)
    learners = [mentee(self_select) for _ in range(3)]
    assert selectors.candidates_for(participant=learners[0])[0].free == 2
    ask(learners[0], guide)
    assert selectors.candidates_for(participant=learners[1])[0].free == 1
    ask(learners[1], guide)
    assert selectors.candidates_for(participant=learners[2]) == []


def test_asked_mentor_is_not_offered_to_the_same_learner_again(self_select):
    guide = mentor(self_select, capacity=3)
    learner = mentee(self_select)
    ask(learner, guide)
    assert selectors.candidates_for(participant=learner) == []


def test_lapsed_request_frees_the_learner_slot_and_the_mentor_place(self_select):
    self_select.max_requests_per_mentee = 1
    self_select.save()
    guide, other = mentor(self_select, capacity=1), mentor(self_select)
    learner, rival = mentee(self_select), mentee(self_select)
    pairing = ask(learner, guide)
    services.proposal_expire(pairing=pairing)
    assert selectors.requests_of(participant=learner).asked == 0
    assert [c.participant for c in selectors.candidates_for(participant=rival)][0] == guide
    ask(learner, other)


def test_withdraw_cancels_own_request_and_tells_the_mentor(
    self_select, django_capture_on_commit_callbacks
):
    learner, guide = mentee(self_select), mentor(self_select)
    pairing = ask(learner, guide)
    seat = pairing.members.get(participant=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_withdraw(member=seat, user=learner.employee.user)
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (
        Pairing.Status.CANCELLED,
        services.REQUEST_WITHDRAWN,
    )
    assert [m.to for m in mail.outbox if "withdrawn" in m.subject] == [[guide.employee.email]]


def test_mentor_cannot_withdraw_a_request(self_select):
    learner, guide = mentee(self_select), mentor(self_select)
    pairing = ask(learner, guide)
    with pytest.raises(PairingError, match="Only a request you made"):
        services.request_withdraw(member=guide_seat(pairing), user=guide.employee.user)


# --- views ------------------------------------------------------------------------------


def test_candidates_page_says_asked_2_of_3_and_offers_withdrawal(
    client, self_select, django_assert_num_queries
):
    learner = mentee(self_select)
    ask(learner, mentor(self_select))
    ask(learner, mentor(self_select))
    mentor(self_select)
    client.force_login(learner.employee.user)
    url = reverse("pairing:candidates", args=[self_select.slug])
    response = client.get(url)
    html = response.content.decode()
    assert "You have asked 2 of 3" in html
    assert html.count("Withdraw the request to") == 2


@pytest.mark.parametrize("waiting", [1, 3])
def test_candidates_page_query_count(client, self_select, django_assert_num_queries, waiting):
    learner = mentee(self_select)
    for _ in range(waiting):
        ask(learner, mentor(self_select))
    mentor(self_select)
    client.force_login(learner.employee.user)
    url = reverse("pairing:candidates", args=[self_select.slug])
    client.get(url)
    with django_assert_num_queries(QUERIES_CANDIDATES):
        assert client.get(url).status_code == 200


QUERIES_CANDIDATES = 14


def test_withdraw_view_refuses_someone_elses_request(client, self_select):
    learner, other, guide = mentee(self_select), mentee(self_select), mentor(self_select)
    pairing = ask(learner, guide)
    client.force_login(other.employee.user)
    url = reverse("pairing:request_withdraw", args=[self_select.slug, pairing.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(learner.employee.user)
    assert client.post(url).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.CANCELLED


def test_request_view_beyond_the_cap_shows_a_message(client, self_select):
    self_select.max_requests_per_mentee = 1
    self_select.save()
    learner = mentee(self_select)
    first, second = mentor(self_select), mentor(self_select)
    ask(learner, first)
    client.force_login(learner.employee.user)
    url = reverse("pairing:candidate_request", args=[self_select.slug])
    response = client.post(url, {"partner": second.pk}, follow=True)
    assert response.status_code == 200
    assert "You have asked 1 of 1 people already" in response.content.decode()


# --- availability -----------------------------------------------------------------------


def test_pause_and_resume_views(client, self_select):
    guide = mentor(self_select)
    client.force_login(guide.employee.user)
    response = client.post(reverse("programs:program_pause", args=[self_select.slug]), {"weeks": 3})
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.paused_until == timezone.localdate() + timedelta(weeks=3)
    page = client.get(reverse("programs:program_enrol", args=[self_select.slug]))
    assert "Resume now" in page.content.decode()
    client.post(reverse("programs:program_resume", args=[self_select.slug]))
    guide.refresh_from_db()
    assert guide.paused_until is None
    bad = client.post(reverse("programs:program_pause", args=[self_select.slug]), {"weeks": 13})
    assert bad.status_code == 302
    guide.refresh_from_db()
    assert guide.paused_until is None


def test_resume_reminder_is_sent_once_on_the_day(self_select):
    guide = mentor(self_select)
    today = timezone.localdate()
    Participant.objects.filter(pk=guide.pk).update(paused_until=today)
    assert program_tasks.dispatch_resume_reminders() == 1
    assert program_tasks.dispatch_resume_reminders() == 0
    assert program_services.resume_remind(participant_id=guide.pk, today=today) is False
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([guide.employee.email], f"You're back in {self_select.name}")
    ]


def test_no_resume_reminder_for_a_leaver_or_in_a_closed_programme(self_select, hr_admin):
    today = timezone.localdate()
    staying, leaver = mentor(self_select), mentor(self_select)
    closed = make_program(admins=[hr_admin], status=Program.Status.CLOSED)
    in_closed = mentor(closed)
    Participant.objects.update(paused_until=today)
    leaver.employee.user.is_active = False
    leaver.employee.user.save()
    assert program_services.resumes_due(today=today) == [staying.pk]
    for silent in (leaver, in_closed):
        assert program_services.resume_remind(participant_id=silent.pk, today=today) is False
    assert mail.outbox == []


def test_two_lapses_in_a_row_pause_the_mentor_and_email_once(
    self_select, django_capture_on_commit_callbacks
):
    guide = mentor(self_select, capacity=5)
    first, second = mentee(self_select), mentee(self_select)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_expire(pairing=ask(first, guide))
    guide.refresh_from_db()
    assert guide.paused_until is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_expire(pairing=ask(second, guide))
    guide.refresh_from_db()
    assert guide.paused_until == timezone.localdate() + timedelta(weeks=services.AUTO_PAUSE_WEEKS)
    assert [m.to for m in mail.outbox] == [[guide.employee.email]]
    assert "Resume now" in mail.outbox[0].body
    assert services.auto_pause_notify(participant_id=guide.pk) is False
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PARTICIPANT_AUTO_PAUSED).count() == 1


def test_activity_stamps_last_active(self_select):
    learner, guide = mentee(self_select), mentor(self_select)
    pairing = ask(learner, guide)
    learner.employee.refresh_from_db()
    asked_at = learner.employee.last_active_at
    assert asked_at is not None
    services.proposal_accept(member=guide_seat(pairing), user=guide.employee.user)
    guide.employee.refresh_from_db()
    assert guide.employee.last_active_at is not None
