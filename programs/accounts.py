"""Getting people in: invitations, password resets and the limits on asking for them.

Everyone HR brings in (import, add-participant) gets a login with no usable password. They
set one through an invitation, sent when they first need to act (a proposal to answer, a
pairing that starts) or when HR sends it; or through "forgotten password", which works for
every active person, password or not.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from programs import emails
from programs.models import AuditEvent, Employee, Program, Throttle
from programs.services import audit_record

# Password resets asked for one address, and from one IP address, per hour. Counted for
# known and unknown addresses alike, so the limit says nothing about who exists.
RESETS_PER_EMAIL = 5
RESETS_PER_IP = 20
RESET_WINDOW = timedelta(hours=1)


class InvitationTokens:
    """Single-use, expiring tokens for the set-your-password link.

    The token signs a digest of the user's password hash and last login, so it dies as
    soon as the person sets a password or signs in, and expires after
    INVITATION_TIMEOUT_DAYS. It is not Django's reset token: a reset link must not live
    for weeks, an invitation must survive a holiday.
    """

    salt = "pairwise.invitation"

    def _state(self, user) -> str:
        value = f"{user.pk}|{user.password}|{user.last_login}|{user.is_active}"
        return salted_hmac(self.salt, value, algorithm="sha256").hexdigest()[:32]

    def make_token(self, user) -> str:
        return signing.dumps(self._state(user), salt=self.salt)

    def check_token(self, user, token: str) -> bool:
        if user is None or not token:
            return False
        max_age = timedelta(days=settings.INVITATION_TIMEOUT_DAYS)
        try:
            state = signing.loads(token, salt=self.salt, max_age=max_age)
        except signing.BadSignature:
            return False
        return state == self._state(user)


invitation_tokens = InvitationTokens()


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def invitation_link(user) -> str:
    """The set-your-password link, absolute, from SITE_URL."""
    path = reverse(
        "invitation_accept",
        kwargs={"uidb64": _uid(user), "token": invitation_tokens.make_token(user)},
    )
    return settings.SITE_URL + path


def sign_in_link(user) -> str:
    """Where an email sends someone who has never signed in: their invitation, or the login
    page when only single sign-on is allowed (their identity provider knows them)."""
    if not settings.PASSWORD_LOGIN:
        return settings.SITE_URL + reverse("login")
    return invitation_link(user)


def invitation_deliver(*, employee_id: int, reason: str, resend_before: datetime | None) -> bool:
    """Email one invitation, at most once per request for it; False when nothing was sent.

    ``resend_before=None`` is the automatic first invitation: sent only if none ever was.
    HR's (re)send passes the moment they asked: the person is invited again unless an
    invitation went out since, so a retried or duplicated task never sends twice. The row
    is claimed before sending and given back if the mail server fails, for the retry.
    """
    employee = (
        Employee.objects.never_signed_in().select_related("user").filter(pk=employee_id).first()
    )
    if employee is None:
        return False  # signed in meanwhile, left, or gone
    previous = employee.invited_at
    if previous is not None and (resend_before is None or previous >= resend_before):
        return False
    now = timezone.now()
    claimed = (
        Employee.objects.filter(pk=employee_id)
        .filter(Q(invited_at=previous) if previous else Q(invited_at=None))
        .update(invited_at=now)
    )
    if claimed != 1:
        return False  # another worker got there first
    try:
        emails.invitation_send(employee=employee, link=sign_in_link(employee.user), reason=reason)
    except Exception:
        Employee.objects.filter(pk=employee_id, invited_at=now).update(invited_at=previous)
        raise
    return True


def throttle_allows(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one request for ``key`` in ``scope``; False when it is over ``limit`` within
    ``window`` (and then it is not counted)."""
    digest = salted_hmac("pairwise.throttle", f"{scope}|{key}", algorithm="sha256").hexdigest()
    since = timezone.now() - window
    # Old counts are of no use and are personal data of a sort: drop them as we go.
    Throttle.objects.filter(scope=scope, created_at__lt=since).delete()
    if Throttle.objects.filter(scope=scope, key=digest, created_at__gte=since).count() >= limit:
        return False
    Throttle.objects.create(scope=scope, key=digest)
    return True


def password_reset_request(*, email: str, ip: str) -> bool:
    """Ask for a reset link for ``email``: False when this address or this IP has asked
    too often. The lookup and the email happen in a worker, so the answer takes the same
    time whether or not the address belongs to anyone."""
    from programs.tasks import send_password_reset  # programs.tasks imports this module

    email = email.strip().lower()
    by_email = throttle_allows(
        scope="reset-email", key=email, limit=RESETS_PER_EMAIL, window=RESET_WINDOW
    )
    by_ip = throttle_allows(scope="reset-ip", key=ip, limit=RESETS_PER_IP, window=RESET_WINDOW)
    if not (by_email and by_ip):
        return False
    send_password_reset.delay_on_commit(email)
    return True


def password_reset_deliver(*, email: str) -> int:
    """Email a reset link to every active login with this address; the number sent.

    Unlike Django's PasswordResetForm, people with no usable password are included: they
    are the imported people who have never set one.
    """
    users = get_user_model().objects.filter(email__iexact=email, is_active=True)
    sent = 0
    for user in users.select_related("employee"):
        path = reverse(
            "password_reset_confirm",
            kwargs={"uidb64": _uid(user), "token": default_token_generator.make_token(user)},
        )
        emails.password_reset_send(user=user, link=settings.SITE_URL + path)
        sent += 1
    return sent


# Invitations go out from workers in batches of this many, so "invite everyone" for a
# large programme returns at once and a failing batch retries only its own people.
INVITATION_BATCH = 200


def invitations_send(
    *, program: Program, actor, employee_ids: list[int] | None = None
) -> tuple[int, int]:
    """HR sends (or resends) invitations to the programme's participants who have never
    signed in: the ones given, or all of them when ``employee_ids`` is None.

    Returns (invited, skipped): skipped people are not in the programme, or have signed in
    already and need no invitation.
    """
    from programs.tasks import send_invitations  # programs.tasks imports this module

    enrolled = Employee.objects.filter(
        enrolments__program=program, enrolments__withdrawn_at=None
    ).distinct()
    wanted = enrolled if employee_ids is None else enrolled.filter(pk__in=employee_ids)
    ids = list(wanted.never_signed_in().order_by("pk").values_list("pk", flat=True))
    asked = len(employee_ids) if employee_ids is not None else len(ids)
    if ids:
        requested_at = timezone.now().isoformat()
        reason = f"{_display_name(actor)} invited you to {program.name}."
        for start in range(0, len(ids), INVITATION_BATCH):
            batch = ids[start : start + INVITATION_BATCH]
            send_invitations.delay_on_commit(batch, reason, requested_at)
        audit_record(
            program=program,
            actor=actor,
            action=AuditEvent.Action.INVITED,
            summary=f"Sent {len(ids)} invitation{'s' if len(ids) != 1 else ''}",
            detail={"employees": ids[:1000]},
        )
    return len(ids), asked - len(ids)


def _display_name(user) -> str:
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else "Your HR team"
