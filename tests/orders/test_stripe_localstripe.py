"""End to end against localstripe (real HTTP on 127.0.0.1): order → PaymentIntent → webhook → key → metered calls."""

import hashlib
import hmac
import json
import time

import pytest
import requests
from django.urls import reverse

from marketplace.access.models import Entitlement, UsageLog
from marketplace.orders.models import Order, OrderStatus, Payment, StripeEvent

from .support import buyer, market_product, plan, upload

SECRET_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_localstripe_e2e"
QUOTA = 3


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def stripe_post(base, path, data=None):
    response = requests.post(
        base + path, data=data or {}, headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json() if response.content else {}


@pytest.fixture
def stripe_settings(settings, localstripe):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.url
    return localstripe


@pytest.mark.django_db(transaction=True)
def test_buy_with_stripe_then_call_the_data_api_up_to_the_quota(client, live_server, stripe_settings):
    """The buyer orders and pays through a PaymentIntent; localstripe's webhook fulfils the order;
    a key is created; exactly QUOTA data calls are served and the next one gets 429."""
    base = stripe_settings.url
    stripe_post(base, "/_config/webhooks/exchange",
                {"url": live_server.url + reverse("orders:stripe_webhook"), "secret": WEBHOOK_SECRET})  # fmt: skip
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="2.50")
    upload(product, org, actor)
    buyer_org, buyer_user = buyer()
    client.force_login(buyer_user)

    # The buyer orders and starts paying online: the server creates the PaymentIntent.
    client.post(
        reverse("orders:checkout", args=[product.code]),
        {"plan": the_plan.pk, "quantity": QUOTA, "purpose": "risk_control", "payment_method": "stripe"},
    )
    order = Order.objects.get(buyer=buyer_org)
    client.post(reverse("orders:pay", args=[order.number]))
    payment = Payment.objects.get(order=order)
    pay_page = client.get(reverse("orders:pay_page", args=[order.number]))
    intent = requests.get(f"{base}/v1/payment_intents/{payment.stripe_payment_intent}",
                          headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=10).json()  # fmt: skip
    assert (intent["amount"], intent["currency"], intent["metadata"]["order"]) == (750, "cny", order.number)
    assert payment.stripe_client_secret.encode() in pay_page.content
    assert "https://js.stripe.com" in pay_page.headers["Content-Security-Policy"]  # this page only

    # What Stripe.js does in the browser: a card, then confirmation.
    card = stripe_post(base, "/v1/payment_methods", {"type": "card", "card[number]": "4242424242424242",
                       "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"})  # fmt: skip
    stripe_post(base, f"/v1/payment_intents/{intent['id']}", {"payment_method": card["id"]})
    confirmed = stripe_post(base, f"/v1/payment_intents/{intent['id']}/confirm")
    assert confirmed["status"] == "succeeded"

    # localstripe delivers payment_intent.succeeded to the webhook; the order is fulfilled. (The test waits
    # on localstripe's delivery log, not on the database, which the server thread is writing.)
    assert wait_for(lambda: stripe_settings.delivered("payment_intent.succeeded")), stripe_settings.failed()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED
    entitlement = Entitlement.objects.get(order=order)
    assert (entitlement.quota, entitlement.used) == (QUOTA, 0)
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").count() == 1

    # A key, shown once.
    created = client.post(reverse("access:keys"), {"name": "风控系统"})
    secret = created.context["secret"]
    assert created.status_code == 201 and secret.startswith("dxk_")

    # QUOTA calls are served, the next is refused with 429 and costs nothing.
    url = live_server.url + reverse("data-rows", args=[product.code])
    answers = [requests.get(url, headers={"Authorization": f"Bearer {secret}"}, timeout=10) for _ in range(QUOTA + 1)]
    assert [a.status_code for a in answers] == [200] * QUOTA + [429]
    assert answers[0].json()["rows"][0]["企业名称"] == "示例科技有限公司"
    assert answers[-1].json()["code"] == "quota_exhausted"
    entitlement.refresh_from_db()
    assert entitlement.used == QUOTA
    assert UsageLog.objects.filter(entitlement=entitlement, served=True).count() == QUOTA


@pytest.mark.django_db(transaction=True)
def test_localstripe_event_delivered_twice_grants_once_and_forgery_is_refused(client, live_server, stripe_settings):
    """The real event, re-delivered twice more, changes nothing; the same body with a forged signature gets 400."""
    base = stripe_settings.url
    stripe_post(base, "/_config/webhooks/exchange",
                {"url": live_server.url + reverse("orders:stripe_webhook"), "secret": WEBHOOK_SECRET})  # fmt: skip
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="1.00")
    buyer_org, buyer_user = buyer()
    client.force_login(buyer_user)
    client.post(
        reverse("orders:checkout", args=[product.code]),
        {"plan": the_plan.pk, "quantity": 2, "purpose": "risk_control", "payment_method": "stripe"},
    )
    order = Order.objects.get(buyer=buyer_org)
    client.post(reverse("orders:pay", args=[order.number]))
    intent_id = Payment.objects.get(order=order).stripe_payment_intent
    card = stripe_post(base, "/v1/payment_methods", {"type": "card", "card[number]": "4242424242424242",
                       "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"})  # fmt: skip
    stripe_post(base, f"/v1/payment_intents/{intent_id}", {"payment_method": card["id"]})
    stripe_post(base, f"/v1/payment_intents/{intent_id}/confirm")
    assert wait_for(lambda: stripe_settings.delivered("payment_intent.succeeded")), stripe_settings.failed()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLED

    events = requests.get(f"{base}/v1/events", params={"type": "payment_intent.succeeded"},
                          headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=10).json()["data"]  # fmt: skip
    payload = json.dumps(events[0]).encode()
    stamp = int(time.time())
    signature = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    webhook = live_server.url + reverse("orders:stripe_webhook")
    repeats = [
        requests.post(webhook, data=payload, headers={"Stripe-Signature": f"t={stamp},v1={signature}"}, timeout=10)
        for _ in range(2)
    ]
    forged = requests.post(webhook, data=payload, headers={"Stripe-Signature": f"t={stamp},v1={'0' * 64}"}, timeout=10)

    assert [r.status_code for r in repeats] == [200, 200]
    assert forged.status_code == 400
    assert Entitlement.objects.filter(order=order).count() == 1
    assert StripeEvent.objects.filter(event_id=events[0]["id"]).count() == 1
