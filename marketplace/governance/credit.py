"""Credit (信用): an organisation's standing, computed on the fly from its record (DESIGN §3.6).

The score starts at ``BASE_SCORE``; completed trades raise it (one point each, at most
``TRADE_POINTS_MAX``); upheld objections against its registrations, upheld disputes against it,
violations recorded by operators and cancelled registrations lower it. Every record counts for
``CREDIT_WINDOW_DAYS`` after it happened, then drops out, so standing recovers with time and trade.
Below ``CREDIT_MIN_SCORE_TO_TRADE`` an organisation may not submit registrations or make offers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.exceptions import NotAllowed
from accounts.models import Organization

from .models import Dispute, Violation, ViolationSeverity

BASE_SCORE = 80
MAX_SCORE = 100
TRADE_POINTS = 1
TRADE_POINTS_MAX = 20
UPHELD_OBJECTION_POINTS = -15
UPHELD_DISPUTE_POINTS = -10
CANCELLED_REGISTRATION_POINTS = -5
VIOLATION_POINTS = {
    ViolationSeverity.MINOR: -5,
    ViolationSeverity.SERIOUS: -15,
    ViolationSeverity.GRAVE: -40,
}

# (lowest score of the level, level, label), best first.
LEVELS = (
    (90, "A", gettext_lazy("Excellent (优秀)")),
    (75, "B", gettext_lazy("Good (良好)")),
    (60, "C", gettext_lazy("Fair (一般)")),
    (0, "D", gettext_lazy("Poor (较差)")),
)

KIND_LABELS = {
    "trades": gettext_lazy("Completed trades"),
    "objection": gettext_lazy("Objection upheld against a registration"),
    "dispute": gettext_lazy("Dispute upheld against it"),
    "violation": gettext_lazy("Violation recorded by the exchange"),
    "cancellation": gettext_lazy("Registration cancelled"),
}


@dataclass(frozen=True)
class CreditItem:
    """One line of the record that moves the score: what, when, how many points, until when it counts."""

    kind: str
    points: int
    description: str = ""
    on: date | None = None
    counts_until: date | None = None
    count: int = 1

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Credit:
    """An organisation's standing: score (0–100), level (A–D) and the record behind it."""

    organization_id: int
    score: int
    items: list[CreditItem] = field(default_factory=list)
    threshold: int = 0

    @property
    def level(self) -> str:
        return level_of(self.score)[0]

    @property
    def level_label(self) -> str:
        return str(level_of(self.score)[1])

    @property
    def may_trade(self) -> bool:
        return self.score >= self.threshold

    @property
    def shortfall(self) -> int:
        """Points missing to reach the threshold (0 when it is reached)."""
        return max(0, self.threshold - self.score)

    @property
    def penalties(self) -> list[CreditItem]:
        return [item for item in self.items if item.points < 0]

    @property
    def trades(self) -> CreditItem | None:
        return next((item for item in self.items if item.kind == "trades"), None)

    @property
    def next_recovery(self) -> CreditItem | None:
        """The penalty that stops counting first."""
        dated = [item for item in self.penalties if item.counts_until]
        return min(dated, key=lambda item: item.counts_until) if dated else None

    @property
    def standing(self) -> float:
        """The score as a fraction, as matching weighs it."""
        return self.score / MAX_SCORE


def level_of(score: int) -> tuple[str, str]:
    for lowest, level, label in LEVELS:
        if score >= lowest:
            return level, label
    return LEVELS[-1][1], LEVELS[-1][2]


def window_start():
    return timezone.now() - timedelta(days=settings.CREDIT_WINDOW_DAYS)


def _day(moment) -> date:
    """The calendar day (Asia/Shanghai) of a moment; a date stays as it is."""
    return timezone.localdate(moment) if getattr(moment, "tzinfo", None) else moment


def _until(moment) -> date:
    """The last day a record made at ``moment`` counts."""
    return _day(moment) + timedelta(days=settings.CREDIT_WINDOW_DAYS)


def _records(ids: set[int]) -> dict[int, list[CreditItem]]:
    """Every item moving the score of each organisation, in a fixed number of queries."""
    from catalog.models import Objection, ProductEvent, RegistrationStatus
    from marketplace.orders.models import Order, OrderStatus

    since = window_start()
    items: dict[int, list[CreditItem]] = defaultdict(list)

    fulfilled = Order.objects.filter(status=OrderStatus.FULFILLED, fulfilled_at__gte=since)
    trades: dict[int, int] = defaultdict(int)
    for side in ("merchant", "buyer"):
        rows = fulfilled.filter(**{f"{side}_id__in": ids}).values(side).annotate(n=Count("pk")).order_by()
        for row in rows:
            trades[row[side]] += row["n"]
    for org_id, n in trades.items():
        points = min(n * TRADE_POINTS, TRADE_POINTS_MAX)
        items[org_id].append(CreditItem(kind="trades", points=points, count=n))

    objections = Objection.objects.filter(
        status=Objection.Status.UPHELD, product__holder_id__in=ids, decided_at__gte=since
    ).values_list("product__holder_id", "decided_at", "product__name", "product__code")
    for org_id, decided_at, name, code in objections:
        items[org_id].append(
            CreditItem(
                kind="objection",
                points=UPHELD_OBJECTION_POINTS,
                description=f"{name} ({code})" if code else name,
                on=_day(decided_at),
                counts_until=_until(decided_at),
            )
        )

    disputes = Dispute.objects.filter(
        status=Dispute.Status.UPHELD, merchant_id__in=ids, decided_at__gte=since
    ).values_list("merchant_id", "decided_at", "order__number")
    for org_id, decided_at, number in disputes:
        items[org_id].append(
            CreditItem(
                kind="dispute",
                points=UPHELD_DISPUTE_POINTS,
                description=_("Order %(number)s") % {"number": number},
                on=_day(decided_at),
                counts_until=_until(decided_at),
            )
        )

    violations = (
        Violation.objects.in_force()
        .filter(organization_id__in=ids, occurred_on__gte=_day(since))
        .values_list("organization_id", "occurred_on", "severity", "kind")
    )
    for org_id, occurred_on, severity, kind in violations:
        items[org_id].append(
            CreditItem(
                kind="violation",
                points=VIOLATION_POINTS[severity],
                description=f"{Violation.Kind(kind).label} · {ViolationSeverity(severity).label}",
                on=occurred_on,
                counts_until=_until(occurred_on),
            )
        )

    cancellations = ProductEvent.objects.filter(
        subject=ProductEvent.Subject.REGISTRATION,
        to_status=RegistrationStatus.CANCELLED,
        product__holder_id__in=ids,
        created_at__gte=since,
    ).values_list("product__holder_id", "created_at", "product__name", "product__code")
    for org_id, created_at, name, code in cancellations:
        items[org_id].append(
            CreditItem(
                kind="cancellation",
                points=CANCELLED_REGISTRATION_POINTS,
                description=f"{name} ({code})",
                on=_day(created_at),
                counts_until=_until(created_at),
            )
        )
    return items


def credit_scores(organizations) -> dict[int, Credit]:
    """``{organisation id: Credit}`` for the given organisations (objects or ids)."""
    ids = {getattr(org, "pk", org) for org in organizations}
    if not ids:
        return {}
    records = _records(ids)
    threshold = settings.CREDIT_MIN_SCORE_TO_TRADE
    result = {}
    for org_id in ids:
        items = sorted(records.get(org_id, []), key=lambda item: (item.kind != "trades", item.on or date.min))
        score = max(0, min(MAX_SCORE, BASE_SCORE + sum(item.points for item in items)))
        result[org_id] = Credit(organization_id=org_id, score=score, items=items, threshold=threshold)
    return result


def credit_of(organization) -> Credit:
    """One organisation's credit."""
    org_id = getattr(organization, "pk", organization)
    return credit_scores([org_id])[org_id]


def credit_standing(organizations) -> dict[int, float]:
    """``{organisation id: standing 0–1}`` for matching: the credit score, and 0 for an unverified organisation."""
    ids = {getattr(org, "pk", org) for org in organizations}
    verified = set(
        Organization.objects.filter(pk__in=ids, status=Organization.Status.VERIFIED).values_list("pk", flat=True)
    )
    scores = credit_scores(verified)
    return {org_id: scores[org_id].standing if org_id in verified else 0.0 for org_id in ids}


def credit_refusal(organization, *, doing: str) -> str | None:
    """Why the organisation's credit forbids ``doing`` (a translated phrase), or None when it may."""
    credit = credit_of(organization)
    if credit.may_trade:
        return None
    return _(
        "Your organisation's credit score is %(score)s (level %(level)s), below the %(threshold)s needed to "
        "%(doing)s. Your credit page explains why and how to restore it."
    ) % {"score": credit.score, "level": credit.level, "threshold": credit.threshold, "doing": doing}


def require_credit_to_offer(organization) -> None:
    """Raise ``NotAllowed`` when the organisation's credit is below the threshold for making offers."""
    message = credit_refusal(organization, doing=_("make offers"))
    if message:
        raise NotAllowed(message)


def low_credit_organizations(limit: int | None = None) -> list[tuple[Organization, Credit]]:
    """Verified organisations whose record lowers their score, lowest first (for operators)."""
    penalised = set(Violation.objects.in_force().values_list("organization_id", flat=True))
    penalised |= set(Dispute.objects.filter(status=Dispute.Status.UPHELD).values_list("merchant_id", flat=True))
    from catalog.models import Objection, ProductEvent, RegistrationStatus

    penalised |= set(
        Objection.objects.filter(status=Objection.Status.UPHELD).values_list("product__holder_id", flat=True)
    )
    penalised |= set(
        ProductEvent.objects.filter(
            subject=ProductEvent.Subject.REGISTRATION, to_status=RegistrationStatus.CANCELLED
        ).values_list("product__holder_id", flat=True)
    )
    scores = credit_scores(penalised)
    orgs = Organization.objects.in_bulk(list(scores))
    rows = sorted(
        ((orgs[org_id], credit) for org_id, credit in scores.items() if credit.score < BASE_SCORE),
        key=lambda row: (row[1].score, row[0].name),
    )
    return rows[:limit] if limit else rows


def rules() -> dict:
    """The scoring rules as the credit page explains them (points as positive numbers)."""
    return {
        "base": BASE_SCORE,
        "max": MAX_SCORE,
        "trade": TRADE_POINTS,
        "trade_max": TRADE_POINTS_MAX,
        "objection": -UPHELD_OBJECTION_POINTS,
        "dispute": -UPHELD_DISPUTE_POINTS,
        "cancellation": -CANCELLED_REGISTRATION_POINTS,
        "violations": [(ViolationSeverity(severity).label, -points) for severity, points in VIOLATION_POINTS.items()],
        "window_days": settings.CREDIT_WINDOW_DAYS,
        "threshold": settings.CREDIT_MIN_SCORE_TO_TRADE,
        "levels": [(level, label, lowest) for lowest, level, label in LEVELS],
    }
