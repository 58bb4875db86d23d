"""An HR admin who must use two-factor: logs in, scans (here: reads) the key, enters a
code and reaches the page they asked for; next time the code alone is asked."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str) -> str:
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def test_hr_admin_sets_up_two_factor_at_first_login(page, live_server, hr_admin, settings):
    settings.REQUIRE_2FA_FOR_HR = True
    csp_violations = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(live_server.url + "/programmes/manage/")
    page.get_by_label("Work email").fill(hr_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next=/programmes/manage/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    a11y.check_page(page)
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    secret = page.locator("code").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-factor").click()

    expect(page).to_have_url(live_server.url + "/programmes/manage/")
    expect(page.get_by_role("alert")).to_have_text("Two-factor authentication is on.")
    assert csp_violations == []
    a11y.check_page(page)
    page.goto(live_server.url + "/accounts/two-factor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication is on")
    a11y.check_page(page)

    # Log out and in again: now the code is asked, not a new setup.
    page.get_by_role("button", name="Hana HR").click()
    page.get_by_role("button", name="Log out").click()
    page.goto(live_server.url + "/programmes/manage/")
    page.get_by_label("Work email").fill(hr_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    a11y.check_page(page)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("That code is not right.")
    a11y.check_page(page)
