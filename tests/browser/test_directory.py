"""The directory in the browser: a people admin finds a person and changes their
department."""

import pytest
from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_people_admin,
    make_program,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_admin_finds_a_person_and_changes_their_department(page_as, live_server):
    admin = make_people_admin(name="Pia People")
    boss = make_employee(name="Bea Boss", department="Finance", level=5, title="Head of Finance")
    ana = make_employee(
        name="Ana Brennan",
        email="ana.brennan@example.org",
        department="Finance",
        title="Analyst",
        level=2,
        manager=boss,
    )
    ben = make_employee(name="Ben Okafor", department="Sales", title="Account manager", level=4)
    program = make_program(name="Grow 2027")
    make_active_pairing(
        guide=make_participant(program=program, role="mentor", employee=ben),
        learner=make_participant(program=program, employee=ana),
    )
    gone = make_employee(name="Gus Gone", department="Sales")
    gone.user.is_active = False
    gone.user.save()
    page = page_as(admin)

    visit(page, live_server.url + "/")
    page.get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    a11y.check_page(page)
    rows = page.locator(".directory-table tbody tr")
    expect(rows).to_have_count(4)  # the leaver is not among current staff

    page.get_by_label("Search name or email").fill("brennan")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Ana Brennan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Brennan")
    a11y.check_page(page)
    expect(page.locator(".person-enrolments tbody tr")).to_have_text(
        ["Grow 2027 Mentee Enrolled 1"]
    )

    page.get_by_label("Department").fill("Strategy")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Saved: department.")
    expect(page.get_by_label("Department")).to_have_value("Strategy")
    a11y.check_page(page)
    screenshot(page, "directory-person")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    screenshot(page, "directory-person-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    ana.refresh_from_db()
    assert (ana.department, ana.manager, ana.level) == ("Strategy", boss, 2)

    # The change is the first of the directory's recent changes.
    page.get_by_role("link", name="Back to the directory").click()
    expect(page.locator(".directory-events li").first).to_contain_text(
        "Changed Ana Brennan: department"
    )
    a11y.check_page(page)
    screenshot(page, "directory")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    screenshot(page, "directory-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="People admins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People admins")
    a11y.check_page(page)
    page.get_by_label("Find a person by name or email").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#people-admin-candidates").get_by_role("listitem")).to_have_count(1)
    a11y.check_page(page)
    screenshot(page, "directory-admins")


def test_people_admin_erases_a_person_after_typing_their_email(page_as, live_server):
    admin = make_people_admin(name="Pia People")
    ana = make_employee(name="Ana Brennan", email="ana.brennan@example.org")
    page = page_as(admin)

    visit(page, live_server.url + f"/directory/{ana.pk}/")
    page.get_by_role("link", name="Erase this person…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Ana Brennan")
    a11y.check_page(page)
    page.get_by_label("Type their email to confirm").fill("ana@example.org")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator(".invalid-feedback")).to_have_text(
        "Type ana.brennan@example.org exactly to erase them."
    )
    page.get_by_label("Type their email to confirm").fill("ana.brennan@example.org")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erased person Left")
    expect(page.get_by_text(f"Person #{ana.pk} is erased.")).to_be_visible()
    a11y.check_page(page)
    expect(page.get_by_role("link", name="Erase this person…")).to_have_count(0)
