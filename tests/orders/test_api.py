"""Orders API: placing at the server's price, scoping, deciding requests, operators' payments."""

import pytest
from rest_framework.test import APIClient

from marketplace.orders.models import Order, OrderStatus
from tests.factories import operator

from .support import buyer, market_product, place, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    product, org, actor = market_product()
    return product, plan(product, org, actor, price="0.50")


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_places_an_order_at_the_quoted_amount(offer):
    """POST /orders/ places the order; a price sent by the client is ignored."""
    product, the_plan = offer
    buyer_org, user = buyer()

    response = api_as(user).post(
        "/api/v1/orders/",
        {"product": product.code, "plan": the_plan.pk, "quantity": 4, "purpose": "risk_control", "amount": "0.01"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["amount"] == "2.00"
    assert Order.objects.get(buyer=buyer_org).status == OrderStatus.AWAITING_PAYMENT


def test_api_refuses_a_bad_purpose_with_400(offer):
    """A domain refusal is a 400 with the field named."""
    product, the_plan = offer
    _org, user = buyer()

    response = api_as(user).post(
        "/api/v1/orders/",
        {"product": product.code, "plan": the_plan.pk, "quantity": 4, "purpose": "marketing"},
        format="json",
    )

    assert response.status_code == 400
    assert "purpose" in response.json()["errors"]


def test_api_lists_only_the_organisations_orders(offer):
    """A buyer lists its own orders; another buyer's order is not found."""
    product, the_plan = offer
    buyer_org, user = buyer()
    mine = place(buyer_org, user, product, the_plan)
    theirs = place(*buyer(), product, the_plan)
    client = api_as(user)

    listed = client.get("/api/v1/orders/", {"role": "buyer"}).json()["results"]

    assert [o["number"] for o in listed] == [mine.number]
    assert client.get(f"/api/v1/orders/{theirs.number}/").status_code == 404


def test_api_operator_confirms_a_transfer_buyer_cannot(offer):
    """Only operators reach /payments/; confirming pays the order."""
    product, the_plan = offer
    buyer_org, user = buyer()
    order = place(buyer_org, user, product, the_plan, quantity=2)
    url = f"/api/v1/payments/{order.payment.pk}/confirm-transfer/"
    body = {"amount": "1.00", "bank_serial": "BOC-1"}

    refused = api_as(user).post(url, body, format="json")
    confirmed = api_as(operator()).post(url, body, format="json")

    assert refused.status_code == 403
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded"
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED


def test_api_cancel_twice_is_idempotent(offer):
    product, the_plan = offer
    buyer_org, user = buyer()
    order = place(buyer_org, user, product, the_plan)
    client = api_as(user)

    first = client.post(f"/api/v1/orders/{order.number}/cancel/")
    second = client.post(f"/api/v1/orders/{order.number}/cancel/")

    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "cancelled"
