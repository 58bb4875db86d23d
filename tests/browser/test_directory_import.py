"""A people admin brings the organisation in from the HR system's CSV, leavers included."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from pairing.models import Pairing
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.browser.test_signin import choose_password, link_in_email, reset_password_by_email
from tests.factories import make_active_pairing, make_participant, make_people_admin, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_admin_imports_the_directory_and_a_leaver_pairing_ends(
    new_context, live_server, tmp_path, settings
):
    admin = make_people_admin(name="Pia People")
    program = make_program(name="Grow 2027")
    leaving = make_participant(
        program=program, role="mentor", employee_kwargs={"name": "Lee Leaving", "level": 5}
    )
    pairing = make_active_pairing(
        guide=leaving, learner=make_participant(program=program, employee_kwargs={"level": 2})
    )
    csv = tmp_path / "hr-export.csv"
    csv.write_text(
        "email,name,department,title,level,manager_email,time_zone,active\n"
        "cy@example.org,Cy Chief,Board,Chief Executive,6,,Europe/London,yes\n"
        "dee@example.org,Dee Deputy,Finance,Finance Lead,5,cy@example.org,Europe/Madrid,yes\n"
        "eli@example.org,Eli Early,Finance,Analyst,1,dee@example.org,,\n"
        f"{leaving.employee.email},Lee Leaving,Engineering,,5,,,no\n"
    )
    # The people admin gets in as everyone does: through the link in a reset email.
    settings.SITE_URL = live_server.url
    page = new_context().new_page()
    visit(page, f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Work email").fill(admin.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    visit(page, link_in_email(admin.email, "/accounts/reset/"))
    choose_password(page)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Pia People")
    a11y.check_page(page)

    page.get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Import").click()
    a11y.check_page(page)
    page.get_by_label("Directory CSV").set_input_files(csv)
    page.get_by_role("button", name="Preview import").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("Preview: what this file will change")
    expect(page.locator(".import-preview")).to_contain_text("3 people to add, 0 to update")
    expect(page.locator(".import-preview")).to_contain_text("1 to mark as leaver")
    a11y.check_page(page)
    screenshot(page, "directory-import-preview")
    page.get_by_role("button", name="Import these 4 rows").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("Imported")
    expect(page.locator(".import-result")).to_contain_text("3 people added")
    a11y.check_page(page)
    page.get_by_role("link", name="See the directory").click()
    # The three new, Pia and the mentee: Lee has left.
    expect(page.locator(".directory-table tbody tr")).to_have_count(5)
    page.get_by_label("Status").select_option(label="Leavers")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".directory-table tbody tr")).to_have_count(1)
    expect(page.locator(".directory-table tbody tr")).to_contain_text("Lee Leaving")
    a11y.check_page(page)
    pairing.refresh_from_db()
    assert (pairing.status, pairing.end_reason) == (Pairing.Status.ENDED, "left the organisation")

    # Pia makes Dee, just imported and never signed in, a people admin. Dee gets in by the
    # forgotten-password email and the two-factor people admins must use here.
    visit(page, f"{live_server.url}/directory/admins/")
    page.get_by_label("Find a person by name or email").fill("dee")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add Dee Deputy").click()
    expect(page.get_by_role("alert")).to_have_text("Dee Deputy is now a people admin.")
    settings.REQUIRE_2FA_FOR_HR = True
    dee = new_context().new_page()
    reset_password_by_email(dee, live_server, "dee@example.org")
    expect(dee.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    secret = dee.locator("code").inner_text()
    dee.get_by_label("Code from your authenticator app").fill(
        f"{totp(b32decode(secret.replace(' ', ''))):06d}"
    )
    dee.get_by_role("button", name="Turn on two-factor").click()
    dee.get_by_role("link", name="Directory").click()
    expect(dee.get_by_role("heading", level=1)).to_have_text("Directory")
    expect(dee.locator(".directory-table tbody tr")).to_have_count(5)
    a11y.check_page(dee)
