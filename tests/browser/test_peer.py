"""Peer coaching in the browser: both peers answer, and the pairing goes live only with the
second acceptance."""

import pytest
from playwright.sync_api import expect

from pairing.models import Pairing, PairingMember
from pairing.services import learner_repropose
from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import visit
from tests.factories import make_employee, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_peer_pairing_turns_active_only_after_the_second_acceptance(page_as, live_server):
    program = make_program(name="Peer Coaching Circle", kind=Program.Kind.PEER_COACHING)

    def peer(name, department):
        return make_participant(
            program=program,
            role=Participant.Role.PEER,
            employee=make_employee(name=name, level=3, department=department),
            goals=["Giving Feedback", "Delegation"],
            style="reflective",
        )

    lea, sam = peer("Lea Novak", "Product"), peer("Sam Osei", "Finance")
    pairing = learner_repropose(participant=lea)
    assert sorted(pairing.members.values_list("response", flat=True)) == ["pending", "pending"]

    # Lea accepts with the keyboard alone: Tab to Accept, Enter.
    lea_page = page_as(lea.employee.user)
    visit(lea_page, f"{live_server.url}/proposals/{pairing.pk}/")
    expect(lea_page.get_by_role("region", name="Who").get_by_role("heading", level=3)).to_have_text(
        "Sam Osei · Peer coach"
    )
    accept = lea_page.get_by_role("button", name="Accept")
    a11y.tab_to(lea_page, accept)
    lea_page.keyboard.press("Enter")

    expect(lea_page.get_by_role("alert")).to_have_text(
        "Accepted. The pairing starts when your peer accepts too."
    )
    # Lea stays on the proposal, which says whom it waits for and what happens next.
    expect(lea_page.get_by_role("heading", level=1)).to_have_text(
        "Proposal in Peer Coaching Circle"
    )
    expect(lea_page.get_by_role("region", name="Waiting for an answer")).to_contain_text(
        "You have accepted. Sam Osei has until"
    )
    a11y.check_page(lea_page)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.PROPOSED
    expect(lea_page.get_by_text("Their answer:")).to_have_text(
        "Their answer: Waiting for an answer"
    )

    # Sam sees Lea's acceptance, accepts, and the pairing is live for both.
    sam_page = page_as(sam.employee.user)
    visit(sam_page, f"{live_server.url}/")
    sam_page.get_by_role("region", name="Proposals waiting for your answer").get_by_role(
        "link", name="Lea Novak"
    ).click()
    expect(sam_page.get_by_text("Their answer:")).to_have_text("Their answer: Accepted")
    a11y.check_page(sam_page)
    sam_page.get_by_role("button", name="Accept").click()

    expect(sam_page.get_by_role("alert")).to_have_text("Accepted: you are paired.")
    expect(sam_page.get_by_role("heading", level=1)).to_have_text("Pairing in Peer Coaching Circle")
    expect(sam_page.get_by_text("Peer coaching ·")).to_have_text("Peer coaching · Active")
    a11y.check_page(sam_page)
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert list(pairing.members.values_list("response", flat=True)) == [
        PairingMember.Response.ACCEPTED,
        PairingMember.Response.ACCEPTED,
    ]

    lea_page.reload()
    expect(lea_page.get_by_text("This proposal is active.")).to_have_text(
        "This proposal is active. Open the pairing."
    )
    a11y.check_page(lea_page)
