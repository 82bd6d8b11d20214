"""Builders for matching tests: merchants with listed Chinese products, buyers, demands."""

from datetime import timedelta

from django.utils import timezone

from marketplace.matching import services
from pricing import services as pricing_services
from tests.factories import OrganizationFactory, listed_product, member


def merchant(**kwargs):
    org = OrganizationFactory(**kwargs)
    return org, member(org)


def buyer(**kwargs):
    org = OrganizationFactory(is_merchant=False, **kwargs)
    return org, member(org)


def product(org=None, actor=None, *, modes=("api",), **overrides):
    """A registered and listed product (enterprise data, section L, risk control unless overridden)."""
    if org is None:
        org, actor = merchant()
    return listed_product(org, actor, delivery_modes=list(modes), **overrides)


def plan(product, org, actor, *, kind="per_call", mode="api", price="0.50", name="按次调用"):
    return pricing_services.plan_create(
        org=org,
        actor=actor,
        product=product,
        data={"name": name, "kind": kind, "delivery_mode": mode, "unit_price": price, "monthly_quota": None},
    )


def demand_data(**overrides) -> dict:
    data = {
        "title": "企业经营异常数据",
        "description": "需要企业经营异常名录和行政处罚记录，用于银行对公贷款前的风险核查。",
        "scenario": "对公贷款贷前核查",
        "section": "L",
        "delivery_modes": ["api"],
        "purpose": "risk_control",
        "volume": 10000,
        "volume_unit": "per_call",
        "budget_min": None,
        "budget_max": "8000.00",
        "region": "全国",
        "deadline": timezone.localdate() + timedelta(days=30),
        "is_public": True,
        "hide_buyer": False,
    }
    data.update(overrides)
    return data


def post_demand(org=None, actor=None, **overrides):
    """A demand posted through the service (its matching is left to the caller)."""
    if org is None:
        org, actor = buyer()
    return services.demand_create(buyer=org, actor=actor, data=demand_data(**overrides))
