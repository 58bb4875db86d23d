"""Every HR view of a programme answers only to someone in the HR admins group: a programme
admin taken out of the group loses all of them at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from pairing.models import MatchRun
from programs.models import HR_ADMINS_GROUP
from programs.selectors import programs_administered_by
from tests.factories import make_live_pairing, make_user

pytestmark = pytest.mark.django_db

# Each programme's HR pages, as (URL name, what it takes, query string).
HR_PAGES = [
    ("hr:program_manage_list", None, ""),
    ("hr:program_create", None, ""),
    ("hr:program_detail", "slug", ""),
    ("hr:participant_table", "slug", ""),
    ("hr:participant_add", "slug", ""),
    ("hr:participant_import", "slug", ""),
    ("hr:participant_export", "slug", ""),
    ("hr:program_admins", "slug", ""),
    ("hr:program_edit", "slug", ""),
    ("hr:matchrun_create", "slug", ""),
    ("hr:dashboard", "slug", ""),
    ("hr:dashboard_csv", "slug", "?chart=enrolment"),
    ("hr:pairing_export", "slug", ""),
    ("hr:matchrun_detail", "run", ""),
    ("hr:matchrun_status", "run", ""),
]


@pytest.fixture
def run(program, hr_admin):
    return MatchRun.objects.create(program=program, created_by=hr_admin)


def _url(name, takes, query, *, program, run):
    args = {None: [], "slug": [program.slug], "run": [run.pk]}[takes]
    return reverse(name, args=args) + query


def _leave_the_group(user):
    user.groups.remove(Group.objects.get(name=HR_ADMINS_GROUP))


@pytest.mark.parametrize(("name", "takes", "query"), HR_PAGES)
def test_hr_page_opens_for_the_programme_admin_in_the_group(
    client, hr_admin, program, run, name, takes, query
):
    client.force_login(hr_admin)
    response = client.get(_url(name, takes, query, program=program, run=run))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "takes", "query"), HR_PAGES)
def test_hr_page_is_403_for_a_programme_admin_out_of_the_group(
    client, hr_admin, program, run, name, takes, query
):
    _leave_the_group(hr_admin)
    client.force_login(hr_admin)
    response = client.get(_url(name, takes, query, program=program, run=run))
    assert response.status_code == 403


def test_pairing_page_is_read_only_for_the_programme_admin_in_the_group(client, hr_admin, program):
    pairing = make_live_pairing(program=program)
    client.force_login(hr_admin)
    response = client.get(reverse("pairing:pairing_detail", args=[pairing.pk]))
    assert response.status_code == 200
    assert response.context["view"].me is None


def test_pairing_page_is_404_for_a_programme_admin_out_of_the_group(client, hr_admin, program):
    pairing = make_live_pairing(program=program)
    _leave_the_group(hr_admin)
    client.force_login(hr_admin)
    response = client.get(reverse("pairing:pairing_detail", args=[pairing.pk]))
    assert response.status_code == 404


def test_pairing_page_still_opens_for_its_member_who_administers_it_out_of_the_group(
    client, hr_admin, program
):
    pairing = make_live_pairing(program=program)
    member = pairing.members.first().participant.employee.user
    program.admins.add(member)
    client.force_login(member)
    response = client.get(reverse("pairing:pairing_detail", args=[pairing.pk]))
    assert response.status_code == 200
    assert response.context["view"].me.participant.employee.user == member


def test_programs_administered_by_needs_the_group_and_the_admin_row(hr_admin, program):
    superuser = make_user(is_superuser=True)
    assert list(programs_administered_by(user=hr_admin)) == [program]
    assert list(programs_administered_by(user=superuser)) == [program]
    _leave_the_group(hr_admin)
    # A fresh object, as the next request loads: is_hr_admin caches its answer on the user.
    fresh = get_user_model().objects.get(pk=hr_admin.pk)
    assert list(programs_administered_by(user=fresh)) == []
