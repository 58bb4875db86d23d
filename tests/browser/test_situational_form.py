"""The programme form in the browser: choosing the situational kind shows who may offer
help and the monthly cap, and hides what only matched kinds use."""

from playwright.sync_api import expect

from tests.browser.conftest import visit


def test_situational_kind_shows_its_settings_only(page_as, live_server, hr_admin):
    page = page_as(hr_admin)
    visit(page, live_server.url + "/programmes/manage/new/")
    # Before a kind is chosen the matched kinds' settings show, as they always did.
    expect(page.get_by_role("group", name="Check-ins")).to_be_visible()
    expect(page.get_by_label("Sessions a month per helper")).to_be_hidden()
    page.get_by_label("Kind of programme").select_option(label="Situational mentoring")
    expect(page.get_by_label("Sessions a month per helper")).to_be_visible()
    expect(page.get_by_label("Who may offer help")).to_be_visible()
    expect(page.get_by_role("group", name="Check-ins")).to_be_hidden()
    expect(page.get_by_role("group", name="Rounds")).to_be_hidden()
    expect(page.get_by_text("Advanced: matching rules")).to_be_hidden()
    expect(page.get_by_label("How people are matched")).to_be_hidden()
    expect(page.get_by_label("Enrolment opens")).to_be_visible()
    page.get_by_label("Kind of programme").select_option(label="Mentoring")
    expect(page.get_by_role("group", name="Check-ins")).to_be_visible()
    expect(page.get_by_text("Advanced: matching rules")).to_be_visible()
    expect(page.get_by_label("Sessions a month per helper")).to_be_hidden()
