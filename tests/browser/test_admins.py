"""A programme's admins in the browser: find a colleague by name, add, remove; with
JavaScript (the matches follow the typing) and without (the Search button)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from programs.models import HR_ADMINS_GROUP
from tests.browser import a11y
from tests.browser.conftest import visit
from tests.factories import make_employee, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_finds_a_colleague_by_name_adds_and_removes_them(page_as, live_server, hr_admin):
    program = make_program(name="Grow 2027", admins=[hr_admin])
    ann = make_employee(name="Ann Archer", email="ann.archer@example.org")
    make_employee(name="Bob Brown")
    page = page_as(hr_admin)
    visit(page, live_server.url + program.get_absolute_url())

    page.get_by_role("link", name="Admins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admins of Grow 2027")
    a11y.check_page(page)
    page.wait_for_load_state("load")  # htmx binds its triggers on load
    # Typing is enough: htmx lists the matches without the Search button.
    page.get_by_label("Find a person by name or email").press_sequentially("arch")
    matches = page.locator("#admin-candidates").get_by_role("listitem")
    expect(matches).to_have_count(1)
    expect(matches.first).to_contain_text("Ann Archer")
    a11y.check_page(page)

    page.get_by_role("button", name="Add Ann Archer").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Ann Archer is now an admin of Grow 2027 and an HR admin."
    )
    current = page.get_by_role("region", name="Current admins").get_by_role("listitem")
    expect(current).to_have_count(2)
    assert ann.user.groups.filter(name=HR_ADMINS_GROUP).exists()

    page.get_by_role("button", name="Remove Ann Archer").click()
    expect(page.get_by_role("alert")).to_have_text("Ann Archer is no longer an admin of Grow 2027.")
    expect(current).to_have_count(1)
    page.get_by_role("button", name="Remove Hana HR").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Hana HR is the last admin of Grow 2027 who can open its HR pages; add another admin first."
    )
    assert list(program.admins.all()) == [hr_admin]


def test_admins_page_works_without_javascript(new_context, live_server, hr_admin):
    program = make_program(name="Grow 2027", admins=[hr_admin])
    make_employee(name="Ann Archer")
    client = Client()
    client.force_login(hr_admin)
    context = new_context(java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/programmes/{program.slug}/admins/")

    page.get_by_label("Find a person by name or email").fill("ann")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/programmes/{program.slug}/admins/?q=ann")
    page.get_by_role("button", name="Add Ann Archer").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Ann Archer is now an admin of Grow 2027 and an HR admin."
    )
    assert program.admins.count() == 2
