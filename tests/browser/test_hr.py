"""HR admins in the browser: a programme from nothing to published proposals, and a bad
CSV that changes nothing."""

from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from pairing.models import Pairing
from programs.models import Employee, Participant, Program
from tests.browser import a11y
from tests.browser.conftest import log_in, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parent.parent / "data"

# Why the run pairs Ben Brennan with Vikram Iyer, as HR reads it.
BEN_AND_VIKRAM = [
    "Goals: 50 of 50 — covers 1 of the mentee's 1 goal (Sales Pipeline)",
    "Level: 25 of 25 — the mentor is 2 levels above the mentee, the ideal gap",
    "Feedback style: 20 of 20 — both prefer reflective feedback",
    "Other department: 5 of 5 — different departments (People and Engineering)",
]


def test_hr_admin_creates_imports_matches_pins_and_publishes(page, live_server, hr_admin):
    log_in(page, live_server, email=hr_admin.email)
    page.get_by_role("link", name="Programmes (manage)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage programmes")
    a11y.check_page(page)

    # A new mentoring programme, open for enrolment; HR runs the matching.
    page.get_by_role("link", name="New programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New programme")
    a11y.check_page(page)
    page.get_by_label("Name").fill("Company Mentoring 2026")
    page.get_by_label("Slug").fill("company-mentoring-2026")
    page.get_by_label("Kind").select_option(label="Mentoring")
    page.get_by_label("How people are matched").select_option(label="HR runs matching")
    page.get_by_label("Status").select_option(label="Open for enrolment")
    page.get_by_role("button", name="Create programme").click()
    expect(page.get_by_role("alert")).to_have_text("Created Company Mentoring 2026.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Company Mentoring 2026 Open for enrolment"
    )
    a11y.check_page(page)
    program = Program.objects.get(slug="company-mentoring-2026")
    assert (program.kind, program.matching_mode, program.checkin_cadence_days) == (
        Program.Kind.MENTORING,
        Program.MatchingMode.ADMIN,
        28,
    )

    # Import the sample: a preview first, which writes nothing, then the import.
    page.get_by_role("link", name="Import participants (CSV)").click()
    a11y.check_page(page)
    page.get_by_label("Participants CSV").set_input_files(DATA / "mentoring-sample.csv")
    page.get_by_role("button", name="Preview import").click()
    preview = page.get_by_role("region", name="Preview: what this file will change")
    expect(preview.get_by_role("listitem")).to_have_text(
        [
            "55 rows read",
            "55 employees to create, 0 to update",
            "2 managers to record without enrolment: outside2@example.org, outside9@example.org",
            "55 participants to enrol, 0 to update",
            "0 rows unchanged",
        ]
    )
    a11y.check_page(page)
    assert Participant.objects.filter(program=program).count() == 0
    page.get_by_role("button", name="Import these 55 rows").click()
    # The result page: what the import did.
    expect(page.get_by_role("heading", level=2)).to_have_text("Imported")
    expect(page.locator(".import-result li")).to_have_text(
        [
            "55 rows read",
            "55 employees created, 0 updated",
            "2 managers recorded without enrolment",
            "55 participants enrolled, 0 updated",
            "0 rows unchanged",
        ]
    )
    a11y.check_page(page)
    page.get_by_role("link", name="See the participants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Participants of Company Mentoring 2026"
    )
    expect(page.get_by_text("55 participants, page 1 of 2.")).to_be_visible()
    a11y.check_page(page)
    assert Participant.objects.filter(program=program).count() == 55

    # Run matching: the preview with totals, pairings and the unmatched.
    page.get_by_role("link", name="Matching", exact=True).click()
    a11y.check_page(page)
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Matching run {program.match_runs.get().pk} Ready for review"
    )
    a11y.check_page(page)
    totals = page.get_by_role("region", name="Totals")
    expect(totals.get_by_role("definition").first).to_have_text("32 of 40 mentees, in 32 pairings")
    expect(page.get_by_role("heading", name="Unmatched (8)")).to_be_visible()

    # Each pair says why, criterion by criterion, out of the weights; unmatched people are
    # explained to HR with what would fix it.
    pairings = page.get_by_role("list", name="Proposed pairings (32)")
    vikram = pairings.get_by_role("listitem").filter(has_text="vikram.iyer.101x24@example.org")
    expect(vikram.get_by_role("heading", level=3)).to_have_text("Ben Brennan and Vikram Iyer")
    expect(vikram.locator(".run-reasons li")).to_have_text(BEN_AND_VIKRAM)
    expect(page.get_by_role("region", name="Unmatched (8)")).to_contain_text(
        "No mentor 1–3 levels above Ana Brennan (level 6): enrol a more senior mentor or widen "
        "the gap in settings"
    )
    expect(totals).to_contain_text("compared with simple first-come matching")

    # Pin Nia Ruiz (a free place) with Vikram Iyer, whom the run gave to Ben Brennan: typing
    # part of a name fetches the matching people into the field's suggestions.
    mentor = page.get_by_role("combobox", name="Mentor")
    mentor.press_sequentially("nia r")
    expect(page.locator("#pin-first-options option")).to_have_attribute(
        "value", "Nia Ruiz (nia.ruiz.101x7@example.org)"
    )
    mentor.fill("Nia Ruiz (nia.ruiz.101x7@example.org)")  # what picking the suggestion types
    page.get_by_role("combobox", name="Mentee").fill("Vikram Iyer")  # a name alone does too
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Pinned; matching re-ran around the pin.")
    # Score 80 = goals 50 + level 25 + style 0 (directive vs reflective) + department 5.
    expect(vikram.get_by_role("heading", level=3)).to_have_text("Nia Ruiz and Vikram Iyer Pinned")
    expect(vikram).to_contain_text("80 of 100")
    expect(vikram.locator(".run-reasons li")).to_have_text(
        [
            "Goals: 50 of 50 — covers 1 of the mentee's 1 goal (Sales Pipeline)",
            "Level: 25 of 25 — the mentor is 2 levels above the mentee, the ideal gap",
            "Other department: 5 of 5 — different departments (Operations and Engineering)",
        ]
    )
    expect(vikram.locator(".run-unscored")).to_have_text(
        "No points for feedback style (0 of 20: the mentor prefers directive feedback, the "
        "mentee reflective)."
    )
    expect(totals.get_by_role("definition").first).to_have_text("32 of 40 mentees, in 32 pairings")
    a11y.check_page(page)
    screenshot(page, "matching-preview")
    # On a phone the pairs are cards: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "matching-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Publish: the run becomes 32 proposals, and the mentors are emailed.
    page.get_by_role("button", name="Publish 32 proposals").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Published 32 proposals; the people asked to answer are emailed."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Company Mentoring 2026 Open for enrolment"
    )
    a11y.check_page(page)
    proposals = Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED)
    assert proposals.count() == 32
    assert (
        proposals.filter(members__participant__employee__email="nia.ruiz.101x7@example.org")
        .filter(members__participant__employee__email="vikram.iyer.101x24@example.org")
        .count()
        == 1
    )
    assert len(mail.outbox) == 32

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Programme health · Company Mentoring 2026"
    )
    # Nobody has answered yet: no match, but 32 proposals waiting (the "80 %").
    expect(page.locator(".match-rate-says")).to_have_text(
        "0 of 40 mentees matched: in a pairing that is accepted or active. A proposal not "
        "answered yet does not count; 32 more have one waiting."
    )
    a11y.check_page(page)


def test_bad_csv_shows_six_errors_by_line_and_changes_nothing(
    page_as, live_server, hr_admin, program
):
    employees_before = Employee.objects.count()
    page = page_as(hr_admin)
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/import/")

    page.get_by_label("Participants CSV").set_input_files(DATA / "bad-participants.csv")
    page.get_by_role("button", name="Preview import").click()

    errors = page.get_by_role("alert")
    expect(errors.get_by_role("heading")).to_have_text("Nothing was imported: 6 errors")
    expect(errors.get_by_role("columnheader")).to_have_text(["Line", "Problem"])
    expect(errors.get_by_role("cell")).to_have_text(
        [
            *("3", "level '9' is not a whole number from 1 to 6"),
            *("4", "email is missing"),
            *("5", "email ana@example.org already appears on line 2"),
            *("6", "role 'coach' is unknown (use mentor or mentee)"),
            *("7", "style 'sometimes' is not one of directive, reflective, either"),
            *("8", "capacity '0' is not a positive whole number"),
        ]
    )
    # Nothing to confirm: another upload is offered.
    expect(page.get_by_role("link", name="Upload a file")).to_be_visible()
    a11y.check_page(page)
    assert Employee.objects.count() == employees_before
    assert Participant.objects.count() == 0
    page.get_by_role("link", name="Participants", exact=True).click()
    expect(page.get_by_text("0 participants.")).to_be_visible()
    a11y.check_page(page)
