"""The HR pages kept their addresses when they moved to pairing/hr/: people have them
bookmarked. Each old path still resolves to the same page and answers as it did, and the
employees' pages under /programmes/ are not swallowed by the HR programme page."""

import pytest
from django.urls import resolve

from pairing.models import MatchRun
from tests.factories import make_people_admin

pytestmark = pytest.mark.django_db

# (path as bookmarked, with {slug} and {run}; the page it is; the status for its admin)
HR_BOOKMARKS = [
    ("/programmes/manage/", "hr:program_manage_list", 200),
    ("/programmes/manage/new/", "hr:program_create", 200),
    ("/programmes/{slug}/", "hr:program_detail", 200),
    ("/programmes/{slug}/settings/", "hr:program_edit", 200),
    ("/programmes/{slug}/participants/", "hr:participant_table", 200),
    ("/programmes/{slug}/participants/import/", "hr:participant_import", 200),
    ("/programmes/{slug}/participants.csv", "hr:participant_export", 200),
    ("/programmes/{slug}/admins/", "hr:program_admins", 200),
    ("/programmes/{slug}/matching/", "hr:matchrun_create", 200),
    ("/programmes/{slug}/dashboard/", "hr:dashboard", 200),
    ("/programmes/{slug}/pairings.csv", "hr:pairing_export", 200),
    ("/matching/runs/{run}/", "hr:matchrun_detail", 200),
]

PEOPLE_ADMIN_BOOKMARKS = [
    ("/directory/", "hr:directory_list", 200),
    ("/directory/import/", "hr:directory_import", 200),
    ("/directory/admins/", "hr:people_admins", 200),
    ("/directory/scim-tokens/", "hr:scim_tokens", 200),
]

# The employees' pages beside them, which resolve first.
EMPLOYEE_PATHS = [
    ("/programmes/", "programs:program_list"),
    ("/programmes/guide/", "programs:guide"),
    ("/programmes/me/", "programs:profile"),
    ("/programmes/{slug}/enrol/", "programs:program_enrol"),
]


@pytest.fixture
def run(program, hr_admin):
    return MatchRun.objects.create(program=program, created_by=hr_admin)


@pytest.mark.parametrize(("path", "view_name", "status"), HR_BOOKMARKS)
def test_hr_bookmark_opens_the_same_page(client, hr_admin, program, run, path, view_name, status):
    path = path.format(slug=program.slug, run=run.pk)
    assert resolve(path).view_name == view_name
    client.force_login(hr_admin)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(("path", "view_name", "status"), PEOPLE_ADMIN_BOOKMARKS)
def test_directory_bookmark_opens_the_same_page(client, path, view_name, status):
    assert resolve(path).view_name == view_name
    client.force_login(make_people_admin())
    assert client.get(path).status_code == status


@pytest.mark.parametrize(("path", "view_name", "status"), HR_BOOKMARKS[:3])
def test_hr_bookmark_sends_the_signed_out_to_log_in(client, program, run, path, view_name, status):
    path = path.format(slug=program.slug, run=run.pk)
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={path}")


@pytest.mark.parametrize(("path", "view_name"), EMPLOYEE_PATHS)
def test_employee_pages_under_programmes_are_not_taken_by_hr_pages(program, path, view_name):
    assert resolve(path.format(slug=program.slug)).view_name == view_name
