"""Choosing in the browser, from what HR really does (a CSV import, invitations by email):
a mentee asks mentors up to the programme's cap and the first to accept wins; a mentor
pauses and resumes; a mentee ranks suggestions and a mentor marks someone before HR's run.
Everyone but HR gets in through the invitation they are emailed."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Page, expect

from pairing.models import Pairing
from programs.models import Employee, Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.browser.test_signin import choose_password, link_in_email, reset_password_by_email
from tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "email,name,department,level,manager_email,role,goals,expertise,style,capacity\n"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def hr_imports_and_invites(page: Page, live_server, program: Program, csv: str) -> None:
    """HR imports ``csv`` through the import page and invites everyone in it."""
    rows = len(csv.splitlines()) - 1
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    page.get_by_label("Participants CSV").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name=f"Import these {rows} rows").click()
    page.get_by_role("link", name="See the participants").click()
    page.get_by_role("button", name=f"Invite everyone who has not signed in ({rows})").click()
    expect(page.get_by_role("alert")).to_have_text(f"Sending {rows} invitations.")


def hr_page(new_context, live_server, hr_admin) -> Page:
    page = new_context().new_page()
    reset_password_by_email(page, live_server, hr_admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cockpit")
    return page


def accept_invitation(new_context, email: str) -> Page:
    """Follow the invitation link in the last email to ``email`` and choose a password."""
    page = new_context().new_page()
    visit(page, link_in_email(email, "/accounts/invitation/"))
    choose_password(page)
    page.get_by_role("button", name="Set password and continue").click()
    return page


def screenshots(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png at 1280 px and <name>-phone.png at 390 px."""
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


# Mo has two places, Bea and Sol one each.
REQUESTS_CSV = HEADER + (
    "mo.mentor@example.org,Mo Mentor,Sales,5,,mentor,,Negotiation,either,2\n"
    "bea.mentor@example.org,Bea Mentor,Finance,5,,mentor,,Negotiation,either,1\n"
    "sol.mentor@example.org,Sol Mentor,People,5,,mentor,,Negotiation,either,1\n"
    "ana.mentee@example.org,Ana Mentee,Engineering,3,,mentee,Negotiation,,either,\n"
    "dev.mentee@example.org,Dev Mentee,Legal,3,,mentee,Negotiation,,either,\n"
)


def _candidates(page: Page):
    return page.locator("ol .card h2")


def _candidate_names(page: Page) -> list[str]:
    """The names on the candidate cards, without their score badges, A to Z."""
    return sorted(_candidates(page).evaluate_all("hs => hs.map(h => h.firstChild.data.trim())"))


def test_mentee_asks_up_to_the_cap_withdraws_one_and_the_first_to_accept_wins(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    hr = hr_page(new_context, live_server, hr_admin)
    # HR sets up a self-select programme where a mentee may ask two mentors at once and a
    # mentor has at most one request waiting.
    visit(hr, f"{live_server.url}/programmes/manage/new/")
    hr.get_by_label("Name").fill("Choose a Mentor")
    hr.get_by_label("Slug").fill("choose-a-mentor")
    hr.get_by_label("Kind").select_option(label="Mentoring")
    hr.get_by_label("How people are matched").select_option(
        label="Employees choose from their best candidates"
    )
    hr.get_by_label("Status").select_option(label="Open for enrolment")
    hr.get_by_label("Requests a mentee may have waiting").fill("2")
    hr.get_by_label("Requests a mentor may have waiting").fill("1")
    hr.get_by_role("button", name="Create programme").click()
    expect(hr.get_by_role("alert")).to_have_text("Created Choose a Mentor.")
    program = Program.objects.get(slug="choose-a-mentor")
    assert (
        program.matching_mode,
        program.max_requests_per_mentee,
        program.max_requests_per_mentor,
    ) == ("self_select", 2, 1)
    mail.outbox.clear()
    hr_imports_and_invites(hr, live_server, program, REQUESTS_CSV)

    # Dev gets in by his invitation and sees all three mentors.
    candidates_url = f"{live_server.url}/candidates/{program.slug}/"
    dev = accept_invitation(new_context, "dev.mentee@example.org")
    visit(dev, candidates_url)
    assert _candidate_names(dev) == ["Bea Mentor", "Mo Mentor", "Sol Mentor"]

    # Ana gets in by hers and asks Mo, then Bea; a second tab stays open on the candidates
    # as they were before her second request.
    ana = accept_invitation(new_context, "ana.mentee@example.org")
    ana.get_by_role("link", name="See your best candidates in Choose a Mentor").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text(
        "Your best candidates in Choose a Mentor"
    )
    a11y.check_page(ana)
    ana.get_by_role("button", name="Ask Mo Mentor").click()
    expect(ana.get_by_role("alert")).to_have_text(
        "Request sent. You will see their answer on your home page."
    )
    stale = ana.context.new_page()
    stale.goto(candidates_url)
    visit(ana, candidates_url)
    expect(ana.get_by_role("heading", level=2, name="You have asked 1 of 2")).to_be_visible()
    ana.get_by_role("button", name="Ask Bea Mentor").click()
    visit(ana, candidates_url)
    expect(ana.get_by_role("heading", level=2, name="You have asked 2 of 2")).to_be_visible()
    expect(ana.get_by_role("status")).to_have_text(
        "You have asked as many people as you can at once. Withdraw a request, or wait for "
        "an answer, to ask someone else."
    )
    expect(ana.get_by_role("button", name="Ask ")).to_have_count(0)

    # The fair share: while Ana's requests wait, Dev is offered only Sol: Bea's one place
    # is asked for, and Mo has his one request waiting although he has two places.
    visit(dev, candidates_url)
    assert _candidate_names(dev) == ["Sol Mentor"]

    # Asking a third from the stale tab is refused with the cap.
    stale.get_by_role("button", name="Ask Sol Mentor").click()
    expect(stale.get_by_role("alert")).to_have_text(
        "You have asked 2 of 2 people already. Withdraw a request, or wait for an answer, "
        "before asking someone else."
    )
    a11y.check_page(stale)
    screenshots(stale, "requests-cap")
    assert Pairing.objects.filter(members__participant__employee__name="Sol Mentor").count() == 0

    # She withdraws the request to Bea, who is told, and asks Sol instead.
    ana.get_by_role("button", name="Withdraw the request to Bea Mentor").click()
    expect(ana.get_by_role("alert")).to_have_text("Request withdrawn. You can ask someone else.")
    expect(ana.get_by_role("heading", level=2, name="You have asked 1 of 2")).to_be_visible()
    assert (
        "Your Choose a Mentor request with Ana Mentee was withdrawn: the person who asked "
        "withdrew it." in mail.outbox[-1].body
    )
    assert mail.outbox[-1].to == ["bea.mentor@example.org"]
    ana.get_by_role("button", name="Ask Sol Mentor").click()
    pairing_with_sol = Pairing.objects.get(members__participant__employee__name="Sol Mentor")
    visit(ana, candidates_url)
    expect(ana.locator("#requests-heading + p + ul li a")).to_have_text(["Mo Mentor", "Sol Mentor"])

    # Mo gets in by the link in his request email and accepts: Ana's request to Sol is
    # withdrawn for her.
    mo = accept_invitation(new_context, "mo.mentor@example.org")
    expect(mo.get_by_role("heading", level=1)).to_have_text("Proposal in Choose a Mentor")
    mo.get_by_role("button", name="Accept").click()
    expect(mo.get_by_role("alert")).to_have_text("Accepted: you are paired.")

    visit(ana, candidates_url)
    expect(ana.get_by_role("status")).to_have_text(
        "You already have a pairing or a proposal here. See it; you can ask someone else "
        "once it is answered or ended."
    )
    expect(ana.get_by_role("button", name="Withdraw the request")).to_have_count(0)
    # Dev is offered everyone again: Mo's second place, Bea, and Sol, now unasked.
    visit(dev, candidates_url)
    assert _candidate_names(dev) == ["Bea Mentor", "Mo Mentor", "Sol Mentor"]

    # Sol is told, and finds nothing waiting for him when he gets in.
    sol_mail = [m for m in mail.outbox if m.to == ["sol.mentor@example.org"]]
    assert (
        "Your Choose a Mentor request with Ana Mentee was withdrawn: one of you has agreed a "
        "pairing with someone else." in sol_mail[-1].body
    )
    # The email links to the login page; he has no password yet, so he resets one.
    sol = new_context().new_page()
    reset_password_by_email(sol, live_server, "sol.mentor@example.org")
    expect(sol.get_by_role("heading", level=1)).to_have_text("Hello, Sol Mentor")
    waiting = sol.get_by_role("region", name="Proposals waiting for your answer")
    expect(waiting.locator("p")).to_have_text("None.")
    visit(sol, f"{live_server.url}/proposals/{pairing_with_sol.pk}/")
    expect(sol.get_by_text("This proposal is cancelled.")).to_be_visible()


PAUSE_CSV = HEADER + (
    "mo.mentor@example.org,Mo Mentor,Sales,5,,mentor,,Negotiation,either,1\n"
    "bea.mentor@example.org,Bea Mentor,Finance,5,,mentor,,Hiring,either,1\n"
    "ana.mentee@example.org,Ana Mentee,Engineering,3,,mentee,Negotiation,,either,\n"
)
# Mo covers Ana's goal and Bea does not: Ana's candidates are Mo, then Bea.
BOTH = [re.compile(r"^Mo Mentor "), re.compile(r"^Bea Mentor ")]


def test_mentor_pauses_drops_out_of_a_mentees_candidates_and_resumes(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url
    program = make_program(
        name="Pick a Mentor",
        slug="pick-a-mentor",
        matching_mode=Program.MatchingMode.SELF_SELECT,
        admins=[hr_admin],
    )
    hr = hr_page(new_context, live_server, hr_admin)
    hr_imports_and_invites(hr, live_server, program, PAUSE_CSV)
    ana = accept_invitation(new_context, "ana.mentee@example.org")
    candidates_url = f"{live_server.url}/candidates/{program.slug}/"
    visit(ana, candidates_url)
    expect(_candidates(ana)).to_have_text(BOTH)

    # Mo pauses for three weeks from his enrolment page.
    mo = accept_invitation(new_context, "mo.mentor@example.org")
    visit(mo, f"{live_server.url}/programmes/{program.slug}/enrol/")
    mo.get_by_label("Pause for").select_option(label="3 weeks")
    mo.get_by_role("button", name="Pause", exact=True).click()
    until = timezone.localdate() + timedelta(weeks=3)
    expect(mo.get_by_role("alert")).to_have_text(
        f"Paused until {date_format(until, 'j F Y')}. We will remind you then."
    )
    pause = mo.get_by_role("region", name="Take a break")
    expect(pause.locator("p")).to_have_text(
        f"You are paused until {date_format(until, 'j F Y')}: nobody new is proposed to you "
        "until then."
    )
    a11y.check_page(mo)
    screenshots(mo, "pause")

    visit(ana, candidates_url)
    expect(_candidates(ana)).to_have_text([BOTH[1]])

    mo.get_by_role("button", name="Resume now").click()
    expect(mo.get_by_role("alert")).to_have_text(
        "You are back: new people can be proposed to you again."
    )
    visit(ana, candidates_url)
    expect(_candidates(ana)).to_have_text(BOTH)

    # HR sees when each was last active: Mo and Ana today, Bea never.
    visit(hr, f"{live_server.url}/programmes/{program.slug}/participants/")
    today = date_format(timezone.localdate(), "j M Y")
    for name, active in (
        ("Mo Mentor", f"Active {today}"),
        ("Ana Mentee", f"Active {today}"),
        ("Bea Mentor", "Active never"),
    ):
        row = hr.get_by_role("row").filter(has=hr.get_by_role("link", name=name))
        expect(row.locator(".participant-last-active")).to_have_text(active)
    mo_employee = Employee.objects.get(email="mo.mentor@example.org")
    assert timezone.localdate(mo_employee.last_active_at) == timezone.localdate()


# Ana wants Negotiation (Mo's expertise), Dev wants Hiring (Bea's): each mentee's best pair
# is with a different mentor, so both matchings give Ana her first choice, Mo, and Dev Bea.
PREFERENCES_CSV = HEADER + (
    "mo.mentor@example.org,Mo Mentor,Sales,5,,mentor,,Negotiation,either,1\n"
    "bea.mentor@example.org,Bea Mentor,Finance,5,,mentor,,Hiring,either,1\n"
    "ana.mentee@example.org,Ana Mentee,Engineering,3,,mentee,Negotiation,,either,\n"
    "dev.mentee@example.org,Dev Mentee,Engineering,3,,mentee,Hiring,,either,\n"
)


def test_mentee_ranks_mentor_marks_and_hrs_run_counts_the_first_choice(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url
    program = make_program(name="Mentoring Circle", slug="mentoring-circle", admins=[hr_admin])
    hr = hr_page(new_context, live_server, hr_admin)
    hr_imports_and_invites(hr, live_server, program, PREFERENCES_CSV)

    # Ana ranks Mo first and Bea second.
    ana = accept_invitation(new_context, "ana.mentee@example.org")
    ana.get_by_role("link", name="Rank your best suggestions in Mentoring Circle").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Your preferences in Mentoring Circle")
    ana.get_by_label("First choice").select_option(label="Mo Mentor")
    ana.get_by_label("Second choice").select_option(label="Bea Mentor")
    ana.get_by_role("button", name="Save").click()
    expect(ana.get_by_role("alert")).to_have_text(
        "Saved: the next matching run takes it into account."
    )
    a11y.check_page(ana)
    screenshots(ana, "preferences")

    # Mo would rather not take Dev.
    mo = accept_invitation(new_context, "mo.mentor@example.org")
    mo.get_by_role("link", name="Mark who you would rather not take in Mentoring Circle").click()
    mo.get_by_label("Dev Mentee").check()
    mo.get_by_role("button", name="Save").click()
    expect(mo.get_by_role("alert")).to_have_text(
        "Saved: the next matching run takes it into account."
    )
    expect(mo.get_by_label("Dev Mentee")).to_be_checked()
    a11y.check_page(mo)

    hr.get_by_role("link", name="Matching", exact=True).click()
    hr.get_by_role("button", name="Run matching").click()
    expect(hr.get_by_role("heading", name="Proposed pairings (2)")).to_be_visible()
    assert sorted(hr.locator(".run-pair h3").all_inner_texts()) == [
        "Bea Mentor and Dev Mentee",
        "Mo Mentor and Ana Mentee",
    ]
    # Only Ana ranked, and both our matching and deferred acceptance give her Mo; Dev's
    # best by score, Bea, is his, so nobody would rather swap: no blocking pair.
    ranks = hr.locator("table.run-ranks")
    expect(ranks.locator("caption")).to_contain_text("Mentees' ranked choices (1 ranked).")
    rows = ranks.locator("tbody tr")
    for n, cells in enumerate(
        [
            ["First choice", "1", "1"],
            ["Second choice", "0", "0"],
            ["Third choice", "0", "0"],
            ["None of their choices", "0", "0"],
            ["In their top three", "100.0 %", "100.0 %"],
            ["Mean rank (of those given a choice)", "1.0", "1.0"],
            ["Blocking pairs", "0", "0"],
        ]
    ):
        expect(rows.nth(n).locator("th, td")).to_have_text(cells)
    expect(rows).to_have_count(7)
    a11y.check_page(hr)
