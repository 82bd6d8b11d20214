"""Reads of orders: a buyer's and a merchant's orders, the operator's queues, income from the ledger."""

from decimal import Decimal

from django.db.models import Q, Sum

from pricing.money import ZERO, money

from .models import LedgerAccount, LedgerEntry, Order, OrderStatus, Payment, PaymentMethod, PaymentStatus


def orders_of_buyer(organization):
    return Order.objects.of_buyer(organization).select_related("product", "plan", "merchant", "payment")


def orders_of_merchant(organization):
    return Order.objects.of_merchant(organization).select_related("product", "plan", "buyer", "payment")


def access_requests_of(organization):
    """Important-data orders awaiting the merchant's approval, soonest deadline first."""
    return orders_of_merchant(organization).filter(status=OrderStatus.AWAITING_APPROVAL).order_by("approval_deadline")


def transfers_to_confirm():
    """Bank transfers the operator still has to confirm, oldest first."""
    return (
        Payment.objects.filter(
            method=PaymentMethod.BANK_TRANSFER,
            status=PaymentStatus.PENDING,
            order__status=OrderStatus.AWAITING_PAYMENT,
        )
        .select_related("order", "order__buyer", "order__product")
        .order_by("created_at")
    )


def payments_for_operator(*, method: str = "", status: str = ""):
    payments = Payment.objects.select_related("order", "order__buyer", "order__merchant", "order__product")
    if method:
        payments = payments.filter(method=method)
    if status:
        payments = payments.filter(status=status)
    return payments.order_by("-created_at")


def payments_to_refund():
    """Money received for orders that had already closed: the operator returns it."""
    return payments_for_operator(status=PaymentStatus.SUCCEEDED).filter(
        order__status__in=[OrderStatus.CANCELLED, OrderStatus.EXPIRED]
    )


def ledger_of_order(order):
    return LedgerEntry.objects.filter(order=order).order_by("kind", "pk")


def ledger_balances(order) -> dict[str, Decimal]:
    """Per kind (payment, refund), the sum of its lines: zero when it balances."""
    rows = LedgerEntry.objects.filter(order=order).values("kind").annotate(total=Sum("amount"))
    return {row["kind"]: money(row["total"]) for row in rows}


def merchant_income(organization) -> dict:
    """What the merchant earned (net of refunds): gross sales, commission, data-source share, its share."""
    entries = LedgerEntry.objects.filter(order__merchant=organization)
    totals = entries.aggregate(
        gross=Sum("amount", filter=Q(account=LedgerAccount.CLEARING)),
        commission=Sum("amount", filter=Q(account=LedgerAccount.COMMISSION)),
        data_source=Sum("amount", filter=Q(account=LedgerAccount.DATA_SOURCE)),
        merchant=Sum("amount", filter=Q(account=LedgerAccount.MERCHANT)),
    )
    return {
        "gross": money(totals["gross"] or ZERO),
        "commission": money(-(totals["commission"] or ZERO)),
        "data_source": money(-(totals["data_source"] or ZERO)),
        "merchant": money(-(totals["merchant"] or ZERO)),
    }


def merchant_income_by_month(organization) -> list[dict]:
    from django.db.models.functions import TruncMonth

    rows = (
        LedgerEntry.objects.filter(order__merchant=organization, account=LedgerAccount.MERCHANT)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("-month")
    )
    return [{"month": row["month"], "amount": money(-(row["total"] or ZERO))} for row in rows]
