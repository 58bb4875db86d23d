"""Server-rendered SVG bar charts for the dashboard: no JavaScript, no chart library.

The CSP forbids inline styles, so the SVG carries only presentation attributes and
classes (`chart`, `bar`, `bar-alt`, styled in static/css/app.css). Each chart has a
<title> and <desc> for screen readers; the same numbers are downloadable as CSV.
"""

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 60
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LEGEND_HEIGHT = 22
SERIES_CLASSES = ("bar", "bar-alt")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
) -> SafeString:
    """Horizontal bars, one group per row, one bar per series (at most two series).

    rows: (label, values), one value per series. Bars are scaled to the largest value.
    """
    if not 1 <= len(series) <= len(SERIES_CLASSES):
        raise ValueError(f"a chart has one or two series, not {len(series)}")
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group_height = ROW_HEIGHT * len(series)
    top = LEGEND_HEIGHT if len(series) > 1 else 0
    height = top + max(1, len(rows)) * (group_height + 6)
    largest = max((value for _, values in rows for value in values), default=0) or 1

    parts: list[SafeString] = []
    if len(series) > 1:
        for i, name in enumerate(series):
            x = LABEL_WIDTH + i * 160
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="4" width="12" height="12"></rect>'
                    '<text x="{}" y="14">{}</text>',
                    SERIES_CLASSES[i],
                    x,
                    x + 18,
                    name,
                )
            )
    for row_index, (label, values) in enumerate(rows):
        y = top + row_index * (group_height + 6)
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                y + group_height / 2 + 4,
                label,
            )
        )
        for i, value in enumerate(values):
            bar_y = y + i * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
            width = round(bar_area * value / largest, 1)
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}</title></rect>"
                    '<text class="value" x="{}" y="{}">{}</text>',
                    SERIES_CLASSES[i],
                    LABEL_WIDTH,
                    bar_y,
                    width,
                    BAR_HEIGHT,
                    label,
                    value,
                    series[i].lower(),
                    LABEL_WIDTH + width + 6,
                    bar_y + BAR_HEIGHT - 2,
                    _number(value),
                )
            )
    if not rows:
        parts.append(format_html('<text x="{}" y="16">No data yet</text>', LABEL_WIDTH))
    description = "; ".join(
        f"{label}: "
        + ", ".join(f"{_number(v)} {name.lower()}" for v, name in zip(values, series, strict=True))
        for label, values in rows
    )
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        chart_id,
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description or "No data yet",
        mark_safe("".join(parts)),  # noqa: S308 - every part was built by format_html
    )


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def chart_rows(rows: Sequence[tuple[str, float]]) -> list[tuple[str, list[float]]]:
    """(label, value) pairs as the one-series rows bar_chart takes."""
    return [(label, [value]) for label, value in rows]
