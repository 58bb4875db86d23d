"""How people sign in: single sign-on with OpenID Connect, and who may use a password.

SSO links a sign-in to the Employee HR brought in (by email); it never creates anyone.
The provider's endpoints come from its discovery document, fetched on first use and kept
for the life of the process, so start-up needs no network and a provider that is down
only breaks SSO, never password sign-in.
"""

import logging
import threading

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from programs.models import Employee, normalise_email

logger = logging.getLogger(__name__)


class Failure:
    """Why a single sign-on did not sign anyone in; the failure page explains each."""

    NOT_IN_DIRECTORY = "not_in_directory"  # unknown email, other domain, or deactivated
    UNVERIFIED = "unverified"  # the provider says it has not verified the email
    INCOMPLETE = "incomplete"  # cancelled, wrong state, replayed or expired code, bad token
    UNAVAILABLE = "unavailable"  # the provider could not be reached or answered nonsense


class ProviderUnavailable(Exception):
    pass


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER_URL and settings.OIDC_RP_CLIENT_ID)


_metadata: dict[str, dict] = {}
_metadata_lock = threading.Lock()


def provider_metadata() -> dict:
    """The provider's discovery document, cached per issuer so that tests pointing
    OIDC_ISSUER_URL at their own provider get its endpoints, not a stale one's."""
    issuer = settings.OIDC_ISSUER_URL.rstrip("/")
    with _metadata_lock:
        if issuer in _metadata:
            return _metadata[issuer]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"OpenID discovery at {url} failed: {exc}") from exc
    required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if not isinstance(metadata, dict) or not all(metadata.get(key) for key in required):
        raise ProviderUnavailable(f"OpenID discovery at {url} lacks {', '.join(required)}")
    # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for,
    # or a misconfigured URL would accept another provider's tokens.
    if metadata["issuer"].rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"OpenID discovery at {url} names issuer {metadata['issuer']!r}, not {issuer!r}"
        )
    with _metadata_lock:
        _metadata[issuer] = metadata
    return metadata


class PasswordBackend(ModelBackend):
    """Passwords; with PASSWORD_LOGIN=0 only superusers may use one (the Django admin
    included). The refusal looks exactly like a wrong password, so the form never tells
    anyone whether the password they typed was right."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and (
            settings.PASSWORD_LOGIN or user.is_superuser
        )


class EmployeeOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, linked to existing employees by email.

    On a refusal it leaves the reason on the request (``request.sso_failure``) for the
    callback view, which shows it; Django only learns "no user"."""

    def __init__(self, *args, **kwargs):
        # Django builds every backend on every authenticate() call, password sign-ins
        # included: mozilla's __init__ would need the endpoints (and so the network) here.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the SSO callback passes a nonce; a password sign-in whose URL happens to
        # carry ?code=&state= must not reach the token endpoint.
        if request is None or "nonce" not in kwargs or not sso_enabled():
            return None
        self.failure = Failure.INCOMPLETE
        self.email = ""
        try:
            metadata = provider_metadata()
            self.issuer = metadata["issuer"]
            self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = metadata.get("userinfo_endpoint")
            self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
            self.OIDC_RP_IDP_SIGN_KEY = None
            user = super().authenticate(request, **kwargs)
        except requests.HTTPError as exc:
            # 4xx from the token endpoint is invalid_grant: a replayed or expired code.
            status = exc.response.status_code if exc.response is not None else 500
            self.failure = Failure.INCOMPLETE if status < 500 else Failure.UNAVAILABLE
            logger.warning("Single sign-on failed at the provider: %s", exc)
            user = None
        except (ProviderUnavailable, requests.RequestException) as exc:
            self.failure = Failure.UNAVAILABLE
            logger.warning("Single sign-on provider unavailable: %s", exc)
            user = None
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
            # A bad signature, nonce, issuer, audience or expiry, or a malformed answer.
            logger.warning("Single sign-on token refused: %s", exc)
            user = None
        if user is None:
            request.sso_failure = {"reason": self.failure, "email": self.email}
        return user

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla checks signature, expiry and nonce but not who issued the token or for
        # whom (OpenID Connect Core 3.1.3.7): another client's token must not work here.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != self.issuer or self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued by another provider or for another client")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return payload
        userinfo = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about someone else must be ignored.
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token, id_token, payload):
        """The existing employee's user for the verified email, or None; never creates."""
        claims = self.get_userinfo(access_token, id_token, payload)
        email = normalise_email(str(claims.get("email") or ""))
        self.email = email
        self.failure = Failure.NOT_IN_DIRECTORY
        if not email:
            return None
        # Some providers send the flag as a string.
        if str(claims.get("email_verified", True)).lower() == "false":
            self.failure = Failure.UNVERIFIED
            return None
        domain = email.rpartition("@")[2]
        allowed = [d.lower() for d in settings.OIDC_ALLOWED_DOMAINS]
        if allowed and domain not in allowed:
            logger.info("Single sign-on refused: %s is outside OIDC_ALLOWED_DOMAINS", email)
            return None
        employee = Employee.objects.by_email(email).select_related("user").first()
        if employee is None or not self.user_can_authenticate(employee.user):
            logger.info("Single sign-on refused: %s is not an active employee", email)
            return None
        return employee.user

    def get_user(self, user_id):
        # mozilla's get_user skips ModelBackend's is_active check: a deactivated person's
        # SSO session would live on. This ends it on their next request.
        return ModelBackend.get_user(self, user_id)
