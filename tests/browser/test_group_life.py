"""A co-development group's life in the browser, from what HR actually does: HR imports the
people from a CSV and forms the groups; every member gets in through the link in the
proposal email they are sent and accepts; a session is logged with who came and the case
brought, and the next member in the rotation is the one to bring the next case."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from pairing.models import CheckIn, Pairing
from programs.models import Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.browser.test_signin import choose_password, link_in_email, reset_password_by_email
from tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """email,name,department,level,manager_email,role,goals,expertise,style,capacity
ines.duarte@example.org,Ines Duarte,Sales,3,,peer,Negotiation;Stakeholder management,,reflective,
omar.haddad@example.org,Omar Haddad,Finance,3,,peer,Negotiation;Giving feedback,,reflective,
lena.fischer@example.org,Lena Fischer,IT,4,,peer,Stakeholder management;Giving feedback,,either,
tariq.ali@example.org,Tariq Ali,People,3,,peer,Negotiation;Giving feedback,,either,
"""
PEOPLE = {
    "ines.duarte@example.org": "Ines Duarte",
    "omar.haddad@example.org": "Omar Haddad",
    "lena.fischer@example.org": "Lena Fischer",
    "tariq.ali@example.org": "Tariq Ali",
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def test_hr_forms_a_group_from_a_csv_all_accept_by_email_a_case_is_logged_and_rotates(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    program = make_program(
        name="Case Clinic 2027",
        slug="case-clinic-2027",
        kind=Program.Kind.CO_DEVELOPMENT,
        group_min=3,
        group_max=4,
        group_level_spread=2,
        admins=[hr_admin],
    )

    # HR gets in through the reset email, imports the four people and forms the group.
    hr = new_context().new_page()
    reset_password_by_email(hr, live_server, hr_admin.email)
    expect(hr.get_by_role("heading", level=1)).to_have_text("Cockpit")
    mail.outbox.clear()
    visit(hr, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    hr.get_by_label("Participants CSV").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    hr.get_by_role("button", name="Preview import").click()
    hr.get_by_role("button", name="Import these 4 rows").click()
    hr.get_by_role("link", name="See the participants").click()
    hr.get_by_role("link", name="Matching", exact=True).click()
    hr.get_by_role("button", name="Run matching").click()
    groups = hr.get_by_role("region", name="Proposed groups (1)")
    expect(groups.get_by_role("heading", level=3)).to_have_text("Group 1: 4 people")
    for name in PEOPLE.values():
        expect(groups).to_contain_text(f"{name} shares")
    a11y.check_page(hr)
    screenshot(hr, "group-run")
    hr.set_viewport_size(PHONE)
    assert hr.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(hr, "group-run-phone")
    hr.set_viewport_size(DESKTOP)
    hr.get_by_role("button", name=re.compile(r"^Publish 1 ")).click()
    expect(hr.get_by_role("alert")).to_have_text(
        "Published 1 group proposal; the people asked to answer are emailed."
    )
    pairing = Pairing.objects.get(program=program)
    assert pairing.members.count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(PEOPLE)

    # Each member follows the link in their email, chooses a password and accepts. The
    # group starts with the third acceptance (group_min is 3); the fourth joins it.
    answers = []
    for email in PEOPLE:
        page = new_context().new_page()
        visit(page, link_in_email(email, "/accounts/invitation/"))
        choose_password(page)
        page.get_by_role("button", name="Set password and continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Proposal in Case Clinic 2027")
        others = [name for other, name in PEOPLE.items() if other != email]
        for name in others:
            expect(page.get_by_role("main")).to_contain_text(name)
        page.get_by_role("button", name="Accept").click()
        answers.append(page.get_by_role("alert").inner_text())
        pages = page
    assert answers == [
        "Accepted. The group starts as soon as enough of its members accept.",
        "Accepted. The group starts as soon as enough of its members accept.",
        "Accepted: you are in the group.",
        "Accepted: you are in the group.",
    ]
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE

    # Tariq (the last to accept) opens the group page: the first to bring a case is the
    # member who joined first.
    page = pages
    visit(page, f"{live_server.url}/pairings/{pairing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Group in Case Clinic 2027")
    expect(page.locator(".next-presenter")).to_have_text("Next to bring a case: Ines Duarte.")
    a11y.check_page(page)
    screenshot(page, "group-page")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "group-page-phone")
    page.set_viewport_size(DESKTOP)

    # He logs the session: Lena could not come; Ines brought her case.
    page.get_by_label("When did you meet?").fill(timezone.localdate().isoformat())
    page.get_by_role("checkbox", name="Lena Fischer").uncheck()
    expect(page.get_by_label("Who presented the case?")).to_have_value(
        str(pairing.members.get(participant__employee__name="Ines Duarte").participant_id)
    )
    page.get_by_role("textbox", name=re.compile(r"^The case")).fill(
        "A key account wants a discount we cannot give."
    )
    page.get_by_label("The action plan").fill("Offer a longer contract instead.")
    page.get_by_label("What we discussed").fill("Ines's account negotiation.")
    page.get_by_role("region", name="Log a session").get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_role("alert")).to_have_text("Check-in logged.")

    checkin = CheckIn.objects.get(pairing=pairing)
    assert sorted(p.employee.name for p in checkin.attended.all()) == [
        "Ines Duarte",
        "Omar Haddad",
        "Tariq Ali",
    ]
    assert checkin.case_session.presenter.employee.name == "Ines Duarte"
    expect(page.locator(".attended")).to_have_text("Attended: Ines Duarte, Omar Haddad, Tariq Ali")
    # The rotation moves on: the next case is the next member's to bring.
    expect(page.locator(".next-presenter")).to_have_text("Next to bring a case: Omar Haddad.")
    a11y.check_page(page)
