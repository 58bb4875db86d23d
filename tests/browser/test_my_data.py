"""An employee reads everything held about them and downloads it as JSON."""

import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pairing.models import CheckIn
from programs.models import Participant
from tests.browser import a11y
from tests.browser.conftest import visit
from tests.factories import make_active_pairing, make_employee, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_reads_and_downloads_their_data(page_as, live_server):
    program = make_program(name="Engineering Mentoring 2026")
    mentor = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Maya Okafor", level=5),
        expertise=["Negotiation"],
    )
    lee = make_participant(
        program=program,
        employee=make_employee(name="Lee Chen", level=3),
        goals=["Negotiation"],
        note="Lead my first negotiation",
    )
    pairing = make_active_pairing(guide=mentor, learner=lee)
    today = timezone.localdate()
    for author, note in ((lee, "Felt nervous"), (mentor, "Maya's own note")):
        CheckIn.objects.create(
            pairing=pairing,
            held_on=today,
            logged_by=author,
            summary="Practised an opening",
            private_note=note,
            rating=4,
        )

    page = page_as(lee.employee.user)
    visit(page, live_server.url + "/programmes/me/")
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we hold about you")
    expect(page.get_by_text("Lead my first negotiation")).to_be_visible()
    expect(page.get_by_text("Felt nervous")).to_be_visible()
    expect(page.get_by_text("Maya's own note")).to_have_count(0)
    a11y.check_page(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as JSON").click()
    download = download_info.value
    assert download.suggested_filename == "my-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "Lee Chen"
    [mine] = data["pairings"]
    assert mine["partners"] == ["Maya Okafor"]
    notes = [c.get("my_private_note") for c in mine["check_ins"]]
    assert sorted(n or "" for n in notes) == ["", "Felt nervous"]
