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
    WeekCounts,
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
    # The table's first column; the CSV's first column by default.
    label_heading: str = ""

    @property
    def html(self):
        return bar_chart(
            chart_id=f"chart-{self.key}",
            title=self.title,
            rows=self.rows,
            series=self.series,
            label_heading=self.label_heading or self.csv_header[0].capitalize(),
        )


def _week_label(week: WeekCounts) -> str:
    """ "W49 · 30 Nov": the ISO week number, and its Monday for those who count in dates."""
    return f"W{week.iso_week[-2:]} · {week.starts:%-d %b}"


def _trend(key: str, title: str, series: str, trends: list[WeekCounts]) -> Chart:
    """One weekly count (a WeekCounts field) as a chart, a bar a week."""
    weeks = [(week, getattr(week, key)) for week in trends]
    return Chart(
        f"{key}_weekly",
        title,
        (series,),
        [(_week_label(week), [n]) for week, n in weeks],
        ("week", "week_starts", key),
        [(week.iso_week, week.starts.isoformat(), n) for week, n in weeks],
    )


def _charts(health: dict, *, learners: str) -> list[Chart]:
    """The dashboard's charts; `learners` names the programme's mentees or peers."""
    match = health["match"]
    outcomes = health["outcomes"]
    checkins = health["checkins"]
    topics = health["topics"]
    survey = health["survey"]
    # The learners by where they stand, each counted once: a proposal is not a match.
    standing = [
        ("Active", match["active"]),
        ("Accepted (starts later)", match["accepted"]),
        ("Proposed, no answer yet", match["proposed"]),
        ("In no pairing", match["unpaired"]),
    ]
    charts = [
        Chart(
            "match", f"{learners.capitalize()} by pairing status", (learners.capitalize(),),
            chart_rows(standing), ("status", learners), standing,
        ),
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
            [("All pairings", [checkins["held"], checkins["due"]])],
            ("held", "due"), [(checkins["held"], checkins["due"])], "Pairings",
        ),
        Chart(
            "ratings", "Closing survey ratings", ("Answers",), chart_rows(survey["ratings"]),
            ("rating", "answers"), survey["ratings"],
        ),
    ]  # fmt: skip
    if topics:
        charted = sorted(topics, key=lambda t: (-t.waiting, t.name))[:TOPICS_CHARTED]
        charts.append(
            Chart(
                "topics",
                "Topics: mentees waiting vs free mentors offering",
                ("Mentees waiting", "Free mentors offering"),
                [(t.name, [t.waiting, t.offered]) for t in charted],
                ("topic", "mentees_waiting", "free_mentors_offering"),
                [(t.name, t.waiting, t.offered) for t in topics],
            )
        )
    return charts


def _trend_charts(trends: list[WeekCounts]) -> list[Chart]:
    return [
        _trend("enrolments", "Enrolments by week", "Enrolments", trends),
        _trend("acceptances", "Acceptances by week", "Acceptances", trends),
        _trend("checkins", "Check-ins held by week", "Check-ins", trends),
    ]


def _learners(program) -> str:
    return "peers" if program.is_peer else "mentees"


@hr_admin_required
def dashboard(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    health = program_health(program=program)
    return render(
        request,
        "hr/dashboard.html",
        {
            "program": program,
            "health": health,
            "learners": _learners(program),
            "charts": _charts(health, learners=_learners(program)),
            "trend_charts": _trend_charts(health["trends"]),
        },
    )


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@hr_admin_required
def dashboard_csv(request, slug):
    """One chart's numbers as CSV: ?chart=match|enrolment|outcomes|decline_reasons|checkins|
    ratings|topics|enrolments_weekly|acceptances_weekly|checkins_weekly."""
    program = program_for_admin(user=request.user, slug=slug)
    health = program_health(program=program)
    charts = _charts(health, learners=_learners(program)) + _trend_charts(health["trends"])
    charts = {chart.key: chart for chart in charts}
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
