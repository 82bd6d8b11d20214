"""Disputes over orders: filed by the buyer, investigated, upheld (with a refund) or dismissed."""

import pytest

from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from marketplace.access.models import Entitlement
from marketplace.governance import services
from marketplace.governance.models import Dispute
from marketplace.orders.models import Order
from tests.factories import member, operator
from tests.governance.helpers import dispute_on, fulfilled_order

pytestmark = pytest.mark.django_db


def test_dispute_file_opens_a_dispute_on_a_fulfilled_order():
    """The buyer disputes its fulfilled order: the dispute is open, between the buyer and the merchant."""
    trade = fulfilled_order()

    dispute = dispute_on(trade)

    assert dispute.status == Dispute.Status.OPEN
    assert (dispute.buyer, dispute.merchant, dispute.order) == (trade.buyer, trade.merchant, trade.order)


def test_dispute_file_refuses_another_organisation():
    """Only the buyer may dispute an order: the merchant is refused."""
    trade = fulfilled_order()

    with pytest.raises(NotAllowed):
        services.dispute_file(
            order=trade.order,
            org=trade.merchant,
            actor=trade.merchant_user,
            ground="other",
            grounds="我方要求仲裁此订单。",
        )


def test_dispute_file_refuses_a_second_active_dispute():
    """While a dispute over an order is under way, another one is refused."""
    trade = fulfilled_order()
    dispute_on(trade)

    with pytest.raises(DomainError):
        dispute_on(trade)


def test_dispute_file_names_the_fields_to_correct():
    """Missing ground and too-short grounds are reported per field."""
    trade = fulfilled_order()

    with pytest.raises(DomainError) as refused:
        dispute_on(trade, ground="", grounds="短")

    assert set(refused.value.errors) == {"ground", "grounds"}


def test_dispute_investigate_then_dismiss_keeps_the_order():
    """A dismissed dispute leaves the order fulfilled and records the reasons."""
    trade = fulfilled_order()
    staff = operator()
    dispute = services.dispute_investigate(dispute=dispute_on(trade), actor=staff)

    dispute = services.dispute_dismiss(dispute=dispute, actor=staff, reason="接口返回符合产品说明。")

    trade.order.refresh_from_db()
    assert dispute.status == Dispute.Status.DISMISSED
    assert dispute.decision_reason == "接口返回符合产品说明。"
    assert trade.order.status == Order.Status.FULFILLED


def test_dispute_uphold_with_refund_refunds_the_order_and_revokes_access():
    """An upheld dispute with a refund refunds the order through the orders service; access stops."""
    trade = fulfilled_order()
    staff = operator()
    dispute = dispute_on(trade)

    dispute = services.dispute_uphold(dispute=dispute, actor=staff, reason="字段缺失属实。", refund=True)

    trade.order.refresh_from_db()
    assert dispute.status == Dispute.Status.UPHELD
    assert dispute.refunded is True
    assert trade.order.status == Order.Status.REFUNDED
    assert Entitlement.objects.get(order=trade.order).status == "revoked"


def test_dispute_uphold_without_refund_leaves_the_order():
    """Upheld without a refund: the order stays fulfilled, the dispute records no refund."""
    trade = fulfilled_order()
    dispute = dispute_on(trade)

    dispute = services.dispute_uphold(dispute=dispute, actor=operator(), reason="部分属实，不予退款。")

    trade.order.refresh_from_db()
    assert (dispute.status, dispute.refunded) == (Dispute.Status.UPHELD, False)
    assert trade.order.status == Order.Status.FULFILLED


def test_dispute_uphold_repeated_changes_nothing_twice():
    """Upholding twice refunds once and keeps the first decision."""
    trade = fulfilled_order()
    staff = operator()
    dispute = dispute_on(trade)
    services.dispute_uphold(dispute=dispute, actor=staff, reason="属实。", refund=True)

    again = services.dispute_uphold(dispute=dispute, actor=staff, reason="再次。", refund=True)

    assert again.decision_reason == "属实。"


def test_dispute_decided_cannot_be_decided_again():
    """A dismissed dispute cannot then be upheld."""
    trade = fulfilled_order()
    staff = operator()
    dispute = services.dispute_dismiss(dispute=dispute_on(trade), actor=staff, reason="不属实。")

    with pytest.raises(InvalidTransition):
        services.dispute_uphold(dispute=dispute, actor=staff, reason="改判。")


def test_dispute_decisions_need_an_operator_and_reasons():
    """A party cannot decide; an operator must give reasons."""
    trade = fulfilled_order()
    dispute = dispute_on(trade)

    with pytest.raises(NotAllowed):
        services.dispute_uphold(dispute=dispute, actor=trade.buyer_user, reason="我说了算。")
    with pytest.raises(DomainError) as refused:
        services.dispute_dismiss(dispute=dispute, actor=operator(), reason="  ")

    assert refused.value.field == "reason"


def test_dispute_file_again_after_the_first_was_decided():
    """Once decided, the buyer may dispute the same order again (a new dispute)."""
    trade = fulfilled_order()
    services.dispute_dismiss(dispute=dispute_on(trade), actor=operator(), reason="证据不足。")

    second = dispute_on(trade, grounds="补充证据：接口连续三天无响应。")

    assert second.status == Dispute.Status.OPEN
    assert Dispute.objects.filter(order=trade.order).count() == 2


def test_dispute_file_refuses_an_unpaid_order():
    """An order awaiting payment cannot be disputed."""
    from tests.orders.support import market_product, place, plan

    product, org, actor = market_product()
    the_plan = plan(product, org, actor)
    buyer = product.holder.__class__.objects.create(
        name="某银行", uscc="91350100M000100Y43", is_buyer=True, status="verified"
    )
    buyer_user = member(buyer)
    order = place(buyer, buyer_user, product, the_plan)

    with pytest.raises(DomainError):
        services.dispute_file(order=order, org=buyer, actor=buyer_user, ground="other", grounds="尚未付款但要投诉。")
