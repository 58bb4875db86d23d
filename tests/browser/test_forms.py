"""Forms people can fill, in the browser: the programme form in sections with a slug made
from the name, the topic picker by keyboard with its near-duplicate warning, the error
summary whose links move the focus, and the guide's answer brought into view on a phone."""

import pytest
from playwright.sync_api import Page, expect

from programs.models import Participant, Program
from tests.browser import a11y
from tests.browser.conftest import screenshot, visit
from tests.factories import make_employee, make_program, make_topics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def test_hr_creates_a_programme_from_its_name_and_kind(page_as, live_server, hr_admin):
    page = page_as(hr_admin)
    visit(page, live_server.url + "/programmes/manage/new/")
    expect(page.get_by_role("group", name="Basics")).to_be_visible()
    expect(page.get_by_role("group", name="Check-ins")).to_be_visible()
    advanced = page.get_by_text("Advanced: matching rules")
    peer_gap = page.get_by_label("Most levels between two peer coaches")
    mentor_gap = page.get_by_label("Fewest levels between mentor and mentee")
    # Folded away until opened; then only the chosen kind's rules show.
    expect(mentor_gap).to_be_hidden()
    advanced.click()
    expect(mentor_gap).to_be_hidden()
    expect(peer_gap).to_be_hidden()
    page.get_by_label("Kind of programme").select_option(label="Mentoring")
    expect(mentor_gap).to_be_visible()
    expect(peer_gap).to_be_hidden()
    page.set_viewport_size(DESKTOP)
    screenshot(page, "programme-form")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    screenshot(page, "programme-form-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_label("Name").fill("Peer Coaching Spring 2027")
    expect(page.get_by_label("Address (slug)")).to_have_attribute(
        "placeholder", "peer-coaching-spring-2027"
    )
    page.get_by_label("Kind of programme").select_option(label="Peer coaching")
    expect(peer_gap).to_be_visible()
    expect(mentor_gap).to_be_hidden()
    expect(page.get_by_label("People each mentor supports")).to_be_hidden()
    a11y.check_page(page)
    page.get_by_role("button", name="Create programme").click()

    expect(page.get_by_role("alert")).to_have_text("Created Peer Coaching Spring 2027.")
    program = Program.objects.get()
    assert (program.slug, program.kind, program.checkin_cadence_days) == (
        "peer-coaching-spring-2027",
        Program.Kind.PEER_COACHING,
        14,
    )


def test_a_form_sent_with_errors_sums_them_up_and_its_links_move_the_focus(
    page_as, live_server, hr_admin
):
    page = page_as(hr_admin)
    visit(page, live_server.url + "/programmes/manage/new/")
    page.get_by_text("Advanced: matching rules").click()
    page.get_by_label("Points for goals").fill("90")
    page.get_by_role("button", name="Create programme").click()

    summary = page.get_by_role("region", name="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Name: This field is required.",
            "Kind of programme: This field is required.",
            "Points for goals: The four weights add up to 140; they may add up to at most 100 "
            "(scores are out of 100).",
        ]
    )
    a11y.check_page(page)
    # By keyboard: Tab into the summary, Enter on a link, and the field has the focus.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Name")).to_be_focused()
    summary.get_by_role("link").last.click()
    expect(page.get_by_label("Points for goals")).to_be_focused()
    assert Program.objects.count() == 0


def test_an_employee_enrols_choosing_topics_with_the_keyboard(page_as, live_server):
    program = make_program(name="Engineering Mentoring 2027")
    make_topics("Hiring and interviewing", "Public speaking", "Python", "Negotiation")
    ana = make_employee(name="Ana Ruiz", level=3)
    page = page_as(ana.user)
    url = f"{live_server.url}/programmes/{program.slug}/enrol/"
    visit(page, url)
    expect(page.get_by_text("not taking anyone new")).to_have_count(0)

    # Sent without a topic: the summary at the top says so, and its link reaches the picker.
    page.get_by_role("button", name="Enrol").click()
    summary = page.get_by_role("region", name="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Your goals: Pick at least one topic").click()
    goals = page.get_by_role("combobox", name="Your goals")
    expect(goals).to_be_focused()
    a11y.check_page(page)

    # An existing topic: type, Down, Enter.
    page.keyboard.type("publ")
    options = page.get_by_role("listbox", name="Suggested topics").get_by_role("option")
    expect(options).to_have_text(["Public speaking", "Add “publ” as a new topic"])
    page.keyboard.press("ArrowDown")
    expect(goals).to_have_attribute("aria-activedescendant", "id_new_goals_picker_option_0")
    page.keyboard.press("Enter")
    chosen = page.get_by_role("list", name="Chosen: your goals").get_by_role("listitem")
    expect(chosen).to_have_text(["Public speaking"])

    # A near-duplicate of an existing topic: warned before and after adding it.
    page.keyboard.type("Hiring")
    warning = (
        "“Hiring” is close to the existing topic “Hiring and interviewing”: choose it if it "
        "means the same."
    )
    expect(page.locator(".topic-status")).to_have_text(warning)
    expect(options).to_have_text(["Hiring and interviewing", "Add “Hiring” as a new topic"])
    page.set_viewport_size(DESKTOP)
    screenshot(page, "enrolment-form")
    page.set_viewport_size(PHONE)
    _no_sideways_scroll(page)
    screenshot(page, "enrolment-form-phone")
    page.set_viewport_size(DESKTOP)
    page.keyboard.press("Enter")
    expect(page.locator(".topic-status")).to_have_text(f"Added Hiring. {warning}")
    expect(chosen).to_have_text(["Public speaking", "Hiring"])

    # Changed their mind: Remove, by keyboard, then the existing topic instead.
    page.get_by_role("button", name="Remove Hiring").focus()
    page.keyboard.press("Enter")
    expect(chosen).to_have_text(["Public speaking"])
    expect(goals).to_be_focused()
    page.keyboard.type("hiring")
    expect(options).to_have_text(["Hiring and interviewing", "Add “hiring” as a new topic"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(chosen).to_have_text(["Public speaking", "Hiring and interviewing"])
    a11y.check_page(page)

    page.get_by_role("button", name="Enrol").click()
    enrolled = "You are enrolled in Engineering Mentoring 2027."
    expect(page.get_by_role("alert")).to_have_text(enrolled)
    me = Participant.objects.get(employee=ana)
    assert sorted(me.goals.values_list("name", flat=True)) == [
        "Hiring and interviewing",
        "Public speaking",
    ]


def test_topics_typed_one_after_another_are_all_added_whenever_the_server_answers(
    page_as, live_server
):
    """Enter adds what was typed at once; the server's late answer only corrects its spelling,
    and never empties the box under the next topic being typed (a CI run once sent the form
    from that emptied box)."""
    program = make_program(name="Engineering Mentoring 2027")
    make_topics("Negotiation")
    page = page_as(make_employee(name="Ana Ruiz", level=3).user)
    visit(page, f"{live_server.url}/programmes/{program.slug}/enrol/")
    held = []
    page.route("**/programmes/topics/?q=*", lambda route: held.append(route))  # held back

    goals = page.get_by_role("combobox", name="Your goals")
    chosen = page.get_by_role("list", name="Chosen: your goals").get_by_role("listitem")
    goals.fill("negotiation")
    goals.press("Enter")
    expect(chosen).to_have_text(["negotiation"])
    expect(goals).to_have_value("")
    goals.fill("Writ")
    assert held, "the answer for 'negotiation' is being held"
    for route in held:
        route.continue_()
    expect(chosen).to_have_text(["Negotiation"])
    expect(goals).to_have_value("Writ")
    page.unroute("**/programmes/topics/?q=*")
    goals.press_sequentially("ing")
    goals.press("Enter")
    expect(chosen).to_have_text(["Negotiation", "Writing"])
    expect(page).to_have_url(f"{live_server.url}/programmes/{program.slug}/enrol/")


def test_the_guides_answer_comes_into_view_on_a_phone(page_as, live_server):
    page = page_as(make_employee().user)
    page.set_viewport_size(PHONE)
    visit(page, live_server.url + "/programmes/guide/")
    page.get_by_label("My career over the coming years").check()
    page.get_by_label("Direct advice from someone who has done it before").check()
    page.get_by_label("With direction from someone more senior or expert").check()
    page.get_by_label("Less often, in planned sessions (about monthly)").check()
    page.get_by_label("One person, one to one").check()
    page.get_by_role("button", name="Show my recommendation").click()

    result = page.get_by_role("region", name="We recommend mentoring")
    expect(result).to_be_focused()
    expect(result).to_be_in_viewport()
    _no_sideways_scroll(page)
    a11y.check_page(page)


def test_a_wrong_password_is_summed_up_and_the_summary_keeps_the_focus(page, live_server):
    user = make_employee(email="ana@example.org").user
    visit(page, live_server.url + "/accounts/login/")
    page.get_by_label("Work email").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    summary = page.get_by_role("region", name="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_count(1)
    a11y.check_page(page)


def test_hr_adds_a_participant_picking_topics_into_the_text_box(page_as, live_server, hr_admin):
    program = make_program(admins=[hr_admin])
    make_topics("Hiring and interviewing", "Negotiation")
    page = page_as(hr_admin)
    visit(page, f"{live_server.url}/programmes/{program.slug}/participants/add/")
    page.locator("#id_email").fill("cy@example.org")
    page.locator("#id_name").fill("Cy Mentee")
    page.locator("#id_role").select_option("mentee")
    goals = page.get_by_role("combobox", name="Goals")
    goals.fill("nego")
    options = page.get_by_role("listbox", name="Suggested topics").get_by_role("option")
    expect(options).to_have_text(["Negotiation", "Add “nego” as a new topic"])
    goals.press("ArrowDown")
    goals.press("Enter")
    goals.fill("Public speaking")
    goals.press("Enter")
    chosen = page.get_by_role("list", name="Chosen: goals").get_by_role("listitem")
    expect(chosen).to_have_text(["Negotiation", "Public speaking"])
    a11y.check_page(page)
    page.get_by_role("button", name="Enrol").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Participants")
    cy = Participant.objects.get(employee__email="cy@example.org")
    assert sorted(cy.goals.values_list("name", flat=True)) == ["Negotiation", "Public speaking"]
