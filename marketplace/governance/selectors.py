"""Reads of governance: the audit trail, objections and disputes by party, the operators' queues and trends."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import AuditEntry, Organization
from accounts.selectors import verification_queue
from catalog.models import Objection, Peer, Product, ProductEvent, RegistrationStatus
from marketplace.orders.models import Order, OrderStatus

from .models import ACTIVE_DISPUTE_STATUSES, Dispute, Statement
from .services.disputes import DISPUTABLE_ORDER_STATUSES

# Orders that count as trades: paid (or fulfilled) and not refunded.
TRADE_STATUSES = (OrderStatus.PAID, OrderStatus.FULFILLED)


# The audit trail ------------------------------------------------------------------------------------------


def audit_entries() -> QuerySet:
    """Every entry, newest first, with what a list shows."""
    return AuditEntry.objects.select_related("actor", "actor_organization").order_by("-seq")


def object_key(obj) -> tuple[str, str]:
    """``(object_type, object_id)`` as the audit trail names an object."""
    return obj._meta.label_lower, str(obj.pk)


def object_history(*objects, limit: int | None = 50) -> list[AuditEntry]:
    """The audit entries of the given objects (any mix of models), newest first."""
    keys = [object_key(obj) for obj in objects if obj is not None and obj.pk is not None]
    if not keys:
        return []
    condition = Q()
    for object_type, object_id in keys:
        condition |= Q(object_type=object_type, object_id=object_id)
    entries = audit_entries().filter(condition)
    return list(entries[:limit] if limit else entries)


def audit_object_types() -> list[str]:
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


# Objections and disputes, as each party sees them ---------------------------------------------------------


def _with_statements(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch("statements", queryset=Statement.objects.select_related("requested_by", "answered_by"))
    )


def objections_filed_by(user) -> QuerySet:
    """The objections a person filed, newest first, with the statements asked of either party."""
    return _with_statements(
        Objection.objects.filter(objector=user).select_related("product", "product__holder", "decided_by")
    ).order_by("-created_at", "-pk")


def objections_against(organization) -> QuerySet:
    """Objections to the organisation's registrations, newest first."""
    return _with_statements(
        Objection.objects.filter(product__holder=organization).select_related("product", "decided_by")
    ).order_by("-created_at", "-pk")


def public_objections_of(product: Product) -> list[Objection]:
    """What the public sees of the objections to a registration: status, dates and the decision's reasons."""
    return list(product.objections.order_by("created_at", "pk"))


def disputes_of(organization) -> QuerySet:
    """Disputes the organisation filed as buyer or faces as merchant, newest first."""
    return (
        Dispute.objects.involving(organization)
        .select_related("order", "order__product", "buyer", "merchant")
        .order_by("-created_at", "-pk")
    )


def disputable_orders(organization) -> QuerySet:
    """The organisation's orders it may dispute now: paid or fulfilled, with no dispute under way."""
    return (
        Order.objects.filter(buyer=organization, status__in=DISPUTABLE_ORDER_STATUSES)
        .exclude(disputes__status__in=ACTIVE_DISPUTE_STATUSES)
        .select_related("product", "merchant")
        .order_by("-created_at", "-pk")
    )


def dispute_for_party(pk: int, organization) -> Dispute | None:
    """A dispute the organisation is a party to, or None."""
    if organization is None:
        return None
    return _with_statements(disputes_of(organization)).filter(pk=pk).first()


def dispute_queue(status: str = "") -> QuerySet:
    """Disputes for operators: the active ones (oldest first) unless a status is asked for."""
    disputes = Dispute.objects.select_related("order", "order__product", "buyer", "merchant")
    if status == "all":
        return disputes.order_by("-created_at", "-pk")
    if status:
        return disputes.filter(status=status).order_by("-created_at", "-pk")
    return disputes.filter(status__in=ACTIVE_DISPUTE_STATUSES).order_by("created_at", "pk")


def statements_awaiting(*, user=None, organization=None) -> QuerySet:
    """Statements asked of a person or an organisation and not given yet."""
    condition = Q(pk__in=[])
    if user is not None and user.is_authenticated:
        condition |= Q(person=user)
    if organization is not None:
        condition |= Q(organization=organization)
    return Statement.objects.filter(condition, status=Statement.Status.REQUESTED).order_by("due_at", "pk")


# The operators' overview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    count: int
    url_name: str
    query: str = ""


def queues() -> list[Queue]:
    """What waits for operators, with where to deal with it."""
    from marketplace.orders.selectors import transfers_to_confirm

    return [
        Queue("verifications", verification_queue().count(), "accounts:verification_queue"),
        Queue("reviews", Product.objects.review_queue().count(), "catalog:review_queue"),
        Queue("objections", Objection.objects.active().count(), "catalog:objections"),
        Queue("disputes", Dispute.objects.active().count(), "governance:console_disputes"),
        Queue("transfers", transfers_to_confirm().count(), "orders:console_payments"),
    ]


def _days(days: int, today: date | None = None) -> list[date]:
    today = today or timezone.localdate()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _per_day(queryset: QuerySet, field: str, days: list[date]) -> list[tuple[date, int]]:
    """Rows of ``queryset`` counted per local day of ``field`` over ``days``, zeros included."""
    rows = (
        queryset.filter(**{f"{field}__gte": _start_of(days[0])})
        .annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["day"]: row["n"] for row in rows}
    return [(day, counts.get(day, 0)) for day in days]


def daily_trends(days: int = 30, today: date | None = None) -> dict[str, list[tuple[date, int]]]:
    """Registrations submitted (first submissions), trades (orders paid) and data-API calls served, per day."""
    from marketplace.access.models import UsageLog

    span = _days(days, today)
    first_submissions = ProductEvent.objects.filter(
        subject=ProductEvent.Subject.REGISTRATION,
        from_status=RegistrationStatus.DRAFT,
        to_status=RegistrationStatus.SUBMITTED,
    )
    return {
        "registrations": _per_day(first_submissions, "created_at", span),
        "trades": _per_day(Order.objects.filter(paid_at__isnull=False), "paid_at", span),
        "api_calls": _per_day(UsageLog.objects.filter(served=True), "at", span),
    }


def peer_health() -> QuerySet:
    """Every peer exchange with its sync state, trusted ones first."""
    return Peer.objects.order_by("-is_trusted", "exchange_code")


def organizations_for_console(query: str = "") -> QuerySet:
    organizations = Organization.objects.order_by("name", "pk")
    if query := (query or "").strip():
        organizations = organizations.filter(Q(name__icontains=query) | Q(uscc__icontains=query))
    return organizations
