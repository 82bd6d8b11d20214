"""Template tags of governance: an object's audit history, credit badges and server-side SVG charts.

``{% load governance %}`` then ``{% audit_history product listing %}``, ``{% credit_badge org %}``,
``{% bar_chart rows title="…" %}`` or ``{% line_chart rows title="…" %}`` (rows: ``(label, value)`` pairs).
"""

from django import template
from django.db.models import QuerySet

from .. import charts, selectors
from ..credit import credit_of

register = template.Library()


@register.inclusion_tag("governance/_object_history.html", takes_context=True)
def audit_history(context, *objects, limit=30, title=""):
    """The audit entries of the given objects (or lists of objects), newest first, with their request ids."""
    flat = []
    for item in objects:
        flat.extend(item if isinstance(item, (list, tuple, QuerySet)) else [item])
    return {
        "entries": selectors.object_history(*flat, limit=limit),
        "title": title,
        "perms": context.get("perms"),
        "request": context.get("request"),
    }


@register.inclusion_tag("governance/_credit_badge.html")
def credit_badge(organization, credit=None):
    """An organisation's credit level as a badge (computed when ``credit`` is not given)."""
    return {"credit": credit or credit_of(organization), "organization": organization}


@register.simple_tag
def bar_chart(rows, title="", show_values=True):
    return charts.bar_chart(rows, title=title, show_values=show_values)


@register.simple_tag
def line_chart(rows, title=""):
    return charts.line_chart(rows, title=title)


@register.filter
def change_pairs(changes):
    """``{field: [before, after]}`` (or ``{field: value}``) as ``(field, before, after, is_pair)`` rows."""
    rows = []
    for name, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            rows.append((name, value[0], value[1], True))
        else:
            rows.append((name, None, value, False))
    return rows
