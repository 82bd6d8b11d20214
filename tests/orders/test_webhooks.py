"""Stripe webhooks: verified by signature, each event stored once, safe against repeats and disorder."""

import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse

from marketplace.access.models import Entitlement, EntitlementStatus
from marketplace.orders.models import LedgerEntry, OrderStatus, Payment, PaymentStatus, StripeEvent

from .support import buyer, market_product, place, plan

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_unit"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_unit"
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def stripe_order():
    """An order paid online whose PaymentIntent ``pi_unit_1`` exists (as if Stripe had created it)."""
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="0.50")
    order = place(*buyer(), product, the_plan, quantity=10, method="stripe")
    Payment.objects.filter(order=order).update(stripe_payment_intent="pi_unit_1", stripe_client_secret="pi_unit_1_s")
    return order


def event(event_id, kind, obj):
    return {"id": event_id, "object": "event", "type": kind, "created": int(time.time()), "data": {"object": obj}}


def intent(status="succeeded", amount=500, **extra):
    return {"id": "pi_unit_1", "object": "payment_intent", "amount": amount, "amount_received": amount,
            "currency": "cny", "status": status, "metadata": {"order": "?"}, **extra}  # fmt: skip


def deliver(client, body: dict, secret: str = SECRET):
    payload = json.dumps(body).encode()
    stamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return client.post(
        reverse("orders:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={stamp},v1={signature}",
    )


def test_succeeded_event_pays_and_fulfils_the_order(client, stripe_order):
    """``payment_intent.succeeded`` for the order's amount pays it and grants the entitlement."""
    response = deliver(client, event("evt_1", "payment_intent.succeeded", intent()))

    stripe_order.refresh_from_db()
    assert response.status_code == 200
    assert stripe_order.status == OrderStatus.FULFILLED
    assert Entitlement.objects.get(order=stripe_order).quota == 10


def test_same_event_twice_gives_one_entitlement(client, stripe_order):
    """A repeated delivery is stored once and changes nothing the second time."""
    body = event("evt_1", "payment_intent.succeeded", intent())

    first, second = deliver(client, body), deliver(client, body)

    assert first.status_code == second.status_code == 200
    assert StripeEvent.objects.filter(event_id="evt_1").count() == 1
    assert Entitlement.objects.filter(order=stripe_order).count() == 1
    assert LedgerEntry.objects.filter(order=stripe_order).count() == 3


def test_another_event_for_the_same_payment_changes_nothing(client, stripe_order):
    """A second ``succeeded`` event (a new id for the same payment) finds it received: no second grant."""
    deliver(client, event("evt_1", "payment_intent.succeeded", intent()))

    deliver(client, event("evt_2", "payment_intent.succeeded", intent()))

    assert Entitlement.objects.filter(order=stripe_order).count() == 1
    assert StripeEvent.objects.get(event_id="evt_2").outcome == "already received"


def test_forged_event_is_refused_with_400(client, stripe_order):
    """A body signed with another secret (or not at all) gets 400 and is not stored."""
    forged = deliver(client, event("evt_f", "payment_intent.succeeded", intent()), secret="whsec_forger")
    unsigned = client.post(reverse("orders:stripe_webhook"), data=b"{}", content_type="application/json")

    assert forged.status_code == 400 and unsigned.status_code == 400
    assert not StripeEvent.objects.exists()
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.AWAITING_PAYMENT


def test_late_failure_after_success_changes_nothing(client, stripe_order):
    """A ``payment_failed`` arriving after ``succeeded`` (out of order) leaves the payment received."""
    deliver(client, event("evt_ok", "payment_intent.succeeded", intent()))

    deliver(client, event("evt_late", "payment_intent.payment_failed", intent(status="requires_payment_method")))

    assert Payment.objects.get(order=stripe_order).status == PaymentStatus.SUCCEEDED


def test_failure_then_success_pays(client, stripe_order):
    """A declined attempt is recorded; a later success still pays the order."""
    declined = intent(status="requires_payment_method", last_payment_error={"message": "卡被拒绝"})
    deliver(client, event("evt_fail", "payment_intent.payment_failed", declined))
    failed = Payment.objects.get(order=stripe_order)

    deliver(client, event("evt_ok", "payment_intent.succeeded", intent()))

    assert (failed.status, failed.failure_message) == (PaymentStatus.FAILED, "卡被拒绝")
    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.FULFILLED


def test_refund_event_before_success_is_applied_after_it(client, stripe_order):
    """Out of order: ``charge.refunded`` first, then ``succeeded``: the order ends refunded, access revoked."""
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_unit_1", "amount": 500,
              "amount_refunded": 500, "refunds": {"data": [{"id": "re_1"}]}}  # fmt: skip
    deliver(client, event("evt_refund", "charge.refunded", charge))

    deliver(client, event("evt_ok", "payment_intent.succeeded", intent()))

    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.REFUNDED
    assert Entitlement.objects.get(order=stripe_order).status == EntitlementStatus.REVOKED
    assert {e.kind for e in LedgerEntry.objects.filter(order=stripe_order)} == {"payment", "refund"}


def test_amount_mismatch_is_not_applied(client, stripe_order):
    """An event whose amount differs from the order's is stored but pays nothing."""
    deliver(client, event("evt_odd", "payment_intent.succeeded", intent(amount=1)))

    stripe_order.refresh_from_db()
    assert stripe_order.status == OrderStatus.AWAITING_PAYMENT
    assert "does not match" in StripeEvent.objects.get(event_id="evt_odd").outcome


def test_unrelated_event_is_stored_and_ignored(client, stripe_order):
    """An event type the exchange does not handle is acknowledged (200) so Stripe stops retrying."""
    response = deliver(client, event("evt_x", "customer.created", {"id": "cus_1"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get(event_id="evt_x").outcome == "ignored"
