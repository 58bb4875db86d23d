from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.guide import MENTORING, PEER_COACHING, recommend
from programs.models import Participant, Program, Topic
from tests.factories import make_employee, make_participant, make_program, make_topics

MENTOR_ANSWERS = {
    "horizon": "career",
    "feedback": "directive",
    "direction": "expert",
    "rhythm": "scheduled",
    "company": "one",
}
PEER_ANSWERS = {
    "horizon": "skill",
    "feedback": "reflective",
    "direction": "reciprocal",
    "rhythm": "regular",
    "company": "one",
}


# --- the guide's scoring (pure) -----------------------------------------------------------


def test_recommend_all_mentor_answers():
    result = recommend(MENTOR_ANSWERS)
    assert (result.kind, result.points, result.other_kind) == (
        MENTORING,
        {MENTORING: 4, PEER_COACHING: 0},
        PEER_COACHING,
    )
    assert result.reason == (
        "A mentor suits you: you are looking for long-term career development, directive, "
        "experience-based advice, direction from someone senior in the field and less "
        "frequent, scheduled meetings. A mentor is an experienced advisor, senior or expert in "
        "the field, in a hierarchical or formal relationship; mentoring brings knowledge "
        "transfer, career guidance and networking."
    )


def test_recommend_three_to_one_names_the_odd_answer():
    result = recommend({**PEER_ANSWERS, "rhythm": "scheduled"})
    assert (result.kind, result.points) == (PEER_COACHING, {MENTORING: 1, PEER_COACHING: 3})
    assert result.reason == (
        "A peer coach suits you: you are looking for short-term problem-solving and skill "
        "practice, reflective, question-based support and collaborative learning between "
        "equals. A peer coach is a colleague at a similar level offering mutual support and "
        "feedback in an equal relationship; peer coaching brings self-awareness, skill "
        "practice and accountability. You also asked for less frequent, scheduled meetings, "
        "which is closer to what a mentor offers: say so in your note, or choose the other "
        "kind below."
    )


@pytest.mark.parametrize(
    ("direction", "expected"), [("expert", MENTORING), ("reciprocal", PEER_COACHING)]
)
def test_recommend_tie_goes_to_expert_direction_or_reciprocal_learning(direction, expected):
    answers = {"horizon": "career", "feedback": "reflective", "direction": direction}
    answers["company"] = "one"
    answers["rhythm"] = "regular" if direction == "expert" else "scheduled"
    result = recommend(answers)
    assert (result.kind, result.points) == (expected, {MENTORING: 2, PEER_COACHING: 2})


def test_reciprocal_learning_with_several_colleagues_is_a_peer_coaching_circle():
    result = recommend({**PEER_ANSWERS, "company": "several"})
    assert (result.kind, result.other_kind) == ("peer_circles", "group_mentoring")
    assert result.reason == (
        "A peer coaching circle suits you: you are looking for short-term problem-solving and "
        "skill practice, reflective, question-based support, collaborative learning between "
        "equals and regular, often informal check-ins with several colleagues together. In a "
        "peer coaching circle several colleagues at a similar level exchange feedback, share "
        "experiences and develop skills together, holding each other to account; a circle "
        "brings diverse perspectives and mutual accountability."
    )


def test_expert_direction_in_a_group_is_group_mentoring():
    result = recommend({**MENTOR_ANSWERS, "company": "several"})
    assert (result.kind, result.other_kind, result.points) == (
        "group_mentoring",
        "peer_circles",
        {MENTORING: 4, PEER_COACHING: 0},
    )
    assert result.reason.startswith("Group mentoring suits you: you are looking for long-term")


# --- the guide page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_guide_without_answers_shows_the_questions(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("programs:guide"))
    assert response.status_code == 200
    assert "result" not in response.context
    assert list(response.context["form"].fields) == [
        "horizon",
        "feedback",
        "direction",
        "rhythm",
        "company",
    ]


@pytest.mark.django_db
def test_guide_recommends_and_lists_open_programmes_of_that_kind(client, outsider, hr_admin):
    mentoring = make_program(admins=[hr_admin], name="Grow with a mentor")
    reverse_one = make_program(admins=[hr_admin], kind=Program.Kind.REVERSE_MENTORING)
    make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    make_program(admins=[hr_admin], status=Program.Status.DRAFT)
    client.force_login(outsider)
    response = client.get(reverse("programs:guide"), MENTOR_ANSWERS)
    assert response.context["result"].kind == MENTORING
    assert response.context["programs"] == [mentoring]
    assert response.context["also"]["programs"] == [reverse_one]
    assert f'href="{reverse("programs:program_list")}?kind=peer_coaching"' in (
        response.content.decode()
    )
    assert Participant.objects.count() == 0  # a GET form: nothing stored


@pytest.mark.django_db
def test_guide_peer_recommendation_lists_peer_programmes_only(client, outsider, hr_admin):
    make_program(admins=[hr_admin])
    peers = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    client.force_login(outsider)
    response = client.get(reverse("programs:guide"), PEER_ANSWERS)
    assert response.context["programs"] == [peers]
    assert "also" not in response.context


@pytest.mark.django_db
def test_guide_recommends_circles_with_co_development_beside(client, outsider, hr_admin):
    circles = make_program(admins=[hr_admin], kind=Program.Kind.PEER_CIRCLES, name="Circles")
    co_dev = make_program(admins=[hr_admin], kind=Program.Kind.CO_DEVELOPMENT, name="Cases")
    make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    client.force_login(outsider)
    response = client.get(reverse("programs:guide"), {**PEER_ANSWERS, "company": "several"})
    assert response.context["programs"] == [circles]
    assert response.context["also"]["label"] == "Co-development groups"
    assert response.context["also"]["programs"] == [co_dev]
    html = response.content.decode()
    assert "We recommend peer coaching circles" in html
    assert (
        f'href="{reverse("programs:program_enrol", args=[circles.slug])}?role=peer">Join a circle<'
        in html
    )
    assert ">Join a co-development group<" in html


@pytest.mark.django_db
def test_guide_with_a_bad_answer_shows_the_error(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("programs:guide"), {**MENTOR_ANSWERS, "rhythm": "daily"})
    assert "result" not in response.context
    assert list(response.context["form"].errors) == ["rhythm"]


def test_guide_needs_login(client, db):
    response = client.get(reverse("programs:guide"))
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("login"))


# --- programme list ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_program_list_marks_the_viewers_own_enrolments(client, program, outsider):
    participant = make_participant(program=program)
    client.force_login(participant.employee.user)
    mine = client.get(reverse("programs:program_list")).context["programs"]
    assert [(p, p.my_participant_id) for p in mine] == [(program, participant.pk)]
    client.force_login(outsider)
    theirs = client.get(reverse("programs:program_list")).context["programs"]
    assert [(p, p.my_participant_id) for p in theirs] == [(program, None)]


@pytest.mark.django_db
def test_program_list_filters_by_kind_and_hides_closed_enrolment(client, outsider, hr_admin):
    peers = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    make_program(admins=[hr_admin])
    make_program(
        admins=[hr_admin],
        kind=Program.Kind.PEER_COACHING,
        enrol_closes=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(outsider)
    response = client.get(reverse("programs:program_list"), {"kind": "peer_coaching"})
    assert list(response.context["programs"]) == [peers]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_program_list_query_count(client, outsider, hr_admin, count, django_assert_num_queries):
    for _ in range(count):
        make_program(admins=[hr_admin])
    client.force_login(outsider)
    # session, user, employee, programmes (with the viewer's enrolment), HR group
    with django_assert_num_queries(5):
        response = client.get(reverse("programs:program_list"))
    assert len(response.context["programs"]) == count


# --- enrol and edit ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_enrol_as_mentee_with_picked_and_new_topics(client, program, outsider):
    [hiring] = make_topics("Hiring")
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=[program.slug])
    page = client.get(url)
    assert list(page.context["form"].fields) == [
        "goals",
        "new_goals",
        "style",
        "focus",
        "note",
    ]
    response = client.post(
        url,
        {
            "goals": [hiring.pk],
            "new_goals": "hiring, Public Speaking,  public speaking ",
            "style": "reflective",
            "focus": "short_term",
            "note": "Lead my first interviews",
        },
    )
    assert (response.status_code, response.url) == (302, reverse("home"))
    participant = Participant.objects.get(employee=outsider.employee)
    assert participant.role == "mentee"
    assert sorted(t.name for t in participant.goals.all()) == ["Hiring", "Public Speaking"]
    assert Topic.objects.count() == 2
    assert participant.note == "Lead my first interviews"


@pytest.mark.django_db
def test_enrol_as_mentor_with_capacity_and_pause(client, program, outsider):
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=[program.slug]) + "?role=mentor"
    assert "capacity" in client.get(url).context["form"].fields
    until = timezone.localdate() + timedelta(days=30)
    response = client.post(
        url,
        {
            "new_expertise": "Negotiation",
            "style": "directive",
            "capacity": "3",
            "paused_until": until.isoformat(),
        },
    )
    assert response.status_code == 302
    participant = Participant.objects.get(employee=outsider.employee)
    assert (participant.role, participant.capacity, participant.paused_until) == (
        "mentor",
        3,
        until,
    )
    assert [t.name for t in participant.expertise.all()] == ["Negotiation"]


@pytest.mark.django_db
def test_enrol_in_peer_programme_ignores_a_mentor_role(client, outsider, hr_admin):
    program = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=[program.slug])
    response = client.post(
        url + "?role=mentor",
        {"new_goals": "Feedback", "style": "either", "focus": "short_term"},
    )
    assert response.status_code == 302
    assert Participant.objects.get(employee=outsider.employee).role == "peer"


@pytest.mark.django_db
def test_enrol_without_goals_is_refused(client, program, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"style": "either", "focus": "long_term"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "goals": ["Pick at least one topic or add a new one."]
    }
    assert Participant.objects.count() == 0


@pytest.mark.django_db
def test_enrol_404_when_programme_not_open(client, outsider, hr_admin):
    draft = make_program(admins=[hr_admin], status=Program.Status.DRAFT)
    client.force_login(outsider)
    assert client.get(reverse("programs:program_enrol", args=[draft.slug])).status_code == 404


@pytest.mark.django_db
def test_edit_own_enrolment_sets_pause_after_enrolment_closes(client, hr_admin):
    program = make_program(admins=[hr_admin])
    participant = make_participant(
        program=program, role=Participant.Role.MENTOR, expertise=["Hiring"], capacity=2
    )
    Program.objects.filter(pk=program.pk).update(status=Program.Status.ACTIVE)
    client.force_login(participant.employee.user)
    url = reverse("programs:program_enrol", args=[program.slug])
    page = client.get(url)
    assert page.context["participant"] == participant
    assert page.context["form"].initial["capacity"] == 2
    until = timezone.localdate() + timedelta(days=10)
    response = client.post(
        url + "?role=mentee",  # ignored: the role of an enrolment does not change
        {
            "expertise": [t.pk for t in participant.expertise.all()],
            "style": "either",
            "capacity": "2",
            "paused_until": until.isoformat(),
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.role, participant.paused_until) == ("mentor", until)


@pytest.mark.django_db
def test_pause_in_the_past_is_refused(client, program):
    participant = make_participant(program=program, role=Participant.Role.MENTOR)
    client.force_login(participant.employee.user)
    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {
            "new_expertise": "Hiring",
            "style": "either",
            "paused_until": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "paused_until": ["Choose a date after today, or leave it empty."]
    }


@pytest.mark.django_db
def test_enrolment_of_a_closed_programme_is_404_even_for_its_participant(client, hr_admin):
    program = make_program(admins=[hr_admin], status=Program.Status.CLOSED)
    participant = make_participant(program=program, employee=make_employee())
    client.force_login(participant.employee.user)
    assert client.get(reverse("programs:program_enrol", args=[program.slug])).status_code == 404


# --- the pause is for those who take people on --------------------------------------------


@pytest.mark.django_db
def test_a_mentee_is_offered_no_pause_and_a_posted_one_is_ignored(client, program, outsider):
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=[program.slug])
    page = client.get(url).content.decode()
    assert "not taking" not in page
    assert 'name="paused_until"' not in page
    until = timezone.localdate() + timedelta(days=30)

    response = client.post(
        url,
        {"new_goals": "Hiring", "style": "either", "focus": "long_term", "paused_until": until},
    )

    assert response.status_code == 302
    assert Participant.objects.get(employee=outsider.employee).paused_until is None


@pytest.mark.django_db
def test_a_mentee_editing_their_enrolment_keeps_the_pause_hr_set(client, program):
    until = timezone.localdate() + timedelta(days=20)
    participant = make_participant(program=program, goals=["Hiring"], paused_until=until)
    client.force_login(participant.employee.user)

    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"new_goals": "Hiring", "style": "either", "focus": "long_term", "paused_until": ""},
    )

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.paused_until == until


@pytest.mark.django_db
def test_a_peer_may_pause(client, outsider, hr_admin):
    program = make_program(admins=[hr_admin], kind=Program.Kind.PEER_COACHING)
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=[program.slug])
    field = client.get(url).context["form"].fields["paused_until"]
    assert field.label == "Pause: not pairing with anyone new until"
    until = timezone.localdate() + timedelta(days=5)
    client.post(
        url,
        {"new_goals": "Feedback", "style": "either", "focus": "short_term", "paused_until": until},
    )
    assert Participant.objects.get(employee=outsider.employee).paused_until == until


# --- errors at the top, the topic picker ----------------------------------------------------


@pytest.mark.django_db
def test_enrolment_errors_are_summed_up_above_the_topics_with_links(client, program, outsider):
    make_topics(*(f"Topic {n:02}" for n in range(44)))
    client.force_login(outsider)

    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"style": "sometimes", "focus": "long_term"},
    )

    html = response.content.decode()
    summary = html.index('aria-labelledby="form-error-summary-title"')
    assert summary < html.index('id="id_goals_0"')
    assert html.count('<a href="#id_goals_0">Your goals: Pick at least one topic or add a new') == 1
    style = (
        '<a href="#id_style">Feedback style you want: Select a valid choice. sometimes is not '
        "one of the available choices.</a>"
    )
    assert html.count(style) == 1


@pytest.mark.django_db
def test_the_topic_boxes_carry_the_picker_and_its_script(client, program, outsider):
    client.force_login(outsider)
    html = client.get(reverse("programs:program_enrol", args=[program.slug])).content.decode()
    assert 'data-topic-picker="goals"' in html
    assert f'data-suggest-url="{reverse("programs:topic_suggest")}"' in html


@pytest.mark.django_db
def test_topic_suggestions_start_with_then_contain_the_text_and_name_near_duplicates(
    client, outsider
):
    make_topics("Hiring and interviewing", "Python", "Fair hiring", "Hiring", "Leadership")
    client.force_login(outsider)
    url = reverse("programs:topic_suggest")

    assert client.get(url, {"q": " hiRing "}).json() == {
        "matches": ["Hiring", "Hiring and interviewing", "Fair hiring"],
        "exact": "Hiring",
        "near": ["Fair hiring", "Hiring and interviewing"],
    }
    assert client.get(url, {"q": "Leadershp"}).json() == {
        "matches": [],
        "exact": None,
        "near": ["Leadership"],
    }
    assert client.get(url, {"q": "  "}).json() == {"matches": [], "exact": None, "near": []}


@pytest.mark.django_db
@pytest.mark.parametrize("topics", [1, 3])
def test_topic_suggestions_query_count(client, outsider, django_assert_num_queries, topics):
    make_topics(*(f"Hiring {n}" for n in range(topics)))
    client.force_login(outsider)
    # session, user, the topics
    with django_assert_num_queries(3):
        response = client.get(reverse("programs:topic_suggest"), {"q": "hiring"})
    assert len(response.json()["matches"]) == topics


def test_topic_suggestions_need_login(client, db):
    response = client.get(reverse("programs:topic_suggest"), {"q": "hiring"})
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("login"))


@pytest.mark.django_db
def test_the_guide_answer_is_sent_to_its_result_on_the_page(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("programs:guide"), MENTOR_ANSWERS).content.decode()
    assert f'action="{reverse("programs:guide")}#result"' in html
    assert '<section id="result" tabindex="-1" aria-labelledby="recommendation"' in html


@pytest.mark.django_db
def test_a_new_topic_close_to_an_existing_one_is_pointed_out_once_saved(client, program, outsider):
    make_topics("Hiring and interviewing", "Python")
    client.force_login(outsider)

    response = client.post(
        reverse("programs:program_enrol", args=[program.slug]),
        {"new_goals": "Hiring; Pythn; Writing", "style": "either", "focus": "long_term"},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == [
        "You are enrolled in " + program.name + ".",
        "“Hiring” is a new topic, close to “Hiring and interviewing”: if it means the same, "
        "choose the existing one on your enrolment instead.",
        "“Pythn” is a new topic, close to “Python”: if it means the same, choose the existing "
        "one on your enrolment instead.",
    ]
    assert Participant.objects.get(employee=outsider.employee).goals.count() == 3
