"""Two rounds of a peer programme in the browser, from what HR actually does: HR imports
five peers from a CSV and publishes round 1, where Uma (the only one at her level's reach
of one colleague) is left without a partner; Ada and Ben accept through the links in
their emails, and so do Cara and Dev. HR starts round 2 from the Rounds page: the round-1
pairs end, everyone is told by email, and the new run pairs Uma first and nobody with a
round-1 partner. Uma gets in through her email's link and accepts, Ada signs in and accepts,
and the history shows one of one waiting peers matched and nobody paired again."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from programs.models import Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.browser.test_signin import (
    PASSWORD,
    choose_password,
    link_in_email,
    reset_password_by_email,
)
from tests.factories import make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Ada and Ben share their goals, and so do Cara and Dev: round 1 pairs them. Uma (level 5)
# can only be paired with Ada (level 4), whose directive style does not suit her: without
# the first tier, round 2 would leave her out again for two better-scoring pairs.
CSV = """email,name,department,level,manager_email,role,goals,expertise,style,capacity
ada.brooks@example.org,Ada Brooks,Sales,4,,peer,Negotiation;Public speaking,,directive,
ben.okafor@example.org,Ben Okafor,Finance,3,,peer,Negotiation;Public speaking,,either,
cara.lind@example.org,Cara Lind,IT,3,,peer,Data analysis;Time management,,either,
dev.patel@example.org,Dev Patel,People,3,,peer,Data analysis;Time management,,either,
uma.reyes@example.org,Uma Reyes,Legal,5,,peer,Executive presence,,reflective,
"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _pairs(page) -> list[str]:
    return sorted(page.locator(".run-pair h3").all_inner_texts())


def _accept_by_invitation(new_context, email: str, program_name: str):
    page = new_context().new_page()
    visit(page, link_in_email(email, "/accounts/invitation/"))
    choose_password(page)
    page.get_by_role("button", name="Set password and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Proposal in {program_name}")
    page.get_by_role("button", name="Accept").click()
    return page


def test_two_rounds_never_repeat_a_partner_and_serve_round_ones_unmatched_first(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    program = make_program(
        name="Peer Rotation",
        slug="peer-rotation",
        kind=Program.Kind.PEER_COACHING,
        admins=[hr_admin],
    )

    # Round 1: HR gets in by the reset email, imports the peers and publishes the run.
    hr = new_context().new_page()
    reset_password_by_email(hr, live_server, hr_admin.email)
    mail.outbox.clear()
    visit(hr, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    hr.get_by_label("Participants CSV").set_input_files(
        {"name": "peers.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    hr.get_by_role("button", name="Preview import").click()
    hr.get_by_role("button", name="Import these 5 rows").click()
    hr.get_by_role("link", name="See the participants").click()
    hr.get_by_role("link", name="Matching", exact=True).click()
    hr.get_by_role("button", name="Run matching").click()
    expect(hr.get_by_role("heading", name="Proposed pairings (2)")).to_be_visible()
    assert _pairs(hr) == ["Ada Brooks and Ben Okafor", "Cara Lind and Dev Patel"]
    expect(hr.locator(".run-unmatched")).to_contain_text("Uma Reyes")
    hr.get_by_role("button", name="Publish 2 proposals").click()
    expect(hr.get_by_role("alert")).to_contain_text("Published 2 proposals")

    # Everyone proposed accepts through the link in their email.
    for first, second in (("ada.brooks", "ben.okafor"), ("cara.lind", "dev.patel")):
        _accept_by_invitation(new_context, f"{first}@example.org", "Peer Rotation")
        page = _accept_by_invitation(new_context, f"{second}@example.org", "Peer Rotation")
        expect(page.get_by_role("alert")).to_have_text("Accepted: you are paired.")

    # Round 2: HR starts it from the Rounds page; the round-1 pairings end.
    mail.outbox.clear()
    hr.get_by_role("link", name="Rounds", exact=True).click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Rounds · Peer Rotation")
    expect(hr.get_by_label("End the pairings of round 1")).to_be_checked()
    hr.get_by_label("Everyone still enrolled").check()
    hr.get_by_role("button", name="Start round 2").click()
    expect(hr.get_by_role("alert")).to_have_text(
        "Round 2 has started. Everyone of round 1 is being told by email."
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        line.split(",")[0] for line in CSV.splitlines()[1:]
    )
    ada_mail = next(m for m in mail.outbox if m.to == ["ada.brooks@example.org"])
    assert "Your pairing with Ben Okafor ended with round 1" in ada_mail.body

    # The run serves Uma first and pairs nobody with a round-1 partner.
    mail.outbox.clear()
    hr.get_by_role("link", name="Matching", exact=True).click()
    hr.get_by_role("button", name="Run matching").click()
    expect(hr.get_by_role("heading", name="Proposed pairings (2)")).to_be_visible()
    pairs = _pairs(hr)
    assert "Ada Brooks and Ben Okafor" not in pairs
    assert "Cara Lind and Dev Patel" not in pairs
    uma_pair = hr.locator(".run-pair", has_text="Uma Reyes")
    expect(uma_pair.get_by_role("heading", level=3)).to_have_text(
        re.compile(r"^Ada Brooks and Uma Reyes")
    )
    expect(uma_pair.locator(".run-waited")).to_have_text(
        "Waited last round, matched first: Uma Reyes"
    )
    expect(hr.locator(".run-totals")).to_contain_text("1 of 1 who waited last round")
    a11y.check_page(hr)
    screenshot(hr, "round-run")
    hr.get_by_role("button", name="Publish 2 proposals").click()
    expect(hr.get_by_role("alert")).to_contain_text("Published 2 proposals")

    # Uma has never signed in: her proposal email brings her in. Ada signs in herself.
    uma = _accept_by_invitation(new_context, "uma.reyes@example.org", "Peer Rotation")
    expect(uma.get_by_role("alert")).to_have_text(
        "Accepted. The pairing starts when your peer accepts too."
    )
    # Ada follows the link in her proposal email and signs in with the password she chose.
    ada = new_context().new_page()
    visit(ada, link_in_email("ada.brooks@example.org", "/proposals/"))
    ada.get_by_label("Work email").fill("ada.brooks@example.org")
    ada.get_by_label("Password").fill(PASSWORD)
    ada.get_by_role("button", name="Log in").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Proposal in Peer Rotation")
    ada.get_by_role("button", name="Accept").click()
    expect(ada.get_by_role("alert")).to_have_text("Accepted: you are paired.")

    # The history: round 2 served its one waiting peer, and nobody was paired again.
    visit(hr, f"{live_server.url}/programmes/{program.slug}/rounds/")
    rows = hr.get_by_role("table", name="Rounds of Peer Rotation").locator("tbody tr")
    day = re.compile(r"^\d{1,2} \w{3} \d{4}")
    expect(rows.nth(0).locator("th, td")).to_have_text(["Round 1", day, "5", "4", "—", "0"])
    expect(rows.nth(1).locator("th, td")).to_have_text(
        ["Round 2 now", day, "5", "2", "1 of 1 matched", "0"]
    )
    expect(rows.nth(1)).to_contain_text("by Hana HR")
    screenshot(hr, "rounds")
    hr.set_viewport_size(PHONE)
    assert hr.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check_page(hr)
    screenshot(hr, "rounds-phone")
    hr.set_viewport_size(DESKTOP)
