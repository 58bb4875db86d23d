"""The HR admin's pairing pages: programme settings, matching runs, health dashboard, exports.

HR admins only (403 otherwise); the programme is found through `program_for_admin`, so
another HR admin's programme (or run) is a 404.

The settings page lives here rather than in programs/ because saving a new check-in
cadence must also move the open check-in schedules, which are pairing/'s business, and
programs/ never imports pairing/.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from pairing.charts import bar_chart, chart_rows
from pairing.forms.hr import PairForm, PinForm
from pairing.health import (
    PAIRING_COLUMNS,
    match_run_for_admin,
    match_run_review,
    match_runs_recent,
    pairing_export_row,
    pairings_for_export,
    participant_keys_by_email,
    program_health,
)
from pairing.matchmaking.runs import (
    MatchingError,
    match_run_pin,
    match_run_publish,
    match_run_remove,
    match_run_start,
)
from pairing.models import MatchRun
from pairing.reminders import program_kind_locked, program_settings_update
from programs.forms.hr import ProgramForm
from programs.permissions import hr_admin_required
from programs.selectors import program_for_admin
from programs.spreadsheets import SafeWriter

TOPICS_CHARTED = 15


@hr_admin_required
@require_http_methods(["GET", "POST"])
def program_edit(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    locked = program_kind_locked(program=program)
    form = ProgramForm(request.POST or None, instance=program, kind_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            changed = program_settings_update(
                program=program, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, "Settings saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect(program)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@hr_admin_required
@require_http_methods(["GET", "POST"])
def matchrun_create(request, slug):
    """GET: the programme's runs and the "Run matching" button; POST: start a run."""
    program = program_for_admin(user=request.user, slug=slug)
    if request.method == "POST":
        run = match_run_start(program=program, actor=request.user)
        return redirect("pairing:matchrun_detail", pk=run.pk)
    runs = match_runs_recent(program=program)
    return render(request, "pairing/matchrun_list.html", {"program": program, "runs": runs})


@hr_admin_required
def matchrun_detail(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    context = {
        "program": run.program,
        "run": run,
        "review": match_run_review(run=run),
        "pin_form": PinForm(program=run.program),
    }
    return render(request, "pairing/matchrun_detail.html", context)


@hr_admin_required
def matchrun_status(request, pk):
    """The progress bar, polled by htmx every second until the run has finished; then
    the whole page reloads to show the result."""
    run = match_run_for_admin(user=request.user, pk=pk)
    if run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
        return render(request, "pairing/matchrun_status.html", {"run": run})
    return HttpResponseClientRefresh()


@hr_admin_required
@require_POST
def matchrun_pin(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = PinForm(request.POST, program=run.program)
    if not form.is_valid():
        messages.error(request, "Give the two people's email addresses.")
        return redirect("pairing:matchrun_detail", pk=run.pk)
    emails = [form.cleaned_data["first"], form.cleaned_data["second"]]
    keys = participant_keys_by_email(program=run.program, emails=emails)
    missing = [email for email in emails if email not in keys]
    if missing:
        messages.error(request, f"Not in this programme: {', '.join(missing)}.")
        return redirect("pairing:matchrun_detail", pk=run.pk)
    try:
        match_run_pin(run=run, first=keys[emails[0]], second=keys[emails[1]], actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Pinned; matching re-ran around the pin.")
    return redirect("pairing:matchrun_detail", pk=run.pk)


@hr_admin_required
@require_POST
def matchrun_remove(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    form = PairForm(request.POST)
    if not form.is_valid():
        raise Http404("No such pair.")
    pair = [str(form.cleaned_data["first"]), str(form.cleaned_data["second"])]
    try:
        match_run_remove(run=run, pair=pair, actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Removed the pair; matching re-ran without it.")
    return redirect("pairing:matchrun_detail", pk=run.pk)


@hr_admin_required
@require_POST
def matchrun_publish(request, pk):
    run = match_run_for_admin(user=request.user, pk=pk)
    try:
        pairings = match_run_publish(run=run, actor=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("pairing:matchrun_detail", pk=run.pk)
    messages.success(
        request, f"Published {len(pairings)} proposals; the people asked to answer are emailed."
    )
    return redirect(run.program)


@dataclass(frozen=True)
class Chart:
    """One dashboard chart: its bars, and the same numbers as a CSV table."""

    key: str
    title: str
    series: tuple[str, ...]
    rows: list[tuple[str, list[float]]]
    csv_header: tuple[str, ...]
    csv_rows: list[tuple]

    @property
    def svg(self):
        return bar_chart(
            chart_id=f"chart-{self.key}", title=self.title, rows=self.rows, series=self.series
        )


def _charts(health: dict) -> list[Chart]:
    outcomes = health["outcomes"]
    checkins = health["checkins"]
    topics = health["topics"]
    survey = health["survey"]
    charts = [
        Chart(
            "enrolment", "Enrolment by role", ("People",), chart_rows(health["enrolment"]),
            ("role", "people"), health["enrolment"],
        ),
        Chart(
            "outcomes", "Pairings by status", ("Pairings",), chart_rows(outcomes["by_status"]),
            ("status", "pairings"), outcomes["by_status"],
        ),
        Chart(
            "decline_reasons", "Why people declined", ("Declines",),
            chart_rows(health["decline_reasons"]), ("reason", "declines"),
            health["decline_reasons"],
        ),
        Chart(
            "checkins", "Check-ins held vs due", ("Held", "Due"),
            [("Check-ins", [checkins["held"], checkins["due"]])],
            ("held", "due"), [(checkins["held"], checkins["due"])],
        ),
        Chart(
            "ratings", "Closing survey ratings", ("Answers",), chart_rows(survey["ratings"]),
            ("rating", "answers"), survey["ratings"],
        ),
    ]  # fmt: skip
    if topics:
        charted = sorted(topics, key=lambda t: (-t.wanted, t.name))[:TOPICS_CHARTED]
        charts.append(
            Chart(
                "topics",
                "Topics: mentees wanting vs free mentors offering",
                ("Mentees wanting", "Free mentors offering"),
                [(t.name, [t.wanted, t.offered]) for t in charted],
                ("topic", "mentees_wanting", "mentees_waiting", "free_mentors_offering"),
                [(t.name, t.wanted, t.waiting, t.offered) for t in topics],
            )
        )
    return charts


@hr_admin_required
def dashboard(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    health = program_health(program=program)
    return render(
        request,
        "pairing/dashboard.html",
        {"program": program, "health": health, "charts": _charts(health)},
    )


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@hr_admin_required
def dashboard_csv(request, slug):
    """One chart's numbers as CSV: ?chart=enrolment|outcomes|decline_reasons|checkins|..."""
    program = program_for_admin(user=request.user, slug=slug)
    charts = {chart.key: chart for chart in _charts(program_health(program=program))}
    chart = charts.get(request.GET.get("chart", ""))
    if chart is None:
        raise Http404("No such chart.")
    response = _csv_response(f"{program.slug}-{chart.key}.csv")
    writer = SafeWriter(response)
    writer.writerow(chart.csv_header)
    writer.writerows(chart.csv_rows)
    return response


@hr_admin_required
def pairing_export(request, slug):
    """Every pairing of the programme, one row each; peers are both in member_*."""
    program = program_for_admin(user=request.user, slug=slug)
    response = _csv_response(f"{program.slug}-pairings.csv")
    writer = SafeWriter(response)
    writer.writerow(PAIRING_COLUMNS)
    for pairing in pairings_for_export(program=program).iterator(chunk_size=2000):
        writer.writerow(pairing_export_row(pairing))
    return response
