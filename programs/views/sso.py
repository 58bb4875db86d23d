"""Single sign-on pages: mozilla-django-oidc's start and callback views, made lazy (the
provider's endpoints come from discovery on first use) and public, and one page that
says why a sign-in failed instead of an error."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from programs.sso import Failure, ProviderUnavailable, provider_metadata, sso_enabled

SESSION_KEY = "sso_failure"


def _fail(request, reason: str, email: str = "") -> HttpResponseRedirect:
    request.session[SESSION_KEY] = {"reason": reason, "email": email}
    return HttpResponseRedirect(resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE))


@method_decorator(login_not_required, name="dispatch")
class SSOStartView(OIDCAuthenticationRequestView):
    """Redirects to the provider, remembering ``next`` for the way back."""

    def __init__(self, **kwargs):
        # mozilla reads the authorization endpoint here, before any request is handled.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata()["authorization_endpoint"]
        except ProviderUnavailable:
            return _fail(request, Failure.UNAVAILABLE)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back; a failure of any kind leads to the failure page."""

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        try:
            return super().get(request)
        except SuspiciousOperation:
            # The state is not this browser's: the same callback twice, or a forged one.
            return self.login_failure()

    def login_failure(self):
        failure = getattr(self.request, "sso_failure", {"reason": Failure.INCOMPLETE})
        return _fail(self.request, failure["reason"], failure.get("email", ""))


STATUS = {
    Failure.NOT_IN_DIRECTORY: 403,
    Failure.UNVERIFIED: 403,
    Failure.INCOMPLETE: 400,
    Failure.UNAVAILABLE: 503,
}


@login_not_required
@require_GET
def sso_failed(request):
    if not sso_enabled():
        raise Http404("Single sign-on is not configured")
    failure = request.session.get(SESSION_KEY) or {"reason": Failure.INCOMPLETE}
    reason = failure["reason"] if failure.get("reason") in STATUS else Failure.INCOMPLETE
    context = {
        "reason": reason,
        "email": failure.get("email", ""),
        "next": request.session.get("oidc_login_next") or "",
    }
    return render(request, "registration/sso_failed.html", context, status=STATUS[reason])
