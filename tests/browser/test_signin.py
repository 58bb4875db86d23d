"""Getting in as the people HR brings in do: from a CSV import and nothing else. No
fixture gives these people a password; each gets in through the email they are sent."""

import io
import re
from base64 import b32decode

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from pairing.models import Pairing
from programs.models import Employee
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """email,name,department,level,manager_email,role,goals,expertise,style,capacity
mo.mentor@example.org,Mo Mentor,Sales,5,,mentor,,Negotiation,either,1
bea.mentor@example.org,Bea Mentor,Finance,5,,mentor,,Hiring,either,1
sol.mentor@example.org,Sol Mentor,People,5,,mentor,,Budgeting,either,1
ana.mentee@example.org,Ana Mentee,Engineering,3,,mentee,Negotiation,,either,
dev.mentee@example.org,Dev Mentee,Engineering,3,,mentee,Hiring,,either,
kim.mentee@example.org,Kim Mentee,Engineering,3,,mentee,Budgeting,,either,
"""
PASSWORD = "correct-horse-battery-staple-7"


def link_in_email(to: str, path: str) -> str:
    """The one link to ``path`` in the last email sent to ``to``."""
    message = [m for m in mail.outbox if m.to == [to]][-1]
    (link,) = [link for link in re.findall(r"https?://[^\s\"<>]+", message.body) if path in link]
    return link


def choose_password(page: Page) -> None:
    page.locator("#id_new_password1").fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)


def reset_password_by_email(page: Page, live_server, email: str) -> None:
    """Ask for a reset link, follow the one in the email and choose a password: how anyone
    with no password yet gets in. The page is then wherever signing in leads them."""
    visit(page, f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    visit(page, link_in_email(email.lower(), "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    choose_password(page)
    page.get_by_role("button", name="Set password").click()


@pytest.fixture
def published(new_context, live_server, hr_admin, settings):
    """HR imports the CSV through the page, runs matching and publishes: three proposals,
    one per mentor, and an email to each mentor."""
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    program = make_program(name="Sales Mentoring", slug="sales-mentoring", admins=[hr_admin])
    # HR gets in as everyone else does: through the link in a reset email.
    page = new_context().new_page()
    reset_password_by_email(page, live_server, hr_admin.email)
    # HR admins land on their cockpit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cockpit")
    mail.outbox.clear()
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    page.get_by_label("Participants CSV").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Import these 6 rows").click()
    page.get_by_role("link", name="See the participants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants of Sales Mentoring")
    expect(
        page.get_by_role("button", name="Invite everyone who has not signed in (6)")
    ).to_be_visible()
    a11y.check_page(page)
    screenshot(page, "participants-invitations")
    assert not any(
        e.user.has_usable_password() for e in Employee.objects.exclude(pk=hr_admin.employee.pk)
    )

    page.get_by_role("link", name="Matching", exact=True).click()
    page.get_by_role("button", name="Run matching").click()
    page.get_by_role("button", name="Publish 3 proposals").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Published 3 proposals; the people asked to answer are emailed."
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bea.mentor@example.org",
        "mo.mentor@example.org",
        "sol.mentor@example.org",
    ]
    return program


def test_imported_mentor_sets_a_password_from_the_email_and_accepts(
    new_context, live_server, published
):
    link = link_in_email("mo.mentor@example.org", "/accounts/invitation/")
    page = new_context().new_page()
    visit(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Pairwise")
    screenshot(page, "invitation")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    screenshot(page, "invitation-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    choose_password(page)
    page.get_by_role("button", name="Set password and continue").click()

    # Signed in, and on the proposal waiting for them.
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal in Sales Mentoring")
    a11y.check_page(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("alert")).to_have_text("Accepted: you are paired.")
    a11y.check_page(page)
    pairing = Pairing.objects.get(members__participant__employee__email="mo.mentor@example.org")
    assert pairing.status == Pairing.Status.ACTIVE
    # The mentee, who never signed in, is invited now that the pairing starts.
    assert "is starting" in [m for m in mail.outbox if m.to == ["ana.mentee@example.org"]][0].body

    # The link was for one use.
    again = new_context().new_page()
    visit(again, link)
    expect(again.get_by_role("heading", level=1)).to_have_text("This invitation has expired")


def test_imported_mentee_gets_in_through_forgotten_password(new_context, live_server, published):
    page = new_context().new_page()
    visit(page, f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    a11y.check_page(page)
    page.get_by_label("Work email").fill("Dev.Mentee@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    visit(page, link_in_email("dev.mentee@example.org", "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    choose_password(page)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dev Mentee")
    a11y.check_page(page)
    assert Employee.objects.get(email="dev.mentee@example.org").user.check_password(PASSWORD)


def test_imported_mentor_signs_in_through_the_oidc_provider_and_lands_on_their_proposal(
    new_context, live_server, published, sso
):
    from django.contrib.auth import get_user_model

    users_before = get_user_model().objects.count()
    proposal = Pairing.objects.get(members__participant__employee__email="sol.mentor@example.org")
    page = new_context().new_page()
    # The invitation in the proposal email, and single sign-on instead of a password.
    visit(page, link_in_email("sol.mentor@example.org", "/accounts/invitation/"))
    page.get_by_role("link", name="sign in with single sign-on instead").click()
    expect(page).to_have_url(re.compile(re.escape(sso.url) + r"/oauth2/authorize\?"))
    page.get_by_label("Subject").fill("Sol.Mentor@example.org")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal in Sales Mentoring")
    a11y.check_page(page)
    assert get_user_model().objects.count() == users_before
    assert not Employee.objects.get(email="sol.mentor@example.org").user.has_usable_password()


PEERS_CSV = """email,name,department,level,manager_email,role,goals,expertise,style,capacity
pia.peer@example.org,Pia Peer,Sales,3,,peer,Coaching Skills,,either,
raj.peer@example.org,Raj Peer,Finance,3,,peer,Coaching Skills,,either,
"""


def test_imported_peer_coach_gets_in_through_forgotten_password(
    new_context, live_server, settings, tmp_path
):
    # HR imports the peers (here with the import command, as a scheduled job would); no
    # password is set for anyone.
    settings.SITE_URL = live_server.url
    program = make_program(name="Peer Circle", slug="peer-circle", kind="peer_coaching")
    file = tmp_path / "peers.csv"
    file.write_text(PEERS_CSV)
    call_command("import_participants", program.slug, str(file), stdout=io.StringIO())
    assert not Employee.objects.get(email="pia.peer@example.org").user.has_usable_password()

    page = new_context().new_page()
    reset_password_by_email(page, live_server, "pia.peer@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Pia Peer")
    a11y.check_page(page)
    assert Employee.objects.get(email="pia.peer@example.org").user.check_password(PASSWORD)


def test_imported_colleague_made_an_admin_gets_in_by_email_sets_up_two_factor_and_sees_the_cockpit(
    new_context, page_as, live_server, published, settings
):
    # The HR admin who imported Bea (and got in by email herself, in `published`) makes
    # her a co-admin of the programme.
    hana_page = page_as(published.admins.get())
    visit(hana_page, f"{live_server.url}/programmes/{published.slug}/admins/")
    hana_page.get_by_label("Find a person by name or email").fill("bea.mentor")
    hana_page.get_by_role("button", name="Search").click()
    hana_page.get_by_role("button", name="Add Bea Mentor").click()
    expect(hana_page.get_by_role("alert")).to_have_text(
        "Bea Mentor is now an admin of Sales Mentoring and an HR admin."
    )

    # Bea has never had a password: forgotten password, the emailed link, then two-factor,
    # which HR admins must use here.
    settings.REQUIRE_2FA_FOR_HR = True
    page = new_context().new_page()
    reset_password_by_email(page, live_server, "Bea.Mentor@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    a11y.check_page(page)
    secret = page.locator("code").inner_text()
    code = f"{totp(b32decode(secret.replace(' ', ''))):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Turn on two-factor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cockpit")
    expect(page.get_by_role("link", name="Sales Mentoring")).to_be_visible()
    a11y.check_page(page)
    bea = Employee.objects.get(email="bea.mentor@example.org").user
    assert bea.check_password(PASSWORD)
    assert bea.totpdevice_set.filter(confirmed=True).count() == 1
