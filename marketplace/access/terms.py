"""What an order grants: quota, unit and term from the plan and quantity (a pure function)."""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from pricing.models import PlanKind

from .models import QuotaUnit


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Terms:
    unit: str
    quota: int | None
    monthly: bool
    starts_at: datetime
    expires_at: datetime
    period_ends_at: datetime | None


def entitlement_terms(*, kind: str, quantity: int, monthly_quota: int | None, starts_at: datetime, until=None) -> Terms:
    """Per call: ``quantity`` calls; per 1,000 records: that many thousand records; a subscription:
    ``monthly_quota`` calls a month for ``quantity`` months; a licence: no quota. Calls and licences
    last ``ENTITLEMENT_VALID_DAYS``; ``until`` (a free-use grant's end) cuts any term short.
    """
    valid = starts_at + timedelta(days=settings.ENTITLEMENT_VALID_DAYS)
    unit, quota, monthly, expires, period_ends = QuotaUnit.CALLS, None, False, valid, None
    if kind == PlanKind.PER_CALL:
        quota = quantity
    elif kind == PlanKind.PER_RECORDS:
        unit, quota = QuotaUnit.RECORDS, quantity * 1000
    elif kind == PlanKind.SUBSCRIPTION:
        quota, monthly = monthly_quota or 0, True
        expires = add_months(starts_at, quantity)
        period_ends = add_months(starts_at, 1)
    if until is not None and until < expires:
        expires = until
        period_ends = min(period_ends, until) if period_ends else None
    return Terms(unit, quota, monthly, starts_at, expires, period_ends)
