from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from pairing import selectors


@require_GET
def home(request):
    """What do I need to do? The person's own proposals, check-ins and pairings."""
    return render(request, "pairing/home.html", {"home": selectors.home_for(user=request.user)})


@require_GET
def landing(request):
    """Just signed in: straight to what is waiting for the person (LOGIN_REDIRECT_URL)."""
    return redirect(selectors.landing_path(user=request.user))
