"""A situational programme's dashboard: requests, sessions, feedback, the topics nobody
offers, conversions to ongoing mentoring and the helpers' load.

HR admins only (403 otherwise); the programme is found through `program_for_admin`, so
another HR admin's programme is a 404, and a programme of another kind is a 404 too.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pairing.hr.forms.situational import PeriodForm
from pairing.hr.selectors import program_for_admin
from pairing.hr.situational import default_period, situational_figures
from programs.permissions import hr_admin_required


@hr_admin_required
@require_GET
def situational_dashboard(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    if not program.is_situational:
        raise Http404("Only a situational programme has requests and sessions.")
    start, end = default_period(timezone.localdate())
    if request.GET:
        form = PeriodForm(request.GET)
        valid = form.is_valid()
    else:
        form = PeriodForm(initial={"start": start, "end": end})
        valid = True
    figures = None
    if valid:
        if form.is_bound:
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = situational_figures(program=program, start=start, end=end)
    return render(
        request,
        "hr/situational_dashboard.html",
        {"program": program, "form": form, "figures": figures},
        status=200 if valid else 400,
    )
