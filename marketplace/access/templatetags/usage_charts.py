"""Server-side SVG bar charts of usage (no script, no CDN): ``{% bar_chart series days %}``."""

from django import template

register = template.Library()

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 600, 140, 36, 18, 8


@register.inclusion_tag("access/_bar_chart.html")
def bar_chart(series: dict, days: list, title: str = ""):
    """One series (``{"label", "values"}``) over ``days`` as bars scaled to the largest day."""
    values = list(series.get("values") or [])
    peak = max(values, default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(values), 1)
    bars = []
    for index, value in enumerate(values):
        height = round(value / peak * plot_h, 1)
        bars.append(
            {
                "x": round(LEFT + index * step + step * 0.1, 1),
                "y": round(TOP + plot_h - height, 1),
                "w": round(step * 0.8, 1),
                "h": height,
                "value": value,
                "day": days[index] if index < len(days) else None,
            }
        )
    return {
        "title": title or series.get("label", ""),
        "bars": bars,
        "peak": max(values, default=0),
        "total": sum(values),
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "baseline": TOP + plot_h,
        "top": TOP,
        "first_day": days[0] if days else None,
        "last_day": days[-1] if days else None,
        "label_y": HEIGHT - 4,
        "right": WIDTH - 4,
    }
