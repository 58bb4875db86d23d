"""Getting in without a password yet: the reset request, and the two set-password pages
(a reset link, an invitation link). Both sign the person in and send them on to what is
waiting for them (settings.LOGIN_REDIRECT_URL)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from programs.accounts import invitation_tokens, password_reset_request
from programs.forms.accounts import PasswordResetRequestForm
from programs.lockout import client_ip
from programs.sso import sso_enabled

# Set-password pages sign people in with the password they just chose.
PASSWORD_BACKEND = "programs.sso.PasswordBackend"


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """The same answer for every address, known or not: the lookup and the email happen in
    a worker. Too many requests for one address or from one IP get a 429."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed = password_reset_request(
            email=form.cleaned_data["email"], ip=client_ip(request) or ""
        )
        if not allowed:
            return render(request, "registration/password_reset_limited.html", status=429)
        return redirect("password_reset_done")
    return render(request, "registration/password_reset_form.html", {"form": form})


class _SetPasswordAndSignIn(auth_views.PasswordResetConfirmView):
    post_reset_login = True
    post_reset_login_backend = PASSWORD_BACKEND

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A leaver's old link must not sign them back in.
        return user if user is not None and user.is_active else None

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirm(_SetPasswordAndSignIn):
    template_name = "registration/password_reset_confirm.html"


@method_decorator(login_not_required, name="dispatch")
class InvitationAccept(_SetPasswordAndSignIn):
    """The invitation's link: choose a password, and you are in."""

    template_name = "registration/invitation_accept.html"
    token_generator = invitation_tokens
    reset_url_token = "set-password"

    def get_context_data(self, **kwargs):
        # With single sign-on on, the invited person may skip the password altogether.
        return super().get_context_data(sso_enabled=sso_enabled(), **kwargs)
