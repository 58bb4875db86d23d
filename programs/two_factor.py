"""Two-factor authentication (TOTP, django-otp) for HR admins and superusers: who must
pass it, and the writes of setting up and checking an authenticator app."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from programs.permissions import is_admin

# What the session knows about its user, worked out once at login so that no page pays a
# query for it: not asked (not an HR admin), has a confirmed device, or has none yet.
SESSION_KEY = "two_factor"
EXEMPT, ENROLLED, NOT_ENROLLED = "exempt", "enrolled", "not_enrolled"


def two_factor_state(user) -> str:
    # People admins too: they can mark anyone as a leaver and rewrite anyone's record.
    if not is_admin(user):
        return EXEMPT
    return (
        ENROLLED if TOTPDevice.objects.filter(user=user, confirmed=True).exists() else NOT_ENROLLED
    )


def two_factor_page(request) -> str | None:
    """The URL name of the page this request must go to first, or None. Those who set up
    a device are asked for a code even when REQUIRE_2FA_FOR_HR is off: they chose it."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    state = request.session.get(SESSION_KEY)
    if state is None:  # a session from before two-factor existed
        state = request.session[SESSION_KEY] = two_factor_state(user)
    if state == ENROLLED:
        return "two_factor_verify"
    if state == NOT_ENROLLED and settings.REQUIRE_2FA_FOR_HR:
        return "two_factor_setup"
    return None


def remember_two_factor_state(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = two_factor_state(user)


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The device being set up: the same secret on every visit until it is confirmed, so
    reloading the page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_verify(*, device: TOTPDevice, code: str) -> tuple[bool, datetime | None]:
    """Checks a code, and confirms a device being set up when it is right. django-otp's
    throttling doubles the wait after each wrong code (1 s, 2 s, 4 s, ...); the row is
    locked so two requests at once cannot both try. Returns (right, locked until)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return False, details["locked_until"]
    if not device.verify_token(code):
        return False, None
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True, None
