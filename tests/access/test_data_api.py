"""The data API: key authentication, entitlement authorisation, metering, queries, logging."""

import pytest
from django.urls import reverse

from marketplace.access import services
from marketplace.access.models import Entitlement, UsageLog
from tests.orders.support import buyer, key_for, market_product, pay_by_transfer, place, plan, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought():
    """A buyer with 5 paid calls of a dataset product whose data is loaded, and a key."""
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, price="0.50")
    upload(product, org, actor)
    buyer_org, buyer_user = buyer()
    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=5))
    key, secret = key_for(buyer_org, buyer_user)
    return {"product": product, "order": order, "key": key, "secret": secret, "buyer": buyer_org, "user": buyer_user}


def rows_url(product):
    return reverse("data-rows", args=[product.code])


def call(client, bought, **params):
    return client.get(rows_url(bought["product"]), params, HTTP_AUTHORIZATION=f"Bearer {bought['secret']}")


def test_dataset_calls_served_up_to_the_quota_then_429(client, bought):
    """With quota 5, five calls are served and the sixth gets 429 with a clear body, costing nothing."""
    statuses = [call(client, bought).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
    refused = call(client, bought).json()
    assert refused["code"] == "quota_exhausted"
    assert (refused["quota"], refused["used"]) == (5, 5)
    assert Entitlement.objects.get(order=bought["order"]).used == 5
    assert UsageLog.objects.filter(served=True).count() == 5
    assert UsageLog.objects.filter(served=False, status=429).count() == 2


def test_dataset_query_filters_selects_fields_and_pages(client, bought):
    """Filters match exactly on a column, ``fields`` selects columns, ``after`` continues the page."""
    filtered = call(client, bought, **{"filter[经营状态]": "存续", "fields": "企业名称,城市"}).json()
    first = call(client, bought, limit=2).json()
    second = call(client, bought, limit=2, after=first["next"]).json()

    assert filtered["rows"] == [
        {"企业名称": "示例科技有限公司", "城市": "福州"},
        {"企业名称": "第三家公司", "城市": "深圳"},
    ]
    assert [row["企业名称"] for row in first["rows"]] == ["示例科技有限公司", "另一家公司"]
    assert [row["企业名称"] for row in second["rows"]] == ["第三家公司"]
    assert second["next"] is None


@pytest.mark.parametrize(
    "params, field",
    [({"limit": "1000"}, "limit"), ({"fields": "身份证号"}, "fields"), ({"filter[不存在]": "x"}, "filter[不存在]")],
)
def test_dataset_query_refuses_bad_input_without_charging(client, bought, params, field):
    """An oversized page (no bulk export), an unknown column or filter: 400 naming it, and no quota used."""
    response = call(client, bought, **params)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Entitlement.objects.get(order=bought["order"]).used == 0


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Token dxk_abcdefghijkm_" + "A" * 43, "Bearer dxk_abcdefghijkm_" + "A" * 43],
)
def test_data_api_refuses_missing_or_wrong_keys(client, bought, header):
    """No key, a malformed key or an unknown key: 401, nothing counted."""
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get(rows_url(bought["product"]), **extra)

    assert response.status_code == 401
    assert Entitlement.objects.get(order=bought["order"]).used == 0


def test_data_api_refuses_a_revoked_key(client, bought):
    """A revoked key stops working at once."""
    services.api_key_revoke(org=bought["buyer"], actor=bought["user"], key=bought["key"])

    response = call(client, bought)

    assert response.status_code == 401
    assert response.json()["code"] == "key_revoked"


def test_data_api_refuses_without_entitlement(client, bought):
    """Another organisation's valid key has no entitlement to the product: 403, logged."""
    other_org, other_user = buyer()
    _key, secret = key_for(other_org, other_user)

    response = client.get(rows_url(bought["product"]), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 403
    assert response.json()["code"] == "no_entitlement"
    assert UsageLog.objects.get(organization=other_org).status == 403


def test_data_api_logs_prefix_product_rows_and_digest_never_the_key(client, bought):
    """The usage log names the organisation, key prefix, product, rows, status and a digest of the question."""
    call(client, bought, **{"filter[城市]": "上海"})
    call(client, bought, **{"filter[城市]": "上海"})

    first, second = UsageLog.objects.order_by("at")
    assert (first.organization, first.product, first.key_prefix) == (
        bought["buyer"],
        bought["product"],
        bought["key"].prefix,
    )
    assert (first.rows, first.status, first.served) == (1, 200, True)
    assert first.params_digest == second.params_digest and len(first.params_digest) == 64
    secret_part = bought["secret"].rsplit("_", 1)[1]
    assert all(secret_part not in str(value) for value in UsageLog.objects.values_list())


def test_data_api_rate_limits_each_key(client, bought, settings):
    """Past the per-key rate the call gets 429 ``rate_limited`` with Retry-After, and costs nothing."""
    settings.DATA_API_RATE_LIMIT = "2/m"

    statuses = [call(client, bought).status_code for _ in range(3)]
    limited = call(client, bought)

    assert statuses == [200, 200, 429]
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert Entitlement.objects.get(order=bought["order"]).used == 2


def test_records_plan_counts_the_rows_returned(client):
    """A per-1,000-records plan counts records: a page of 3 rows costs 3, not the page size."""
    product, org, actor = market_product()
    the_plan = plan(product, org, actor, kind="per_records", price="2.00", name="按千条")
    upload(product, org, actor)
    buyer_org, buyer_user = buyer()
    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=1))
    _key, secret = key_for(buyer_org, buyer_user)

    response = client.get(
        reverse("data-rows", args=[product.code]), {"limit": 50}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 200
    assert response.json()["quota"]["charged"] == 3
    assert Entitlement.objects.get(order=order).used == 3


def test_entitlements_endpoint_shows_remaining_quota(client, bought):
    """A key lists its organisation's entitlements with what remains."""
    call(client, bought)

    response = client.get(reverse("data-entitlements"), HTTP_AUTHORIZATION=f"Bearer {bought['secret']}")

    [item] = response.json()["entitlements"]
    assert (item["product"], item["quota"], item["used"], item["remaining"]) == (bought["product"].code, 5, 1, 4)
