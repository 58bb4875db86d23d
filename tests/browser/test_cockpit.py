"""HR's cockpit in the browser: sign in, land on it, read the counts, nudge, and end a
stalled pairing with a reason after confirming; desktop and phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pairing.models import CheckIn, Pairing
from programs.models import Participant
from tests.browser import a11y
from tests.browser.conftest import PASSWORD, screenshot
from tests.factories import make_employee, make_live_pairing, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTOR = Participant.Role.MENTOR


def _person(program, name, role=Participant.Role.MENTEE, level=3):
    employee = make_employee(name=name, email=f"{name.split()[0].lower()}@example.org", level=level)
    return make_participant(program=program, role=role, employee=employee)


def _scene(hr_admin):
    program = make_program(name="Engineering Mentoring", slug="eng-mentoring", admins=[hr_admin])
    now = timezone.now()
    today = timezone.localdate()
    waiting = make_live_pairing(
        program=program,
        guide=_person(program, "Maya Mentor", MENTOR, 5),
        learner=_person(program, "Theo Mentee"),
        status=Pairing.Status.PROPOSED,
        expires_at=now + timedelta(days=5),
    )
    stalled = make_live_pairing(
        program=program,
        guide=_person(program, "Sam Senior", MENTOR, 5),
        learner=_person(program, "Lee Learner"),
        activated_at=now - timedelta(days=90),
        next_checkin_due=today - timedelta(days=40),
    )
    CheckIn.objects.create(
        pairing=stalled,
        held_on=stalled.next_checkin_due - timedelta(days=program.checkin_cadence_days),
        logged_by=stalled.members.get(role="learner").participant,
        summary="Goals for the year",
        rating=4,
    )
    return program, waiting, stalled


def _no_sideways_scroll_on_a_phone(page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") == 390, page.url
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_hr_lands_on_the_cockpit_nudges_and_ends_a_stalled_pairing(page, live_server, hr_admin):
    program, waiting, stalled = _scene(hr_admin)

    # Signing in with no page in mind lands HR on the cockpit.
    # The live server's first request imports every view (the matching engine's numpy and
    # scipy among them): on a busy 2-core machine that alone can pass the 10 s default.
    page.goto(live_server.url + "/accounts/login/", timeout=60_000)
    a11y.check_page(page)
    page.get_by_label("Work email").fill(hr_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/hr/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cockpit")
    a11y.check_page(page)

    card = page.get_by_role("region", name="Engineering Mentoring")
    expect(
        card.get_by_label("Stage of Engineering Mentoring").locator("[aria-current=step]")
    ).to_have_text("Running (current stage)")
    expect(card.get_by_role("link", name="Follow up the stalled pairings")).to_be_visible()
    expect(card.locator(".todo-waiting")).to_contain_text("1 proposal waiting for an answer")
    expect(card.locator(".todo-stalled")).to_contain_text("1 stalled pairing")
    expect(card.locator(".todo-never-signed-in")).to_contain_text("4 people never signed in")
    screenshot(page, "cockpit")
    _no_sideways_scroll_on_a_phone(page, "cockpit")

    # Nudge the mentor who has not answered: one email, and the button is spent for today.
    card.get_by_role(
        "button", name="Nudge 1 person who has not answered in Engineering Mentoring"
    ).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Nudging 1 person in Engineering Mentoring by email."
    )
    a11y.check_page(page)
    assert [m.to for m in mail.outbox] == [["maya@example.org"]]
    expect(card.locator(".todo-waiting")).to_contain_text("All nudged today")

    # End the stalled pairing, after reading what that does.
    card.get_by_role("link", name="End the pairing of Sam Senior and Lee Learner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "End the pairing of Sam Senior and Lee Learner"
    )
    a11y.check_page(page)
    screenshot(page, "hr-pairing-end")
    _no_sideways_scroll_on_a_phone(page, "hr-pairing-end")
    # No reason: a field error, nothing ended.
    page.get_by_role("button", name="End the pairing").click()
    summary = page.get_by_role("region", name="There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Why does the pairing end?: This field is required."
    )
    expect(page.locator(".invalid-feedback")).to_have_text("This field is required.")
    a11y.check_page(page)
    stalled.refresh_from_db()
    assert stalled.status == Pairing.Status.ACTIVE
    page.get_by_label("Why does the pairing end?").fill("No check-in since the summer")
    page.get_by_role("button", name="End the pairing").click()
    expect(page).to_have_url(live_server.url + "/hr/")
    expect(page.get_by_role("alert")).to_have_text(
        "The pairing has ended; everyone in it is told by email."
    )
    a11y.check_page(page)
    expect(card.locator(".todo-stalled")).to_have_count(0)
    stalled.refresh_from_db()
    assert (stalled.status, stalled.end_reason) == (
        Pairing.Status.ENDED,
        "No check-in since the summer",
    )
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["lee@example.org", "sam@example.org"]
