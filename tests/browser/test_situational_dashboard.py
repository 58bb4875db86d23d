"""HR's "Requests and sessions" page of a situational programme in the browser: its
figures and tables read, pass the accessibility checks and fit a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, visit
from tests.hr.test_situational_dashboard import scene  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_hr_reads_requests_sessions_and_the_topics_nobody_offers(
    page_as,
    live_server,
    hr_admin,
    scene,  # noqa: F811
):
    page = page_as(hr_admin)
    url = f"{live_server.url}/programmes/{scene.slug}/requests-and-sessions/"

    # visit runs the accessibility checks, at this width and a phone's.
    visit(page, url + "?start=2026-01-01&end=2026-03-20")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Requests and sessions · {scene.name}"
    )
    expect(page.locator(".figure-requests")).to_have_text("4")
    expect(page.locator(".figure-sessions")).to_have_text("2 held")
    expect(page.locator(".figure-converted")).to_have_text("2 converted")
    unoffered = page.get_by_role(
        "table", name="Topics the period's challenges asked for", exact=False
    )
    expect(unoffered.get_by_role("rowheader")).to_have_text(["Budgeting", "Design", "Negotiation"])
    screenshot(page, "situational-dashboard")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "situational-dashboard-phone")

    # A date that is no date is a field error on the page, not a 500.
    visit(page, url + "?start=2026-02-30")
    expect(page.get_by_text("Enter a valid date.")).to_be_visible()
