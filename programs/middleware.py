"""Rules for every request of a signed-in person: two-factor for HR admins, sessions that
end when idle, and pages no browser or proxy keeps a copy of."""

import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from config.logs import REQUEST_ID
from programs.two_factor import two_factor_page

# What a proxy's request id may look like (uuids, AWS's "Root=1-…", nginx's hex). Anything
# else, such as a newline meant to forge a log line, is replaced by our own id.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:;=+/-]{1,128}")


class RequestIdMiddleware:
    """Each request gets an id, the proxy's X-Request-ID if sane or a fresh uuid4: it is
    on every log record of the request and in the response's X-Request-ID header, so a
    user's report, the proxy's log and ours can be matched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset on the way out: Django logs the response (django.request's 4xx and
        # 5xx lines) after the middleware returns. clear_request_id does it at the end.
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def clear_request_id(sender, **kwargs):
    """On request_finished: log lines between requests belong to none."""
    REQUEST_ID.set(None)


class TwoFactorRequiredMiddleware:
    """An HR admin or superuser who must pass two-factor and has not, in this session,
    reaches only the two-factor pages, logout and static files (the Django admin too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = two_factor_page(request)
        if page is not None and not self._exempt(request.path_info):
            if request.headers.get("HX-Request") == "true":
                # A redirect would swap the whole two-factor page into a fragment.
                return HttpResponse("Two-factor authentication needed.", status=403)
            return redirect_to_login(request.get_full_path(), reverse(page))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        open_paths = {
            reverse("two_factor_setup"),
            reverse("two_factor_verify"),
            reverse("logout"),
            reverse("admin:logout"),
        }
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


# The session is saved (and its expiry pushed SESSION_COOKIE_AGE ahead) at most this
# often: an idle session ends between SESSION_COOKIE_AGE minus this and SESSION_COOKIE_AGE
# after the last request, without a database write on every request.
TOUCH_EVERY_SECONDS = 300
TOUCHED_KEY = "touched_at"


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(TOUCHED_KEY, 0) >= TOUCH_EVERY_SECONDS:
                request.session[TOUCHED_KEY] = now
        return self.get_response(request)


def touch_session(sender, request, user, **kwargs):
    """At login the session is fresh: mark it so the first page does not save it again."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED_KEY] = int(time.time())


class NoStoreMiddleware:
    """Everything a signed-in person sees is theirs (names, pairings, notes), and every
    download is an export: shared computers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        attachment = response.get("Content-Disposition", "").startswith("attachment")
        if attachment or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
