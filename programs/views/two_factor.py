"""Two-factor authentication pages: set up an authenticator app, and enter its code after
logging in. Only HR admins and superusers have them (programs.two_factor)."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from programs.forms.two_factor import TotpCodeForm
from programs.permissions import admin_required
from programs.two_factor import (
    ENROLLED,
    SESSION_KEY,
    totp_device_confirmed,
    totp_device_start,
    totp_device_verify,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _code_error(locked_until) -> str:
    if locked_until is not None:
        return (
            "Too many wrong codes. Wait until "
            f"{timezone.localtime(locked_until):%H:%M:%S} and try the newest code."
        )
    return "That code is not right. Enter the newest code; check that your phone's clock is right."


@admin_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    confirmed = totp_device_confirmed(user=request.user)
    if confirmed is not None:
        # A second device needs the first one's code: a stolen password alone must not be
        # able to add one. Moving to a new phone goes through an administrator.
        if not request.user.is_verified():
            return redirect_to_login(_next_url(request), reverse("two_factor_verify"))
        return render(request, "registration/two_factor_on.html", {"device": confirmed})
    device = totp_device_start(user=request.user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        right, locked_until = totp_device_verify(device=device, code=form.cleaned_data["code"])
        if right:
            otp_login(request, device)
            request.session[SESSION_KEY] = ENROLLED
            messages.success(request, "Two-factor authentication is on.")
            return redirect(_next_url(request))
        form.add_error("code", _code_error(locked_until))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        # Grouped by four, as apps ask for it when typed in.
        "secret": " ".join(_chunks(b32encode(device.bin_key).decode(), 4)),
    }
    return render(request, "registration/two_factor_setup.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = totp_device_confirmed(user=request.user)
    if device is None:
        # Removed by an administrator since this session began.
        request.session.pop(SESSION_KEY, None)
        return redirect_to_login(_next_url(request), reverse("two_factor_setup"))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        right, locked_until = totp_device_verify(device=device, code=form.cleaned_data["code"])
        if right:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _code_error(locked_until))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
