"""Before HR's run: a mentee ranks up to three suggestions, a mentor marks who they would
rather not take."""

import pytest
from django.urls import reverse

from pairing.models import Choice, RatherNot
from programs.models import Program
from tests.factories import make_program
from tests.pairing.test_views_journeys import login, mentee, mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_run(hr_admin):
    return make_program(admins=[hr_admin], slug="hr-run", status=Program.Status.ENROLLING)


def test_a_mentee_ranks_three_of_their_suggestions_in_order(client, hr_run):
    learner = mentee(hr_run, goals=["Hiring"])
    guides = [mentor(hr_run, expertise=["Hiring"]) for _ in range(4)]
    login(client, learner)
    url = reverse("pairing:preferences", args=[hr_run.slug])
    page = client.get(url)
    assert len(page.context["candidates"]) == 4
    first, second, third, _ = guides
    response = client.post(url, {"first": second.pk, "second": first.pk, "third": ""}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert list(Choice.objects.values_list("candidate_id", "rank")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]
    # The page shows them again; a new ranking replaces the old one.
    assert response.context["form"]["first"].initial == second.pk
    client.post(url, {"first": third.pk})
    assert list(Choice.objects.values_list("candidate_id", "rank")) == [(third.pk, 1)]


def test_the_same_person_twice_or_a_stranger_is_refused_and_changes_nothing(client, hr_run):
    learner = mentee(hr_run, goals=["Hiring"])
    guide = mentor(hr_run, expertise=["Hiring"])
    outsider = mentor(make_program(slug="elsewhere"))
    login(client, learner)
    url = reverse("pairing:preferences", args=[hr_run.slug])
    response = client.post(url, {"first": guide.pk, "second": guide.pk})
    assert response.context["form"].errors == {"second": ["You chose this person already."]}
    response = client.post(url, {"first": outsider.pk})
    assert response.context["form"].errors["first"] == [
        f"Select a valid choice. {outsider.pk} is not one of the available choices."
    ]
    assert not Choice.objects.exists()


def test_a_mentor_marks_and_unmarks_who_they_would_rather_not_take(client, hr_run):
    guide = mentor(hr_run, expertise=["Hiring"])
    ann, bo = mentee(hr_run, goals=["Hiring"]), mentee(hr_run)
    login(client, guide)
    url = reverse("pairing:preferences", args=[hr_run.slug])
    page = client.get(url)
    assert [c.participant.pk for c in page.context["candidates"]] == [ann.pk, bo.pk]
    client.post(url, {"learners": [ann.pk, bo.pk]})
    assert set(RatherNot.objects.values_list("learner_id", flat=True)) == {ann.pk, bo.pk}
    client.post(url, {"learners": [bo.pk]})
    assert list(RatherNot.objects.values_list("learner_id", flat=True)) == [bo.pk]


def test_preferences_are_only_for_hr_run_pair_programmes_and_ones_own(client, hr_run):
    self_select = make_program(slug="choose", matching_mode=Program.MatchingMode.SELF_SELECT)
    learner = mentee(self_select)
    login(client, learner)
    assert client.get(reverse("pairing:preferences", args=[self_select.slug])).status_code == 404
    assert client.get(reverse("pairing:preferences", args=[hr_run.slug])).status_code == 404


@pytest.mark.parametrize("count", [1, 4])
def test_preferences_page_query_count(client, hr_run, count, django_assert_num_queries):
    learner = mentee(hr_run, goals=["Hiring"])
    for _ in range(count):
        mentor(hr_run, expertise=["Hiring"])
    login(client, learner)
    # session, user, learner (+ goals, expertise), barred partners, mentors (+ goals,
    # expertise), choices, HR group, employee (context processor)
    with django_assert_num_queries(12):
        response = client.get(reverse("pairing:preferences", args=[hr_run.slug]))
    assert len(response.context["candidates"]) == count


@pytest.mark.parametrize("count", [1, 4])
def test_mentor_preferences_page_query_count(client, hr_run, count, django_assert_num_queries):
    guide = mentor(hr_run, expertise=["Hiring"])
    learners = [mentee(hr_run, goals=["Hiring"]) for _ in range(count)]
    RatherNot.objects.create(guide=guide, learner=learners[0])
    login(client, guide)
    # session, user, guide (+ goals, expertise), barred partners, mentees (+ goals,
    # expertise), rather-not marks, HR group, employee (context processor)
    with django_assert_num_queries(12):
        response = client.get(reverse("pairing:preferences", args=[hr_run.slug]))
    assert len(response.context["candidates"]) == count


def test_home_links_to_preferences_for_mentors_with_a_mentee_but_not_paired_mentees(client, hr_run):
    from tests.factories import make_active_pairing

    guide, paired, waiting = mentor(hr_run, capacity=3), mentee(hr_run), mentee(hr_run)
    make_active_pairing(guide=guide, learner=paired)
    for person, shown in ((guide, True), (paired, False), (waiting, True)):
        login(client, person)
        home = client.get(reverse("home")).context["home"]
        assert [p.pk for p in home.preferences_in] == ([person.pk] if shown else [])
