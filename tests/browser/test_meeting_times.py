"""A pairing agrees a meeting time from three proposals, from what HR really does: HR imports
a mentor in London and a mentee through the CSV page and publishes the matching run; the
mentor accepts through the invitation in the proposal email, proposes three times on the
pairing's page, and the mentee, in New York, gets in through a reset email, opens the
meeting from the email's link, sees the times in her own zone and picks the second. Both
get the meeting and the next check-in as a calendar file, and the pairing page shows the
meeting to each in their own zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from pairing.meetings import meeting_propose
from pairing.models import MeetingProposal, Pairing
from programs.models import Employee, Participant, Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.browser.test_signin import choose_password, link_in_email, reset_password_by_email
from tests.factories import make_group, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """email,name,department,level,manager_email,role,goals,expertise,style,capacity
mo.mentor@example.org,Mo Mentor,Sales,5,,mentor,,Negotiation,either,1
nia.mentee@example.org,Nia Mentee,Engineering,3,,mentee,Negotiation,,either,
"""
MENTOR, MENTEE = "mo.mentor@example.org", "nia.mentee@example.org"
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
CALENDAR = "text/calendar"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _next_weekdays(after: date, count: int) -> list[date]:
    days, day = [], after
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _screenshots(page: Page, name: str) -> None:
    """<name>.png at 1280 px and <name>-phone.png at 390 px, nothing wider than the phone."""
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check_page(page)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def _calendar_of(to: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to] and "Meeting agreed" in m.subject]
    (body,) = [content for _, content, mimetype in message.attachments if mimetype == CALENDAR]
    return body.replace("\r\n ", "")  # unfolds the lines iCalendar folds at 75 octets


def test_a_pairing_agrees_a_meeting_time_from_three_proposals(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    program = make_program(name="Sales Mentoring", slug="sales-mentoring", admins=[hr_admin])

    # HR gets in by the reset email, imports the two and publishes the run's one proposal.
    hr = new_context().new_page()
    reset_password_by_email(hr, live_server, hr_admin.email)
    expect(hr.get_by_role("heading", level=1)).to_have_text("Cockpit")
    mail.outbox.clear()
    visit(hr, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    hr.get_by_label("Participants CSV").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    hr.get_by_role("button", name="Preview import").click()
    hr.get_by_role("button", name="Import these 2 rows").click()
    hr.get_by_role("link", name="See the participants").click()
    hr.get_by_role("link", name="Matching", exact=True).click()
    hr.get_by_role("button", name="Run matching").click()
    hr.get_by_role("button", name="Publish 1 proposal").click()
    expect(hr.get_by_role("alert")).to_contain_text("Published 1 proposal")
    # New people get the organisation's zone. Nia works in New York: set in the database,
    # as the directory (its import or SCIM) would hold it.
    assert Employee.objects.get(email=MENTOR).time_zone == "Europe/London"
    Employee.objects.filter(email=MENTEE).update(time_zone="America/New_York")

    # Mo accepts through the invitation in the proposal email: the pairing starts.
    mo = new_context().new_page()
    visit(mo, link_in_email(MENTOR, "/accounts/invitation/"))
    choose_password(mo)
    mo.get_by_role("button", name="Set password and continue").click()
    expect(mo.get_by_role("heading", level=1)).to_have_text("Proposal in Sales Mentoring")
    mo.get_by_role("button", name="Accept").click()
    expect(mo.get_by_role("alert")).to_have_text("Accepted: you are paired.")
    pairing = Pairing.objects.get(program=program)
    assert pairing.status == Pairing.Status.ACTIVE

    # Mo proposes the next three weekdays at 17:00 London time from the pairing page.
    today = timezone.localdate(timezone.now(), LONDON)
    days = _next_weekdays(today, 3)
    starts = [datetime.combine(day, time(17, 0), LONDON) for day in days]
    mo.get_by_role("link", name="My pairings").click()
    mo.get_by_role("link", name="Nia Mentee").click()
    expect(mo.get_by_role("heading", level=1)).to_have_text("Pairing in Sales Mentoring")
    a11y.check_page(mo)
    mo.get_by_role("link", name="Propose times").click()
    expect(mo.get_by_role("heading", level=1)).to_have_text("Propose meeting times")
    expect(mo.locator(".meeting-zone")).to_contain_text("Europe/London")
    a11y.check_page(mo)
    for n, day in enumerate(days, start=1):
        mo.get_by_label(f"Time {n}: date").fill(day.isoformat())
        mo.get_by_label(f"Time {n}: time").fill("17:00")
    mo.evaluate("document.activeElement.blur()")  # no focus ring in the picture
    _screenshots(mo, "meeting-propose")
    mo.get_by_role("button", name="Propose times").click()
    expect(mo.get_by_role("alert")).to_have_text("Times proposed: the others have been asked.")
    expect(mo.get_by_role("heading", level=1)).to_have_text("Meeting times")
    expect(mo.locator(".meeting-option th")).to_have_text(
        [f"{s:%a %-d %b %Y}, 17:00" for s in starts]
    )
    proposal = MeetingProposal.objects.get(pairing=pairing)

    # Nia has never signed in: she keeps the meeting email's link, gets in by a reset
    # email, then follows it. The times are in her zone, whatever the clocks do that week.
    meeting_link = link_in_email(MENTEE, "/meetings/")
    in_new_york = [s.astimezone(NEW_YORK) for s in starts]
    (proposed,) = [m for m in mail.outbox if m.to == [MENTEE] and "meeting times" in m.subject]
    assert (
        "In your time zone, America/New_York:\n"
        + "".join(f"\n- {s:%A %-d %B %Y, %H:%M}" for s in in_new_york)
        in proposed.body
    )
    nia = new_context().new_page()
    reset_password_by_email(nia, live_server, MENTEE)
    expect(nia.get_by_role("heading", level=1)).to_have_text("Hello, Nia Mentee")
    visit(nia, meeting_link)
    expect(nia.get_by_role("heading", level=1)).to_have_text("Meeting times")
    expect(nia.locator(".meeting-zone")).to_contain_text("America/New_York")
    expect(nia.locator(".meeting-option th")).to_have_text(
        [f"{s:%a %-d %b %Y, %H:%M}" for s in in_new_york]
    )
    labels = [f"{s:%A %-d %B %Y, %H:%M}" for s in in_new_york]
    for label in labels:
        expect(nia.get_by_label(label)).not_to_be_checked()
    mail.outbox.clear()
    nia.get_by_label(labels[1]).check()
    nia.get_by_role("button", name="Save answer").click()
    expect(nia.get_by_role("alert")).to_have_text("Answer saved.")
    expect(nia.locator(".meeting-agreed h2")).to_have_text(
        f"Agreed: {in_new_york[1]:%A %-d %B %Y, %H:%M}"
    )
    a11y.check_page(nia)
    _screenshots(nia, "meeting-agreed")

    proposal.refresh_from_db()
    assert proposal.status == MeetingProposal.Status.AGREED
    assert proposal.agreed.starts_at == starts[1]
    # Both get the meeting and the next check-in in one calendar file.
    pairing.refresh_from_db()
    dtstart = f"DTSTART:{starts[1].astimezone(UTC):%Y%m%dT%H%M%SZ}"
    for to in (MENTOR, MENTEE):
        calendar = _calendar_of(to)
        assert "METHOD:REQUEST" in calendar
        assert f"UID:{proposal.uid}@pairwise" in calendar
        assert dtstart in calendar
        assert f"DTSTART;VALUE=DATE:{pairing.next_checkin_due:%Y%m%d}" in calendar
        assert "SUMMARY:Sales Mentoring: check-in due" in calendar
    (agreed,) = [m for m in mail.outbox if m.to == [MENTEE]]
    assert (
        f"You and Mo Mentor meet on {in_new_york[1]:%A %-d %B %Y, %H:%M} "
        "(America/New_York), for 60 minutes." in agreed.body
    )

    # The pairing page shows the meeting to each in their own zone.
    for page, zone, name in ((mo, LONDON, "Europe/London"), (nia, NEW_YORK, "America/New_York")):
        visit(page, live_server.url + pairing.get_absolute_url())
        expect(page.locator(".meeting-next")).to_contain_text(
            f"Next meeting: {starts[1].astimezone(zone):%A %-d %B %Y, %H:%M} ({name}), 60 minutes."
        )


def test_a_groups_answers_scroll_in_their_box_on_a_phone(page_as, live_server):
    """A column per member: eight peers' answers are wider than a phone, and must scroll
    inside the table's box, not widen the page."""
    program = make_program(kind=Program.Kind.PEER_CIRCLES, group_min=2, group_max=8)
    peers = [
        make_participant(
            program=program,
            role=Participant.Role.PEER,
            employee_kwargs={"name": f"Alexandra Peer {n}"},
        )
        for n in range(8)
    ]
    group = make_group(program=program, members=peers, status=Pairing.Status.ACTIVE)
    soon = timezone.now() + timedelta(days=1)
    proposal = meeting_propose(
        pairing=group, proposer=peers[0], minutes=30, starts=[soon, soon + timedelta(days=1)]
    )
    page = page_as(peers[1].employee.user)
    page.set_viewport_size(PHONE)
    visit(page, f"{live_server.url}/meetings/{proposal.pk}/")
    expect(page.locator(".meeting-answers thead th")).to_have_count(8)
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
