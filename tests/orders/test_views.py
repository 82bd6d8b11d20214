"""Order pages: checkout, history, detail, invoice, the merchant's sales and income, the operator's payments."""

import pytest
from django.urls import reverse

from marketplace.access.models import Entitlement
from marketplace.orders.models import Order, OrderStatus
from tests.factories import UserFactory, operator

from .support import buyer, market_product, pay_by_transfer, place, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    product, org, actor = market_product()
    return product, plan(product, org, actor, price="0.50"), org, actor


def test_product_page_shows_the_buy_panel(client, offer):
    """A signed-in buyer sees the plans and a form that leads to the checkout."""
    product, _plan, _org, _actor = offer
    _buyer_org, user = buyer()
    client.force_login(user)

    response = client.get(reverse("catalog:product", args=[product.code]))

    assert response.status_code == 200
    assert reverse("orders:checkout", args=[product.code]).encode() in response.content


def test_checkout_shows_the_quote_and_places_the_order(client, offer):
    """GET shows the server's quote; POST places the order at the server's amount and redirects to it."""
    product, the_plan, _org, _actor = offer
    buyer_org, user = buyer()
    client.force_login(user)
    url = reverse("orders:checkout", args=[product.code])

    page = client.get(url, {"plan": the_plan.pk, "quantity": 8, "purpose": "risk_control"})
    response = client.post(
        url,
        {"plan": the_plan.pk, "quantity": 8, "purpose": "risk_control", "payment_method": "bank_transfer",
         "amount": "0.01"},
    )  # fmt: skip

    assert "¥4.00" in page.content.decode()
    order = Order.objects.get(buyer=buyer_org)
    assert response.status_code == 302 and response.url == reverse("orders:detail", args=[order.number])
    assert str(order.amount) == "4.00"


def test_checkout_shows_errors_next_to_fields(client, offer):
    """A purpose the product does not allow is shown next to the purpose field; nothing is placed."""
    product, the_plan, _org, _actor = offer
    _buyer_org, user = buyer()
    client.force_login(user)

    response = client.post(
        reverse("orders:checkout", args=[product.code]),
        {"plan": the_plan.pk, "quantity": 1, "purpose": "marketing", "payment_method": "bank_transfer"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["purpose"]
    assert not Order.objects.exists()


def test_order_detail_shows_bank_account_and_reference_to_the_buyer(client, offer, settings):
    """Awaiting a transfer, the buyer sees the exchange's account and the order number as reference."""
    product, the_plan, _org, _actor = offer
    buyer_org, user = buyer()
    order = place(buyer_org, user, product, the_plan)
    client.force_login(user)

    response = client.get(reverse("orders:detail", args=[order.number]))

    body = response.content.decode()
    assert settings.BANK_ACCOUNT_NUMBER in body and order.number in body
    assert 'data-status="awaiting_payment"' in body


def test_order_detail_hidden_from_other_organisations(client, offer):
    """Another buyer cannot see the order: 404."""
    product, the_plan, _org, _actor = offer
    order = place(*buyer(), product, the_plan)
    _other, stranger = buyer()
    client.force_login(stranger)

    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404


def test_my_orders_lists_only_the_buyers_orders(client, offer):
    """Order history shows the organisation's orders and not another's."""
    product, the_plan, _org, _actor = offer
    buyer_org, user = buyer()
    mine = place(buyer_org, user, product, the_plan)
    theirs = place(*buyer(), product, the_plan)
    client.force_login(user)

    body = client.get(reverse("orders:my_orders")).content.decode()

    assert mine.number in body and theirs.number not in body


def test_buyer_cancels_from_the_page(client, offer):
    """The cancel button (POST) cancels an unpaid order."""
    product, the_plan, _org, _actor = offer
    buyer_org, user = buyer()
    order = place(buyer_org, user, product, the_plan)
    client.force_login(user)

    client.post(reverse("orders:cancel", args=[order.number]))

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_operator_confirms_a_transfer_from_the_console(client, offer):
    """The transfer appears in the operator's queue; confirming it fulfils the order."""
    product, the_plan, _org, _actor = offer
    order = place(*buyer(), product, the_plan, quantity=4)
    client.force_login(operator())

    queue = client.get(reverse("orders:console_payments")).content.decode()
    response = client.post(
        reverse("orders:transfer_confirm", args=[order.payment.pk]),
        {"amount": "2.00", "bank_serial": "ICBC20260101-0001", "payer_name": "示例"},
    )

    assert order.number in queue
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    assert Entitlement.objects.filter(order=order).exists()


def test_transfer_confirm_shows_a_wrong_amount_next_to_the_field(client, offer):
    """A wrong amount is refused and shown next to the amount field."""
    product, the_plan, _org, _actor = offer
    order = place(*buyer(), product, the_plan, quantity=4)
    client.force_login(operator())

    response = client.post(
        reverse("orders:transfer_confirm", args=[order.payment.pk]), {"amount": "1.00", "bank_serial": "X"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"]


def test_payments_console_is_for_operators(client, offer):
    """A buyer gets 403 on the operator's payments page."""
    _buyer_org, user = buyer()
    client.force_login(user)

    assert client.get(reverse("orders:console_payments")).status_code == 403


def test_operator_refunds_from_the_order_page(client, offer):
    """The refund form (POST with a reason) refunds a fulfilled order."""
    product, the_plan, _org, _actor = offer
    order = pay_by_transfer(place(*buyer(), product, the_plan))
    client.force_login(operator())

    client.post(reverse("orders:refund", args=[order.number]), {"reason": "重复购买"})

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_invoice_printable_for_a_paid_order(client, offer):
    """A paid order has a printable statement naming both parties and the amount."""
    product, the_plan, _org, _actor = offer
    buyer_org, user = buyer()
    order = pay_by_transfer(place(buyer_org, user, product, the_plan, quantity=6))
    client.force_login(user)

    body = client.get(reverse("orders:invoice", args=[order.number])).content.decode()

    assert order.number in body and buyer_org.uscc in body and "¥3.00" in body


def test_merchant_approves_a_request_and_sees_sales_and_income(client):
    """The sales page lists the request; approving (POST) lets the buyer pay; income shows the merchant's share."""
    product, org, actor = market_product(classification="important")
    order = place(*buyer(), product, plan(product, org, actor), quantity=10)
    client.force_login(actor)

    sales = client.get(reverse("orders:sales")).content.decode()
    client.post(reverse("orders:approve", args=[order.number]))
    order.refresh_from_db()
    approved_status = order.status
    pay_by_transfer(order)
    income = client.get(reverse("orders:income"))

    assert order.number in sales and 'id="access-requests"' in sales
    assert approved_status == OrderStatus.AWAITING_PAYMENT
    assert str(income.context["totals"]["merchant"]) == "4.75"


def test_merchant_refuses_a_request_with_a_reason(client):
    """Refusing needs a reason; the order is cancelled with it."""
    product, org, actor = market_product(classification="important")
    order = place(*buyer(), product, plan(product, org, actor))
    client.force_login(actor)

    empty = client.post(reverse("orders:refuse", args=[order.number]), {"reason": ""})
    client.post(reverse("orders:refuse", args=[order.number]), {"reason": "买方用途不符"})

    assert empty.context["form"].errors["reason"]
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_pages_need_an_organisation(client):
    """A signed-in person acting for no organisation is told so (403)."""
    client.force_login(UserFactory())

    assert client.get(reverse("orders:my_orders")).status_code == 403
