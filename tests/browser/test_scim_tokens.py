"""A people admin creates a SCIM token in the browser, the HR system uses it, the admin
sees its last use and revokes it."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.conftest import visit
from tests.factories import make_people_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_admin_creates_uses_and_revokes_a_token(page_as, live_server):
    admin = make_people_admin(name="Pia People")
    page = page_as(admin)
    visit(page, live_server.url + "/directory/scim-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("SCIM tokens")
    a11y.check_page(page)

    page.get_by_label("Name").fill("Entra ID")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("Token “Entra ID” created")
    secret = page.get_by_label("Secret token").input_value()
    assert secret.startswith("pws_")
    a11y.check_page(page)

    hr_system = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert hr_system.get("/scim/v2/Users", headers=headers).status_code == 200

    visit(page, live_server.url + "/directory/scim-tokens/")
    row = page.get_by_role("row").filter(has_text="Entra ID")
    expect(row).not_to_contain_text("never")
    expect(page.get_by_text(secret)).to_have_count(0)

    row.get_by_role("button", name="Revoke Entra ID").click()
    expect(page.get_by_role("alert")).to_have_text("Revoked “Entra ID”: it no longer opens SCIM.")
    expect(page.get_by_role("row").filter(has_text="Entra ID")).to_contain_text("Revoked")
    a11y.check_page(page)
    assert hr_system.get("/scim/v2/Users", headers=headers).status_code == 401
