"""Scenarios of ``marketplace.matching.services``."""

from datetime import timedelta

from django.utils import timezone

from marketplace.matching import services
from marketplace.matching.models import Demand, Offer
from tests.matching.helpers import buyer, demand_data, merchant, plan, post_demand, product

from . import scenario

DERIVED = "Matching's index and word statistics are derived data, recomputed from the catalog; nothing to trace."


def _offer(ctx):
    org, actor = merchant()
    listed = product(org, actor)
    the_plan = plan(listed, org, actor)
    buyer_org, buyer_user = buyer()
    demand = post_demand(buyer_org, buyer_user)
    offer = services.offer_make(
        demand=demand,
        org=org,
        actor=actor,
        product=listed,
        plan=the_plan,
        unit_price="0.40",
        valid_until=timezone.localdate() + timedelta(days=10),
    )
    return offer, org, actor, buyer_org, buyer_user


@scenario("matching.demand_create", "matching.demand_create")
def _demand_create(ctx):
    org, actor = buyer()
    return lambda: services.demand_create(buyer=org, actor=actor, data=demand_data())


@scenario("matching.demand_update", "matching.demand_update")
def _demand_update(ctx):
    org, actor = buyer()
    demand = post_demand(org, actor)
    return lambda: services.demand_update(
        demand=demand, org=org, actor=actor, data=demand_data(title="企业司法涉诉数据")
    )


@scenario("matching.demand_close", "matching.demand_close")
def _demand_close(ctx):
    org, actor = buyer()
    demand = post_demand(org, actor)
    return lambda: services.demand_close(demand=demand, org=org, actor=actor, reason="已找到数据。")


@scenario("matching.demand_expire", "matching.demand_expire")
def _demand_expire(ctx):
    demand = post_demand()
    Demand.objects.filter(pk=demand.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    return lambda: services.demand_expire(demand=demand)


@scenario("matching.product_index", why=DERIVED)
def _product_index(ctx):
    listed = product()
    return lambda: services.product_index(product=listed)


@scenario("matching.term_stats_rebuild", why=DERIVED)
def _term_stats_rebuild(ctx):
    product()
    return services.term_stats_rebuild


@scenario("matching.offer_make", "matching.offer_make")
def _offer_make(ctx):
    org, actor = merchant()
    listed = product(org, actor)
    the_plan = plan(listed, org, actor)
    demand = post_demand()
    return lambda: services.offer_make(
        demand=demand,
        org=org,
        actor=actor,
        product=listed,
        plan=the_plan,
        unit_price="0.40",
        valid_until=timezone.localdate() + timedelta(days=10),
    )


@scenario(
    "matching.offer_accept",
    "matching.offer_accept",
    "orders.order_place",
    why="An accepted offer becomes an order at the offered price: the order writes its own entry.",
)
def _offer_accept(ctx):
    offer, _org, _actor, buyer_org, buyer_user = _offer(ctx)
    return lambda: services.offer_accept(offer=offer, org=buyer_org, actor=buyer_user)


@scenario("matching.offer_decline", "matching.offer_decline")
def _offer_decline(ctx):
    offer, _org, _actor, buyer_org, buyer_user = _offer(ctx)
    return lambda: services.offer_decline(offer=offer, org=buyer_org, actor=buyer_user, reason="价格偏高。")


@scenario("matching.offer_withdraw", "matching.offer_withdraw")
def _offer_withdraw(ctx):
    offer, org, actor, _buyer_org, _buyer_user = _offer(ctx)
    return lambda: services.offer_withdraw(offer=offer, org=org, actor=actor)


@scenario("matching.offer_expire", "matching.offer_expire")
def _offer_expire(ctx):
    offer, *_rest = _offer(ctx)
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    return lambda: services.offer_expire(offer=offer)
