"""Template filters for money and prices."""

from django import template

from ..models import UNIT_SUFFIX
from ..money import format_cny

register = template.Library()


@register.filter
def cny(amount) -> str:
    """``{{ amount|cny }}`` → ``¥1,234.50``."""
    return format_cny(amount) if amount not in (None, "") else "—"


@register.filter
def per_unit(amount, unit) -> str:
    """``{{ cap|per_unit:entry.billing_unit }}`` → ``¥0.50/call``."""
    if amount in (None, ""):
        return "—"
    return format_cny(amount) + str(UNIT_SUFFIX.get(unit, ""))
