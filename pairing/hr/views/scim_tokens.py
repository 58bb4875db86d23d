"""SCIM tokens: people admins create the bearer tokens HR systems provision with, see when
each was last used, and revoke them. A new token's secret is shown on the response to the
POST that made it, once: it is never stored, so it cannot be shown again.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from pairing.hr.forms.scim_tokens import ScimTokenForm
from pairing.hr.selectors import scim_tokens_listed
from programs.models import ScimToken
from programs.permissions import people_admin_required
from programs.scim.tokens import scim_token_create, scim_token_revoke


def _page(request, form, *, created=None, secret=None, status=200):
    context = {
        "form": form,
        "tokens": scim_tokens_listed(),
        "created": created,
        "secret": secret,
        "scim_url": request.build_absolute_uri("/scim/v2/"),
    }
    return render(request, "hr/scim_tokens.html", context, status=status)


@people_admin_required
@require_GET
def scim_tokens(request):
    return _page(request, ScimTokenForm())


@people_admin_required
@require_POST
def scim_token_create_view(request):
    form = ScimTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    token, secret = scim_token_create(actor=request.user, name=form.cleaned_data["name"])
    return _page(request, ScimTokenForm(), created=token, secret=secret)


@people_admin_required
@require_POST
def scim_token_revoke_view(request, pk):
    token = get_object_or_404(ScimToken, pk=pk)
    if scim_token_revoke(token=token, actor=request.user):
        messages.success(request, f"Revoked “{token.name}”: it no longer opens SCIM.")
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("hr:scim_tokens")
