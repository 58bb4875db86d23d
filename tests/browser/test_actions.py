"""HR's actions on people and proposals, and the employee's, in the browser: HR withdraws a
participant, cancels one proposal and reassigns another; an employee leaves a programme;
another ends a pairing after confirming. Each new page is checked for the accessibility
basics and photographed at desktop and phone width."""

import pytest
from playwright.sync_api import Page, expect

from pairing.models import Pairing
from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import screenshot
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_program,
    make_proposal,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def photograph(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png and <name>-phone.png; at 390 px nothing scrolls sideways."""
    a11y.check_page(page)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"], page.url
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def person(program, role, *, name, level, department="Ops", **extra):
    return make_participant(
        program=program,
        role=role,
        employee=make_employee(name=name, level=level, department=department),
        **extra,
    )


def test_hr_withdraws_a_participant_cancels_and_reassigns_proposals(page_as, live_server, hr_admin):
    program = make_program(
        name="Sales Mentoring", admins=[hr_admin], matching_mode=Program.MatchingMode.ADMIN
    )
    mentor = Participant.Role.MENTOR
    gil = person(program, mentor, name="Gil Guide", level=5, capacity=3, expertise=["Sales"])
    tess = person(program, mentor, name="Tess Taylor", level=5, capacity=2, expertise=["Pricing"])
    person(program, mentor, name="Uma Underwood", level=5, capacity=2, expertise=["Hiring"])
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3, goals=["Sales"])
    ana = person(program, Participant.Role.MENTEE, name="Ana Ruiz", level=3, goals=["Pricing"])
    wes = person(
        program, Participant.Role.MENTEE, name="Wes Withdrawn", level=3, goals=["Negotiation"]
    )
    mo_proposal = make_proposal(guide=gil, learner=mo)
    ana_proposal = make_proposal(guide=gil, learner=ana)
    make_active_pairing(guide=tess, learner=wes)
    page = page_as(hr_admin)

    # The participants table: Mo's row has his proposal's actions.
    page.goto(f"{live_server.url}/programmes/{program.slug}/participants/")
    a11y.check_page(page)
    page.get_by_role("link", name="reassign Mo Mentee's proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give this mentee another mentor")
    page.get_by_label("Search mentors by name").fill("tess")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".proposal-reassign-form .form-check-label")).to_have_count(1)
    page.get_by_label("Tess Taylor").check()
    page.get_by_label("Reason (optional)").fill("Tess covers sales too")
    photograph(page, "proposal-reassign")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_role("alert")).to_contain_text("Reassigned: Tess Taylor is asked")
    mo_proposal.refresh_from_db()
    assert mo_proposal.status == Pairing.Status.CANCELLED
    assert (
        Pairing.objects.get(members__participant=mo, status="proposed")
        .members.filter(participant=tess)
        .exists()
    )

    # Cancel Ana's proposal, with a reason: she is proposed someone else (Tess or Uma).
    page.get_by_role("link", name="cancel Ana Ruiz's proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this proposal?")
    page.get_by_label("Why is the proposal cancelled?").fill("Gil is going on leave")
    photograph(page, "proposal-cancel")
    page.get_by_role("button", name="Cancel the proposal").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Cancelled the proposal; everyone in it is emailed. 1 new proposal made in its place."
    )
    ana_proposal.refresh_from_db()
    assert (ana_proposal.status, ana_proposal.end_reason) == ("cancelled", "Gil is going on leave")

    # Withdraw Wes: his pairing with Tess ends.
    page.get_by_role("link", name="Wes Withdrawn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wes Withdrawn Mentee")
    photograph(page, "participant-edit")
    page.get_by_role("link", name="Withdraw Wes Withdrawn…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw Wes Withdrawn from Sales Mentoring?"
    )
    expect(page.locator(".live-pairings li")).to_contain_text("Tess Taylor Active")
    page.get_by_label("Reason (optional)").fill("Left the sales team")
    photograph(page, "participant-withdraw")
    page.get_by_role("button", name="Withdraw Wes Withdrawn").click()
    expect(page.get_by_role("alert")).to_contain_text("Withdrew Wes Withdrawn from Sales")
    a11y.check_page(page)
    expect(page.get_by_role("link", name="Wes Withdrawn", exact=True)).to_have_count(0)
    wes.refresh_from_db()
    assert wes.withdrawn_at is not None
    assert not Pairing.objects.filter(members__participant=wes, status="active").exists()


def test_an_employee_leaves_a_programme_and_another_ends_a_pairing(page_as, live_server):
    program = make_program(name="Engineering Mentoring")
    gil = person(program, Participant.Role.MENTOR, name="Gil Guide", level=5, capacity=3)
    mo = person(program, Participant.Role.MENTEE, name="Mo Mentee", level=3, goals=["SQL"])
    ana = person(program, Participant.Role.MENTEE, name="Ana Ruiz", level=3, goals=["SQL"])
    ending = make_active_pairing(guide=gil, learner=ana)
    make_active_pairing(guide=gil, learner=mo)

    # Mo leaves, from his enrolment page, after a confirmation page.
    page = page_as(mo.employee.user)
    page.goto(f"{live_server.url}/programmes/{program.slug}/enrol/")
    a11y.check_page(page)
    page.get_by_role("link", name="Leave the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leave Engineering Mentoring?")
    page.get_by_label("Why are you leaving? (optional)").fill("Changing roles")
    photograph(page, "program-leave")
    page.get_by_role("button", name="Leave Engineering Mentoring").click()
    expect(page.get_by_role("alert")).to_have_text("You have left Engineering Mentoring.")
    a11y.check_page(page)
    mo.refresh_from_db()
    assert mo.withdrawn_at is not None

    # Ana ends her pairing: the button sits apart from the check-in form and asks first.
    page = page_as(ana.employee.user)
    page.goto(f"{live_server.url}{ending.get_absolute_url()}")
    a11y.check_page(page)
    expect(page.locator(".pairing-end form")).to_have_count(0)
    page.get_by_role("link", name="End this pairing…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End your pairing with Gil Guide?")
    photograph(page, "pairing-end")
    page.get_by_role("button", name="End the pairing").click()
    # Without a reason it is refused, with the field's error.
    expect(page.locator("#error_1_id_reason")).to_contain_text("This field is required.")
    page.get_by_label("Why are you ending the pairing?").fill("Goals met")
    page.get_by_role("button", name="End the pairing").click()
    expect(page.get_by_role("alert")).to_have_text("The pairing has ended.")
    a11y.check_page(page)
    ending.refresh_from_db()
    assert (ending.status, ending.end_reason) == ("ended", "Goals met")
