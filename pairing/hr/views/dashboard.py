"""A programme's health dashboard, its charts' numbers as CSV, and the pairings export.

HR admins only (403 otherwise); the programme is found through `program_for_admin`, so
another HR admin's programme is a 404.
"""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render

from pairing.charts import bar_chart, chart_rows
from pairing.hr.selectors import (
    PAIRING_COLUMNS,
    pairing_export_rows,
    program_for_admin,
    program_health,
)
from programs.permissions import hr_admin_required
from programs.spreadsheets import SafeWriter, csv_download

TOPICS_CHARTED = 15


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
        "hr/dashboard.html",
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
    """Every pairing of the programme, one row each, streamed; peers are both in member_*."""
    program = program_for_admin(user=request.user, slug=slug)
    return csv_download(
        f"{program.slug}-pairings.csv", PAIRING_COLUMNS, pairing_export_rows(program=program)
    )
