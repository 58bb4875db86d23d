"""Employees in the browser: the mentor-or-peer-coach guide, enrolment in the programme it
recommends, the pairing once a mentor accepts, and a check-in; plus what outsiders get."""

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from pairing.models import CheckIn, Pairing, PairingMember
from pairing.services import learner_repropose, proposal_accept
from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_program,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOMMENDATION = (
    "A mentor suits you: you are looking for long-term career development, directive, "
    "experience-based advice and direction from someone senior in the field. A mentor is an "
    "experienced advisor, senior or expert in the field, in a hierarchical or formal "
    "relationship; mentoring brings knowledge transfer, career guidance and networking. You "
    "also asked for regular, often informal check-ins, which is closer to what a peer coach "
    "offers: say so in your note, or choose the other kind below."
)


def test_employee_takes_the_guide_enrols_sees_the_pairing_and_logs_a_checkin(page_as, live_server):
    program = make_program(name="Engineering Mentoring 2026")
    make_program(name="Peer Coaching Circle", kind=Program.Kind.PEER_COACHING)
    maya = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Maya Okafor", level=5, department="Sales"),
        expertise=["Public Speaking", "Negotiation"],
        style="directive",
    )
    ana = make_employee(name="Ana Ruiz", level=3, department="Engineering")
    page = page_as(ana.user)

    visit(page, live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Ruiz")
    page.get_by_role("link", name="Find support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor or peer coach?")
    a11y.check_page(page)
    page.get_by_label("My career over the coming years").check()
    page.get_by_label("Direct advice from someone who has done it before").check()
    page.get_by_label("With direction from someone more senior or expert").check()
    page.get_by_label("Regularly and informally (every week or two)").check()
    page.get_by_label("One person, one to one").check()
    page.get_by_role("button", name="Show my recommendation").click()

    recommendation = page.get_by_role("region", name="We recommend mentoring")
    expect(recommendation.get_by_role("paragraph").first).to_have_text(RECOMMENDATION)
    expect(recommendation.get_by_role("link")).to_have_text("Choose peer coaching anyway")
    open_programs = page.get_by_role("region", name="Open mentoring programmes")
    expect(open_programs.get_by_role("heading", level=3)).to_have_text(
        ["Engineering Mentoring 2026 Mentoring"]
    )
    a11y.check_page(page)
    screenshot(page, "guide")

    open_programs.get_by_role("link", name="Ask for a mentor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol in Engineering Mentoring 2026")
    a11y.check_page(page)
    goals = page.get_by_role("combobox", name="Your goals")
    goals.fill("public")
    page.get_by_role("option", name="Public Speaking").click()
    chosen = page.get_by_role("list", name="Chosen: your goals").get_by_role("listitem")
    expect(chosen).to_have_text(["Public Speaking"])
    for typed in ("negotiation", "Writing"):
        goals.fill(typed)
        goals.press("Enter")
    expect(chosen).to_have_text(["Public Speaking", "Negotiation", "Writing"])
    page.get_by_label("Feedback style you want").select_option(
        label="Directive: experience-based advice"
    )
    page.get_by_label("Focus").select_option(label="Long-term career development")
    page.get_by_label("What I hope to get").fill("To speak up in design reviews.")
    page.get_by_role("button", name="Enrol").click()

    expect(page.get_by_role("alert")).to_have_text(
        "You are enrolled in Engineering Mentoring 2026."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Ruiz")
    a11y.check_page(page)
    me = Participant.objects.get(program=program, employee=ana)
    assert (me.role, me.style, me.note) == (
        Participant.Role.MENTEE,
        "directive",
        "To speak up in design reviews.",
    )
    # "negotiation" is the existing topic, not a second one.
    assert sorted(me.goals.values_list("name", flat=True)) == [
        "Negotiation",
        "Public Speaking",
        "Writing",
    ]

    # HR's side and the mentor's, through the services: proposed to Maya, who accepts.
    pairing = learner_repropose(participant=me)
    maya_member = pairing.members.get(participant=maya)
    proposal_accept(member=maya_member, user=maya.employee.user)

    page.reload()
    mine = page.get_by_role("region", name="My pairings")
    expect(mine.get_by_role("paragraph")).to_have_text(
        "Maya Okafor · Engineering Mentoring 2026 · active"
    )
    a11y.check_page(page)
    screenshot(page, "home")
    mine.get_by_role("link", name="Maya Okafor").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pairing in Engineering Mentoring 2026"
    )
    a11y.check_page(page)
    pairing.refresh_from_db()
    due = dateformat.format(pairing.next_checkin_due, "j M Y")
    expect(page.get_by_role("region", name="Members").get_by_role("listitem")).to_have_text(
        ["Maya Okafor · Mentor · Sales", "Ana Ruiz · Mentee · Engineering"]
    )
    expect(
        page.get_by_role("region", name="Why you were matched").get_by_role("listitem")
    ).to_have_text(
        [
            "Covers 2 of your 3 goals (Negotiation, Public Speaking)",
            "2 levels above you",
            "Also prefers directive feedback",
            "From Sales",
        ]
    )
    history = page.get_by_role("region", name="Check-ins", exact=True)
    expect(history.get_by_text("Every 28 days.")).to_have_text(f"Every 28 days. Next due {due}.")
    expect(history.get_by_text("No check-ins yet.")).to_be_visible()

    log = page.get_by_role("region", name="Log a check-in")
    expect(log.get_by_label("When did you meet?")).to_have_value(timezone.localdate().isoformat())
    log.get_by_label("What we discussed").fill("Rehearsed Thursday's design review pitch.")
    log.get_by_label("Private note").fill("Ask about the promotion panel next time.")
    log.get_by_label("4").check()
    log.get_by_role("button", name="Log check-in").click()

    expect(page.get_by_role("alert")).to_have_text("Check-in logged.")
    a11y.check_page(page)
    today = dateformat.format(timezone.localdate(), "j M Y")
    entry = history.get_by_role("article")
    expect(entry.get_by_role("paragraph")).to_have_text(
        [
            f"{today} · logged by Ana Ruiz · usefulness 4/5",
            "Rehearsed Thursday's design review pitch.",
            "Your private note: Ask about the promotion panel next time.",
        ]
    )
    screenshot(page, "pairing")
    checkin = CheckIn.objects.get()
    assert (checkin.pairing_id, checkin.logged_by_id, checkin.rating) == (pairing.pk, me.pk, 4)


def test_checkin_with_the_keyboard_alone(page_as, live_server):
    program = make_program(name="Engineering Mentoring 2026")
    guide = make_participant(program=program, role=Participant.Role.MENTOR)
    learner = make_participant(program=program)
    pairing = make_active_pairing(guide=guide, learner=learner)
    page = page_as(learner.employee.user)
    visit(page, f"{live_server.url}/pairings/{pairing.pk}/")

    log = page.get_by_role("region", name="Log a check-in")
    a11y.tab_to(page, log.get_by_label("What we discussed"))
    page.keyboard.type("Went through the quarterly goals.")
    a11y.tab_to(page, log.get_by_label("1", exact=True))
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(log.get_by_label("4", exact=True)).to_be_checked()
    # Back up to add a private note, then forward to the button.
    a11y.tab_to(page, log.get_by_label("Private note"), backwards=True)
    page.keyboard.type("Felt rushed.")
    a11y.tab_to(page, log.get_by_role("button", name="Log check-in"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_have_text("Check-in logged.")
    checkin = CheckIn.objects.get()
    assert (checkin.summary, checkin.private_note, checkin.rating, checkin.held_on) == (
        "Went through the quarterly goals.",
        "Felt rushed.",
        4,
        timezone.localdate(),
    )


def test_outsider_opening_someone_elses_pairing_gets_not_found(page_as, live_server, outsider):
    program = make_program(name="Engineering Mentoring 2026")
    guide = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="Maya Okafor", level=5),
    )
    learner = make_participant(program=program, employee=make_employee(name="Ana Ruiz"))
    pairing = make_active_pairing(guide=guide, learner=learner)
    page = page_as(outsider)

    response = page.goto(f"{live_server.url}/pairings/{pairing.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).to_have_text(
        "Page not found There is nothing here, or it is not yours to see. Go to your home page."
    )
    a11y.check_page(page)
    assert Pairing.objects.get().status == Pairing.Status.ACTIVE
    assert PairingMember.objects.filter(participant__employee__user=outsider).count() == 0
