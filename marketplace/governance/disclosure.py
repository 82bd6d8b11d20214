"""Reads of the public disclosure (披露): authorisations, operators' fees and caps, recognitions, trading figures.

Everything here is public: no person, buyer or order number is ever named, only aggregates.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import Organization
from catalog.choices import DataSourceType, DeliveryModeCode, Section
from catalog.models import Objection, Peer, Product, ProductEvent, Recognition, RegistrationStatus
from marketplace.orders.models import Order, OrderStatus
from pricing import selectors as pricing_selectors
from pricing.models import GuidedPriceVersion, Plan

from .models import Dispute, Violation

TRADE_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)
ZERO = Decimal("0.00")


def public_data_authorisations() -> QuerySet:
    """Every listed public-data product with its authorisation (授权对象、内容、范围、时限, authorising body)."""
    return (
        Product.objects.listed()
        .filter(data_source_type=DataSourceType.PUBLIC)
        .select_related("holder")
        .only(
            "pk",
            "code",
            "name",
            "holder__name",
            "holder__uscc",
            "auth_authority",
            "auth_grantee",
            "auth_content",
            "auth_scope",
            "auth_valid_from",
            "auth_valid_until",
        )
        .order_by("holder__name", "name", "pk")
    )


@dataclass
class PlanFee:
    """A plan's actual fee and, for a guided product, the cap in force for it."""

    plan: Plan
    cap: GuidedPriceVersion | None

    @property
    def above_cap(self) -> bool:
        return self.cap is not None and self.plan.unit_price is not None and self.plan.unit_price > self.cap.cap


@dataclass
class ProductFees:
    product: Product
    fees: list[PlanFee] = field(default_factory=list)


@dataclass
class OperatorDisclosure:
    """A public-data operator's product and service list, with fees and caps."""

    organization: Organization
    products: list[ProductFees] = field(default_factory=list)


def public_data_operators(moment: datetime | None = None) -> list[OperatorDisclosure]:
    """Each authorised public-data operator with its listed products, their active plans and the caps in force."""
    moment = moment or timezone.now()
    operators = Organization.objects.filter(is_public_data_operator=True, status=Organization.Status.VERIFIED).order_by(
        "name", "pk"
    )
    products = (
        Product.objects.listed()
        .filter(holder__in=operators)
        .select_related("holder")
        .prefetch_related("delivery_modes")
        .order_by("name", "pk")
    )
    plans = Plan.objects.filter(product__in=products, is_active=True).select_related("product").order_by("pk")
    by_product: dict[int, ProductFees] = {product.pk: ProductFees(product) for product in products}
    for plan in plans:
        cap = (
            pricing_selectors.guided_version_for_plan(plan, moment)
            if plan.product.data_source_type == DataSourceType.PUBLIC
            else None
        )
        by_product[plan.product_id].fees.append(PlanFee(plan, cap))
    result = {org.pk: OperatorDisclosure(org) for org in operators}
    for fees in by_product.values():
        result[fees.product.holder_id].products.append(fees)
    return list(result.values())


@dataclass(frozen=True)
class RecognitionRow:
    recognition: Recognition
    peer_name: str


def recognitions(*, inbound: bool) -> list[RecognitionRow]:
    """Recognitions by peers of our registrations (inbound), or ours of peers' registrations (outbound)."""
    ours = settings.EXCHANGE_CODE
    rows = Recognition.objects.select_related("product").order_by("-recognized_at", "-pk")
    rows = rows.exclude(recognized_by=ours).filter(issuer=ours) if inbound else rows.filter(recognized_by=ours)
    names = dict(Peer.objects.values_list("exchange_code", "name"))
    return [RecognitionRow(row, names.get(row.recognized_by if inbound else row.issuer, "")) for row in rows]


# Trading figures ------------------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return start, end


def trades(year: int | None = None) -> QuerySet:
    """Orders that count as trades (paid or fulfilled, not refunded), optionally within a calendar year."""
    orders = Order.objects.filter(status__in=TRADE_STATUSES, paid_at__isnull=False)
    if year is not None:
        start, end = _year_bounds(year)
        orders = orders.filter(paid_at__gte=start, paid_at__lt=end)
    return orders


@dataclass(frozen=True)
class Figure:
    """One row of aggregate figures: a key (month, section or mode), its label, trades and amount."""

    key: str
    label: str
    trades: int
    amount: Decimal


def _sum_amount():
    return Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def figures_by_month(year: int | None = None) -> list[Figure]:
    rows = (
        trades(year)
        .annotate(month=TruncMonth("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"), total=_sum_amount())
        .order_by("month")
    )
    figures = {row["month"].strftime("%Y-%m"): (row["n"], row["total"]) for row in rows}
    months = [f"{year}-{month:02d}" for month in range(1, 13)] if year is not None else sorted(figures)
    empty = (0, ZERO)
    return [Figure(month, month, *figures.get(month, empty)) for month in months]


def figures_by_section(year: int | None = None) -> list[Figure]:
    rows = trades(year).values("product__section").annotate(n=Count("pk"), total=_sum_amount()).order_by()
    labels = dict(Section.choices)
    figures = [
        Figure(row["product__section"], str(labels.get(row["product__section"], "—")), row["n"], row["total"])
        for row in rows
    ]
    return sorted(figures, key=lambda figure: figure.key)


def figures_by_delivery_mode(year: int | None = None) -> list[Figure]:
    rows = trades(year).values("plan__delivery_mode").annotate(n=Count("pk"), total=_sum_amount()).order_by()
    labels = dict(DeliveryModeCode.choices)
    order = list(DeliveryModeCode.values)
    figures = [
        Figure(row["plan__delivery_mode"], str(labels.get(row["plan__delivery_mode"], "—")), row["n"], row["total"])
        for row in rows
    ]
    return sorted(figures, key=lambda f: order.index(f.key) if f.key in order else len(order))


def trading_totals(year: int | None = None) -> dict:
    totals = trades(year).aggregate(n=Count("pk"), total=_sum_amount())
    return {"trades": totals["n"], "amount": totals["total"]}


def years_with_trades() -> list[int]:
    """Years that have trades or registrations, newest first, always including this year."""
    this_year = timezone.localdate().year
    years = {this_year}
    first = Order.objects.filter(paid_at__isnull=False).order_by("paid_at").values_list("paid_at", flat=True).first()
    registered = Product.objects.filter(registered_at__isnull=False).order_by("registered_at")
    first_registration = registered.values_list("registered_at", flat=True).first()
    for moment in (first, first_registration):
        if moment:
            years.update(range(timezone.localtime(moment).year, this_year + 1))
    return sorted(years, reverse=True)


# The annual report ----------------------------------------------------------------------------------------


@dataclass
class AnnualReport:
    """The annual disclosure report (年度披露报告) for one calendar year."""

    year: int
    exchange_code: str
    exchange_name: str
    generated_at: datetime
    totals: dict
    by_month: list[Figure]
    by_section: list[Figure]
    by_delivery_mode: list[Figure]
    registrations: dict
    governance: dict
    authorisations: list[Product]
    operators: list[OperatorDisclosure]
    recognitions_in: list[RecognitionRow]
    recognitions_out: list[RecognitionRow]


def _count_events(to_status: str, start: datetime, end: datetime) -> int:
    return ProductEvent.objects.filter(
        subject=ProductEvent.Subject.REGISTRATION, to_status=to_status, created_at__gte=start, created_at__lt=end
    ).count()


def annual_report(year: int) -> AnnualReport:
    """Everything the exchange discloses for ``year``: trading figures, registrations, governance, public data."""
    start, end = _year_bounds(year)
    in_year = Q(created_at__gte=start, created_at__lt=end)
    decided_in_year = Q(decided_at__gte=start, decided_at__lt=end)
    authorisations = [
        product
        for product in public_data_authorisations()
        if (product.auth_valid_from is None or product.auth_valid_from <= date(year, 12, 31))
        and (product.auth_valid_until is None or product.auth_valid_until >= date(year, 1, 1))
    ]
    return AnnualReport(
        year=year,
        exchange_code=settings.EXCHANGE_CODE,
        exchange_name=settings.EXCHANGE_NAME,
        generated_at=timezone.now(),
        totals={
            **trading_totals(year),
            "refunded": Order.objects.filter(
                status=OrderStatus.REFUNDED, closed_at__gte=start, closed_at__lt=end
            ).count(),
        },
        by_month=figures_by_month(year),
        by_section=figures_by_section(year),
        by_delivery_mode=figures_by_delivery_mode(year),
        registrations={
            "registered": _count_events(RegistrationStatus.REGISTERED, start, end),
            "withdrawn": _count_events(RegistrationStatus.WITHDRAWN, start, end),
            "suspended": _count_events(RegistrationStatus.SUSPENDED, start, end),
            "cancelled": _count_events(RegistrationStatus.CANCELLED, start, end),
        },
        governance={
            "objections_filed": Objection.objects.filter(in_year).count(),
            "objections_upheld": Objection.objects.filter(decided_in_year, status=Objection.Status.UPHELD).count(),
            "objections_dismissed": Objection.objects.filter(
                decided_in_year, status=Objection.Status.DISMISSED
            ).count(),
            "disputes_filed": Dispute.objects.filter(in_year).count(),
            "disputes_upheld": Dispute.objects.filter(decided_in_year, status=Dispute.Status.UPHELD).count(),
            "disputes_dismissed": Dispute.objects.filter(decided_in_year, status=Dispute.Status.DISMISSED).count(),
            "violations": Violation.objects.in_force()
            .filter(occurred_on__gte=date(year, 1, 1), occurred_on__lte=date(year, 12, 31))
            .count(),
        },
        authorisations=authorisations,
        operators=public_data_operators(),
        recognitions_in=[r for r in recognitions(inbound=True) if start <= r.recognition.recognized_at < end],
        recognitions_out=[r for r in recognitions(inbound=False) if start <= r.recognition.recognized_at < end],
    )
