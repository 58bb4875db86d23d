"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/sso.py), and
PASSWORD_LOGIN=0, which leaves password sign-in to superusers."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import override_settings

from programs.models import Employee
from programs.services import employee_upsert
from programs.sso import EmployeeOIDCBackend
from tests.factories import make_employee, make_user
from tests.sso import run_provider, sso_settings, sso_sign_in, start_sign_in

pytestmark = pytest.mark.django_db

User = get_user_model()
FAILED = "/oidc/failed/"


def _signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def _counts():
    return User.objects.count(), Employee.objects.count()


def test_sso_signs_in_the_employee_with_the_same_email_in_another_case(client, sso):
    employee, _ = employee_upsert(email="ada.lovelace@example.org", name="Ada Lovelace")
    before = _counts()

    response = sso_sign_in(client, sso, sub="Ada.Lovelace@Example.ORG", next_path="/proposals/12/")

    assert response.status_code == 302
    assert response["Location"] == "/proposals/12/"
    assert _signed_in_user_id(client) == str(employee.user.pk)
    assert response.wsgi_request.user == employee.user
    assert _counts() == before


def test_sso_without_next_lands_on_what_is_waiting(client, sso):
    employee = make_employee(email="grace@example.org")

    response = sso_sign_in(client, sso, sub="grace@example.org")

    assert response["Location"] == "/start/"
    assert _signed_in_user_id(client) == str(employee.user.pk)


def test_sso_never_redirects_to_another_site(client, sso):
    make_employee(email="hedy@example.org")

    response = sso_sign_in(client, sso, sub="hedy@example.org", next_path="https://evil.example/")

    assert response["Location"] == "/start/"


def test_sso_unknown_email_gets_the_directory_page_and_no_account(client, sso):
    make_employee(email="known@example.org")
    before = _counts()

    response = sso_sign_in(client, sso, sub="stranger@example.org")

    assert response.status_code == 302
    assert response["Location"] == FAILED
    assert _signed_in_user_id(client) is None
    page = client.get(FAILED)
    assert page.status_code == 403
    assert page.context["reason"] == "not_in_directory"
    assert page.context["email"] == "stranger@example.org"
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert '<h1 class="h3 mb-3">We couldn\'t sign you in</h1>' in html
    assert "that email isn't in your organisation's directory in Pairwise" in html
    assert "Contact HR" in html
    assert _counts() == before


def test_sso_refuses_a_domain_outside_the_allowed_ones(client, oidc_provider):
    make_employee(email="contractor@agency.example")
    make_employee(email="staff@example.org")

    with sso_settings(oidc_provider, OIDC_ALLOWED_DOMAINS=["Example.org"]):
        refused = sso_sign_in(client, oidc_provider, sub="contractor@agency.example")
        assert refused["Location"] == FAILED
        assert client.get(FAILED).status_code == 403
        assert _signed_in_user_id(client) is None

        allowed = sso_sign_in(client, oidc_provider, sub="staff@example.org")
        assert allowed["Location"] == "/start/"
        assert _signed_in_user_id(client) is not None


def test_sso_refuses_an_inactive_user(client, sso):
    employee = make_employee(email="gone@example.org")
    employee.user.is_active = False
    employee.user.save()

    response = sso_sign_in(client, sso, sub="gone@example.org")

    assert response["Location"] == FAILED
    assert client.get(FAILED).status_code == 403
    assert _signed_in_user_id(client) is None


def test_sso_session_ends_when_the_user_is_deactivated(client, sso):
    employee = make_employee(email="leaver@example.org")
    assert sso_sign_in(client, sso, sub="leaver@example.org")["Location"] == "/start/"
    assert client.get("/").status_code == 200

    employee.user.is_active = False
    employee.user.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_sso_refuses_an_email_the_provider_has_not_verified(client, sso):
    make_employee(email="unverified@example.org")
    sso.set_user("unverified-sub", email="unverified@example.org", email_verified=False)

    response = sso_sign_in(client, sso, sub="unverified-sub")

    assert response["Location"] == FAILED
    page = client.get(FAILED)
    assert page.status_code == 403
    assert page.context["reason"] == "unverified"
    assert _signed_in_user_id(client) is None


def test_sso_accepts_a_verified_email_under_another_subject(client, sso):
    employee = make_employee(email="verified@example.org")
    sso.set_user("opaque-sub-123", email="verified@example.org", email_verified=True)

    response = sso_sign_in(client, sso, sub="opaque-sub-123")

    assert response["Location"] == "/start/"
    assert _signed_in_user_id(client) == str(employee.user.pk)


def test_sso_wrong_state_fails_cleanly(client, sso):
    make_employee(email="state@example.org")
    callback = sso.authorize(start_sign_in(client), "state@example.org")
    forged = callback.replace("state=", "state=forged")

    response = client.get(forged)

    assert response["Location"] == FAILED
    assert _signed_in_user_id(client) is None
    page = client.get(FAILED)
    assert page.status_code == 400
    assert page.context["reason"] == "incomplete"


def test_sso_callback_without_any_sign_in_started_fails_cleanly(client, sso):
    response = client.get("/oidc/callback/?code=abc&state=def")

    assert response["Location"] == FAILED
    assert client.get(FAILED).status_code == 400


def test_sso_same_callback_twice_signs_in_once(client, sso):
    employee = make_employee(email="twice@example.org")
    callback = sso.authorize(start_sign_in(client), "twice@example.org")
    assert client.get(callback)["Location"] == "/start/"
    assert _signed_in_user_id(client) == str(employee.user.pk)
    client.logout()

    replayed = client.get(callback)

    assert replayed["Location"] == FAILED
    assert _signed_in_user_id(client) is None
    assert client.get(FAILED).status_code == 400


def test_sso_replayed_code_with_a_fresh_state_is_refused_by_the_provider(client, sso):
    """The provider redeems a code once; a used code is what an expired one looks like
    to us too (invalid_grant). The mock cannot age codes, so this stands for both."""
    make_employee(email="replay@example.org")
    first = sso.authorize(start_sign_in(client), "replay@example.org")
    assert client.get(first)["Location"] == "/start/"
    client.logout()
    used_code = parse_qs(urlsplit(first).query)["code"][0]
    second = sso.authorize(start_sign_in(client), "replay@example.org")
    fresh_state = parse_qs(urlsplit(second).query)["state"][0]

    response = client.get(f"/oidc/callback/?code={used_code}&state={fresh_state}")

    assert response["Location"] == FAILED
    assert _signed_in_user_id(client) is None
    assert client.get(FAILED).context["reason"] == "incomplete"


def test_sso_expired_id_token_is_refused(client):
    make_employee(email="late@example.org")
    with (
        run_provider(access_token_max_age=timedelta(seconds=-60)) as provider,
        sso_settings(provider),
    ):
        response = sso_sign_in(client, provider, sub="late@example.org")

    assert response["Location"] == FAILED
    assert _signed_in_user_id(client) is None


def test_sso_token_for_another_client_is_refused(client, sso, monkeypatch):
    """An ID token whose audience is another application (here: the code redeemed under
    another client id) must not sign anyone in here; mozilla-django-oidc skips that check."""
    make_employee(email="aud@example.org")
    authorization = start_sign_in(client).replace("client_id=", "client_id=other-")
    callback = sso.authorize(authorization, "aud@example.org")
    get_token = EmployeeOIDCBackend.get_token

    def as_the_other_client(self, payload):
        return get_token(self, {**payload, "client_id": "other-" + payload["client_id"]})

    monkeypatch.setattr(EmployeeOIDCBackend, "get_token", as_the_other_client)

    response = client.get(callback)

    assert response["Location"] == FAILED
    assert _signed_in_user_id(client) is None
    assert client.get(FAILED).context["reason"] == "incomplete"


def test_sso_cancelled_at_the_provider_fails_cleanly(client, sso):
    authorization = start_sign_in(client)
    denied = requests.post(
        authorization, data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    assert parse_qs(urlsplit(denied.headers["Location"]).query)["error"] == ["access_denied"]

    response = client.get(denied.headers["Location"])

    assert response["Location"] == FAILED
    assert client.get(FAILED).status_code == 400


def test_sso_provider_down_gives_a_clear_page(client):
    with run_provider() as provider:
        pass  # started and stopped: its port now refuses connections
    with sso_settings(provider):
        response = client.get("/oidc/authenticate/")
        assert response["Location"] == FAILED
        page = client.get(FAILED)

    assert page.status_code == 503
    assert page.context["reason"] == "unavailable"


def test_sso_pages_are_404_when_sso_is_off(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    assert client.get(FAILED).status_code == 404


def test_sso_pages_are_public(client, sso):
    assert client.get("/oidc/authenticate/").status_code == 302
    assert client.get("/oidc/callback/").status_code == 302
    assert client.get(FAILED).status_code == 400


def test_login_page_without_sso_has_no_sso_button_and_a_work_email_field(client):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert "Sign in with single sign-on" not in html
    assert "Work email<span" in html
    assert response.context["form"].fields["username"].label == "Work email"


def test_login_page_with_sso_links_the_button_with_next(client, sso):
    response = client.get("/accounts/login/?next=/proposals/12/")

    html = response.content.decode()
    assert 'href="/oidc/authenticate/?next=/proposals/12/"' in html
    assert "Sign in with single sign-on" in html
    assert "Or with your password" in html
    assert html.count("<h1") == 1


@override_settings(PASSWORD_LOGIN=False)
def test_login_page_with_password_login_off_says_administrators_only(client, sso):
    html = client.get("/accounts/login/").content.decode()

    assert "Sign in with single sign-on" in html
    assert "Administrators only" in html


@override_settings(PASSWORD_LOGIN=False)
def test_password_login_off_refuses_an_employee_with_a_clear_error(client, sso):
    employee = make_employee(email="worker@example.org")

    response = client.post(
        "/accounts/login/", {"username": "worker@example.org", "password": "pass-for-tests"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only administrators sign in with a password here. "
        "Sign in with your organisation's single sign-on."
    ]
    assert _signed_in_user_id(client) is None
    assert employee.user.check_password("pass-for-tests")


@override_settings(PASSWORD_LOGIN=False)
def test_password_login_off_still_lets_a_superuser_in(client, sso):
    admin = make_user(username="root@example.org", is_superuser=True, is_staff=True)

    response = client.post(
        "/accounts/login/", {"username": "root@example.org", "password": "pass-for-tests"}
    )

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(admin.pk)


@override_settings(PASSWORD_LOGIN=False)
def test_password_login_off_applies_to_the_admin_login(client, sso):
    make_user(username="staff@example.org", is_staff=True)
    admin = make_user(username="root@example.org", is_superuser=True, is_staff=True)

    refused = client.post(
        "/admin/login/", {"username": "staff@example.org", "password": "pass-for-tests"}
    )
    assert refused.status_code == 200
    assert _signed_in_user_id(client) is None

    allowed = client.post(
        "/admin/login/", {"username": "root@example.org", "password": "pass-for-tests"}
    )
    assert allowed.status_code == 302
    assert _signed_in_user_id(client) == str(admin.pk)


def test_password_login_on_is_unchanged_for_employees(client, sso):
    employee = make_employee(email="both@example.org")

    response = client.post(
        "/accounts/login/", {"username": "both@example.org", "password": "pass-for-tests"}
    )

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(employee.user.pk)


def test_password_login_with_code_in_the_url_never_calls_the_provider(client, sso):
    employee = make_employee(email="query@example.org")

    response = client.post(
        "/accounts/login/?code=x&state=y",
        {"username": "query@example.org", "password": "pass-for-tests"},
    )

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(employee.user.pk)
