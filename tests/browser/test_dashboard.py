"""The programme health dashboard in the browser: truthful figures right after publishing,
weekly trends, and charts that read on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pairing.models import CheckIn, Pairing
from programs.models import Participant
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.factories import make_employee, make_participant, make_program, make_proposal
from tests.hr.test_selectors import make_pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENTOR = Participant.Role.MENTOR
TOPICS = ["Leadership", "Public speaking", "Python", "Hiring and interviewing", "Budgeting"]


def _programme_with_history(hr_admin):
    """A quarter of a mentoring programme: enrolments over ten weeks, four pairings
    accepted and meeting, three proposals nobody has answered yet, three people waiting."""
    now = timezone.now()
    today = timezone.localdate()
    program = make_program(name="Engineering Mentoring 2026", admins=[hr_admin])
    mentors = [
        make_participant(
            program=program,
            role=MENTOR,
            employee=make_employee(name=name, level=5),
            expertise=TOPICS[n % 3 : n % 3 + 2],
            capacity=2,
            enrolled_at=now - timedelta(weeks=10 - n),
        )
        for n, name in enumerate(["Ada Brennan", "Bo Okafor", "Cyra Lind", "Dev Patel"])
    ]
    mentees = [
        make_participant(
            program=program,
            employee=make_employee(name=name, level=2),
            goals=[TOPICS[n % len(TOPICS)], TOPICS[(n + 3) % len(TOPICS)]],
            enrolled_at=now - timedelta(weeks=9 - n, days=n % 3),
        )
        for n, name in enumerate(
            ["Ana Ruiz", "Ben Ito", "Cara Moss", "Dan Vu", "Eve Sato", "Fay Lee", "Gus Ode"]
            + ["Hal Kim", "Ida Roe", "Jo Tan"]
        )
    ]
    for n in range(4):
        pairing = make_pairing(
            program=program,
            guide=mentors[n],
            learner=mentees[n],
            status=Pairing.Status.ACTIVE,
            proposed_at=now - timedelta(weeks=7 - n),
            answered_after=timedelta(days=2 + n),
            activated_at=now - timedelta(weeks=7 - n, days=-(2 + n)),
        )
        for week in range(0, 7 - n, 4):  # about once a cadence (28 days)
            CheckIn.objects.create(
                pairing=pairing,
                held_on=today - timedelta(weeks=week, days=n),
                logged_by=mentees[n],
                summary="Goals for the quarter",
                rating=4,
            )
    for n in range(3):
        make_proposal(guide=mentors[n], learner=mentees[4 + n])
    return program


def test_dashboard_tells_proposed_from_matched_and_reads_on_a_phone(page_as, live_server, hr_admin):
    program = _programme_with_history(hr_admin)
    page = page_as(hr_admin)

    visit(page, f"{live_server.url}/programmes/{program.slug}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Programme health · Engineering Mentoring 2026"
    )
    expect(page.locator(".match-rate-says")).to_have_text(
        "4 of 10 mentees matched: in a pairing that is accepted or active. A proposal not "
        "answered yet does not count; 3 more have one waiting."
    )
    standing = page.get_by_role("img", name="Mentees by pairing status", exact=False)
    expect(standing).to_have_accessible_name(
        "Mentees by pairing status: Active: 4 mentees; Accepted (starts later): 0 mentees; "
        "Proposed, no answer yet: 3 mentees; In no pairing: 3 mentees"
    )
    # Every chart's numbers are a table too, one click away.
    trend = page.locator("#chart-acceptances_weekly")
    expect(trend.get_by_role("table")).not_to_be_visible()
    trend.get_by_text("Numbers as a table").click()
    expect(trend.get_by_role("table")).to_be_visible()
    expect(trend.get_by_role("row")).to_have_count(1 + 12)
    trend.get_by_text("Numbers as a table").click()
    screenshot(page, "dashboard")

    page.set_viewport_size({"width": 390, "height": 844})
    a11y.check_page(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # On a phone a label sits above its bar, at full size, not shrunk with the chart.
    label = page.locator("#chart-match .chart-label").first
    assert label.evaluate("el => getComputedStyle(el).fontSize") == "14px"
    bar = page.locator("#chart-match .chart-track").first
    assert bar.bounding_box()["y"] > label.bounding_box()["y"]
    # Short labels (the weeks) stay beside their bars.
    week = page.locator("#chart-enrolments_weekly .chart-row").first
    week_label, week_bar = week.locator(".chart-label"), week.locator(".chart-track")
    assert week_bar.bounding_box()["x"] > week_label.bounding_box()["x"] + 100
    screenshot(page, "dashboard-phone")
