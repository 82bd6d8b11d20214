"""Reads of the pricing app: the catalogue in force and its history, plans, free use, revenue, quotes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import Organization
from catalog.choices import DataSourceType
from catalog.models import Product

from .models import (
    KIND_UNIT,
    FreeUseApplication,
    FreeUseStatus,
    GuidedPriceEntry,
    GuidedPriceVersion,
    PermittedRevenue,
    Plan,
    PlanPriceChange,
    RevenueRecord,
    local_date,
)
from .money import ZERO, money
from .quotes import Quote, quote


def _in_force_filter(day: date) -> Q:
    return (
        Q(effective_from__lte=day)
        & (Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        & (Q(is_trial=False) | Q(trial_expires_on__gte=day))
    )


def version_in_force(entry: GuidedPriceEntry, moment: datetime | date | None = None) -> GuidedPriceVersion | None:
    """The entry's version in force on the moment's day: the highest version whose period covers it."""
    day = local_date(moment or timezone.now())
    return entry.versions.filter(_in_force_filter(day)).order_by("-version").first()


def guided_version_for(
    *, section: str, delivery_mode: str, billing_unit: str | None, moment: datetime | date | None = None
) -> GuidedPriceVersion | None:
    """The guided-price version in force for a section, delivery mode and billing unit."""
    if not billing_unit:
        return None
    day = local_date(moment or timezone.now())
    return (
        GuidedPriceVersion.objects.filter(
            _in_force_filter(day),
            entry__section=section,
            entry__delivery_mode=delivery_mode,
            entry__billing_unit=billing_unit,
        )
        .select_related("entry")
        .order_by("-version")
        .first()
    )


def guided_version_for_plan(plan: Plan, moment: datetime | date | None = None) -> GuidedPriceVersion | None:
    return guided_version_for(
        section=plan.product.section, delivery_mode=plan.delivery_mode, billing_unit=plan.billing_unit, moment=moment
    )


@dataclass
class VersionRow:
    """A version as the public notice (公示) shows it."""

    version: GuidedPriceVersion
    state: str  # in_force | scheduled | superseded | expired
    superseded_on: date | None


def entry_history(entry: GuidedPriceEntry, today: date | None = None) -> list[VersionRow]:
    """Every version of an entry, newest first, with its state today."""
    today = today or timezone.localdate()
    versions = list(entry.versions.order_by("version"))
    current = version_in_force(entry, today)
    rows = []
    for version in versions:
        later = [
            v.effective_from
            for v in versions
            if v.version > version.version and v.effective_from >= version.effective_from
        ]
        superseded_on = min(later) if later else None
        if current and version.pk == current.pk:
            state = "in_force"
        elif version.effective_from > today:
            state = "scheduled"
        elif version.ends_on and version.ends_on < today:
            state = "expired"
        else:
            state = "superseded"
        rows.append(VersionRow(version=version, state=state, superseded_on=superseded_on))
    return list(reversed(rows))


@dataclass
class CatalogueRow:
    entry: GuidedPriceEntry
    current: GuidedPriceVersion | None
    history: list[VersionRow]


def guided_catalogue(*, section: str = "", today: date | None = None) -> list[CatalogueRow]:
    """The whole catalogue: each entry with its version in force and every version ever published."""
    today = today or timezone.localdate()
    entries = GuidedPriceEntry.objects.prefetch_related("versions")
    if section:
        entries = entries.filter(section=section)
    rows = []
    for entry in entries:
        history = entry_history(entry, today)
        current = next((row.version for row in history if row.state == "in_force"), None)
        rows.append(CatalogueRow(entry=entry, current=current, history=history))
    return rows


# Plans -----------------------------------------------------------------------------------------


def plans_of(product: Product, *, active_only: bool = False):
    plans = Plan.objects.filter(product=product).select_related("above_cap_version__entry")
    return plans.filter(is_active=True) if active_only else plans


def guided_plans():
    """Active priced plans of public-data (guided) products."""
    return Plan.objects.filter(
        is_active=True, product__data_source_type=DataSourceType.PUBLIC, kind__in=list(KIND_UNIT)
    ).select_related("product", "product__holder")


def flagged_plans():
    """Plans whose price stands above the guided cap now in force (shown to operators)."""
    return guided_plans().filter(above_cap_since__isnull=False).select_related("above_cap_version__entry")


def plan_price_at(changes: list[PlanPriceChange], moment: datetime) -> Decimal | None:
    """The list price (for new buyers) at ``moment``, from the plan's price history."""
    price = changes[0].new_price if changes else None
    for change in changes:
        if change.effective_at <= moment:
            price = change.new_price
    return price


def plan_price_for_subscriber(plan: Plan, subscribed_at: datetime, moment: datetime) -> Decimal | None:
    """The price an existing subscriber pays at ``moment``.

    Decreases reach subscribers at once; an increase only once it has stood for
    ``PRICE_INCREASE_NOTICE_DAYS`` (or at renewal: pass the renewal time as
    ``subscribed_at``). So the subscriber pays the lowest list price in force at any
    time during the notice window ending at ``moment`` (but not before subscribing).
    """
    changes = list(plan.price_changes.order_by("effective_at", "pk"))
    if not changes:
        return plan.unit_price
    notice = timedelta(days=settings.PRICE_INCREASE_NOTICE_DAYS)
    window_start = min(max(subscribed_at, moment - notice), moment)
    candidates = [plan_price_at(changes, window_start)]
    candidates += [c.new_price for c in changes if window_start < c.effective_at <= moment]
    prices = [p for p in candidates if p is not None]
    return min(prices) if prices else None


# Free use --------------------------------------------------------------------------------------


def free_use_grant(*, buyer, product: Product, purpose: str, moment: datetime) -> FreeUseApplication | None:
    """The buyer's approved, unexpired free-use application for this product and purpose, if any."""
    if buyer is None or not purpose:
        return None
    return (
        FreeUseApplication.objects.filter(
            buyer=buyer, product=product, purpose=purpose, status=FreeUseStatus.APPROVED, expires_at__gt=moment
        )
        .order_by("-expires_at")
        .first()
    )


def free_use_queue():
    return FreeUseApplication.objects.filter(status=FreeUseStatus.PENDING).select_related("buyer", "product")


def free_use_of(buyer: Organization):
    return FreeUseApplication.objects.filter(buyer=buyer).select_related("product")


# Quotes ----------------------------------------------------------------------------------------


def quote_for(
    *, product: Product, plan: Plan, quantity: int, buyer=None, purpose: str = "", moment: datetime | None = None
) -> Quote:
    """Fetch what the pure ``quote`` needs (guided version in force, free-use grant) and call it."""
    moment = moment or timezone.now()
    guided = (
        guided_version_for(
            section=product.section, delivery_mode=plan.delivery_mode, billing_unit=plan.billing_unit, moment=moment
        )
        if product.data_source_type == DataSourceType.PUBLIC
        else None
    )
    grant = free_use_grant(buyer=buyer, product=product, purpose=purpose, moment=moment)
    return quote(
        product=product,
        plan=plan,
        quantity=quantity,
        buyer=buyer,
        purpose=purpose,
        moment=moment,
        guided=guided,
        free_use=grant,
    )


# Maximum permitted revenue ---------------------------------------------------------------------


@dataclass
class RevenuePeriod:
    """One year of an operator's guided-price revenue against its maximum permitted revenue."""

    year: int
    permitted: PermittedRevenue | None
    carried_deduction: Decimal  # last year's excess, deducted from this year's permitted revenue
    effective_permitted: Decimal | None
    revenue: Decimal
    percent: Decimal | None
    warning: bool
    excess: Decimal


def revenue_report(organization: Organization) -> list[RevenuePeriod]:
    """Every period with a permitted revenue or revenue, oldest first, excess carried to the next year."""
    permitted = {p.year: p for p in PermittedRevenue.objects.filter(organization=organization)}
    totals = {
        row["period_date__year"]: row["total"]
        for row in RevenueRecord.objects.filter(organization=organization)
        .values("period_date__year")
        .annotate(total=Sum("amount"))
    }
    threshold = Decimal(settings.REVENUE_WARNING_PERCENT)
    periods: list[RevenuePeriod] = []
    carried = ZERO
    previous_year = None
    for year in sorted(set(permitted) | set(totals)):
        if previous_year is not None and year != previous_year + 1:
            carried = ZERO
        revenue = money(totals.get(year) or ZERO)
        row = permitted.get(year)
        if row is None:
            periods.append(RevenuePeriod(year, None, carried, None, revenue, None, False, ZERO))
            carried, previous_year = ZERO, year
            continue
        effective = max(money(row.amount - carried), ZERO)
        percent = money(revenue * 100 / effective) if effective > 0 else None
        excess = max(money(revenue - effective), ZERO)
        warning = revenue > 0 and (percent is None or percent >= threshold)
        periods.append(RevenuePeriod(year, row, carried, effective, revenue, percent, warning, excess))
        carried, previous_year = excess, year
    return periods


def revenue_status(organization: Organization, year: int) -> RevenuePeriod | None:
    return next((period for period in revenue_report(organization) if period.year == year), None)


def public_data_operators():
    return Organization.objects.filter(is_public_data_operator=True)


def public_products():
    """Products the public may see and quote: registered or under notice (with a code), not drafts or refused."""
    hidden = [
        Product.Status.DRAFT,
        Product.Status.SUBMITTED,
        Product.Status.IN_REVIEW,
        Product.Status.CHANGES_REQUESTED,
        Product.Status.REJECTED,
    ]
    return Product.objects.exclude(code=None).exclude(status__in=hidden)
