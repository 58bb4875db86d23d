"""Failed logins lock the account (30) and the IP address (100), on the login page and
the Django admin's; the lock ends after the cool-off or when an admin resets it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import RequestFactory
from pytest_django.asserts import assertTemplateUsed

from programs.lockout import client_ip
from tests.factories import make_employee, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "pass-for-tests"


def _log_in(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_password(client):
    email = make_employee(name="Lou Locked").email
    statuses = [_log_in(client, email, f"wrong-{n}").status_code for n in range(30)]
    assert statuses == [200] * 29 + [429]

    response = _log_in(client, email, PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)
    attempt = AccessAttempt.objects.get(username=email)
    assert attempt.failures_since_start == 30
    assert AccessFailureLog.objects.filter(username=email).count() == 30
    assert AccessFailureLog.objects.filter(username=email, locked_out=True).count() == 1


def test_account_lock_holds_from_another_address(client):
    email = make_employee().email
    for n in range(30):
        _log_in(client, email, f"wrong-{n}")

    response = _log_in(client, email, PASSWORD, REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 429
    assert not _signed_in(client)


def test_locked_page_says_when_and_who_can_unlock(client):
    email = make_employee().email
    for n in range(30):
        response = _log_in(client, email, f"wrong-{n}")

    assert response.status_code == 429
    assertTemplateUsed(response, "registration/login_locked.html")
    assert response.content.count(b"<h1") == 1
    assert b"Try again after" in response.content
    assert b"Ask your HR team or an administrator to unlock your account." in response.content
    assert 3590 <= int(response["Retry-After"]) <= 3600


def test_lock_ends_after_the_cool_off(client):
    email = make_employee().email
    for n in range(30):
        _log_in(client, email, f"wrong-{n}")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=61)
    )

    response = _log_in(client, email, PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_axes_reset_username_unlocks_the_account(client):
    email = make_employee().email
    for n in range(30):
        _log_in(client, email, f"wrong-{n}")

    call_command("axes_reset_username", email)
    response = _log_in(client, email, PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_deleting_the_attempt_in_the_admin_unlocks_the_account(client):
    email = make_employee().email
    for n in range(30):
        _log_in(client, email, f"wrong-{n}")
    admin = make_user(is_staff=True, is_superuser=True)
    attempt = AccessAttempt.objects.get(username=email)
    admin_client = client.__class__()
    admin_client.force_login(admin)

    listing = admin_client.get("/admin/axes/accessattempt/")
    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert email.encode() in listing.content
    assert deleted.status_code == 302
    assert _log_in(client, email, PASSWORD).status_code == 302


def test_one_address_failing_against_many_accounts_locks_at_one_hundred(client):
    email = make_employee().email
    statuses = [_log_in(client, f"guess{n}@example.org", "wrong").status_code for n in range(100)]
    assert statuses == [200] * 99 + [429]

    assert _log_in(client, email, PASSWORD).status_code == 429
    assert not _signed_in(client)
    # Another address is not affected.
    assert _log_in(client, email, PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 302


def test_admin_login_locks_too(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user(is_staff=True, is_superuser=True)
    data = {"username": user.username, "password": "wrong", "next": "/admin/"}
    statuses = [client.post("/admin/login/", data).status_code for _ in range(3)]
    right = client.post("/admin/login/", {**data, "password": PASSWORD})

    assert statuses == [200, 200, 429]
    assert right.status_code == 429
    assert not _signed_in(client)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_proxies_it_is_told_of(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
