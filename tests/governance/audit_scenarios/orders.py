"""Scenarios of ``marketplace.orders.services``."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

from django.utils import timezone

from marketplace.orders import payments, services
from marketplace.orders.models import Order, OrderStatus, Payment, PaymentStatus
from tests.factories import operator
from tests.orders.support import buyer, market_product, pay_by_transfer, place, plan

from . import scenario

FULFILS = "Money received pays the order, which grants the entitlement and fulfils the order: each step audited."
WEBHOOK_SECRET = "whsec_audit_scenario"


def _order(ctx, *, method="bank_transfer", **product_overrides):
    product, org, actor = market_product(**product_overrides)
    return place(*buyer(), product, plan(product, org, actor), quantity=10, method=method), org, actor


def _stripe_on(ctx):
    ctx.settings.STRIPE_SECRET_KEY = "sk_test_unit"
    ctx.settings.STRIPE_PUBLISHABLE_KEY = "pk_test_unit"
    ctx.settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@scenario("orders.order_place", "orders.order_place")
def _order_place(ctx):
    product, org, actor = market_product()
    the_plan = plan(product, org, actor)
    buyer_org, buyer_user = buyer()
    return lambda: place(buyer_org, buyer_user, product, the_plan)


@scenario("orders.order_approve", "orders.order_approve")
def _order_approve(ctx):
    order, org, actor = _order(ctx, classification="important")
    return lambda: services.order_approve(order=order, org=org, actor=actor)


@scenario("orders.order_refuse", "orders.order_refuse")
def _order_refuse(ctx):
    order, org, actor = _order(ctx, classification="important")
    return lambda: services.order_refuse(order=order, org=org, actor=actor, reason="买方用途不符。")


@scenario("orders.order_expire", "orders.order_expire")
def _order_expire(ctx):
    order, _org, _actor = _order(ctx, classification="important")
    Order.objects.filter(pk=order.pk).update(approval_deadline=timezone.now() - timedelta(minutes=1))
    return lambda: services.order_expire(order=order)


@scenario("orders.order_cancel", "orders.order_cancel")
def _order_cancel(ctx):
    order, _org, _actor = _order(ctx)
    return lambda: services.order_cancel(order=order, org=order.buyer, actor=order.placed_by)


@scenario("orders.payment_intent_prepare", "orders.payment_intent_create")
def _payment_intent_prepare(ctx):
    _stripe_on(ctx)
    ctx.monkeypatch.setattr(payments, "payment_intent_create", lambda *, order: ("pi_scenario", "pi_scenario_secret"))
    order, _org, _actor = _order(ctx, method="stripe")
    return lambda: services.payment_intent_prepare(order=order)


@scenario("orders.payment_fail", "orders.payment_fail")
def _payment_fail(ctx):
    _stripe_on(ctx)
    order, _org, _actor = _order(ctx, method="stripe")
    return lambda: services.payment_fail(payment=order.payment, message="card_declined")


@scenario(
    "orders.bank_transfer_confirm",
    "orders.payment_receive",
    "orders.order_mark_paid",
    "access.entitlement_grant",
    "orders.order_fulfil",
    why=FULFILS,
)
def _bank_transfer_confirm(ctx):
    order, _org, _actor = _order(ctx)
    staff = operator()
    return lambda: services.bank_transfer_confirm(
        payment=order.payment, actor=staff, amount=str(order.amount), bank_serial="SN20260101001"
    )


@scenario(
    "orders.order_mark_paid",
    "orders.order_mark_paid",
    "access.entitlement_grant",
    "orders.order_fulfil",
    why="A paid order is fulfilled at once: the entitlement is granted and the order fulfilled, each audited.",
)
def _order_mark_paid(ctx):
    order, _org, _actor = _order(ctx)
    return lambda: services.order_mark_paid(order=order)


@scenario(
    "orders.order_fulfil",
    "access.entitlement_grant",
    "orders.order_fulfil",
    why="Fulfilling grants the entitlement (its own audited object) and then fulfils the order.",
)
def _order_fulfil(ctx):
    order, _org, _actor = _order(ctx)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID, paid_at=timezone.now())
    return lambda: services.order_fulfil(order=order)


@scenario(
    "orders.order_refund",
    "access.entitlement_revoke",
    "orders.order_refund",
    why="Refunding revokes the buyer's entitlement (its own audited object) and refunds the order.",
)
def _order_refund(ctx):
    order, _org, _actor = _order(ctx)
    order = pay_by_transfer(order)
    staff = operator()
    return lambda: services.order_refund(order=order, actor=staff, reason="争议成立，全额退款。")


@scenario("orders.payment_refund", "orders.payment_refund")
def _payment_refund(ctx):
    order, _org, _actor = _order(ctx)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    Payment.objects.filter(order=order).update(status=PaymentStatus.SUCCEEDED, received_at=timezone.now())
    staff = operator()
    return lambda: services.payment_refund(payment=Payment.objects.get(order=order), actor=staff, reason="订单已取消。")


@scenario(
    "orders.stripe_event_receive",
    "orders.payment_receive",
    "orders.order_mark_paid",
    "access.entitlement_grant",
    "orders.order_fulfil",
    why="A payment_intent.succeeded event is money received: " + FULFILS,
)
def _stripe_event_receive(ctx):
    _stripe_on(ctx)
    order, _org, _actor = _order(ctx, method="stripe")
    Payment.objects.filter(order=order).update(stripe_payment_intent="pi_scenario")
    amount = int(order.amount * 100)
    body = {
        "id": "evt_scenario",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "pi_scenario",
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": "cny",
                "status": "succeeded",
                "metadata": {"order": order.number},
            }
        },
    }
    payload = json.dumps(body).encode()
    stamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return lambda: services.stripe_event_receive(payload=payload, signature=f"t={stamp},v1={digest}")
