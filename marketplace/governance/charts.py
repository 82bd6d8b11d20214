"""Bar and line charts rendered on the server as inline SVG: no script, no library, no CDN.

Each chart is a ``<figure>`` holding an ``<svg role="img">`` titled for screen readers (the page's heading
names it for everyone else), scaled by its
``viewBox`` to the width of its container, with a ``<title>`` on every bar or point (shown on hover).
Colours are presentation attributes (a Content-Security-Policy forbidding inline styles leaves them
intact); ``static/css/governance.css`` refines them.
"""

import math
import uuid
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
HEIGHT = 200
MARGIN_LEFT = 44
MARGIN_RIGHT = 12
MARGIN_TOP = 14
MARGIN_BOTTOM = 42
GRID_LINES = 4
MAX_X_LABELS = 12
MAX_BAR_WIDTH = 40
BAR_COLOUR = "#2563eb"
LINE_COLOUR = "#0f766e"
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#4b5563"

Data = Sequence[tuple[str, int | float | Decimal]]


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least ``value`` (1 for nothing), so gridlines fall on round numbers."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def scale_top(values) -> float:
    """The top of the value axis: ``GRID_LINES`` round steps covering the largest value (whole steps for counts)."""
    values = [float(value) for value in values]
    step = nice_ceiling(max(values, default=0) / GRID_LINES)
    if all(value == int(value) for value in values):
        step = max(1, math.ceil(step))
    return step * GRID_LINES


def _number(value) -> str:
    value = float(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _frame(title: str, body: list[str], *, width: int, height: int, top: float) -> SafeString:
    chart_id = f"chart-{uuid.uuid4().hex[:8]}"
    grid = []
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    for line in range(GRID_LINES + 1):
        value = top * line / GRID_LINES
        y = MARGIN_TOP + plot_height - plot_height * line / GRID_LINES
        grid.append(
            f'<line x1="{MARGIN_LEFT}" x2="{width - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" class="chart-grid"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{TEXT_COLOUR}" '
            f'class="chart-tick">{escape(_number(value))}</text>'
        )
    svg = (
        f'<svg viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>' + "".join(grid) + "".join(body) + "</svg>"
    )
    return format_html('<figure class="chart-figure">{}</figure>', mark_safe(svg))  # noqa: S308  (built from escaped parts)  # nosec B308 B703


def _x_labels(labels: list[str], positions: list[float], width: int, height: int) -> list[str]:
    """Labels under the axis, thinned out so that they never overlap (about 44 units each)."""
    room = max(2, min(MAX_X_LABELS, (width - MARGIN_LEFT - MARGIN_RIGHT) // 44))
    step = max(1, math.ceil(len(labels) / room))
    y = height - MARGIN_BOTTOM + 16
    return [
        f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="10" fill="{TEXT_COLOUR}" class="chart-label">'
        f"{escape(label)}</text>"
        for index, (label, x) in enumerate(zip(labels, positions))
        if index % step == 0
    ]


def bar_chart(
    data: Data, *, title: str, width: int = WIDTH, height: int = HEIGHT, show_values: bool = True
) -> SafeString:
    """A vertical bar chart of ``(label, value)`` pairs, as an inline SVG figure."""
    data = list(data)
    top = scale_top(value for _label, value in data)
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_width / max(1, len(data))
    bar_width = min(MAX_BAR_WIDTH, max(1.0, slot * 0.7))
    body, centres = [], []
    for index, (label, value) in enumerate(data):
        bar_height = plot_height * float(value) / top
        x = MARGIN_LEFT + slot * index + (slot - bar_width) / 2
        y = MARGIN_TOP + plot_height - bar_height
        centres.append(x + bar_width / 2)
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}" fill="{BAR_COLOUR}" '
            f'class="chart-bar"><title>{escape(label)}: {escape(_number(value))}</title></rect>'
        )
        if show_values and len(data) <= MAX_X_LABELS and float(value) > 0:
            body.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT_COLOUR}" class="chart-value">{escape(_number(value))}</text>'
            )
    body += _x_labels([label for label, _value in data], centres, width, height)
    return _frame(title, body, width=width, height=height, top=top)


def line_chart(data: Data, *, title: str, width: int = WIDTH, height: int = HEIGHT) -> SafeString:
    """A line chart of ``(label, value)`` pairs in order, with a dot per point, as an inline SVG figure."""
    data = list(data)
    top = scale_top(value for _label, value in data)
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_width / max(1, len(data) - 1)
    points = []
    for index, (_label, value) in enumerate(data):
        x = MARGIN_LEFT + (step * index if len(data) > 1 else plot_width / 2)
        y = MARGIN_TOP + plot_height - plot_height * float(value) / top
        points.append((x, y))
    body = []
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" class="chart-line"/>'
        )
    for (label, value), (x, y) in zip(data, points):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE_COLOUR}" class="chart-point">'
            f"<title>{escape(label)}: {escape(_number(value))}</title></circle>"
        )
    body += _x_labels([label for label, _value in data], [x for x, _y in points], width, height)
    return _frame(title, body, width=width, height=height, top=top)
