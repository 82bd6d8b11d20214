"""Builders for pricing tests: public-data products, the price authority, catalogue entries."""

from datetime import date, timedelta

from django.utils import timezone

from catalog import services as catalog_services
from catalog.models import Product
from pricing import services
from tests.factories import OrganizationFactory, UserFactory, draft_product, member, operator


def price_authority():
    return UserFactory(roles=["price_authority"])


def public_data(org) -> dict:
    """Registration fields of a public-data product authorised to ``org``."""
    return {
        "name": "企业登记信息核验",
        "data_source_type": "public",
        "auth_authority": "示范市大数据管理局",
        "auth_grantee": org.name,
        "auth_content": "市场主体登记公共数据",
        "auth_scope": "金融风控场景下的企业核验",
        "auth_valid_from": date(2025, 1, 1),
        "auth_valid_until": date(2035, 12, 31),
        "allowed_purposes": ["risk_control", "public_governance"],
    }


def public_product(org=None, actor=None, *, listed: bool = False, **overrides) -> Product:
    """A public-data (guided-price) product of ``org``: a draft, or registered and listed."""
    org = org or OrganizationFactory(is_public_data_operator=True)
    actor = actor or member(org)
    product = draft_product(org, actor, **{**public_data(org), **overrides})
    if listed:
        product = list_product(product, actor)
    return product


def list_product(product: Product, actor) -> Product:
    """Submit, review, approve and complete: the product ends registered and listed."""
    reviewer = operator()
    product = catalog_services.product_submit(product=product, actor=actor)
    catalog_services.registration_start_review(product=product, actor=reviewer)
    catalog_services.registration_approve(product=product, actor=reviewer)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return catalog_services.registration_complete(product=product)


def terms(cap="0.50", tiers=(), sme="0", effective_from=None, **extra) -> dict:
    return {
        "cap": cap,
        "tiers": list(tiers),
        "sme_discount_percent": sme,
        "effective_from": effective_from or timezone.localdate(),
        **extra,
    }


def publish(
    actor=None, *, section="L", delivery_mode="api", billing_unit="per_call", title="企业核验（按次）", **kwargs
):
    """Publish a catalogue entry (first version) as the price authority."""
    return services.guided_entry_publish(
        actor=actor or price_authority(),
        section=section,
        delivery_mode=delivery_mode,
        billing_unit=billing_unit,
        title=title,
        terms=terms(**kwargs),
    )


def plan_data(**overrides) -> dict:
    data = {"name": "按次调用", "kind": "per_call", "delivery_mode": "api", "unit_price": "0.40", "monthly_quota": None}
    data.update(overrides)
    return data
