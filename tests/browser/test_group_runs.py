"""HR admins in the browser: a peer circles run from preview to published groups."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pairing.models import Pairing, PairingMember
from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import log_in, visit
from tests.factories import make_employee, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_admin_reviews_pins_splits_and_publishes_circles(page, live_server, hr_admin):
    program = make_program(
        kind=Program.Kind.PEER_CIRCLES,
        name="Circles 2026",
        admins=[hr_admin],
        group_min=3,
        group_max=3,
    )
    for name, goal in [
        ("Ana Py", "Python"),
        ("Ben Py", "Python"),
        ("Cy Py", "Python"),
        ("Dan Sales", "Sales"),
        ("Eve Sales", "Sales"),
        ("Flo Sales", "Sales"),
    ]:
        email = name.split()[0].lower() + "@example.org"
        make_participant(
            program=program,
            role=Participant.Role.PEER,
            employee=make_employee(name=name, email=email),
            goals=[goal],
        )
    log_in(page, live_server, email=hr_admin.email)
    visit(page, live_server.url + reverse("hr:matchrun_create", args=[program.slug]))
    page.get_by_role("button", name="Run matching").click()

    totals = page.get_by_role("region", name="Totals")
    expect(totals.get_by_role("definition").first).to_have_text("6 of 6 peers, in 2 circles")
    circles = page.get_by_role("list", name="Proposed circles (2)")
    python = circles.get_by_role("listitem").filter(has_text="Ana Py").first
    expect(python).to_contain_text(
        "Ana Py shares Python with 2 of 2 others; all are open to either feedback style"
    )
    a11y.check_page(page)

    python.get_by_role("button", name="Pin this group").click()
    expect(page.get_by_role("alert")).to_have_text("Pinned the group; matching re-ran around it.")
    expect(circles.get_by_role("heading", level=3).first).to_have_text("Circle 1: 3 people Pinned")

    page.get_by_role("button", name="Remove Ana Py from this group").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Removed from the group; matching re-ran, never grouping them together."
    )
    # Ana may be grouped with neither Ben nor Cy in this run any more.
    expect(page.get_by_role("heading", name="Kept apart by hand")).to_be_visible()
    a11y.check_page(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Publish 2 circles").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Published 2 group proposals; the people asked to answer are emailed."
    )
    assert Pairing.objects.filter(program=program, status="proposed").count() == 2
    assert set(
        PairingMember.objects.filter(pairing__program=program).values_list("role", "response")
    ) == {("peer", "pending")}
