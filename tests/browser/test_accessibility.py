"""Accessibility beyond the journeys: the pages no journey passes through, opened as the
person who sees them and put through the same checks (a11y.check_page: axe-core's WCAG 2.2
AA rules, labels, one h1, no sideways scrolling on a phone); and the keyboard alone through
the skip link, the phone menu and a table wider than the phone."""

import pytest
from axes.models import AccessAttempt
from django.template.loader import render_to_string
from playwright.sync_api import expect

from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import visit
from tests.factories import make_active_pairing, make_employee, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_pages(page_as, live_server):
    ana = make_employee(name="Ana Ruiz", level=3, department="Engineering")
    running = make_program(name="Engineering Mentoring 2026")
    make_active_pairing(
        guide=make_participant(
            program=running,
            role=Participant.Role.MENTOR,
            employee=make_employee(name="Maya Okafor", level=5, department="Sales"),
        ),
        learner=make_participant(program=running, employee=ana, goals=["Negotiation"]),
    )
    choosing = make_program(
        name="Choose Your Mentor", matching_mode=Program.MatchingMode.SELF_SELECT
    )
    make_participant(
        program=choosing,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Bo Lind", level=5, department="Finance"),
        expertise=["Budgeting"],
        note="Ten years of budgets, happy to share.",
    )
    make_participant(program=choosing, employee=ana, goals=["Budgeting"])
    closed = make_program(name="Spring Circle 2025", status=Program.Status.CLOSED)
    answering = make_participant(program=closed, employee=ana)
    make_program(name="Peer Coaching Circle", kind=Program.Kind.PEER_COACHING)
    page = page_as(ana.user)

    visit(page, f"{live_server.url}/programmes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes open for enrolment")
    visit(page, f"{live_server.url}/pairings/")
    expect(page.get_by_role("link", name="Maya Okafor")).to_be_visible()
    visit(page, f"{live_server.url}/candidates/{choosing.slug}/")
    expect(page.get_by_role("button", name="Ask Bo Lind")).to_be_visible()
    visit(page, f"{live_server.url}/survey/{answering.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Closing survey: Spring Circle 2025")
    visit(page, f"{live_server.url}/programmes/me/")
    visit(page, f"{live_server.url}/programmes/me/data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we hold about you")
    visit(page, f"{live_server.url}/accounts/password_change/")
    # An HR page, for someone who is not HR.
    response = page.goto(f"{live_server.url}/programmes/manage/")
    assert response.status == 403
    a11y.check_page(page)


def test_hr_pages(page_as, live_server, hr_admin):
    program = make_program(name="Engineering Mentoring 2026", admins=[hr_admin])
    for n in range(3):
        make_participant(
            program=program,
            role=Participant.Role.MENTOR if n == 0 else Participant.Role.MENTEE,
            employee=make_employee(
                name=f"Person {n}",
                email=f"a.rather.long.address.for.person.{n}@engineering.example.org",
                level=5 if n == 0 else 2,
            ),
            goals=[] if n == 0 else ["Negotiation", "Public Speaking"],
            expertise=["Negotiation"] if n == 0 else [],
        )
    page = page_as(hr_admin)

    visit(page, f"{live_server.url}/programmes/{program.slug}/settings/")
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/add/")
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/")
    expect(page.get_by_text("3 participants.")).to_be_visible()
    # On a desktop every column is in sight: the long addresses wrap inside their cells.
    table = page.get_by_role("table", name=f"Participants of {program.name}")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    visit(page, f"{live_server.url}/programmes/{program.slug}/dashboard/")
    visit(page, f"{live_server.url}/accounts/two-factor/")


def test_signed_out_pages(page, live_server):
    visit(page, f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    a11y.check_page(page)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    a11y.check_page(page)


def test_pages_shown_when_something_stops_a_person(page, live_server, monkeypatch):
    """The pages people see when they are stopped: locked out, asking for too many reset
    links, or a server error."""
    locked = make_employee(name="Lou Locked")
    # Thirty failures already on record: the next sign-in, by the form, is refused.
    AccessAttempt.objects.create(
        username=locked.email,
        ip_address="10.0.0.9",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=30,
    )
    visit(page, f"{live_server.url}/accounts/login/")
    page.get_by_label("Work email").fill(locked.email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Login locked for now")
    a11y.check_page(page)
    # No reset link may be asked for any more (the live server runs in this process).
    monkeypatch.setattr("programs.accounts.RESETS_PER_EMAIL", 0)
    visit(page, f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Work email").fill(locked.email)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many requests")
    a11y.check_page(page)
    # The server error page is rendered without the app (no context, no stylesheet).
    page.set_content(render_to_string("500.html"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong")
    a11y.check_page(page)


def test_wide_table_scrolls_inside_its_box_by_keyboard_on_a_phone(page_as, live_server, hr_admin):
    """On a phone the participants table is wider than the screen: the page stays put,
    and the table's box takes the focus so the arrow keys scroll it."""
    program = make_program(name="Engineering Mentoring 2026", admins=[hr_admin])
    make_participant(
        program=program,
        employee=make_employee(name="Ana Ruiz", email="ana.ruiz@example.org"),
        goals=["Negotiation", "Public Speaking"],
    )
    page = page_as(hr_admin)
    page.set_viewport_size({"width": a11y.PHONE_WIDTH, "height": 844})
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/")

    box = page.get_by_role("region", name="Participants of Engineering Mentoring 2026")
    a11y.tab_to(page, box)
    assert box.evaluate("el => el.scrollLeft") == 0
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(box).not_to_have_js_property("scrollLeft", 0)
    assert page.evaluate("document.documentElement.scrollWidth") == a11y.PHONE_WIDTH


def test_skip_link_and_the_phone_menu_with_the_keyboard_alone(page_as, live_server):
    """The first Tab offers to skip the navigation; on a phone the folded menu opens with
    Enter and its links follow with Tab."""
    ana = make_employee(name="Ana Ruiz")
    page = page_as(ana.user)
    visit(page, f"{live_server.url}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("link").first).to_be_focused()

    page.set_viewport_size({"width": a11y.PHONE_WIDTH, "height": 844})
    page.reload()
    menu = page.get_by_role("button", name="Toggle navigation")
    a11y.tab_to(page, menu)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    pairings = page.get_by_role("link", name="My pairings")
    a11y.tab_to(page, pairings)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My pairings")
    a11y.check_page(page)
