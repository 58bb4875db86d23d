"""Employees join a situational programme to ask for help; HR enrols the helpers. Nothing
of matching (preferences, candidates, rounds) opens for it."""

import pytest
from django.urls import reverse

from programs.models import Participant, Program
from tests.factories import make_employee, make_participant, make_situational_program

pytestmark = pytest.mark.django_db

NO_ROUNDS = "Situational programmes have no rounds: people book one session at a time."


@pytest.fixture
def situational(hr_admin):
    return make_situational_program(admins=[hr_admin], slug="ask", name="Ask an expert")


def test_the_list_offers_to_ask_for_help(client, situational, outsider):
    client.force_login(outsider)

    html = client.get(reverse("programs:program_list")).content.decode()

    url = reverse("programs:program_enrol", args=["ask"])
    assert f'<a class="btn btn-primary btn-sm" href="{url}">Join to ask for help</a>' in html
    assert "One-off sessions booked with a helper" in html
    assert f"{url}?role=mentor" not in html


@pytest.mark.parametrize("query", ["", "?role=mentor", "?role=peer"])
def test_enrolling_asks_for_help_whatever_the_address_says(client, situational, outsider, query):
    client.force_login(outsider)
    url = reverse("programs:program_enrol", args=["ask"]) + query

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Situational mentoring · as asks for help" in html
    assert "I want to mentor instead" not in html
    assert list(page.context["form"].fields) == ["goals", "new_goals", "style", "focus", "note"]
    assert page.context["form"].fields["goals"].label == "Topics you may ask for help with"
    response = client.post(url, {"new_goals": "Python", "style": "either", "focus": "long_term"})
    assert (response.status_code, response.url) == (302, reverse("home"))
    participant = Participant.objects.get(employee=outsider.employee)
    assert (participant.role, participant.role_label) == ("mentee", "Asks for help")
    assert [t.name for t in participant.goals.all()] == ["Python"]


def test_a_helper_edits_their_enrolment_without_a_capacity(client, situational):
    helper = make_participant(program=situational, role=Participant.Role.MENTOR)
    client.force_login(helper.employee.user)

    page = client.get(reverse("programs:program_enrol", args=["ask"]))

    assert page.status_code == 200
    assert "Situational mentoring · as offers help" in page.content.decode()
    assert list(page.context["form"].fields) == [
        "expertise",
        "new_expertise",
        "style",
        "paused_until",
        "note",
    ]


def test_leaving_names_the_role(client, situational):
    asker = make_participant(program=situational, employee=make_employee(name="Eve"))
    client.force_login(asker.employee.user)

    page = client.get(reverse("programs:program_leave", args=["ask"]))

    assert page.status_code == 200
    assert "You are enrolled as asks for help." in page.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("pairing:preferences", "get"),
        ("pairing:preferences", "post"),
        ("pairing:candidates", "get"),
        ("pairing:candidate_request", "post"),
    ],
)
def test_matching_pages_are_not_found(client, situational, name, method):
    asker = make_participant(program=situational)
    client.force_login(asker.employee.user)

    response = getattr(client, method)(reverse(name, args=["ask"]))

    assert response.status_code == 404


def test_joining_a_round_is_refused(client, situational):
    asker = make_participant(program=situational)
    client.force_login(asker.employee.user)

    response = client.post(reverse("pairing:round_join", args=["ask"]), follow=True)

    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert NO_ROUNDS in response.content.decode()


@pytest.mark.parametrize("role", [Participant.Role.MENTOR, Participant.Role.MENTEE])
def test_the_employee_pages_open_for_helpers_and_askers(client, situational, role):
    person = make_participant(program=situational, role=role, expertise=["Python"])
    client.force_login(person.employee.user)

    for name in (
        "home",
        "programs:profile",
        "programs:my_data",
        "pairing:pairing_list",
        "pairing:proposal_list",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_role_labels_of_a_situational_programme():
    situational = Program(kind=Program.Kind.SITUATIONAL)
    mentoring = Program(kind=Program.Kind.MENTORING)

    # A peer enrolled before the kind changed keeps their own label.
    assert [situational.role_label(role) for role in ("mentor", "mentee", "peer")] == [
        "Offers help",
        "Asks for help",
        "Peer coach",
    ]
    assert [mentoring.role_label(role) for role in ("mentor", "mentee")] == ["Mentor", "Mentee"]
