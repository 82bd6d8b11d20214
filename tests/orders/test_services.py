"""Orders: placing from a server-side quote, the status pipeline, payments, refunds and the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import AuditEntry
from marketplace.access.models import Entitlement, EntitlementStatus
from marketplace.orders import services
from marketplace.orders.models import LedgerEntry, Order, OrderStatus, PaymentMethod, PaymentStatus
from marketplace.orders.selectors import ledger_balances
from marketplace.orders.tasks import expire_access_requests
from pricing.models import FreeUseApplication, RevenueRecord
from tests.factories import OrganizationFactory, member, operator

from .support import buyer, guided_price, market_product, pay_by_transfer, place, plan, public_listed_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    product, org, actor = market_product()
    return product, plan(product, org, actor, price="0.50")


def test_order_place_quotes_on_the_server(offer):
    """The amount is the server's quote (10 × ¥0.50), whatever the page showed; the order awaits payment."""
    product, the_plan = offer
    org, user = buyer()

    order = place(org, user, product, the_plan, quantity=10)

    assert order.amount == Decimal("5.00")
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.quote["amount"] == "5.00"
    assert order.payment.method == PaymentMethod.BANK_TRANSFER
    assert order.payment.status == PaymentStatus.PENDING
    assert AuditEntry.objects.filter(action="orders.order_place", object_id=str(order.pk)).exists()


def test_order_place_refuses_unverified_buyer(offer):
    """An organisation the exchange has not verified cannot buy."""
    product, the_plan = offer
    org = OrganizationFactory(status="submitted")
    user = member(org)

    with pytest.raises(DomainError):
        place(org, user, product, the_plan)

    assert not Order.objects.exists()


def test_order_place_refuses_a_person_not_acting_for_the_buyer(offer):
    """Only a member of the buying organisation places its orders."""
    product, the_plan = offer
    org, _user = buyer()
    _other_org, stranger = buyer()

    with pytest.raises(NotAllowed):
        place(org, stranger, product, the_plan)


def test_order_place_refuses_a_purpose_the_merchant_does_not_allow(offer):
    """The purpose must be one the product allows; the error names the field."""
    product, the_plan = offer
    org, user = buyer()

    with pytest.raises(DomainError) as error:
        place(org, user, product, the_plan, purpose="marketing")

    assert "purpose" in error.value.errors


def test_order_place_refuses_own_product(offer):
    """A merchant does not buy its own product."""
    product, the_plan = offer
    seller = product.holder

    with pytest.raises(DomainError):
        place(seller, seller.members.first(), product, the_plan)


def test_bank_transfer_confirm_pays_fulfils_and_grants_entitlement(offer):
    """An operator's confirmation pays the order, posts the ledger and grants quota = quantity calls."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan, quantity=10)

    order = pay_by_transfer(order)

    assert order.status == OrderStatus.FULFILLED
    assert order.payment.status == PaymentStatus.SUCCEEDED
    entitlement = Entitlement.objects.get(order=order)
    assert (entitlement.quota, entitlement.used, entitlement.organization) == (10, 0, org)
    assert ledger_balances(order) == {"payment": Decimal("0.00")}


def test_bank_transfer_confirm_twice_changes_nothing(offer):
    """A second confirmation (double click) finds the payment received and grants nothing more."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan)
    staff = operator()
    pay_by_transfer(order, staff)

    pay_by_transfer(order, staff)

    assert Entitlement.objects.filter(order=order).count() == 1
    assert LedgerEntry.objects.filter(order=order).count() == 3


def test_bank_transfer_confirm_refuses_wrong_amount(offer):
    """The amount received must equal the order's amount; the error names the field."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan, quantity=10)

    with pytest.raises(DomainError) as error:
        services.bank_transfer_confirm(payment=order.payment, actor=operator(), amount="4.99", bank_serial="X1")

    assert "amount" in error.value.errors
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_bank_transfer_confirm_is_for_operators_only(offer):
    """A buyer cannot confirm its own transfer."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan)

    with pytest.raises(NotAllowed):
        services.bank_transfer_confirm(payment=order.payment, actor=user, amount=str(order.amount), bank_serial="X")


def test_order_cancel_by_buyer_closes_an_unpaid_order(offer):
    """The buyer cancels before paying; the transfer can then no longer be confirmed."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan)

    order = services.order_cancel(order=order, org=org, actor=user)
    again = services.order_cancel(order=order, org=org, actor=user)

    assert order.status == again.status == OrderStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        services.bank_transfer_confirm(
            payment=order.payment, actor=operator(), amount=str(order.amount), bank_serial="X"
        )


def test_order_cancel_refused_once_paid(offer):
    """A paid order is refunded, not cancelled."""
    product, the_plan = offer
    org, user = buyer()
    order = pay_by_transfer(place(org, user, product, the_plan))

    with pytest.raises(InvalidTransition):
        services.order_cancel(order=order, org=org, actor=user)


def test_order_refund_reverses_ledger_and_revokes_entitlement(offer):
    """A refund reverses every ledger line (each account nets to zero) and stops the entitlement."""
    product, the_plan = offer
    org, user = buyer()
    order = pay_by_transfer(place(org, user, product, the_plan, quantity=7))
    staff = operator()

    order = services.order_refund(order=order, actor=staff, reason="买方申请退款")
    services.order_refund(order=order, actor=staff, reason="重复操作")

    assert order.status == OrderStatus.REFUNDED
    assert order.payment.status == PaymentStatus.REFUNDED
    assert ledger_balances(order) == {"payment": Decimal("0.00"), "refund": Decimal("0.00")}
    per_account = {}
    for entry in LedgerEntry.objects.filter(order=order):
        per_account[entry.account] = per_account.get(entry.account, Decimal(0)) + entry.amount
    assert set(per_account.values()) == {Decimal("0.00")}
    assert LedgerEntry.objects.filter(order=order).count() == 6
    assert Entitlement.objects.get(order=order).status == EntitlementStatus.REVOKED


def test_order_refund_needs_a_paid_order_and_an_operator(offer):
    """Unpaid orders cannot be refunded; buyers cannot refund."""
    product, the_plan = offer
    org, user = buyer()
    order = place(org, user, product, the_plan)

    with pytest.raises(InvalidTransition):
        services.order_refund(order=order, actor=operator(), reason="x")
    with pytest.raises(NotAllowed):
        services.order_refund(order=order, actor=user, reason="x")


def test_important_data_needs_the_merchants_approval(offer):
    """An important-data order waits for the merchant's approval, with a deadline, before it can be paid."""
    product, org, actor = market_product(classification="important")
    the_plan = plan(product, org, actor)
    buyer_org, buyer_user = buyer()

    order = place(buyer_org, buyer_user, product, the_plan)

    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert order.approval_deadline > timezone.now() + timedelta(days=6)
    with pytest.raises(InvalidTransition):
        pay_by_transfer(order)
    order = services.order_approve(order=order, org=org, actor=actor)
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert pay_by_transfer(order).status == OrderStatus.FULFILLED


def test_important_data_request_refused_or_expired():
    """The merchant may refuse with a reason; a request left past its deadline expires."""
    product, org, actor = market_product(classification="important")
    the_plan = plan(product, org, actor)
    buyer_org, buyer_user = buyer()
    refused = place(buyer_org, buyer_user, product, the_plan)
    late = place(buyer_org, buyer_user, product, the_plan)
    Order.objects.filter(pk=late.pk).update(approval_deadline=timezone.now() - timedelta(minutes=1))

    refused = services.order_refuse(order=refused, org=org, actor=actor, reason="用途与数据分级不符")
    expired_count = expire_access_requests()

    assert refused.status == OrderStatus.CANCELLED
    assert refused.status_reason == "用途与数据分级不符"
    assert expired_count == 1
    late.refresh_from_db()
    assert late.status == OrderStatus.EXPIRED
    with pytest.raises(InvalidTransition):
        services.order_approve(order=late, org=org, actor=actor)


def test_important_data_approval_only_by_the_merchant():
    """Another organisation cannot approve a merchant's access request."""
    product, org, actor = market_product(classification="important")
    order = place(*buyer(), product, plan(product, org, actor))
    other_org, other_user = buyer()

    with pytest.raises(NotAllowed):
        services.order_approve(order=order, org=other_org, actor=other_user)


def test_public_data_ledger_splits_commission_source_and_merchant():
    """¥10.00 of public data: 5% commission, 10% to the data source, the rest (¥8.50) to the merchant."""
    guided_price(cap="1.00")
    product, org, actor = public_listed_product()
    the_plan = plan(product, org, actor, mode="api", price="1.00")
    buyer_org, buyer_user = buyer()

    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=10))

    lines = {e.account: e for e in LedgerEntry.objects.filter(order=order, kind="payment")}
    assert lines["clearing"].amount == Decimal("10.00")
    assert lines["commission"].amount == Decimal("-0.50")
    assert lines["data_source"].amount == Decimal("-1.00")
    assert lines["data_source"].party_name == "示范市大数据管理局"
    assert lines["merchant"].amount == Decimal("-8.50")
    assert lines["merchant"].party == org


def test_guided_revenue_is_recorded_and_reduced_by_a_refund():
    """A guided-price sale feeds the operator's permitted-revenue tracking; its refund takes it back out."""
    guided_price(cap="1.00")
    product, org, actor = public_listed_product()
    the_plan = plan(product, org, actor, mode="api", price="0.80")
    order = pay_by_transfer(place(*buyer(), product, the_plan, quantity=5))

    services.order_refund(order=order, actor=operator(), reason="退款")

    amounts = sorted(RevenueRecord.objects.filter(organization=org).values_list("amount", flat=True))
    assert amounts == [Decimal("-4.00"), Decimal("4.00")]


def test_free_use_order_skips_payment():
    """With an approved free-use application the quote is zero: the order is fulfilled at once, no ledger."""
    guided_price(cap="1.00")
    product, org, actor = public_listed_product()
    the_plan = plan(product, org, actor, mode="api", price="0.80")
    buyer_org, buyer_user = buyer()
    FreeUseApplication.objects.create(
        buyer=buyer_org,
        product=product,
        purpose="public_governance",
        statement="用于城市治理中的企业核验",
        status="approved",
        expires_at=timezone.now() + timedelta(days=30),
    )

    order = place(buyer_org, buyer_user, product, the_plan, quantity=100, purpose="public_governance")

    assert order.amount == Decimal("0.00")
    assert order.payment_method == PaymentMethod.FREE
    assert order.status == OrderStatus.FULFILLED
    assert not LedgerEntry.objects.filter(order=order).exists()
    entitlement = Entitlement.objects.get(order=order)
    assert entitlement.quota == 100
    assert entitlement.expires_at <= timezone.now() + timedelta(days=30)


def test_subscription_renewal_starts_when_the_current_term_ends():
    """Renewing a subscription adds the next months after the current ones, with the monthly quota."""
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, kind="subscription", price="100.00", quota=1000, name="月度订阅")
    buyer_org, buyer_user = buyer()
    first = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=1))
    current = Entitlement.objects.get(order=first)

    renewal = services.order_place(
        buyer=buyer_org,
        actor=buyer_user,
        product=product,
        plan=the_plan,
        quantity=2,
        purpose="risk_control",
        payment_method="bank_transfer",
        renews=current,
    )
    renewal = pay_by_transfer(renewal)

    following = Entitlement.objects.get(order=renewal)
    assert (current.quota, current.monthly) == (1000, True)
    assert following.starts_at == current.expires_at
    assert following.expires_at.month == (current.expires_at.month + 1) % 12 + 1
