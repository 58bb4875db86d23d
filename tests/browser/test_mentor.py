"""Mentors in the browser: read why a mentee was proposed and accept; decline with a reason
and watch the mentee go to the next mentor."""

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from pairing.models import Pairing, PairingMember
from pairing.services import learner_repropose
from programs.models import Participant
from tests.browser import a11y
from tests.browser.conftest import log_in, screenshot, visit
from tests.factories import make_employee, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(hr_admin):
    """Three mentors and two mentees; each mentee proposed to their best mentor the way
    a declined mentee is (learner_repropose scores with the engine)."""
    program = make_program(name="Engineering Mentoring 2026", admins=[hr_admin])

    def mentor(name, department, expertise, capacity, style="reflective"):
        return make_participant(
            program=program,
            role=Participant.Role.MENTOR,
            employee=make_employee(name=name, level=5, department=department),
            expertise=expertise,
            capacity=capacity,
            style=style,
        )

    def mentee(name, goals, style):
        return make_participant(
            program=program,
            employee=make_employee(name=name, level=3, department="Engineering"),
            goals=goals,
            style=style,
        )

    maya = mentor("Maya Okafor", "Sales", ["Public Speaking", "Negotiation"], 1)
    bo = mentor("Bo Lind", "Finance", ["Budgeting", "Hiring"], 2, style="directive")
    cy = mentor("Cy Park", "People", ["Budgeting"], 2, style="directive")
    ana = mentee("Ana Ruiz", ["Public Speaking", "Negotiation", "Writing"], "reflective")
    dev = mentee("Dev Patel", ["Budgeting", "Hiring"], "directive")
    return {
        "program": program,
        "maya": maya,
        "bo": bo,
        "cy": cy,
        "ana": ana,
        "dev": dev,
        "ana_proposal": learner_repropose(participant=ana),
        "dev_proposal": learner_repropose(participant=dev),
    }


def test_mentor_logs_in_reads_why_and_accepts(page, live_server, cast):
    proposal = cast["ana_proposal"]
    assert [m.participant for m in proposal.members.order_by("role")] == [cast["maya"], cast["ana"]]

    log_in(page, live_server, email=cast["maya"].employee.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Maya Okafor")
    a11y.check_page(page)
    page.get_by_role("link", name="Proposals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposals waiting for your answer")
    a11y.check_page(page)
    page.get_by_role("link", name="Answer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Proposal in Engineering Mentoring 2026"
    )
    a11y.check_page(page)
    answer_by = dateformat.format(timezone.localtime(proposal.expires_at), "j M Y")
    expect(page.get_by_text("Mentoring · Proposed")).to_have_text(
        f"Mentoring · Proposed · score 83.3 of 100 · answer by {answer_by}"
    )
    who = page.get_by_role("region", name="Who")
    expect(who.get_by_role("heading", level=3)).to_have_text("Ana Ruiz · Mentee")
    why = page.get_by_role("region", name="Why you were matched")
    # As a screen reader reads it: the goals Maya offers are marked.
    expect(who.get_by_text("Goals:")).to_match_aria_snapshot(
        '- paragraph: "Goals: Negotiation (you offer this) Public Speaking (you offer this)'
        ' Writing"'
    )
    expect(why.get_by_role("listitem")).to_have_text(
        ["2 levels below you", "Also prefers reflective feedback", "From Engineering"]
    )
    expect(why.locator("dt")).to_have_text(["Goals", "Level", "Feedback style", "Other department"])
    expect(why.locator("dd")).to_have_text(["33.3 of 50", "25 of 25", "20 of 20", "5 of 5"])
    screenshot(page, "proposal")

    page.get_by_role("button", name="Accept").click()

    expect(page.get_by_role("alert")).to_have_text("Accepted: you are paired.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pairing in Engineering Mentoring 2026"
    )
    a11y.check_page(page)
    proposal.refresh_from_db()
    assert proposal.status == Pairing.Status.ACTIVE


def test_mentor_declines_by_keyboard_and_the_mentee_is_proposed_elsewhere(
    page_as, live_server, cast
):
    bo_page = page_as(cast["bo"].employee.user)
    declined = cast["dev_proposal"]
    visit(bo_page, f"{live_server.url}/proposals/{declined.pk}/")
    expect(bo_page.get_by_role("region", name="Who").get_by_role("heading", level=3)).to_have_text(
        "Dev Patel · Mentee"
    )

    # Keyboard only: into the reasons, arrow down to the third, a note, then Enter.
    first_reason = bo_page.get_by_label("I don't have time right now")
    a11y.tab_to(bo_page, first_reason)
    bo_page.keyboard.press("Space")
    bo_page.keyboard.press("ArrowDown")
    bo_page.keyboard.press("ArrowDown")
    expect(bo_page.get_by_label("We already work closely together")).to_be_checked()
    bo_page.keyboard.press("Tab")
    expect(bo_page.get_by_label("Anything to add (optional)")).to_be_focused()
    bo_page.keyboard.type("Dev sits in my team's stand-up every day.")
    bo_page.keyboard.press("Tab")
    expect(bo_page.get_by_role("button", name="Decline")).to_be_focused()
    bo_page.keyboard.press("Enter")

    expect(bo_page.get_by_role("alert")).to_have_text(
        "Declined. You will not be proposed to each other again."
    )
    expect(bo_page.get_by_role("heading", level=1)).to_have_text(
        "Proposals waiting for your answer"
    )
    a11y.check_page(bo_page)
    expect(bo_page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    bo_member = declined.members.get(participant=cast["bo"])
    assert (bo_member.response, bo_member.decline_reason, bo_member.decline_note) == (
        PairingMember.Response.DECLINED,
        PairingMember.DeclineReason.KNOW_WELL,
        "Dev sits in my team's stand-up every day.",
    )

    # Dev went to the next best mentor with a free place: Cy sees him...
    cy_page = page_as(cast["cy"].employee.user)
    visit(cy_page, live_server.url + "/")
    awaiting = cy_page.get_by_role("region", name="Proposals waiting for your answer")
    expect(awaiting.get_by_role("paragraph")).to_have_text("Dev Patel · Engineering Mentoring 2026")
    awaiting.get_by_role("link", name="Dev Patel").click()
    a11y.check_page(cy_page)
    expect(
        cy_page.get_by_role("region", name="Why you were matched").get_by_role("listitem")
    ).to_have_text(["2 levels below you", "Also prefers directive feedback", "From Engineering"])
    # ...and Dev's home page says whom he is waiting for.
    dev_page = page_as(cast["dev"].employee.user)
    visit(dev_page, live_server.url + "/")
    waiting = dev_page.get_by_role("region", name="Waiting for the other side")
    expect(waiting.get_by_role("paragraph")).to_have_text("Cy Park · Engineering Mentoring 2026")
    reproposed = Pairing.objects.get(
        status=Pairing.Status.PROPOSED, members__participant=cast["dev"]
    )
    assert sorted(reproposed.members.values_list("participant__employee__name", flat=True)) == [
        "Cy Park",
        "Dev Patel",
    ]
