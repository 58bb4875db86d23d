"""Server-rendered bar charts for the dashboard: no JavaScript, no chart library.

Each row is HTML (its label and value are text, which wraps and keeps its size on a phone;
a whole-chart SVG shrinks its text with the chart), and only the bar itself is a small SVG
stretched to the space left. The CSP forbids inline styles, so a bar's length is the SVG
rect's width attribute in a 0-100 viewBox, and the rest is classes styled in
static/css/app.css. Screen readers get the chart as one image with every number in its
name; everyone gets the same numbers as a table beneath (and as CSV from the dashboard).
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

SERIES_CLASSES = ("bar", "bar-alt")
# Labels up to this long ("W49 · 30 Nov", a rating) stay beside their bars on a phone;
# longer ones go above them, at full width, rather than squeeze the bars.
SHORT_LABEL = 14


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

    def line(value: float, index: int) -> SafeString:
        # The series' name by each value when there are two, so colour is never the only
        # way to tell them apart.
        name = f" {series[index].lower()}" if several else ""
        return format_html(
            '<span class="chart-line"><svg class="chart-track" viewBox="0 0 100 10" '
            'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            '<rect class="chart-track-bg" width="100" height="10"></rect>'
            '<rect class="{}" width="{}" height="10"></rect></svg>'
            '<span class="chart-value">{}{}</span></span>',
            SERIES_CLASSES[index],
            _length(value, largest),
            _number(value),
            name,
        )

    bars = format_html_join(
        "",
        '<div class="chart-row"><span class="chart-label">{}</span>'
        '<span class="chart-lines">{}</span></div>',
        (
            (label, format_html_join("", "{}", ((line(v, i),) for i, v in enumerate(values))))
            for label, values in rows
        ),
    )
    if not rows:
        bars = format_html('<p class="chart-empty">{}</p>', "No data yet")
    legend = SafeString("")
    if several:
        legend = format_html(
            '<ul class="chart-legend" aria-hidden="true">{}</ul>',
            format_html_join(
                "",
                '<li><svg class="chart-key" viewBox="0 0 10 10" focusable="false">'
                '<rect class="{}" width="10" height="10"></rect></svg>{}</li>',
                zip(SERIES_CLASSES, series, strict=False),
            ),
        )
    description = "; ".join(
        f"{label}: "
        + ", ".join(f"{_number(v)} {name.lower()}" for v, name in zip(values, series, strict=True))
        for label, values in rows
    )
    short = all(len(label) <= SHORT_LABEL for label, _ in rows)
    return format_html(
        '<div class="chart{}" id="{}">{}<div class="chart-bars" role="img" aria-label="{}: {}">'
        "{}</div>{}</div>",
        " chart-short-labels" if short else "",
        chart_id,
        legend,
        title,
        description or "no data yet",
        bars,
        _table(title=title, label_heading=label_heading, rows=rows, series=series),
    )


def _table(
    *,
    title: str,
    label_heading: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
) -> SafeString:
    """The chart's numbers as a table, folded under its summary; nothing without rows."""
    if not rows:
        return SafeString("")
    return format_html(
        '<details class="chart-table"><summary>Numbers as a table'
        '<span class="visually-hidden">: {}</span></summary>'
        '<table class="table table-sm"><caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table></details>',
        title,
        title,
        label_heading,
        format_html_join("", '<th scope="col" class="text-end">{}</th>', ((s,) for s in series)),
        format_html_join(
            "",
            '<tr><th scope="row">{}</th>{}</tr>',
            (
                (
                    label,
                    format_html_join(
                        "", '<td class="text-end">{}</td>', ((_number(v),) for v in values)
                    ),
                )
                for label, values in rows
            ),
        ),
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
