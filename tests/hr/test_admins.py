"""A programme's admins page: who sees it, finding people by name, adding and removing."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from programs.models import HR_ADMINS_GROUP, AuditEvent
from tests.factories import make_employee, make_hr_admin, make_program, make_user

pytestmark = pytest.mark.django_db


def _page(program):
    return reverse("hr:program_admins", args=[program.slug])


def _add(program):
    return reverse("hr:program_admin_add", args=[program.slug])


def _remove(program):
    return reverse("hr:program_admin_remove", args=[program.slug])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _in_hr_group(user) -> bool:
    return user.groups.filter(name=HR_ADMINS_GROUP).exists()


def _audit(program) -> list[tuple[str, str]]:
    return [(e.action, e.summary) for e in AuditEvent.objects.filter(program=program)]


@pytest.fixture
def ann(db):
    """A colleague in the directory, not an HR admin."""
    return make_employee(name="Ann Archer", email="ann.archer@example.org")


# --- Access -----------------------------------------------------------------------------


def test_admins_page_opens_for_the_programme_admin_and_superusers(client, hr_admin, program):
    client.force_login(hr_admin)
    assert client.get(_page(program)).status_code == 200
    client.force_login(make_user(is_superuser=True))
    assert client.get(_page(program)).status_code == 200


def test_admins_page_is_404_for_another_hr_admin_and_403_for_employees(client, program, outsider):
    client.force_login(make_hr_admin(name="Other HR"))
    assert client.get(_page(program)).status_code == 404
    client.force_login(outsider)
    assert client.get(_page(program)).status_code == 403


def test_admin_changes_by_another_hr_admin_are_404_and_change_nothing(
    client, hr_admin, program, ann
):
    client.force_login(make_hr_admin(name="Other HR"))
    add = client.post(_add(program), {"employee": ann.pk})
    remove = client.post(_remove(program), {"user": hr_admin.pk})
    assert (add.status_code, remove.status_code) == (404, 404)
    assert list(program.admins.all()) == [hr_admin]
    assert _audit(program) == []


def test_admin_changes_by_employees_are_403(client, hr_admin, program, outsider, ann):
    client.force_login(outsider)
    add = client.post(_add(program), {"employee": ann.pk})
    remove = client.post(_remove(program), {"user": hr_admin.pk})
    assert (add.status_code, remove.status_code) == (403, 403)
    assert list(program.admins.all()) == [hr_admin]


def test_admin_changes_are_post_only(client, hr_admin, program):
    client.force_login(hr_admin)
    assert client.get(_add(program)).status_code == 405
    assert client.get(_remove(program)).status_code == 405


def test_admin_changes_need_the_csrf_token(hr_admin, program, ann):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr_admin)
    assert client.post(_add(program), {"employee": ann.pk}).status_code == 403
    assert program.admins.count() == 1


def test_hr_nav_links_the_admins_page(client, hr_admin, program):
    client.force_login(hr_admin)
    page = client.get(program.get_absolute_url()).content.decode()
    assert f'href="{_page(program)}">Admins</a>' in page


# --- The page ---------------------------------------------------------------------------


def test_admins_page_lists_the_admins_by_name_and_flags_those_out_of_the_group(
    client, hr_admin, program
):
    left = make_hr_admin(name="Bea Left")
    left.groups.clear()
    program.admins.add(left, make_hr_admin(name="Abe Co"))
    client.force_login(hr_admin)
    response = client.get(_page(program))
    admins = response.context["admins"]
    assert [(a.employee.name, a.in_hr_group) for a in admins] == [
        ("Abe Co", True),
        ("Bea Left", False),
        ("Hana HR", True),
    ]
    assert response.content.decode().count("Not in the HR admins group") == 1


def test_search_finds_people_by_name_or_email_but_not_admins_or_inactive(
    client, hr_admin, program, ann
):
    make_employee(name="Zed Zulu", email="annex@example.org")
    make_employee(name="Bob Brown", email="bob@example.org")
    gone = make_employee(name="Annabel Gone")
    gone.user.is_active = False
    gone.user.save()
    program.admins.add(make_hr_admin(name="Anna Admin"))
    client.force_login(hr_admin)
    response = client.get(_page(program), {"q": " ann "})
    assert [e.name for e in response.context["candidates"]] == ["Ann Archer", "Zed Zulu"]
    assert response.context["more"] is False


def test_search_without_words_lists_no_one(client, hr_admin, program, ann):
    client.force_login(hr_admin)
    for query in ({}, {"q": ""}, {"q": "   "}):
        assert client.get(_page(program), query).context["candidates"] == []


def test_search_says_when_there_are_more_matches_than_shown(client, hr_admin, program, monkeypatch):
    monkeypatch.setattr("pairing.hr.views.admins.CANDIDATES_SHOWN", 2)
    for n in range(3):
        make_employee(name=f"Cat {n}")
    client.force_login(hr_admin)
    response = client.get(_page(program), {"q": "cat"})
    assert [e.name for e in response.context["candidates"]] == ["Cat 0", "Cat 1"]
    assert response.context["more"] is True
    assert "type more of the name" in response.content.decode()


def test_search_with_htmx_returns_the_matches_alone(client, hr_admin, program, ann):
    client.force_login(hr_admin)
    response = client.get(_page(program), {"q": "archer"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="admin-candidates"')
    assert "<h1" not in body
    assert f'name="employee" value="{ann.pk}"' in body
    assert response["Vary"].split(", ").count("HX-Request") == 1


def test_search_with_htmx_restoring_history_returns_the_whole_page(client, hr_admin, program):
    client.force_login(hr_admin)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get(_page(program), {"q": "x"}, headers=headers)
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("count", [1, 3])
def test_admins_page_query_count_is_the_same_for_1_and_3_admins(
    client, hr_admin, program, django_assert_num_queries, count
):
    for n in range(count - 1):
        program.admins.add(make_hr_admin(name=f"Co Admin {n}"))
    for n in range(count):
        make_employee(name=f"Dee Candidate {n}")
    client.force_login(hr_admin)
    # session, user, HR group, programme, candidates, admins, the navbar's employee
    with django_assert_num_queries(7):
        response = client.get(_page(program), {"q": "candidate"})
    assert (len(response.context["admins"]), len(response.context["candidates"])) == (
        count,
        count,
    )


# --- Adding -----------------------------------------------------------------------------


def test_adding_makes_them_admin_and_hr_admin_and_is_audited(client, hr_admin, program, ann):
    client.force_login(hr_admin)
    response = client.post(_add(program), {"employee": ann.pk})
    assert response.status_code == 302
    assert response["Location"] == _page(program)
    assert _messages(response) == [f"Ann Archer is now an admin of {program.name} and an HR admin."]
    assert set(program.admins.all()) == {hr_admin, ann.user}
    assert _in_hr_group(ann.user) is True
    event = AuditEvent.objects.get(program=program)
    assert (event.action, event.actor, event.summary, event.detail) == (
        AuditEvent.Action.ADMIN_ADDED,
        hr_admin,
        "Added Ann Archer as an admin and to the HR admins group",
        {"user_id": ann.user.pk, "email": "ann.archer@example.org", "joined_hr_admins": True},
    )


def test_the_added_admin_opens_the_programmes_hr_pages(client, hr_admin, program, ann):
    client.force_login(hr_admin)
    client.post(_add(program), {"employee": ann.pk})
    client.force_login(ann.user)
    assert client.get(program.get_absolute_url()).status_code == 200
    assert client.get(_page(program)).status_code == 200


def test_adding_an_hr_admin_leaves_the_group_as_it_is(client, hr_admin, program):
    colleague = make_hr_admin(name="Cole HR")
    client.force_login(hr_admin)
    response = client.post(_add(program), {"employee": colleague.employee.pk})
    assert _messages(response) == [f"Cole HR is now an admin of {program.name}."]
    assert colleague.groups.count() == 1
    assert _audit(program) == [(AuditEvent.Action.ADMIN_ADDED, "Added Cole HR as an admin")]


def test_adding_someone_already_admin_is_refused(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(_add(program), {"employee": hr_admin.employee.pk})
    assert response.status_code == 302
    assert _messages(response) == [f"Hana HR is already an admin of {program.name}."]
    assert program.admins.count() == 1
    assert _audit(program) == []


def test_adding_someone_who_cannot_log_in_is_refused(client, hr_admin, program, ann):
    ann.user.is_active = False
    ann.user.save()
    client.force_login(hr_admin)
    response = client.post(_add(program), {"employee": ann.pk})
    assert _messages(response) == ["Ann Archer cannot log in, so cannot be an admin."]
    assert (program.admins.count(), _in_hr_group(ann.user)) == (1, False)


@pytest.mark.parametrize("data", [{}, {"employee": ""}, {"employee": "abc"}, {"employee": "999"}])
def test_adding_without_a_known_person_is_refused_without_an_error_page(
    client, hr_admin, program, data
):
    client.force_login(hr_admin)
    response = client.post(_add(program), data)
    assert response.status_code == 302
    assert _messages(response) == ["Choose someone from the search results."]
    assert program.admins.count() == 1


# --- Removing ---------------------------------------------------------------------------


def test_removing_a_co_admin_takes_them_off_this_programme_only(client, hr_admin, program):
    co = make_hr_admin(name="Cole HR")
    program.admins.add(co)
    other = make_program(admins=[co])
    client.force_login(hr_admin)
    response = client.post(_remove(program), {"user": co.pk})
    assert response["Location"] == _page(program)
    assert _messages(response) == [f"Cole HR is no longer an admin of {program.name}."]
    assert list(program.admins.all()) == [hr_admin]
    assert (list(other.admins.all()), _in_hr_group(co)) == ([co], True)
    assert _audit(program) == [(AuditEvent.Action.ADMIN_REMOVED, "Removed Cole HR as an admin")]
    client.force_login(co)
    assert client.get(_page(program)).status_code == 404


def test_removing_the_last_admin_is_refused(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(_remove(program), {"user": hr_admin.pk})
    assert response["Location"] == _page(program)
    assert _messages(response) == [
        f"Hana HR is the last admin of {program.name} who can open its HR pages; "
        "add another admin first."
    ]
    assert list(program.admins.all()) == [hr_admin]
    assert _audit(program) == []


def test_removing_the_last_admin_in_the_group_is_refused(client, hr_admin, program):
    left = make_hr_admin(name="Bea Left")
    left.groups.remove(Group.objects.get(name=HR_ADMINS_GROUP))
    program.admins.add(left)
    client.force_login(hr_admin)
    client.post(_remove(program), {"user": hr_admin.pk})
    assert set(program.admins.all()) == {hr_admin, left}


def test_removing_yourself_leaves_the_programme_to_the_others(client, hr_admin, program):
    program.admins.add(make_hr_admin(name="Cole HR"))
    client.force_login(hr_admin)
    response = client.post(_remove(program), {"user": hr_admin.pk})
    assert response["Location"] == reverse("hr:program_manage_list")
    assert _messages(response) == [f"You are no longer an admin of {program.name}."]
    assert client.get(_page(program)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "garbage", "missing"])
def test_removing_someone_not_admin_is_refused_without_an_error_page(
    client, hr_admin, program, outsider, who
):
    value = {"outsider": outsider.pk, "garbage": "x", "missing": ""}[who]
    client.force_login(hr_admin)
    response = client.post(_remove(program), {"user": value})
    assert response.status_code == 302
    assert _messages(response) == ["That person is not an admin of this programme."]
    assert list(program.admins.all()) == [hr_admin]
