"""The catalog FilterSet: parameters in, number of listed products out (NetBox style)."""

from datetime import date

import pytest

from catalog import services
from catalog.filtersets import ProductFilterSet
from catalog.models import Product
from tests.factories import (
    OrganizationFactory,
    approve_product,
    complete_product,
    csv_upload,
    draft_product,
    listed_product,
    member,
)

pytestmark = pytest.mark.django_db


def public_overrides(org) -> dict:
    """What a public-data registration adds: the authorisation naming the merchant."""
    return {
        "data_source_type": "public",
        "auth_authority": "某市数据局",
        "auth_grantee": org.name,
        "auth_content": "气象观测数据",
        "auth_scope": "全市",
        "auth_valid_from": date(2025, 1, 1),
        "auth_valid_until": date(2030, 12, 31),
    }


# Neutral texts, so that only the names decide what a query matches.
TEXT = {"summary": "数据产品", "description": "面向机构用户的数据服务"}


@pytest.fixture
def catalog():
    """Four listed products across sections, delivery modes and source types, plus a draft."""
    org = OrganizationFactory()
    merchant = member(org)
    listed_product(org, merchant, name="企业经营异常核验", **TEXT, section="L", delivery_modes=["api", "verification"])
    listed_product(org, merchant, name="企业信用评分报告", **TEXT, section="J", delivery_modes=["report"])
    listed_product(
        org,
        merchant,
        name="气象灾害预警数据",
        **TEXT,
        section="N",
        delivery_modes=["api", "dataset"],
        **public_overrides(org),
    )
    personal = draft_product(
        org,
        merchant,
        name="个人信用评分模型",
        **TEXT,
        section="J",
        data_source_type="personal",
        personal_basis="anonymised",
        delivery_modes=["model"],
    )
    services.product_save_draft(
        org=org, actor=merchant, product=personal, data={}, personal_evidence=csv_upload(name="evidence.csv")
    )
    services.product_submit(product=personal, actor=merchant)
    complete_product(approve_product(personal))
    draft_product(org, merchant, name="企业信用草稿", **TEXT, section="J")
    return org


def count(params: dict) -> int:
    filterset = ProductFilterSet(params, queryset=Product.objects.listed())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 4),
        ({"q": "信用"}, 2),
        ({"q": "信用评分"}, 2),
        ({"q": "经营异常"}, 1),
        ({"q": "营异"}, 0),
        ({"section": "J"}, 2),
        ({"section": "A"}, 0),
        ({"delivery_mode": "api"}, 2),
        ({"delivery_mode": "model"}, 1),
        ({"data_source_type": "public"}, 1),
        ({"data_source_type": "personal"}, 1),
        ({"price_regime": "guided"}, 1),
        ({"price_regime": "market"}, 3),
        ({"section": "L", "delivery_mode": "api"}, 1),
        ({"section": "J", "delivery_mode": "api"}, 0),
        ({"q": "信用", "section": "J", "delivery_mode": "report"}, 1),
        ({"q": "预警", "price_regime": "guided"}, 1),
        ({"q": "预警", "price_regime": "market"}, 0),
    ],
)
def test_product_filterset_params_give_count(catalog, params, expected):
    """Each filter, alone and combined, narrows the listed products as it says."""
    assert count(params) == expected


def test_product_filterset_ordering_by_name(catalog):
    filterset = ProductFilterSet({"ordering": "name"}, queryset=Product.objects.listed())

    names = [product.name for product in filterset.qs]

    assert names == sorted(names)


def test_product_filterset_refuses_an_unknown_section():
    """An invalid choice is a form error naming the field, not a silent empty result."""
    filterset = ProductFilterSet({"section": "Z", "delivery_mode": "fax"}, queryset=Product.objects.listed())

    assert not filterset.is_valid()
    assert set(filterset.errors) == {"section", "delivery_mode"}
