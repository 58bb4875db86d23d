"""Situational mentoring in the browser, from what HR and the directory really do: HR
imports a mentor in London and an employee in New York into "Ask an expert" and into a
mentoring programme, and the people admin's directory import gives them their time zones.
The mentor gets in through the invitation and publishes office hours; the employee gets
in through hers, asks for help with a negotiation, sees the mentor's Tuesday 15:00 in New
York time and books it; both get the same calendar invitation. After the session she marks
it held, answers the two questions and asks to continue as ongoing mentoring, and the
mentor accepts: a pairing in the mentoring programme, linked from the session."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from pairing.models import HelpSession, Pairing
from pairing.situational.rules import MIN_NOTICE
from programs.models import Employee, Program
from tests.browser import a11y
from tests.browser.conftest import visit
from tests.browser.test_choosing import accept_invitation, hr_page, screenshots
from tests.browser.test_signin import choose_password, link_in_email
from tests.factories import make_people_admin, make_program, make_situational_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "email,name,department,level,manager_email,role,goals,expertise,style,capacity\n"
MENTOR, MENTEE = "mo.mentor@example.org", "nia.york@example.org"
EXPERTS_CSV = HEADER + (
    f"{MENTOR},Mo Mentor,Sales,5,,mentor,,Negotiation;Pricing,either,\n"
    f"{MENTEE},Nia York,Engineering,3,,mentee,,,either,\n"
)
MENTORING_CSV = HEADER + (
    f"{MENTOR},Mo Mentor,Sales,5,,mentor,,Negotiation,either,2\n"
    f"{MENTEE},Nia York,Engineering,3,,mentee,Negotiation,,either,\n"
)
# The HR system's export: the same people, with the time zones they work in.
DIRECTORY_CSV = (
    "email,name,department,title,level,manager_email,time_zone,active\n"
    f"{MENTOR},Mo Mentor,Sales,,5,,Europe/London,yes\n"
    f"{MENTEE},Nia York,Engineering,,3,,America/New_York,yes\n"
)
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
TUESDAY = 1


def first_tuesday_slot(now: datetime) -> datetime:
    """The first Tuesday 15:00 in London at least MIN_NOTICE after ``now``: the first time
    the challenge page offers (the same rule as the booking's, restated from the clock)."""
    day = now.astimezone(LONDON).date()
    while True:
        if day.weekday() == TUESDAY:
            instant = datetime.combine(day, time(15, 0), tzinfo=LONDON)
            if instant >= now + MIN_NOTICE:
                return instant.astimezone(UTC)
        day += timedelta(days=1)


def hr_imports(page: Page, live_server, program: Program, csv: str, *, invite: bool) -> None:
    rows = len(csv.splitlines()) - 1
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/import/")
    page.get_by_label("Participants CSV").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name=f"Import these {rows} rows").click()
    page.get_by_role("link", name="See the participants").click()
    if invite:
        page.get_by_role("button", name=f"Invite everyone who has not signed in ({rows})").click()
        expect(page.get_by_role("alert")).to_have_text(f"Sending {rows} invitations.")


def people_admin_imports_the_directory(new_context, live_server) -> None:
    """The people admin gets in by a reset email and imports the HR system's CSV."""
    admin = make_people_admin(name="Pia People")
    page = new_context().new_page()
    visit(page, f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Work email").fill(admin.email)
    page.get_by_role("button", name="Send the link").click()
    visit(page, link_in_email(admin.email, "/accounts/reset/"))
    choose_password(page)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Pia People")
    visit(page, f"{live_server.url}/directory/import/")
    page.get_by_label("Directory CSV").set_input_files(
        {"name": "hr-export.csv", "mimeType": "text/csv", "buffer": DIRECTORY_CSV.encode()}
    )
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Import these 2 rows").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Imported")


def test_mentor_publishes_office_hours_a_new_york_colleague_books_and_they_continue_as_mentoring(
    new_context, live_server, hr_admin, settings
):
    settings.SITE_URL = live_server.url  # links in emails lead to this test's server
    experts = make_situational_program(
        name="Ask an expert", slug="ask-an-expert", admins=[hr_admin]
    )
    mentoring = make_program(name="Grow Mentoring", slug="grow-mentoring", admins=[hr_admin])

    # 1. HR imports both people into both programmes and invites them; the directory's
    # import then gives them their time zones, as it does for everyone.
    hr = hr_page(new_context, live_server, hr_admin)
    hr_imports(hr, live_server, mentoring, MENTORING_CSV, invite=False)
    mail.outbox.clear()
    hr_imports(hr, live_server, experts, EXPERTS_CSV, invite=True)
    people_admin_imports_the_directory(new_context, live_server)
    assert dict(
        Employee.objects.filter(email__in=[MENTOR, MENTEE]).values_list("email", "time_zone")
    ) == {
        MENTOR: "Europe/London",
        MENTEE: "America/New_York",
    }

    # 2. Mo gets in by his invitation and publishes office hours: Tuesdays 15:00 London.
    mo = accept_invitation(new_context, MENTOR)
    expect(mo.get_by_role("heading", level=1)).to_have_text("Hello, Mo Mentor")
    mo.get_by_role("link", name="Office hours").click()
    expect(mo.get_by_role("heading", level=1)).to_have_text("Your office hours in Ask an expert")
    a11y.check_page(mo)
    # His imported expertise is what he helps with.
    expect(
        mo.get_by_role("list", name="Chosen: topics you help with").get_by_role("listitem")
    ).to_have_text(["Negotiation", "Pricing"])
    mo.get_by_label("Session length (minutes)").fill("30")
    mo.get_by_role("combobox", name="Day").first.select_option(label="Tuesday")
    mo.get_by_role("textbox", name="Starts at").first.fill("15:00")
    mo.get_by_role("button", name="Save office hours").click()
    expect(mo.get_by_role("alert")).to_have_text("Your office hours are saved.")
    expect(mo.get_by_role("combobox", name="Day").first).to_have_value(str(TUESDAY))
    a11y.check_page(mo)
    screenshots(mo, "office-hours")

    # 3. Nia, in New York, gets in by hers and asks for help with a negotiation.
    nia = accept_invitation(new_context, MENTEE)
    expect(nia.get_by_role("heading", level=1)).to_have_text("Hello, Nia York")
    nia.get_by_role("link", name="Ask for help").click()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Ask for help in Ask an expert")
    a11y.check_page(nia)
    about = nia.get_by_role("combobox", name="What it is about")
    about.fill("negot")
    nia.get_by_role("option", name="Negotiation").click()
    expect(
        nia.get_by_role("list", name="Chosen: what it is about").get_by_role("listitem")
    ).to_have_text(["Negotiation"])
    nia.get_by_label("The challenge").fill(
        "A supplier wants a 12% price rise on our renewal next month. How do I push back?"
    )
    nia.get_by_role("button", name="Find help").click()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Your challenge: Negotiation")
    expect(nia.locator("#times-zone")).to_have_text(
        "Times are in your time zone, America/New_York."
    )
    card = nia.locator("li.card", has_text="Mo Mentor")
    expect(card.get_by_role("heading", level=3)).to_have_text("Mo Mentor 91.7 of 100")
    expect(card.locator("p").nth(1)).to_have_text(
        "Covers your goal (Negotiation); 2 levels above you; open to either feedback "
        "style, as you are; from Sales."
    )
    expect(card.locator("ul.list-inline li")).to_have_text(
        ["Expertise covered: 50 of 50", "Level: 16.7 of 25", "Style: 20 of 20"]
    )
    # The first Tuesday 15:00 in London, in New York time: 10:00 most weeks, 11:00 in the
    # weeks when only one of the two countries has changed its clocks.
    slot = first_tuesday_slot(timezone.now())
    local = slot.astimezone(NEW_YORK)
    label = f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    # Each time names whose it is to a screen reader, and the zone it is in.
    first = card.get_by_role("button", name=f"{label} with Mo Mentor", exact=True)
    expect(first).to_have_text(label)
    expect(first).to_have_attribute("aria-describedby", "times-zone")
    a11y.check_page(nia)
    screenshots(nia, "challenge")

    # She books it; both get the same invitation.
    mail.outbox.clear()
    first.click()
    expect(nia.get_by_role("alert")).to_have_text(
        "Booked with Mo Mentor. You both get a calendar invitation."
    )
    session = HelpSession.objects.get()
    assert (session.starts_at, session.ends_at) == (slot, slot + timedelta(minutes=30))
    assert sorted(m.to[0] for m in mail.outbox) == [MENTOR, MENTEE]
    calendars = []
    for message in mail.outbox:
        (attachment,) = message.attachments
        name, body, mimetype = attachment
        assert (name, mimetype) == ("session.ics", "text/calendar")
        calendars.append(icalendar.Calendar.from_ical(body))
    stamp = f"DTSTART:{slot:%Y%m%dT%H%M%S}Z"
    for message, calendar in zip(mail.outbox, calendars, strict=True):
        (event,) = calendar.walk("VEVENT")
        assert (str(calendar["METHOD"]), event["SEQUENCE"]) == ("REQUEST", 0)
        assert str(event["UID"]) == f"{session.uid}@pairwise"
        assert event.decoded("DTSTART") == slot
        body = message.attachments[0][1]
        assert stamp in (body.decode() if isinstance(body, bytes) else body).splitlines()
    # Each email states the time in its reader's own zone, and so does Mo's page.
    in_london = slot.astimezone(LONDON)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert (
        f"It is on {local:%A} {local.day} {local:%B %Y}, {local:%H:%M} to "
        f"{local + timedelta(minutes=30):%H:%M} (America/New_York time)."
    ) in bodies[MENTEE]
    assert (
        f"It is on {in_london:%A} {in_london.day} {in_london:%B %Y}, 15:00 to 15:30 "
        "(Europe/London time)."
    ) in bodies[MENTOR]
    mo.reload()
    expect(
        mo.get_by_role("region", name="Your booked sessions").get_by_role("listitem")
    ).to_have_text(f"{in_london:%A} {in_london.day} {in_london:%B}, 15:00 with Nia York")

    # 4. The session takes place. Time passing, done in the database: the session moves to
    # an hour ago, as it will be once its Tuesday has come.
    now = timezone.now()
    HelpSession.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now - timedelta(minutes=30)
    )
    nia.reload()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Session with Mo Mentor")
    nia.get_by_role("button", name="Mark the session held").click()
    expect(nia.get_by_role("alert")).to_have_text(
        "Marked held. Thank you: two short questions follow."
    )
    nia.get_by_role("group", name="Was it helpful?").get_by_label("Yes").check()
    nia.get_by_role("group", name="Would you meet again?").get_by_label("Yes").check()
    nia.get_by_role("button", name="Send my answers").click()
    expect(nia.get_by_role("alert")).to_have_text(
        "Thank you: your answers are saved. Only you see them."
    )
    a11y.check_page(nia)
    screenshots(nia, "session")

    # She asks Mo to continue as her mentor in the mentoring programme.
    mail.outbox.clear()
    nia.get_by_role("link", name="Continue as ongoing mentoring").click()
    expect(nia.get_by_role("heading", level=1)).to_have_text(
        "Continue with Mo Mentor as ongoing mentoring"
    )
    a11y.check_page(nia)
    nia.get_by_role("radio", name="Grow Mentoring").check()
    nia.get_by_role("button", name="Ask Mo Mentor").click()
    expect(nia.get_by_role("alert")).to_have_text(
        "Asked Mo Mentor to continue as ongoing mentoring in Grow Mentoring. They accept or "
        "decline it in their proposals."
    )
    expect(nia.locator(".session-converted")).to_have_text(
        "Continued as ongoing mentoring in Grow Mentoring: waiting for Mo Mentor's answer."
    )

    # Mo opens the proposal from his email and accepts.
    visit(mo, link_in_email(MENTOR, "/proposals/"))
    expect(mo.get_by_role("heading", level=1)).to_have_text("Proposal in Grow Mentoring")
    mo.get_by_role("button", name="Accept").click()
    expect(mo.get_by_role("alert")).to_have_text("Accepted: you are paired.")

    pairing = Pairing.objects.get(program=mentoring)
    assert pairing.status == Pairing.Status.ACTIVE
    assert sorted(
        (m.participant.employee.email, m.participant.role) for m in pairing.members.all()
    ) == [(MENTOR, "mentor"), (MENTEE, "mentee")]
    session.refresh_from_db()
    assert (session.status, session.converted_to_id) == (HelpSession.Status.HELD, pairing.pk)

    # The session page says so, for both, with the way to the pairing.
    for page in (nia, mo):
        visit(page, f"{live_server.url}/help/sessions/{session.pk}/")
        converted = page.locator(".session-converted")
        expect(converted).to_have_text(
            "Continued as ongoing mentoring in Grow Mentoring: your pairing."
        )
        expect(converted.get_by_role("link", name="your pairing")).to_have_attribute(
            "href", pairing.get_absolute_url()
        )
