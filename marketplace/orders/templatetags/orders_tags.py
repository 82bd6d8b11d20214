"""Template helpers of the order pages: status badges."""

from django import template

register = template.Library()

BADGES = {
    "awaiting_approval": "warn",
    "awaiting_payment": "warn",
    "paid": "info",
    "fulfilled": "ok",
    "cancelled": "",
    "expired": "bad",
    "refunded": "info",
    "pending": "warn",
    "succeeded": "ok",
    "failed": "bad",
    "active": "ok",
    "revoked": "bad",
    "expired_key": "bad",
    "ready": "ok",
    "loading": "warn",
}


@register.filter
def badge(status) -> str:
    """The badge class for a status: ``<span class="badge {{ order.status|badge }}">``."""
    return BADGES.get(str(status), "")


@register.filter
def negate(amount):
    """A ledger credit shown as a positive share."""
    return -amount if amount is not None else amount
