"""Builders of the governance tests: fulfilled orders, objections under notice, disputes."""

from dataclasses import dataclass

from catalog import services as catalog_services
from marketplace.governance import services
from tests.factories import OrganizationFactory, member, noticed_product, operator
from tests.orders.support import market_product, pay_by_transfer, place, plan


@dataclass
class Trade:
    order: object
    product: object
    merchant: object
    merchant_user: object
    buyer: object
    buyer_user: object


def fulfilled_order(*, merchant=None, merchant_user=None, buyer=None, buyer_user=None, price="0.50") -> Trade:
    """A market product bought by bank transfer, confirmed by an operator: the order ends fulfilled."""
    if merchant is None:
        merchant = OrganizationFactory()
        merchant_user = member(merchant)
    product, merchant, merchant_user = market_product(org=merchant, actor=merchant_user)
    the_plan = plan(product, merchant, merchant_user, price=price)
    if buyer is None:
        buyer = OrganizationFactory(is_merchant=False)
        buyer_user = member(buyer)
    order = pay_by_transfer(place(buyer, buyer_user, product, the_plan))
    return Trade(order, product, merchant, merchant_user, buyer, buyer_user)


def dispute_on(trade: Trade, **overrides):
    data = {"ground": "not_as_described", "grounds": "接口返回的数据与产品说明不符，缺少经营状态字段。"}
    data.update(overrides)
    return services.dispute_file(order=trade.order, org=trade.buyer, actor=trade.buyer_user, **data)


def objection_under_notice(grounds="该数据产品侵犯了我方的数据资源持有权，来源不合法。"):
    """A product under public notice, and an objection to it by a member of the public."""
    holder = OrganizationFactory()
    holder_user = member(holder)
    product = noticed_product(holder, holder_user)
    objector = member(OrganizationFactory(is_merchant=False))
    objection = catalog_services.objection_file(product=product, actor=objector, grounds=grounds)
    return objection, product, holder, holder_user, objector


__all__ = ["dispute_on", "fulfilled_order", "objection_under_notice", "operator"]
