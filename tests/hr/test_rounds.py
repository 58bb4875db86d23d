"""HR's rounds page and the employee's "Join round N" button."""

import pytest
from django.urls import reverse

from pairing.models import Pairing
from programs.models import Participant, Program, Round
from tests.factories import (
    make_employee,
    make_hr_admin,
    make_live_pairing,
    make_participant,
    make_program,
)

pytestmark = pytest.mark.django_db


def _peer(program, name):
    employee = make_employee(name=name, email=f"{name.lower()}@example.org", level=3)
    return make_participant(program=program, role=Participant.Role.PEER, employee=employee)


@pytest.fixture
def peers(hr_admin):
    program = make_program(
        kind=Program.Kind.PEER_COACHING, slug="peers", name="Peers", admins=[hr_admin]
    )
    people = [_peer(program, name) for name in ("Ann", "Bo", "Cy")]
    make_live_pairing(program=program, guide=people[0], learner=people[1], status="active")
    return program, people


def test_hr_starts_a_round_and_sees_its_history(client, hr_admin, peers):
    program, _ = peers
    client.force_login(hr_admin)
    url = reverse("hr:program_rounds", args=[program.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert [r.number for r in page.context["history"]] == [1]
    assert page.context["form"]["end_pairings"].initial is True  # peers rotate

    form = {"who": "everyone", "end_pairings": "on", "number": "2"}
    response = client.post(url, form, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Round 2 has started. Everyone of round 1 is being told by email."
    ]
    history = response.context["history"]
    assert [(r.number, r.current) for r in history] == [(1, False), (2, True)]
    first, second = history
    assert first.figures.as_dict() == {
        "people": 3, "matched": 2, "waited": 0, "served_first": 0, "repeats": 0,
    }  # fmt: skip
    assert second.figures.as_dict() == {
        "people": 3, "matched": 0, "waited": 1, "served_first": 0, "repeats": 0,
    }  # fmt: skip
    assert second.started_by == "Hana HR" and second.everyone is True
    assert Pairing.objects.get().end_reason == "Round 1 finished"
    # The same form posted again (a double click) starts nothing more.
    again = client.post(url, form)
    assert again.context["form"].non_field_errors() == ["Round 2 has already started."]
    assert Round.objects.filter(program=program).count() == 2  # rounds 1 (kept) and 2


def test_the_rounds_page_refuses_bad_input_and_other_admins(client, hr_admin, peers):
    program, _ = peers
    url = reverse("hr:program_rounds", args=[program.slug])
    client.force_login(hr_admin)
    response = client.post(url, {"who": "someone", "number": "2"})
    assert response.status_code == 200
    assert response.context["form"].errors["who"] == [
        "Select a valid choice. someone is not one of the available choices."
    ]
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    response = client.post(url, {"who": "everyone", "number": "2"})
    assert response.context["form"].non_field_errors() == [
        "Peers is closed: open it again to start a round."
    ]
    assert not Round.objects.exists()
    client.force_login(make_hr_admin(name="Other HR"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"who": "everyone"}).status_code == 404


@pytest.mark.parametrize("rounds", [1, 4])
def test_rounds_page_query_count(client, hr_admin, peers, rounds, django_assert_num_queries):
    from pairing import rounds as service

    program, _ = peers
    for _ in range(rounds - 1):
        service.round_start(program=program, actor=hr_admin, everyone=True, end_pairings=True)
    client.force_login(hr_admin)
    # session, user, HR group, programme, rounds (+ starters), current round's figures (2),
    # employee (navbar)
    with django_assert_num_queries(8):
        response = client.get(reverse("hr:program_rounds", args=[program.slug]))
    assert len(response.context["history"]) == rounds


def test_people_join_the_new_round_from_their_home_page(client, hr_admin, peers):
    from pairing import rounds

    program, (ann, bo, cy) = peers
    rounds.round_start(program=program, actor=hr_admin, everyone=False, end_pairings=True)
    client.force_login(cy.employee.user)
    home = client.get(reverse("home"))
    assert [p.pk for p in home.context["home"].join_rounds] == [cy.pk]
    assert "Join round 2" in home.content.decode()

    url = reverse("pairing:round_join", args=[program.slug])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You are in round 2 of Peers. HR will propose your new partner."
    ]
    assert Participant.objects.get(pk=cy.pk).round == 2
    assert response.context["home"].join_rounds == []
    # Someone not in the programme finds nothing to join.
    client.force_login(make_employee(name="Out").user)
    assert client.post(url).status_code == 404
