"""Server-rendered bar charts for the dashboard: no JavaScript, no chart library.

Each row is HTML (its label and value are text, which wraps and keeps its size on a phone;
a whole-chart SVG shrinks its text with the chart), and only the bar itself is a small SVG
stretched to the space left. The CSP forbids inline styles, so a bar's length is the SVG
rect's width attribute in a 0-100 viewBox, and the rest is classes styled in
static/css/app.css. Screen readers get the chart as one image with every number in its
name; everyone gets the same numbers as a table beneath (and as CSV from the dashboard).

The markup is joined as plain strings, every text escaped once (`escape`): the dashboard
draws some 100 rows, and a format_html per piece cost it about 8 ms a request.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SERIES_CLASSES = ("bar", "bar-alt")
# Labels up to this long ("W49 · 30 Nov", a rating) stay beside their bars on a phone;
# longer ones go above them, at full width, rather than squeeze the bars.
SHORT_LABEL = 14

_TRACK = (
    '<svg class="chart-track" viewBox="0 0 100 10" preserveAspectRatio="none" '
    'aria-hidden="true" focusable="false">'
    '<rect class="chart-track-bg" width="100" height="10"></rect>'
    '<rect class="{cls}" width="{length}" height="10"></rect></svg>'
)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    label_heading: str = "",
) -> SafeString:
    """Horizontal bars, one group per row, one bar per series (at most two series), and
    the numbers as a table headed `label_heading` and the series.

    rows: (label, values), one value per series. Bars are scaled to the largest value.
    """
    if not 1 <= len(series) <= len(SERIES_CLASSES):
        raise ValueError(f"a chart has one or two series, not {len(series)}")
    largest = max((value for _, values in rows for value in values), default=0) or 1
    several = len(series) > 1
    # The series' name by each value when there are two, so colour is never the only way
    # to tell them apart.
    names = [f" {escape(name.lower())}" if several else "" for name in series]

    bars = []
    for label, values in rows:
        lines = "".join(
            f'<span class="chart-line">'
            f"{_TRACK.format(cls=SERIES_CLASSES[i], length=_length(value, largest))}"
            f'<span class="chart-value">{_number(value)}{names[i]}</span></span>'
            for i, value in enumerate(values)
        )
        bars.append(
            f'<div class="chart-row"><span class="chart-label">{escape(label)}</span>'
            f'<span class="chart-lines">{lines}</span></div>'
        )
    if not rows:
        bars.append('<p class="chart-empty">No data yet</p>')
    legend = ""
    if several:
        keys = "".join(
            f'<li><svg class="chart-key" viewBox="0 0 10 10" focusable="false">'
            f'<rect class="{cls}" width="10" height="10"></rect></svg>{escape(name)}</li>'
            for cls, name in zip(SERIES_CLASSES, series, strict=False)
        )
        legend = f'<ul class="chart-legend" aria-hidden="true">{keys}</ul>'
    description = "; ".join(
        f"{label}: "
        + ", ".join(f"{_number(v)} {name.lower()}" for v, name in zip(values, series, strict=True))
        for label, values in rows
    )
    short = " chart-short-labels" if all(len(label) <= SHORT_LABEL for label, _ in rows) else ""
    table = _table(title=title, label_heading=label_heading, rows=rows, series=series)
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<div class="chart{short}" id="{escape(chart_id)}">{legend}'
        f'<div class="chart-bars" role="img" '
        f'aria-label="{escape(title)}: {escape(description or "no data yet")}">'
        f"{''.join(bars)}</div>{table}</div>"
    )


def _table(
    *,
    title: str,
    label_heading: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
) -> str:
    """The chart's numbers as a table, folded under its summary; nothing without rows."""
    if not rows:
        return ""
    head = "".join(f'<th scope="col" class="text-end">{escape(name)}</th>' for name in series)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f'<td class="text-end">{_number(v)}</td>' for v in values)
        + "</tr>"
        for label, values in rows
    )
    return (
        '<details class="chart-table"><summary>Numbers as a table'
        f'<span class="visually-hidden">: {escape(title)}</span></summary>'
        f'<table class="table table-sm"><caption class="visually-hidden">{escape(title)}'
        f'</caption><thead><tr><th scope="col">{escape(label_heading)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></details>"
    )


def _length(value: float, largest: float) -> float:
    """The bar's length out of 100; a value above zero always shows a sliver."""
    if value <= 0:
        return 0
    return max(1, round(100 * value / largest, 1))


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def chart_rows(rows: Sequence[tuple[str, float]]) -> list[tuple[str, list[float]]]:
    """(label, value) pairs as the one-series rows bar_chart takes."""
    return [(label, [value]) for label, value in rows]
