"""SCIM bearer tokens: created by a people admin, shown once, kept as a SHA-256, revocable."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from programs.models import ScimToken

# Recognisable in a secrets scanner and in the HR system's settings page.
SECRET_PREFIX = "pws_"
# last_used_at is written at most this often: an HR system's sync sends hundreds of
# requests in a row, and "used in the last few minutes" is all an admin needs to know.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def scim_token_create(*, actor, name: str) -> tuple[ScimToken, str]:
    """A new token and its secret; the secret is not kept and cannot be shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(
        name=name.strip(),
        secret_hash=_digest(secret),
        prefix=secret[: len(SECRET_PREFIX) + 6],
        created_by=actor,
    )
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, actor) -> bool:
    """Revoke the token from now on; False if it already was (nothing changes then)."""
    revoked = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    token.refresh_from_db()
    return revoked == 1


def scim_token_for_secret(secret: str) -> ScimToken | None:
    """The live token with this secret, its last use recorded; None for anything else."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        ScimToken.objects.live()
        .select_related("created_by")
        .filter(secret_hash=_digest(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
