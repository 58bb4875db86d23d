"""A programme's health dashboard, its charts' numbers as CSV, and the pairings export.

HR admins only (403 otherwise); the programme is found through `program_for_admin`, so
another HR admin's programme is a 404.
"""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from pairing.charts import bar_chart, chart_rows
from pairing.hr.selectors import (
    WeekCounts,
    export_columns,
    pairing_export_rows,
    program_for_admin,
    program_health,
)
from programs.permissions import hr_admin_required
from programs.spreadsheets import SafeWriter, csv_download

TOPICS_CHARTED = 15


@dataclass(frozen=True)
class Words:
    """What the programme's people and units are called: "mentees" in "pairings", "peers"
    in "groups"."""

    learners: str
    unit: str
    units: str


def _words(program) -> Words:
    learners = "peers" if program.is_peer else "mentees"
    return Words(learners, *(("group", "groups") if program.is_group else ("pairing", "pairings")))


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


def _match_chart(health: dict, words: Words) -> Chart:
    learners = words.learners
    match = health["match"]
    # The learners by where they stand, each counted once: a proposal is not a match.
    standing = [
        ("Active", match["active"]),
        ("Accepted (starts later)", match["accepted"]),
        ("Proposed, no answer yet", match["proposed"]),
        (f"In no {words.unit}", match["unpaired"]),
    ]
    return Chart(
        "match", f"{learners.capitalize()} by {words.unit} status", (learners.capitalize(),),
        chart_rows(standing), ("status", learners), standing,
    )  # fmt: skip


def _counts_chart(key, title, series, part, header):
    """A chart of one health part that is already a list of (label, count)."""

    def build(health: dict, words: Words) -> Chart:
        return Chart(key, title, (series,), chart_rows(health[part]), header, health[part])

    return build


def _checkins_chart(health: dict, words: Words) -> Chart:
    checkins = health["checkins"]
    return Chart(
        "checkins", "Check-ins held vs due", ("Held", "Due"),
        [(f"All {words.units}", [checkins["held"], checkins["due"]])],
        ("held", "due"), [(checkins["held"], checkins["due"])], words.units.capitalize(),
    )  # fmt: skip


def _ratings_chart(health: dict, words: Words) -> Chart:
    ratings = health["survey"]["ratings"]
    return Chart(
        "ratings", "Closing survey ratings", ("Answers",), chart_rows(ratings),
        ("rating", "answers"), ratings,
    )  # fmt: skip


def _topics_chart(health: dict, words: Words) -> Chart | None:
    topics = health["topics"]
    if not topics:
        return None
    charted = sorted(topics, key=lambda t: (-t.waiting, t.name))[:TOPICS_CHARTED]
    return Chart(
        "topics",
        "Topics: mentees waiting vs free mentors offering",
        ("Mentees waiting", "Free mentors offering"),
        [(t.name, [t.waiting, t.offered]) for t in charted],
        ("topic", "mentees_waiting", "free_mentors_offering"),
        [(t.name, t.waiting, t.offered) for t in topics],
    )


def _outcomes_chart(health: dict, words: Words) -> Chart:
    by_status = health["outcomes"]["by_status"]
    return Chart(
        "outcomes", f"{words.units.capitalize()} by status", (words.units.capitalize(),),
        chart_rows(by_status), ("status", words.units), by_status,
    )  # fmt: skip


def _group_sizes_chart(health: dict, words: Words) -> Chart | None:
    groups = health["groups"]
    if groups is None:
        return None  # a pair programme
    by_size = groups["by_size"]
    return Chart(
        "group_sizes", "Running groups by size", ("Groups",), chart_rows(by_size),
        ("size", "groups"), by_size,
    )  # fmt: skip


# Each chart: the dashboard part it is drawn from, and how. A chart's CSV reads its own part
# only; the dashboard reads them all.
CHARTS = {
    "match": ("match", _match_chart),
    "enrolment": (
        "enrolment",
        _counts_chart("enrolment", "Enrolment by role", "People", "enrolment", ("role", "people")),
    ),
    "outcomes": ("outcomes", _outcomes_chart),
    "decline_reasons": (
        "decline_reasons",
        _counts_chart(
            "decline_reasons",
            "Why people declined",
            "Declines",
            "decline_reasons",
            ("reason", "declines"),
        ),
    ),  # fmt: skip
    "checkins": ("checkins", _checkins_chart),
    "ratings": ("survey", _ratings_chart),
    "topics": ("topics", _topics_chart),
    "group_sizes": ("groups", _group_sizes_chart),
}


def _charts(health: dict, *, words: Words) -> list[Chart]:
    """The dashboard's charts, in order, in the programme's words."""
    charts = (build(health, words) for _, build in CHARTS.values())
    return [chart for chart in charts if chart is not None]


def _trend_charts(trends: list[WeekCounts]) -> list[Chart]:
    return [
        _trend("enrolments", "Enrolments by week", "Enrolments", trends),
        _trend("acceptances", "Acceptances by week", "Acceptances", trends),
        _trend("checkins", "Check-ins held by week", "Check-ins", trends),
    ]


TREND_CHARTS = ("enrolments_weekly", "acceptances_weekly", "checkins_weekly")


@hr_admin_required
def dashboard(request, slug):
    program = program_for_admin(user=request.user, slug=slug)
    if program.is_situational:
        # Nothing there is matched or checked in: its figures are requests and sessions.
        return redirect("hr:situational_dashboard", slug=program.slug)
    health = program_health(program=program)
    words = _words(program)
    return render(
        request,
        "hr/dashboard.html",
        {
            "program": program,
            "health": health,
            "learners": words.learners,
            "words": words,
            "charts": _charts(health, words=words),
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
    ratings|topics|group_sizes|enrolments_weekly|acceptances_weekly|checkins_weekly."""
    program = program_for_admin(user=request.user, slug=slug)
    key = request.GET.get("chart", "")
    if key in TREND_CHARTS:
        trends = program_health(program=program, parts=["trends"])["trends"]
        chart = next(chart for chart in _trend_charts(trends) if chart.key == key)
    elif key in CHARTS:
        part, build = CHARTS[key]
        chart = build(program_health(program=program, parts=[part]), _words(program))
    else:
        raise Http404("No such chart.")
    if chart is None:
        raise Http404("This chart has nothing to show yet.")
    response = _csv_response(f"{program.slug}-{chart.key}.csv")
    writer = SafeWriter(response)
    writer.writerow(chart.csv_header)
    writer.writerows(chart.csv_rows)
    return response


@hr_admin_required
def pairing_export(request, slug):
    """Every pairing (or group) of the programme, one row each, streamed; peers are all
    in member_*."""
    program = program_for_admin(user=request.user, slug=slug)
    name = "groups" if program.is_group else "pairings"
    return csv_download(
        f"{program.slug}-{name}.csv", export_columns(program), pairing_export_rows(program=program)
    )
