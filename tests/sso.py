"""A real OpenID Connect provider for tests (oidc-provider-mock) on 127.0.0.1, and helpers
to walk the sign-in through it. Loaded by tests/conftest.py as a pytest plugin.

``sso`` turns single sign-on on, pointed at the provider, for one test. On the provider's
authorization form the test types a subject; a subject the provider has not seen gets the
claims ``{"email": <subject>}``, and ``sso.set_user(sub, **claims)`` chooses others first.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.test import override_settings

CLIENT_ID = "pairwise-tests"
CLIENT_SECRET = "client-secret-for-tests"


@dataclass(frozen=True)
class Provider:
    url: str

    def set_user(self, sub: str, **claims) -> None:
        """The claims the provider will issue for ``sub`` (its /users API)."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Submit the provider's authorization form as ``sub``, as a person would;
        returns the callback URL it redirects to (with code and state)."""
        response = requests.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@contextmanager
def run_provider(**options) -> Iterator[Provider]:
    """The provider on an ephemeral port of 127.0.0.1 in a thread, for a with block."""
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(**options), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Provider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def sso_settings(provider: Provider, **extra):
    """Single sign-on on, pointed at ``provider``; ``extra`` overrides more settings."""
    values = {
        "OIDC_ISSUER_URL": provider.url,
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TOKEN_USE_BASIC_AUTH": True,
        "OIDC_ALLOWED_DOMAINS": [],
    }
    with override_settings(**{**values, **extra}):
        yield


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the whole run; tests tell their people apart by email."""
    with run_provider(require_nonce=True) as provider:
        yield provider


@pytest.fixture
def sso(oidc_provider) -> Iterator[Provider]:
    with sso_settings(oidc_provider):
        yield oidc_provider


def start_sign_in(client, *, next_path: str = "") -> str:
    """Press "Sign in with single sign-on" in the Django test client; returns the
    provider's authorization URL the site redirects to."""
    url = "/oidc/authenticate/" + (f"?next={next_path}" if next_path else "")
    response = client.get(url)
    assert response.status_code == 302
    return response["Location"]


def sso_sign_in(client, provider: Provider, *, sub: str, next_path: str = ""):
    """The whole flow: start, the provider's form as ``sub``, and the callback. Returns
    the callback's response (a redirect: where the person goes next)."""
    callback = provider.authorize(start_sign_in(client, next_path=next_path), sub)
    assert urlsplit(callback).path == "/oidc/callback/"
    return client.get(callback)
