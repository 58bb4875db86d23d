"""Every URL of the product, but the login, password-reset and single sign-on pages,
needs a login."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "invitation_accept",
    # Single sign-on: signed-out people start it, come back to it, and read why it failed.
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "sso_failed",
    # The load balancer's probe.
    "healthz",
}


def _named_patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin has its own login
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def _sample_url(name: str, pattern: URLPattern) -> str:
    from django.urls import reverse
    from django.urls.converters import IntConverter

    converters = pattern.pattern.converters
    kwargs = {}
    for key, converter in converters.items():
        kwargs[key] = 1 if isinstance(converter, IntConverter) else "sample-slug"
    return reverse(name, kwargs=kwargs or None)


def test_every_private_url_redirects_anonymous_users_to_login(client):
    checked = []
    for name, pattern in _named_patterns(get_resolver()):
        if name in PUBLIC:
            continue
        url = _sample_url(name, pattern)
        response = client.get(url)
        if name.startswith("scim:"):
            # HR systems, not people: no login page, a bearer token or a SCIM 401.
            assert response.status_code == 401, name
            assert response["Content-Type"] == "application/scim+json", name
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/?next="), name
        checked.append(name)
    assert "home" in checked


def test_login_page_is_public(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_login_never_redirects_to_another_site(client, db):
    from tests.factories import make_user

    make_user(username="ada", password="pass-for-tests")
    response = client.post(
        "/accounts/login/?next=https://evil.example/steal",
        {"username": "ada", "password": "pass-for-tests", "next": "https://evil.example/steal"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/start/"
