"""The directory pages: people admins only, the list's search and filters, one person's
edit page, the people admins page, and their query counts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from pairing.models import Pairing
from programs.models import PEOPLE_ADMINS_GROUP, AuditEvent, Employee, Participant
from tests.factories import (
    make_active_pairing,
    make_employee,
    make_participant,
    make_people_admin,
    make_program,
    make_user,
)

pytestmark = pytest.mark.django_db

GET_PAGES = [
    ("hr:directory_list", False),
    ("hr:person_edit", True),
    ("hr:people_admins", False),
]
POST_PAGES = ["hr:people_admin_add", "hr:people_admin_remove"]


@pytest.fixture
def people_admin(db):
    return make_people_admin(name="Pia People")


def _url(name, needs_pk, employee):
    return reverse(name, args=[employee.pk]) if needs_pk else reverse(name)


@pytest.mark.parametrize(("name", "needs_pk"), GET_PAGES)
def test_directory_pages_are_for_people_admins_only(
    client, hr_admin, outsider, people_admin, name, needs_pk
):
    url = _url(name, needs_pk, outsider.employee)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
    for user in (hr_admin, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(people_admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", POST_PAGES)
def test_people_admin_changes_are_post_only_and_people_admins_only(
    client, hr_admin, outsider, people_admin, name
):
    url = reverse(name)
    client.force_login(hr_admin)
    assert (
        client.post(url, {"employee": outsider.employee.pk, "user": people_admin.pk}).status_code
        == 403
    )
    client.force_login(people_admin)
    assert client.get(url).status_code == 405


def test_person_page_post_by_an_hr_admin_is_refused_and_changes_nothing(client, hr_admin):
    ana = make_employee(name="Ana Brennan", level=3)
    client.force_login(hr_admin)
    response = client.post(reverse("hr:person_edit", args=[ana.pk]), _person_post(ana, level="5"))
    ana.refresh_from_db()
    assert (response.status_code, ana.level) == (403, 3)


def test_navbar_links_the_directory_for_people_admins_only(client, hr_admin, people_admin):
    client.force_login(hr_admin)
    assert 'href="/directory/"' not in client.get("/").content.decode()
    client.force_login(people_admin)
    assert 'href="/directory/"' in client.get("/").content.decode()


# The list.


@pytest.fixture
def staff(people_admin):
    boss = make_employee(name="Bea Boss", email="bea@example.org", department="Sales", level=5)
    ana = make_employee(name="Ana Ruiz", email="ana@example.org", department="Finance", level=2)
    cal = make_employee(name="Cal Okafor", department="Sales", level=2, manager=boss)
    gus = make_employee(name="Gus Gone", department="Finance", level=4)
    gus.user.is_active = False
    gus.user.save()
    for employee in (boss, gus):
        employee.user.last_login = timezone.now() - timedelta(days=3)
        employee.user.save()
    return {"boss": boss, "ana": ana, "cal": cal, "gus": gus}


def _names(client, **query):
    response = client.get(reverse("hr:directory_list"), query)
    assert response.status_code == 200
    return [employee.name for employee in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, ["Ana Ruiz", "Bea Boss", "Cal Okafor", "Pia People"]),
        ({"q": "okaf"}, ["Cal Okafor"]),
        ({"q": "ANA@EXAMPLE"}, ["Ana Ruiz"]),
        ({"q": "gus"}, []),
        ({"q": "gus", "status": "everyone"}, ["Gus Gone"]),
        ({"status": "leavers"}, ["Gus Gone"]),
        ({"status": "everyone"}, ["Ana Ruiz", "Bea Boss", "Cal Okafor", "Gus Gone", "Pia People"]),
        ({"department": "Sales"}, ["Bea Boss", "Cal Okafor"]),
        ({"department": "Finance", "status": "everyone"}, ["Ana Ruiz", "Gus Gone"]),
        ({"level": "2"}, ["Ana Ruiz", "Cal Okafor"]),
        # The people admin signed in to look.
        ({"signed_in": "yes"}, ["Bea Boss", "Pia People"]),
        ({"signed_in": "no"}, ["Ana Ruiz", "Cal Okafor"]),
        ({"signed_in": "yes", "status": "leavers"}, ["Gus Gone"]),
    ],
)
def test_directory_list_searches_and_filters(client, people_admin, staff, query, names):
    client.force_login(people_admin)
    assert _names(client, **query) == names


def test_directory_list_offers_the_existing_departments_and_shows_the_columns(
    client, people_admin, staff
):
    client.force_login(people_admin)
    response = client.get(reverse("hr:directory_list"), {"status": "everyone"})
    assert response.context["form"].fields["department"].choices == [
        ("", "Any department"),
        ("Finance", "Finance"),
        ("People", "People"),
        ("Sales", "Sales"),
    ]
    html = response.content.decode()
    assert f'href="/directory/{staff["cal"].pk}/"' in html
    assert html.count(">Left</span>") == 1
    assert "Bea Boss" in html  # Cal's manager column


def test_directory_list_bad_filters_fall_back_to_current_staff_and_say_why(
    client, people_admin, staff
):
    client.force_login(people_admin)
    response = client.get(
        reverse("hr:directory_list"), {"level": "99", "status": "gone", "q": "x" * 201}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"level", "status", "q"}
    assert [e.name for e in response.context["page"]] == [
        "Ana Ruiz",
        "Bea Boss",
        "Cal Okafor",
        "Pia People",
    ]


def test_directory_list_pages_by_50(client, people_admin):
    for n in range(50):
        make_employee(name=f"P{n:03}")
    client.force_login(people_admin)
    assert (len(_names(client)), _names(client, page=2)) == (50, ["Pia People"])


def test_directory_list_shows_the_latest_20_directory_events_only(client, people_admin):
    program = make_program()
    AuditEvent.objects.create(program=program, action="created", summary="Programme event")
    for n in range(21):
        AuditEvent.objects.create(
            action="person_changed", summary=f"Change {n:02}", actor=people_admin
        )
    client.force_login(people_admin)
    response = client.get(reverse("hr:directory_list"))
    assert [e.summary for e in response.context["events"]] == [
        f"Change {n:02}" for n in range(20, 0, -1)
    ]


@pytest.mark.parametrize("people", [3, 30])
def test_directory_list_query_count_is_the_same_for_3_and_30_people(
    client, people_admin, django_assert_num_queries, people
):
    boss = make_employee(name="Bea Boss")
    for _ in range(people):
        make_employee(manager=boss)
    for n in range(3):
        AuditEvent.objects.create(
            action="person_changed", summary=f"Change {n}", actor=people_admin
        )
    client.force_login(people_admin)
    # session, user, groups, navbar's employee, departments, count, page (with login and
    # manager), audit events (with actor and employee)
    with django_assert_num_queries(8):
        response = client.get(reverse("hr:directory_list"))
    assert response.context["page"].paginator.count == people + 2


# One person.


def _person_post(employee, **overrides):
    data = {
        "name": employee.name,
        "department": employee.department,
        "title": employee.title,
        "level": str(employee.level),
        "manager_email": employee.manager.email if employee.manager else "",
        "time_zone": employee.time_zone,
        "active": "on" if employee.is_active else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _state(employee):
    employee = Employee.objects.select_related("user", "manager").get(pk=employee.pk)
    return (
        employee.name,
        employee.department,
        employee.title,
        employee.level,
        employee.manager,
        employee.time_zone,
        employee.user.is_active,
    )


def test_person_page_saves_exactly_what_changed_and_says_so(client, people_admin):
    boss = make_employee(name="Bea Boss", email="bea@example.org")
    ana = make_employee(name="Ana Brennan", level=3, department="Finance", title="Analyst")
    url = reverse("hr:person_edit", args=[ana.pk])
    client.force_login(people_admin)

    response = client.post(
        url, _person_post(ana, level="4", manager_email="BEA@example.org "), follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == ["Saved: level, manager."]
    assert _state(ana) == ("Ana Brennan", "Finance", "Analyst", 4, boss, ana.time_zone, True)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_CHANGED)
    assert (event.program, event.actor) == (None, people_admin)

    response = client.post(url, _person_post(Employee.objects.get(pk=ana.pk)), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Nothing changed."]
    response = client.post(
        url, _person_post(ana, level="4", manager_email="bea@example.org", time_zone="Asia/Tokyo"),
        follow=True,
    )  # fmt: skip
    assert [str(m) for m in response.context["messages"]] == ["Saved: time zone."]


def test_person_page_marking_a_leaver_ends_their_live_pairing_and_back_again(
    client, people_admin, django_capture_on_commit_callbacks
):
    program = make_program()
    mentor = make_participant(program=program, role=Participant.Role.MENTOR)
    mentee = make_participant(program=program)
    pairing = make_active_pairing(guide=mentor, learner=mentee)
    employee = mentor.employee
    url = reverse("hr:person_edit", args=[employee.pk])
    client.force_login(people_admin)
    assert client.get(url).context["live_pairings"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _person_post(employee, active=""), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Saved: marked as a leaver."]
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ENDED
    assert response.context["live_pairings"] == 0
    response = client.post(url, _person_post(employee, active="on"), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Saved: marked as back."]
    employee.user.refresh_from_db()
    assert employee.user.is_active is True


def test_person_page_lists_enrolments_with_status_and_live_pairings(client, people_admin):
    ana = make_employee(name="Ana Brennan")
    grow, lead, old = (make_program(name=n) for n in ("Grow", "Lead", "Old"))
    enrolment = make_participant(program=grow, employee=ana)
    make_active_pairing(guide=make_participant(program=grow, role="mentor"), learner=enrolment)
    make_participant(
        program=lead, employee=ana, role="mentor",
        paused_until=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    make_participant(program=old, employee=ana, withdrawn_at=timezone.now())
    client.force_login(people_admin)

    response = client.get(reverse("hr:person_edit", args=[ana.pk]))

    rows = [
        (e.program.name, e.role, bool(e.withdrawn_at), e.is_paused, e.live_pairings)
        for e in response.context["enrolments"]
    ]
    assert rows == [
        ("Old", "mentee", True, False, 0),
        ("Lead", "mentor", False, True, 0),
        ("Grow", "mentee", False, False, 1),
    ]
    assert response.context["live_pairings"] == 1
    html = response.content.decode()
    assert "Withdrawn" in html and "Paused until" in html


@pytest.mark.parametrize("enrolments", [1, 3])
def test_person_page_query_count_is_the_same_for_1_and_3_enrolments(
    client, people_admin, django_assert_num_queries, enrolments
):
    ana = make_employee(name="Ana Brennan", manager=make_employee())
    for _ in range(enrolments):
        make_participant(program=make_program(), employee=ana)
    client.force_login(people_admin)
    # session, user, groups, the person (login, manager), enrolments (programme, live
    # pairings), navbar's employee
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:person_edit", args=[ana.pk]))
    assert len(response.context["enrolments"]) == enrolments


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"name": "   "}, "name", "This field is required."),
        ({"name": "Ana\x00"}, "name", "Null characters are not allowed."),
        (
            {"department": "d" * 101},
            "department",
            "Ensure this value has at most 100 characters (it has 101).",
        ),
        ({"title": "t\x00"}, "title", "Null characters are not allowed."),
        ({"level": "7"}, "level", "Select a valid choice. 7 is not one of the available choices."),
        (
            {"level": "abc"},
            "level",
            "Select a valid choice. abc is not one of the available choices.",
        ),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ({"manager_email": "not-an-email"}, "manager_email", "Enter a valid email address."),
        (
            {"manager_email": "a\x00@example.org"},
            "manager_email",
            ["Enter a valid email address.", "Null characters are not allowed."],
        ),
        (
            {"manager_email": "nobody@example.org"},
            "manager_email",
            "No one in the directory has the email nobody@example.org.",
        ),
        (
            {"manager_email": "ana@example.org"},
            "manager_email",
            "A person cannot be their own manager.",
        ),
    ],
)
def test_person_page_bad_input_gives_a_field_error_and_changes_nothing(
    client, people_admin, overrides, field, message
):
    ana = make_employee(name="Ana Brennan", email="ana@example.org")
    before = _state(ana)
    client.force_login(people_admin)

    response = client.post(reverse("hr:person_edit", args=[ana.pk]), _person_post(ana, **overrides))

    assert response.status_code == 200
    messages = message if isinstance(message, list) else [message]
    assert response.context["form"].errors == {field: messages}
    assert _state(ana) == before
    assert not AuditEvent.objects.exists()


def test_person_page_refuses_marking_yourself_as_a_leaver(client, people_admin):
    me = people_admin.employee
    client.force_login(people_admin)
    response = client.post(reverse("hr:person_edit", args=[me.pk]), _person_post(me, active=""))
    assert response.context["form"].errors == {"active": ["You cannot mark yourself as a leaver."]}
    people_admin.refresh_from_db()
    assert people_admin.is_active is True


def test_person_page_of_a_leaver_says_how_to_mark_them_back(client, people_admin):
    gus = make_employee(name="Gus Gone")
    gus.user.is_active = False
    gus.user.save()
    client.force_login(people_admin)
    response = client.get(reverse("hr:person_edit", args=[gus.pk]))
    form = response.context["form"]
    assert (form.initial["active"], form.fields["active"].help_text) == (
        False,
        "They left the organisation. Tick to mark them as back: they can sign in again; "
        "pairings that ended stay ended.",
    )
    assert ">Left</span>" in response.content.decode()


def test_person_page_shows_a_refusal_of_the_model_as_a_form_error(
    client, people_admin, monkeypatch
):
    from django.core.exceptions import ValidationError

    from pairing.hr.views import directory

    def refuse(**kwargs):
        raise ValidationError({"manager": ["Select a valid choice."]})

    monkeypatch.setattr(directory, "employee_directory_update", refuse)
    ana = make_employee(name="Ana Brennan")
    client.force_login(people_admin)
    response = client.post(reverse("hr:person_edit", args=[ana.pk]), _person_post(ana, level="5"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": ["Select a valid choice."]}
    assert response.context["employee"].level == 3


def test_person_page_of_someone_unknown_is_a_404(client, people_admin):
    client.force_login(people_admin)
    assert client.get(reverse("hr:person_edit", args=[999999])).status_code == 404


# People admins.


def test_people_admins_page_lists_members_and_searches_the_directory(client, people_admin):
    make_employee(name="Ann Archer")
    make_employee(name="Bo Brown", email="bo.annan@example.org")
    make_employee(name="Cy Cole")
    client.force_login(people_admin)
    response = client.get(reverse("hr:people_admins"), {"q": "ANN"})
    assert [u.employee.name for u in response.context["admins"]] == ["Pia People"]
    assert [e.name for e in response.context["candidates"]] == ["Ann Archer", "Bo Brown"]


def test_people_admins_search_leaves_out_members_and_leavers(client, people_admin):
    ann = make_employee(name="Ann Archer")
    gone = make_employee(name="Anna Gone")
    gone.user.is_active = False
    gone.user.save()
    client.force_login(people_admin)
    response = client.get(reverse("hr:people_admins"), {"q": "a"})
    assert [e.name for e in response.context["candidates"]] == ["Ann Archer"]
    assert ann.user.pk not in [u.pk for u in response.context["admins"]]


def test_people_admin_adds_and_removes_another(client, people_admin):
    ann = make_employee(name="Ann Archer")
    client.force_login(people_admin)

    response = client.post(reverse("hr:people_admin_add"), {"employee": ann.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Ann Archer is now a people admin."]
    assert [u.employee.name for u in response.context["admins"]] == ["Ann Archer", "Pia People"]

    response = client.post(reverse("hr:people_admin_add"), {"employee": ann.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Ann Archer is already a people admin."
    ]

    response = client.post(reverse("hr:people_admin_remove"), {"user": ann.user.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Ann Archer is no longer a people admin."
    ]
    assert not ann.user.groups.filter(name=PEOPLE_ADMINS_GROUP).exists()


def test_people_admin_remove_shows_why_it_refuses(client, people_admin):
    client.force_login(people_admin)
    response = client.post(
        reverse("hr:people_admin_remove"), {"user": people_admin.pk}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Pia People is the last people admin; add another one first."
    ]
    outsider = make_employee(name="Olive Outsider").user
    response = client.post(reverse("hr:people_admin_remove"), {"user": outsider.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["That person is not a people admin."]
    response = client.post(reverse("hr:people_admin_add"), {"employee": "x"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Choose someone from the search results."
    ]
    assert list(Group.objects.get(name=PEOPLE_ADMINS_GROUP).user_set.all()) == [people_admin]


def test_people_admin_removing_themselves_goes_home(client, people_admin):
    other = make_people_admin(name="Oda Other")
    client.force_login(people_admin)
    response = client.post(reverse("hr:people_admin_remove"), {"user": people_admin.pk})
    assert response["Location"] == reverse("home")
    assert list(Group.objects.get(name=PEOPLE_ADMINS_GROUP).user_set.all()) == [other]
    assert client.get(reverse("hr:directory_list")).status_code == 403


def test_people_admins_htmx_search_returns_the_matches_alone(client, people_admin):
    make_employee(name="Ann Archer")
    client.force_login(people_admin)
    response = client.get(reverse("hr:people_admins"), {"q": "ann"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="people-admin-candidates"')
    assert "Ann Archer" in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.parametrize("members", [1, 3])
def test_people_admins_page_query_count_is_the_same_for_1_and_3_members(
    client, people_admin, django_assert_num_queries, members
):
    for n in range(members - 1):
        make_people_admin(name=f"Extra {n}")
    for n in range(members):
        make_employee(name=f"Sam {n}")
    make_user(is_superuser=True)
    client.force_login(people_admin)
    # session, user, groups, candidates (with login), members (with employee), navbar's
    # employee
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:people_admins"), {"q": "sam"})
    assert (len(response.context["admins"]), len(response.context["candidates"])) == (
        members,
        members,
    )
