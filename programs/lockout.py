"""Failed-login lockouts (django-axes): the IP address's own, higher limit, the client's
address behind proxies, and the page a locked-out person sees."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    """axes holds one failure count to one limit (AXES_FAILURE_LIMIT). Per account that is
    right; an IP address gets LOCKOUT_IP_FAILURE_LIMIT, higher, because a whole office can
    share one address and its everyday typos must not lock everyone out."""

    def get_failures(self, request, credentials=None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_account = _failures(recent.filter(username=get_client_username(request, credentials)))
        by_ip = _failures(recent.filter(ip_address=request.axes_ip_address))
        if by_ip >= settings.LOCKOUT_IP_FAILURE_LIMIT:
            # Reported as the account limit reached: that is the number axes compares.
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost of them
    appended to X-Forwarded-For: entries further left come from the client, who can forge
    them to spread failures over made-up addresses."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [address.strip() for address in forwarded if address.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response, credentials):
    """The 429 page in the site's style, instead of axes' plain text. Attempts while
    locked are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so the last
    counted failure plus the cool-off is when the lock has ended at the latest."""
    username = get_client_username(request, credentials)
    last_failure = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=request.axes_ip_address)
    ).aggregate(last=Max("attempt_time"))["last"]
    now = timezone.now()
    retry_at = (last_failure or now) + get_cool_off(request)
    response = render(request, "registration/login_locked.html", {"retry_at": retry_at}, status=429)
    response["Retry-After"] = str(max(int((retry_at - now).total_seconds()), 0))
    return response
