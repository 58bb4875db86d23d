from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pairing.models import CheckIn, Pairing, PairingMember
from pairing.services import checkin_log
from programs.models import Participant, Program
from tests.factories import (
    make_active_pairing,
    make_hr_admin,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = pytest.mark.django_db


def mentor(program, **extra):
    return make_participant(
        program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5}, **extra
    )


def mentee(program, **extra):
    return make_participant(
        program=program, role=Participant.Role.MENTEE, employee_kwargs={"level": 3}, **extra
    )


def login(client, participant_or_user):
    user = getattr(getattr(participant_or_user, "employee", None), "user", participant_or_user)
    client.force_login(user)
    return user


@pytest.fixture
def proposal(program):
    guide, learner = mentor(program, capacity=5), mentee(program, goals=["Hiring"])
    return make_proposal(guide=guide, learner=learner), guide, learner


# --- proposals inbox and detail ---------------------------------------------------------


def test_proposal_list_shows_mentor_their_proposal(client, proposal):
    pairing, guide, learner = proposal
    login(client, guide)
    response = client.get(reverse("pairing:proposal_list"))
    assert response.status_code == 200
    assert [item.pairing for item in response.context["items"]] == [pairing]
    assert learner.employee.name in response.content.decode()


def test_proposal_list_is_empty_for_outsider_and_for_the_waiting_mentee(client, proposal, outsider):
    _, _, learner = proposal
    login(client, outsider)
    assert client.get(reverse("pairing:proposal_list")).context["items"] == []
    login(client, learner)  # the mentee asked; only the mentor answers
    assert client.get(reverse("pairing:proposal_list")).context["items"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_proposal_list_query_count(client, program, count, django_assert_num_queries):
    guide = mentor(program, capacity=5)
    for _ in range(count):
        make_proposal(guide=guide, learner=mentee(program, goals=["Hiring", "Writing"]))
    login(client, guide)
    # session, user, employee (context processor), member rows, their pairings' members,
    # goals, expertise, the HR group check
    with django_assert_num_queries(8):
        response = client.get(reverse("pairing:proposal_list"))
    assert len(response.context["items"]) == count


def test_proposal_detail_for_mentor_and_mentee_404_for_outsider(client, proposal, outsider):
    pairing, guide, learner = proposal
    url = reverse("pairing:proposal_detail", args=[pairing.pk])
    login(client, guide)
    page = client.get(url)
    assert page.status_code == 200
    assert "Accept" in page.content.decode()
    # Both work in Engineering, which scores nothing: not given as a reason.
    assert page.context["item"].reasons == [
        "2 levels below you",
        "open to either feedback style, as you are",
    ]
    login(client, learner)
    assert client.get(url).status_code == 200
    login(client, outsider)
    assert client.get(url).status_code == 404


def test_proposal_accept_activates_and_redirects_to_pairing(client, proposal):
    pairing, guide, _ = proposal
    login(client, guide)
    response = client.post(reverse("pairing:proposal_accept", args=[pairing.pk]))
    assert response.status_code == 302
    assert response.url == reverse("pairing:pairing_detail", args=[pairing.pk])
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE


def test_proposal_accept_over_capacity_shows_error(client, program):
    guide = mentor(program, capacity=1)
    make_active_pairing(guide=guide, learner=mentee(program))
    pairing = make_proposal(guide=guide, learner=mentee(program))
    login(client, guide)
    response = client.post(reverse("pairing:proposal_accept", args=[pairing.pk]), follow=True)
    assert response.redirect_chain == [(reverse("pairing:proposal_detail", args=[pairing.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"You already support 1 of the 1 people you can take in {program.name}. Raise your "
        "capacity in your enrolment or end a pairing before accepting another."
    ]
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED


def test_proposal_accept_is_post_only_and_404_for_outsider(client, proposal, outsider):
    pairing, guide, _ = proposal
    url = reverse("pairing:proposal_accept", args=[pairing.pk])
    login(client, guide)
    assert client.get(url).status_code == 405
    login(client, outsider)
    assert client.post(url).status_code == 404
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED


def test_proposal_accept_needs_csrf_token(proposal):
    pairing, guide, _ = proposal
    client = Client(enforce_csrf_checks=True)
    client.force_login(guide.employee.user)
    assert client.post(reverse("pairing:proposal_accept", args=[pairing.pk])).status_code == 403


def test_proposal_decline_with_reason(client, proposal):
    pairing, guide, _ = proposal
    login(client, guide)
    response = client.post(
        reverse("pairing:proposal_decline", args=[pairing.pk]),
        {"reason": "know_well", "note": "We sit together"},
    )
    assert response.status_code == 302
    assert response.url == reverse("pairing:proposal_list")
    member = PairingMember.objects.get(pairing=pairing, participant=guide)
    assert (member.response, member.decline_reason, member.decline_note) == (
        "declined",
        "know_well",
        "We sit together",
    )


def test_proposal_decline_without_reason_is_400_and_outsider_404(client, proposal, outsider):
    pairing, guide, _ = proposal
    url = reverse("pairing:proposal_decline", args=[pairing.pk])
    login(client, guide)
    assert client.post(url, {"reason": ""}).status_code == 400
    login(client, outsider)
    assert client.post(url, {"reason": "no_time"}).status_code == 404
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED


def test_proposal_badge_counts_waiting_proposals(client, proposal, outsider):
    _, guide, _ = proposal
    login(client, guide)
    assert ">1<" in client.get(reverse("pairing:proposal_badge")).content.decode()
    login(client, outsider)
    assert client.get(reverse("pairing:proposal_badge")).content.decode().strip() == ""


# --- my pairings and the pairing page ---------------------------------------------------


@pytest.fixture
def active(program):
    guide, learner = mentor(program), mentee(program, goals=["Hiring"])
    return make_active_pairing(guide=guide, learner=learner), guide, learner


def test_pairing_list_shows_own_pairings_only(client, active, outsider):
    pairing, guide, _ = active
    login(client, guide)
    assert list(client.get(reverse("pairing:pairing_list")).context["pairings"]) == [pairing]
    login(client, outsider)
    assert list(client.get(reverse("pairing:pairing_list")).context["pairings"]) == []


@pytest.mark.parametrize("count", [1, 3])
def test_pairing_list_query_count(client, program, count, django_assert_num_queries):
    guide = mentor(program, capacity=5)
    for _ in range(count):
        make_active_pairing(guide=guide, learner=mentee(program))
    login(client, guide)
    # session, user, employee, pairings, their members, the HR group check
    with django_assert_num_queries(6):
        response = client.get(reverse("pairing:pairing_list"))
    assert len(response.context["pairings"]) == count


def test_pairing_detail_for_members_404_for_outsider(client, active, outsider):
    pairing, guide, learner = active
    url = reverse("pairing:pairing_detail", args=[pairing.pk])
    for person in (guide, learner):
        login(client, person)
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["view"].can_act is True
    login(client, outsider)
    assert client.get(url).status_code == 404


def test_pairing_detail_read_only_for_programme_admin_404_for_other_hr(client, active, hr_admin):
    pairing, _, _ = active
    url = reverse("pairing:pairing_detail", args=[pairing.pk])
    login(client, hr_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["view"].me is None
    assert "Log a check-in" not in response.content.decode()
    login(client, make_hr_admin(name="Other HR"))
    assert client.get(url).status_code == 404


def test_private_note_is_seen_only_by_its_author(client, active, hr_admin):
    pairing, guide, learner = active
    checkin_log(
        pairing=pairing,
        participant=learner,
        held_on=timezone.localdate(),
        summary="Talked about hiring",
        private_note="I felt nervous",
        rating=5,
    )
    url = reverse("pairing:pairing_detail", args=[pairing.pk])
    login(client, learner)
    page = client.get(url).content.decode()
    assert ("Talked about hiring" in page, "I felt nervous" in page) == (True, True)
    for viewer in (guide.employee.user, hr_admin):
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert ("Talked about hiring" in page, "I felt nervous" in page) == (True, False)


@pytest.mark.parametrize("count", [1, 3])
def test_pairing_detail_query_count(client, active, count, django_assert_num_queries):
    pairing, guide, learner = active
    # Began long enough ago for a check-in on each of the last `count` days.
    pairing.activated_at = timezone.now() - timedelta(days=count)
    pairing.save(update_fields=["activated_at"])
    for day in range(count):
        checkin_log(
            pairing=pairing,
            participant=learner,
            held_on=timezone.localdate() - timedelta(days=day),
            summary=f"Meeting {day}",
            rating=4,
        )
    login(client, guide)
    # session, user, employee, pairing, members, goals, expertise, check-ins, HR group,
    # meeting times
    with django_assert_num_queries(10):
        response = client.get(reverse("pairing:pairing_detail", args=[pairing.pk]))
    assert len(response.context["view"].checkins) == count


def test_checkin_create_logs_and_moves_due_date(client, active):
    pairing, _, learner = active
    login(client, learner)
    today = timezone.localdate()
    response = client.post(
        reverse("pairing:checkin_create", args=[pairing.pk]),
        {"held_on": today.isoformat(), "summary": "Plan", "private_note": "", "rating": "4"},
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get(pairing=pairing)
    assert (checkin.logged_by, checkin.summary, checkin.rating) == (learner, "Plan", 4)
    pairing.refresh_from_db()
    assert pairing.next_checkin_due == today + timedelta(days=28)


def test_checkin_create_invalid_is_400_outsider_404_admin_refused(
    client, active, outsider, hr_admin
):
    pairing, _, learner = active
    url = reverse("pairing:checkin_create", args=[pairing.pk])
    data = {"held_on": timezone.localdate().isoformat(), "summary": "x", "rating": "3"}
    login(client, learner)
    assert client.post(url, {**data, "rating": "9"}).status_code == 400
    login(client, outsider)
    assert client.post(url, data).status_code == 404
    login(client, hr_admin)
    assert client.post(url, data).status_code == 302
    assert CheckIn.objects.count() == 0


def test_pairing_end_by_member_outsider_404(client, active, outsider):
    pairing, guide, _ = active
    url = reverse("pairing:pairing_end", args=[pairing.pk])
    login(client, outsider)
    assert client.post(url, {"reason": "x"}).status_code == 404
    login(client, guide)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Moving team"}).status_code == 302
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, "Moving team")


# --- self-select candidates -------------------------------------------------------------


@pytest.fixture
def self_select(hr_admin):
    return make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)


def test_candidates_page_lists_best_mentors(client, self_select):
    learner = mentee(self_select, goals=["Hiring"])
    best = mentor(self_select, expertise=["Hiring"])
    other = mentor(self_select)
    login(client, learner)
    response = client.get(reverse("pairing:candidates", args=[self_select.slug]))
    assert response.status_code == 200
    assert [c.participant for c in response.context["candidates"]] == [best, other]
    assert "Covers your goal (Hiring); 2 levels above you" in response.content.decode()


def test_candidates_page_404_for_outsider_and_mentor(client, self_select, outsider):
    guide = mentor(self_select)
    url = reverse("pairing:candidates", args=[self_select.slug])
    login(client, outsider)
    assert client.get(url).status_code == 404
    login(client, guide)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_candidates_query_count(client, self_select, count, django_assert_num_queries):
    learner = mentee(self_select, goals=["Hiring"])
    for _ in range(count):
        mentor(self_select, expertise=["Hiring", "Writing"])
    login(client, learner)
    # session, user, learner (+ goals, expertise), declined partners, mentors (+ goals,
    # expertise), live membership, waiting requests (none: no prefetch), HR group, employee
    # (context processor)
    with django_assert_num_queries(13):
        response = client.get(reverse("pairing:candidates", args=[self_select.slug]))
    assert len(response.context["candidates"]) == count


def test_candidate_request_creates_proposal_then_refuses_beyond_the_cap(client, self_select):
    self_select.max_requests_per_mentee = 1
    self_select.save()
    learner = mentee(self_select)
    first, second = mentor(self_select), mentor(self_select)
    login(client, learner)
    url = reverse("pairing:candidate_request", args=[self_select.slug])
    response = client.post(url, {"partner": first.pk}, follow=True)
    pairing = Pairing.objects.get()
    assert response.redirect_chain == [(reverse("pairing:proposal_detail", args=[pairing.pk]), 302)]
    assert pairing.source == Pairing.Source.SELF_SELECT
    response = client.post(url, {"partner": second.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You have asked 1 of 1 people already. Withdraw a request, or wait for an answer, "
        "before asking someone else."
    ]
    assert Pairing.objects.count() == 1


def test_candidate_request_404_for_outsider(client, self_select, outsider):
    guide = mentor(self_select)
    login(client, outsider)
    url = reverse("pairing:candidate_request", args=[self_select.slug])
    assert client.post(url, {"partner": guide.pk}).status_code == 404
    assert Pairing.objects.count() == 0


# --- home -------------------------------------------------------------------------------


def test_home_answers_what_do_i_need_to_do(client, program, hr_admin):
    guide = mentor(program, capacity=5)
    waiting = make_proposal(guide=guide, learner=mentee(program))
    due = make_active_pairing(guide=guide, learner=mentee(program))
    Pairing.objects.filter(pk=due.pk).update(next_checkin_due=timezone.localdate())
    later = make_active_pairing(guide=guide, learner=mentee(program))
    other = make_program(admins=[hr_admin], name="Peer circle", kind=Program.Kind.PEER_COACHING)
    login(client, guide)
    home = client.get(reverse("home")).context["home"]
    assert [item.pairing for item in home.awaiting] == [waiting]
    assert home.due == [due]
    assert home.active == [due, later]
    assert home.open_programs == [other]  # not the one they are already in


def test_home_links_hr_admin_to_their_programmes(client, hr_admin):
    login(client, hr_admin)
    assert reverse("hr:program_manage_list") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count(client, hr_admin, count, django_assert_num_queries):
    program = make_program(admins=[hr_admin])
    guide = mentor(program, capacity=10)
    for _ in range(count):
        make_proposal(guide=guide, learner=mentee(program))
        make_active_pairing(guide=guide, learner=mentee(program))
        make_program(admins=[hr_admin])
    login(client, guide)
    # session, user, proposals (+ members, goals, expertise), live pairings (+ members),
    # employee, self-select enrolments, preferences to give, rounds to join, situational
    # enrolments, open programmes, HR group
    with django_assert_num_queries(15):
        response = client.get(reverse("home"))
    home = response.context["home"]
    assert (len(home.awaiting), len(home.active), len(home.open_programs)) == (count,) * 3


@pytest.mark.parametrize("count", [1, 3])
def test_proposal_badge_query_count(client, program, count, django_assert_num_queries):
    guide = mentor(program, capacity=5)
    for _ in range(count):
        make_proposal(guide=guide, learner=mentee(program, goals=["Hiring"]))
    login(client, guide)
    # session, user, the count (the fragment skips the navbar's context processor)
    with django_assert_num_queries(3):
        response = client.get(reverse("pairing:proposal_badge"))
    assert response.context["count"] == count
