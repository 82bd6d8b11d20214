"""Every write of orders: placing, approving, paying (Stripe, bank transfer, free), fulfilling, refunding.

One service per transition of ``Order.status``: each locks the row, returns early when the
move is already done (a repeated webhook or a double click changes nothing twice), raises
``InvalidTransition`` on an illegal move, and writes its audit entry. Amounts always come
from a quote computed here, never from the browser.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member
from catalog.choices import Classification, DataSourceType, PriceRegime, Purpose
from catalog.models import Listing, ListingStatus, Product
from marketplace.access import services as access_services
from marketplace.access.models import Entitlement
from pricing import selectors as pricing_selectors
from pricing import services as pricing_services
from pricing.models import Plan
from pricing.money import ZERO, money, to_minor_units
from pricing.quotes import Quote

from . import ledger, payments
from .models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)

NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread


def _require_operator(actor) -> None:
    if actor is None or not actor.has_perm("accounts.operate_exchange"):
        raise NotAllowed(_("Only exchange operators may do this."))


def _require_member(actor, org: Organization | None) -> None:
    if org is None or not is_member(actor, org):
        raise NotAllowed(_("You do not act for this organisation."))


def _new_number() -> str:
    """``DEMO-20260101-7K3M9Q``: the order number, also the reference a bank transfer must carry."""
    day = timezone.localdate().strftime("%Y%m%d")
    while True:
        suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
        number = f"{settings.EXCHANGE_CODE}-{day}-{suffix}"
        if not Order.objects.filter(number=number).exists():
            return number


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("payment").get(pk=order.pk)


def _lock_payment(payment_id: int) -> Payment:
    """Lock a payment's order, then the payment: always in that order, so two services never deadlock."""
    order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).get()
    list(Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True))
    return Payment.objects.select_for_update(of=("self",)).select_related("order").get(pk=payment_id)


def _move(order: Order, to: str, *, fields: dict | None = None) -> bool:
    """Set the status (and timestamps) if allowed; False when the order is already there."""
    if order.status == to:
        return False
    if not order.can_become(to):
        raise InvalidTransition(
            _("This order is “%(status)s” and cannot become “%(to)s”.")
            % {"status": order.get_status_display(), "to": OrderStatus(to).label}
        )
    order.status = to
    for name, value in (fields or {}).items():
        setattr(order, name, value)
    order.save(update_fields=["status", "updated_at", *(fields or {})])
    return True


# Placing -------------------------------------------------------------------------------------------------


def payment_methods_available() -> list[str]:
    """The ways a priced order can be paid on this exchange right now."""
    methods = [PaymentMethod.BANK_TRANSFER]
    if payments.stripe_enabled():
        methods.insert(0, PaymentMethod.STRIPE)
    return methods


def _check_purchase(*, buyer: Organization, product: Product, plan: Plan, purpose: str, renews) -> dict:
    errors: dict[str, str] = {}
    if not buyer.is_verified:
        raise DomainError(_("Your organisation can buy once the exchange has verified it."))
    if product.holder_id == buyer.pk:
        raise DomainError(_("An organisation cannot buy its own product."))
    if not Listing.objects.filter(product=product, status=ListingStatus.LISTED).exists():
        raise DomainError(_("This product is not on sale."))
    if plan.product_id != product.pk:
        errors["plan"] = _("This plan belongs to another product.")
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose the purpose you will use the data for.")
    elif product.allowed_purposes and purpose not in product.allowed_purposes:
        errors["purpose"] = _("The merchant does not allow this product to be used for this purpose.")
    if renews is not None and (renews.organization_id != buyer.pk or renews.plan_id != plan.pk):
        errors["renews"] = _("Only your own entitlement under the same plan can be renewed.")
    return errors


@transaction.atomic
def order_place(
    *,
    buyer: Organization,
    actor,
    product: Product,
    plan: Plan,
    quantity: int,
    purpose: str,
    payment_method: str,
    renews: Entitlement | None = None,
    agreed_quote: Quote | None = None,
) -> Order:
    """A buyer orders ``quantity`` units of a plan; the amount is quoted here, at this moment.

    ``agreed_quote`` is a price agreed on the server (an accepted offer, re-checked by its service
    against the cap in force); it is never taken from the browser.
    """
    _require_member(actor, buyer)
    errors = _check_purchase(buyer=buyer, product=product, plan=plan, purpose=purpose, renews=renews)
    if errors:
        raise DomainError(_("The order was not placed; correct the fields shown."), errors=errors)
    now = timezone.now()
    quote = agreed_quote or pricing_selectors.quote_for(
        product=product, plan=plan, quantity=quantity, buyer=buyer, purpose=purpose, moment=now
    )
    free = quote.amount == ZERO
    if free:
        payment_method = PaymentMethod.FREE
    elif payment_method not in payment_methods_available():
        raise DomainError(_("Choose how you will pay."), field="payment_method")
    # Important data (重要数据) goes to a verified buyer only with the merchant's approval; a renewal continues it.
    needs_approval = product.classification == Classification.IMPORTANT and renews is None
    order = Order.objects.create(
        number=_new_number(),
        buyer=buyer,
        merchant=product.holder,
        product=product,
        plan=plan,
        quantity=quantity,
        purpose=purpose,
        amount=quote.amount,
        currency=quote.currency,
        regime=quote.regime,
        quote=quote.as_dict(),
        payment_method=payment_method,
        status=OrderStatus.AWAITING_APPROVAL if needs_approval else OrderStatus.AWAITING_PAYMENT,
        approval_deadline=now + timedelta(days=settings.IMPORTANT_DATA_APPROVAL_DAYS) if needs_approval else None,
        renews=renews,
        placed_by=actor,
    )
    if not free:
        Payment.objects.create(order=order, method=payment_method, amount=order.amount, currency=order.currency)
    audit_record(
        action="orders.order_place",
        obj=order,
        actor=actor,
        organization=buyer,
        changes={
            "status": [None, order.status],
            "product": product.code,
            "plan": plan.pk,
            "quantity": quantity,
            "amount": str(order.amount),
            "rule": quote.rule,
            "payment_method": payment_method,
        },
    )
    if free and order.status == OrderStatus.AWAITING_PAYMENT:
        order = order_mark_paid(order=order)
    return order


# Access requests for important data -------------------------------------------------------------------


@transaction.atomic
def order_approve(*, order: Order, org: Organization, actor) -> Order:
    """The merchant approves the access request of an important-data order; it can then be paid."""
    _require_member(actor, org)
    order = _lock(order)
    if order.merchant_id != org.pk:
        raise NotAllowed(_("Only the merchant of this product can approve the request."))
    if order.status != OrderStatus.AWAITING_APPROVAL and order.approved_at:
        return order
    if order.status == OrderStatus.AWAITING_APPROVAL and order.approval_deadline <= timezone.now():
        raise InvalidTransition(_("The request expired on %(date)s.") % {"date": order.approval_deadline})
    now = timezone.now()
    _move(order, OrderStatus.AWAITING_PAYMENT, fields={"approved_at": now, "approved_by": actor})
    audit_record(
        action="orders.order_approve",
        obj=order,
        actor=actor,
        organization=org,
        changes={"status": [OrderStatus.AWAITING_APPROVAL, order.status]},
    )
    if order.is_free:
        order = order_mark_paid(order=order)
    return order


@transaction.atomic
def order_refuse(*, order: Order, org: Organization, actor, reason: str) -> Order:
    """The merchant refuses an access request, saying why; the order is cancelled."""
    _require_member(actor, org)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; the buyer sees it."), field="reason")
    order = _lock(order)
    if order.merchant_id != org.pk:
        raise NotAllowed(_("Only the merchant of this product can refuse the request."))
    if order.status == OrderStatus.CANCELLED:
        return order
    if order.status != OrderStatus.AWAITING_APPROVAL:
        raise InvalidTransition(_("Only a request awaiting approval can be refused."))
    _move(order, OrderStatus.CANCELLED, fields={"status_reason": reason, "closed_at": timezone.now()})
    _close_payment(order)
    audit_record(
        action="orders.order_refuse",
        obj=order,
        actor=actor,
        organization=org,
        changes={"status": [OrderStatus.AWAITING_APPROVAL, order.status]},
        reason=reason,
    )
    return order


@transaction.atomic
def order_expire(*, order: Order) -> Order:
    """A request not approved by its deadline expires (run by the periodic task)."""
    order = _lock(order)
    if order.status != OrderStatus.AWAITING_APPROVAL or order.approval_deadline > timezone.now():
        return order
    _move(
        order,
        OrderStatus.EXPIRED,
        fields={"status_reason": _("The merchant did not decide before the deadline."), "closed_at": timezone.now()},
    )
    _close_payment(order)
    audit_record(
        action="orders.order_expire",
        obj=order,
        organization=order.buyer,
        changes={"status": [OrderStatus.AWAITING_APPROVAL, order.status]},
    )
    return order


def _close_payment(order: Order) -> None:
    payment = getattr(order, "payment", None)
    if payment is not None and payment.can_become(PaymentStatus.CANCELLED):
        payment.status = PaymentStatus.CANCELLED
        payment.save(update_fields=["status", "updated_at"])


@transaction.atomic
def order_cancel(*, order: Order, org: Organization, actor, reason: str = "") -> Order:
    """The buyer cancels an unpaid order; an open PaymentIntent is cancelled at Stripe first."""
    _require_member(actor, org)
    order = _lock(order)
    if order.buyer_id != org.pk:
        raise NotAllowed(_("Only the buyer can cancel this order."))
    if order.status == OrderStatus.CANCELLED:
        return order
    if not order.can_become(OrderStatus.CANCELLED):
        raise InvalidTransition(_("A paid order cannot be cancelled; ask the exchange for a refund."))
    payment = getattr(order, "payment", None)
    if payment is not None and payment.stripe_payment_intent:
        # Cancel at Stripe before here, so no payment can succeed for a cancelled order.
        status = payments.payment_intent_cancel(payment.stripe_payment_intent)
        if status != "canceled":
            raise DomainError(_("The payment is already being processed; the order can no longer be cancelled."))
    before = order.status
    _move(order, OrderStatus.CANCELLED, fields={"status_reason": (reason or "").strip(), "closed_at": timezone.now()})
    _close_payment(order)
    audit_record(
        action="orders.order_cancel",
        obj=order,
        actor=actor,
        organization=org,
        changes={"status": [before, order.status]},
        reason=reason or "",
    )
    return order


# Payment ------------------------------------------------------------------------------------------------


@transaction.atomic
def payment_intent_prepare(*, order: Order) -> Payment:
    """Create the order's Stripe PaymentIntent once (idempotency key per order) and keep its client secret."""
    payment = _lock_payment(Payment.objects.filter(order=order).values_list("pk", flat=True).get())
    if payment.stripe_payment_intent or payment.method != PaymentMethod.STRIPE:
        return payment
    if payment.order.status != OrderStatus.AWAITING_PAYMENT:
        raise InvalidTransition(_("This order is not awaiting payment."))
    intent_id, client_secret = payments.payment_intent_create(order=payment.order)
    payment.stripe_payment_intent = intent_id
    payment.stripe_client_secret = client_secret
    payment.save(update_fields=["stripe_payment_intent", "stripe_client_secret", "updated_at"])
    audit_record(
        action="orders.payment_intent_create",
        obj=payment,
        organization=payment.order.buyer,
        changes={"payment_intent": intent_id, "amount": str(payment.amount)},
    )
    return payment


def _payment_received(payment: Payment, *, actor=None, fields: dict | None = None) -> Payment:
    """Record money received and pay the order (or note a payment on a closed order, to refund)."""
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED):
        return payment
    if not payment.can_become(PaymentStatus.SUCCEEDED):
        raise InvalidTransition(_("This payment cannot be received."))
    before = payment.status
    payment.status = PaymentStatus.SUCCEEDED
    payment.received_at = timezone.now()
    for name, value in (fields or {}).items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", "received_at", "updated_at", *(fields or {})])
    audit_record(
        action="orders.payment_receive",
        obj=payment,
        actor=actor,
        organization=payment.order.buyer,
        changes={"status": [before, payment.status], "amount": str(payment.amount), **(fields or {})},
    )
    if payment.order.can_become(OrderStatus.PAID) or payment.order.status == OrderStatus.PAID:
        order_mark_paid(order=payment.order, actor=actor)
    return payment


@transaction.atomic
def payment_fail(*, payment: Payment, message: str = "") -> Payment:
    """A payment attempt failed (a declined card); the buyer may try again. A late failure changes nothing."""
    payment = _lock_payment(payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = PaymentStatus.FAILED
    payment.failure_message = (message or "")[:300]
    payment.save(update_fields=["status", "failure_message", "updated_at"])
    audit_record(
        action="orders.payment_fail",
        obj=payment,
        organization=payment.order.buyer,
        changes={"status": [PaymentStatus.PENDING, PaymentStatus.FAILED]},
        reason=payment.failure_message,
    )
    return payment


@transaction.atomic
def bank_transfer_confirm(*, payment: Payment, actor, amount, bank_serial: str, payer_name: str = "") -> Payment:
    """An operator confirms a bank transfer (对公转账) arrived in full, with the bank's serial number."""
    _require_operator(actor)
    payment = _lock_payment(payment.pk)
    if payment.method != PaymentMethod.BANK_TRANSFER:
        raise DomainError(_("This order is not paid by bank transfer."))
    if payment.status == PaymentStatus.SUCCEEDED:
        return payment
    errors = {}
    try:
        received = money(amount)
    except ValueError:
        received = None
    if received is None:
        errors["amount"] = _("Enter the amount received, e.g. 1200.00.")
    elif received != payment.amount:
        errors["amount"] = _("The amount received must equal the order's amount (%(amount)s).") % {
            "amount": payment.amount
        }
    bank_serial = (bank_serial or "").strip()
    if not bank_serial:
        errors["bank_serial"] = _("Enter the bank's serial number (流水号) of the transfer.")
    if errors:
        raise DomainError(_("The transfer was not confirmed; correct the fields shown."), errors=errors)
    if payment.order.status != OrderStatus.AWAITING_PAYMENT:
        raise InvalidTransition(_("This order is not awaiting payment."))
    return _payment_received(
        payment,
        actor=actor,
        fields={"bank_serial": bank_serial[:64], "payer_name": (payer_name or "").strip()[:200], "confirmed_by": actor},
    )


# Paid, fulfilled ----------------------------------------------------------------------------------------


def _data_source_name(product: Product) -> str | None:
    """Who the data source's share is due to: the authorising body of a public-data product."""
    if product.data_source_type != DataSourceType.PUBLIC:
        return None
    return product.auth_authority or _("Public data source")


def _post_ledger(order: Order, kind: str) -> None:
    if LedgerEntry.objects.filter(order=order, kind=kind).exists():
        return
    lines = ledger.split(
        amount=order.amount,
        merchant_id=order.merchant_id,
        merchant_name=order.merchant.name,
        data_source_name=_data_source_name(order.product),
    )
    if kind == LedgerKind.REFUND:
        lines = ledger.reverse(lines)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            order=order,
            kind=kind,
            account=line.account,
            party_id=line.party_id,
            party_name=line.party_name,
            amount=line.amount,
        )
        for line in lines
    )


def _record_guided_revenue(order: Order, *, refund: bool = False) -> None:
    """Guided-price revenue feeds the maximum-permitted-revenue tracking (pricing)."""
    if order.regime != PriceRegime.GUIDED or order.amount <= ZERO:
        return
    pricing_services.revenue_record(
        organization=order.merchant,
        amount=-order.amount if refund else order.amount,
        period_date=timezone.localdate(),
        source=f"order:{order.number}:refund" if refund else f"order:{order.number}",
    )


@transaction.atomic
def order_mark_paid(*, order: Order, actor=None) -> Order:
    """The money is in (or none is due): post the ledger split, record guided revenue, then fulfil."""
    order = _lock(order)
    if order.status in (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED):
        return order_fulfil(order=order) if order.status == OrderStatus.PAID else order
    before = order.status
    _move(order, OrderStatus.PAID, fields={"paid_at": timezone.now()})
    if order.amount > ZERO:
        _post_ledger(order, LedgerKind.PAYMENT)
        _record_guided_revenue(order)
    audit_record(
        action="orders.order_mark_paid",
        obj=order,
        actor=actor,
        organization=order.buyer,
        changes={"status": [before, order.status], "amount": str(order.amount), "method": order.payment_method},
    )
    return order_fulfil(order=order)


@transaction.atomic
def order_fulfil(*, order: Order) -> Order:
    """Grant the entitlement of a paid order."""
    order = _lock(order)
    if order.status == OrderStatus.FULFILLED:
        return order
    if order.status != OrderStatus.PAID:
        raise InvalidTransition(_("Only a paid order can be fulfilled."))
    entitlement = access_services.entitlement_grant(order=order)
    _move(order, OrderStatus.FULFILLED, fields={"fulfilled_at": timezone.now()})
    audit_record(
        action="orders.order_fulfil",
        obj=order,
        organization=order.buyer,
        changes={"status": [OrderStatus.PAID, order.status], "entitlement": entitlement.pk},
    )
    return order


# Refunds --------------------------------------------------------------------------------------------------


def _refund(order: Order, *, actor, reason: str, refund_id: str = "") -> Order:
    payment = getattr(order, "payment", None)
    before = order.status
    if order.status == OrderStatus.REFUNDED:
        return order
    _move(order, OrderStatus.REFUNDED, fields={"status_reason": reason, "closed_at": timezone.now()})
    if payment is not None and payment.status == PaymentStatus.SUCCEEDED:
        payment.status = PaymentStatus.REFUNDED
        payment.refunded_at = timezone.now()
        payment.stripe_refund = refund_id or payment.stripe_refund
        payment.save(update_fields=["status", "refunded_at", "stripe_refund", "updated_at"])
    if order.amount > ZERO:
        _post_ledger(order, LedgerKind.REFUND)
        _record_guided_revenue(order, refund=True)
    entitlement = Entitlement.objects.filter(order=order).first()
    if entitlement is not None:
        access_services.entitlement_revoke(entitlement=entitlement, actor=actor, reason=reason)
    audit_record(
        action="orders.order_refund",
        obj=order,
        actor=actor,
        organization=order.buyer,
        changes={"status": [before, order.status], "amount": str(order.amount), "refund": refund_id},
        reason=reason,
    )
    return order


@transaction.atomic
def order_refund(*, order: Order, actor, reason: str) -> Order:
    """An operator refunds a paid order in full: Stripe refunds the card; a transfer is returned by the bank.

    The ledger split is reversed, guided revenue is reduced and the entitlement revoked.
    """
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; the buyer and the merchant see it."), field="reason")
    order = _lock(order)
    if order.status == OrderStatus.REFUNDED:
        return order
    if not order.can_become(OrderStatus.REFUNDED):
        raise InvalidTransition(_("Only a paid order can be refunded."))
    refund_id = ""
    payment = getattr(order, "payment", None)
    if payment is not None and payment.method == PaymentMethod.STRIPE and payment.stripe_payment_intent:
        refund_id = payment.stripe_refund or payments.refund_create(
            intent_id=payment.stripe_payment_intent, order=order
        )
    return _refund(order, actor=actor, reason=reason, refund_id=refund_id)


@transaction.atomic
def payment_refund(*, payment: Payment, actor, reason: str) -> Payment:
    """An operator returns money received for an order that had already closed (no split was posted)."""
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; the buyer sees it."), field="reason")
    payment = _lock_payment(payment.pk)
    if payment.status == PaymentStatus.REFUNDED:
        return payment
    if payment.status != PaymentStatus.SUCCEEDED or payment.order.status not in (
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
    ):
        raise InvalidTransition(_("Refund a paid order from the order itself."))
    refund_id = ""
    if payment.method == PaymentMethod.STRIPE and payment.stripe_payment_intent:
        refund_id = payments.refund_create(intent_id=payment.stripe_payment_intent, order=payment.order)
    return _mark_payment_refunded(payment, refund_id=refund_id, actor=actor, reason=reason)


def _mark_payment_refunded(payment: Payment, *, refund_id: str, actor, reason: str) -> Payment:
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = timezone.now()
    payment.stripe_refund = refund_id
    payment.save(update_fields=["status", "refunded_at", "stripe_refund", "updated_at"])
    audit_record(
        action="orders.payment_refund",
        obj=payment,
        actor=actor,
        organization=payment.order.buyer,
        changes={"status": [PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED], "refund": refund_id},
        reason=reason,
    )
    return payment


# Stripe webhooks --------------------------------------------------------------------------------------------


def _payment_for_intent(intent: dict) -> Payment | None:
    payment_id = Payment.objects.filter(stripe_payment_intent=intent.get("id")).values_list("pk", flat=True).first()
    if payment_id is None:
        # The event may arrive before the PaymentIntent's id was saved: find the order by its metadata.
        number = (intent.get("metadata") or {}).get("order")
        payment_id = (
            Payment.objects.filter(order__number=number, method=PaymentMethod.STRIPE, stripe_payment_intent=None)
            .values_list("pk", flat=True)
            .first()
        )
        if payment_id is None:
            return None
        payment = _lock_payment(payment_id)
        payment.stripe_payment_intent = intent.get("id")
        payment.save(update_fields=["stripe_payment_intent", "updated_at"])
        return payment
    return _lock_payment(payment_id)


def _on_intent_succeeded(intent: dict) -> tuple[Payment | None, str]:
    payment = _payment_for_intent(intent)
    if payment is None:
        return None, "unknown payment intent"
    received = intent.get("amount_received") or intent.get("amount")
    if received != to_minor_units(payment.amount) or (intent.get("currency") or "").upper() != payment.currency:
        return payment, "amount or currency does not match the order: not applied"
    if payment.status in (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED):
        return payment, "already received"
    was_open = payment.order.status == OrderStatus.AWAITING_PAYMENT
    _payment_received(payment)
    # Out of order: a refund reported before the success is applied now.
    if StripeEvent.objects.filter(type="charge.refunded", object_id=payment.stripe_payment_intent).exists():
        order = _lock(payment.order)
        _refund(order, actor=None, reason=_("Refunded at Stripe."))
        return payment, "received, then refunded (the refund arrived first)"
    return payment, "paid" if was_open else "received on a closed order: to be refunded"


def _on_intent_failed(intent: dict) -> tuple[Payment | None, str]:
    payment = _payment_for_intent(intent)
    if payment is None:
        return None, "unknown payment intent"
    error = intent.get("last_payment_error") or {}
    before = payment.status
    payment_fail(payment=payment, message=error.get("message") or "")
    return payment, "failure recorded" if before == PaymentStatus.PENDING else "ignored: payment is " + before


def _on_charge_refunded(charge: dict) -> tuple[Payment | None, str]:
    payment = _payment_for_intent({"id": charge.get("payment_intent")}) if charge.get("payment_intent") else None
    if payment is None:
        return None, "unknown payment intent"
    if (charge.get("amount_refunded") or 0) < to_minor_units(payment.amount):
        return payment, "partial refund: left to an operator"
    if payment.status != PaymentStatus.SUCCEEDED:
        return payment, "kept until the payment is received"
    refunds = (charge.get("refunds") or {}).get("data") or [{}]
    refund_id = refunds[0].get("id") or ""
    order = _lock(payment.order)
    if order.can_become(OrderStatus.REFUNDED):
        _refund(order, actor=None, reason=_("Refunded at Stripe."), refund_id=refund_id)
        return payment, "refunded"
    if order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
        _mark_payment_refunded(payment, refund_id=refund_id, actor=None, reason=_("Refunded at Stripe."))
        return payment, "payment on a closed order refunded"
    return payment, "already refunded"


HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
}


@transaction.atomic
def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify a Stripe webhook, store its event once, and apply it.

    A repeated event (same id) is found and changes nothing; a late or out-of-order one
    meets the state machines, which refuse to move backwards. If applying fails, the
    stored event rolls back with it so Stripe's retry is processed afresh.
    """
    event = payments.webhook_event(payload=payload, signature=signature)
    obj = (event.get("data") or {}).get("object") or {}
    event_type = event.get("type") or ""
    object_id = obj.get("payment_intent") if event_type.startswith("charge.") else obj.get("id")
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"], type=event_type[:80], object_id=object_id or "", payload=event
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"])
    handler = HANDLERS.get(event_type)
    if handler is None:
        stored.outcome = "ignored"
    else:
        payment, outcome = handler(obj)
        stored.order = payment.order if payment else None
        stored.outcome = outcome
    stored.save(update_fields=["order", "outcome"])
    return stored
