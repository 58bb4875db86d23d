"""The profile page where people switch optional emails off and set their time zone."""

import pytest
from django.urls import reverse

from programs.models import Employee
from tests.factories import make_employee, make_user

pytestmark = pytest.mark.django_db

URL = "/programmes/me/"


def test_profile_url_is_me():
    assert reverse("programs:profile") == URL


def test_owner_sees_their_own_preferences(client):
    employee = make_employee(time_zone="America/New_York")
    client.force_login(employee.user)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.instance == employee
    assert list(form.fields) == ["optional_emails", "time_zone"]
    assert form.initial["time_zone"] == "America/New_York"


def test_owner_switches_reminders_off_and_changes_time_zone(client):
    employee = make_employee()
    other = make_employee()
    client.force_login(employee.user)
    response = client.post(URL, {"time_zone": "Asia/Kolkata"})  # unticked box: off
    assert response.status_code == 302
    assert response.url == URL
    employee.refresh_from_db()
    other.refresh_from_db()
    assert (employee.optional_emails, employee.time_zone) == (False, "Asia/Kolkata")
    assert (other.optional_emails, other.time_zone) == (True, "Europe/London")


def test_unknown_time_zone_is_refused(client):
    employee = make_employee()
    client.force_login(employee.user)
    response = client.post(URL, {"optional_emails": "on", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["time_zone"]
    assert Employee.objects.get(pk=employee.pk).time_zone == "Europe/London"


def test_account_without_an_employee_gets_404(client):
    client.force_login(make_user())
    assert client.get(URL).status_code == 404


def test_navbar_links_to_email_preferences(client):
    client.force_login(make_employee().user)
    response = client.get(reverse("home"))
    assert f'<a class="dropdown-item" href="{URL}">Email preferences</a>' in response.text
