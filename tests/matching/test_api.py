"""The matching API: demands, matches and offers, each with its permission boundary and a bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.matching import services
from marketplace.matching.models import Demand, Offer
from tests.factories import OrganizationFactory, member
from tests.matching.helpers import buyer, demand_data, plan, post_demand
from tests.pricing.helpers import public_product, publish

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(**overrides) -> dict:
    data = demand_data(**overrides)
    data["deadline"] = data["deadline"].isoformat()
    return {key: value for key, value in data.items() if value is not None}


def test_post_a_demand_and_read_it_back(db):
    org, user = buyer()

    created = api(user).post("/api/v1/demands/", payload(), format="json")
    listed = api().get("/api/v1/demands/", {"q": "经营异常", "section": "L"})

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "open" and created.json()["buyer"] == org.name
    assert listed.json()["count"] == 1
    assert listed.json()["results"][0]["id"] == created.json()["id"]


def test_anonymous_may_not_post_and_bad_input_names_the_field(db):
    org, user = buyer()

    anonymous = api().post("/api/v1/demands/", payload(), format="json")
    bad = api(user).post("/api/v1/demands/", payload(budget_min="900", budget_max="100"), format="json")

    assert anonymous.status_code in (401, 403)
    assert bad.status_code == 400 and "budget_max" in bad.json()["errors"]
    assert not Demand.objects.exists()


def test_patch_and_close_only_ones_own_demand(catalog):
    demand = post_demand()
    owner = demand.buyer.members.first()
    stranger_org, stranger = buyer()

    patched = api(owner).patch(f"/api/v1/demands/{demand.pk}/", {"region": "长三角"}, format="json")
    refused = api(stranger).post(f"/api/v1/demands/{demand.pk}/close/", {}, format="json")
    closed = api(owner).post(f"/api/v1/demands/{demand.pk}/close/", {"reason": "够了"}, format="json")

    assert patched.status_code == 200 and patched.json()["region"] == "长三角"
    assert patched.json()["title"] == "企业经营异常数据"  # untouched fields stay
    assert refused.status_code == 404
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_matches_are_listed_to_either_side_with_reasons(catalog):
    demand = post_demand()
    services.demand_match(demand=demand)

    as_buyer = api(demand.buyer.members.first()).get("/api/v1/matches/", {"role": "buyer", "strong": "true"})
    as_merchant = api(catalog.merchant_user).get("/api/v1/matches/", {"role": "merchant"})
    stranger_org, stranger = buyer()
    as_stranger = api(stranger).get("/api/v1/matches/")

    assert [row["product"] for row in as_buyer.json()["results"]] == [catalog.anomaly.code]
    best = as_buyer.json()["results"][0]
    assert best["above_threshold"] and best["reasons"][0]["code"] == "keywords"
    assert "¥5,000.00" in best["reasons_text"]
    assert {row["demand"] for row in as_merchant.json()["results"]} == {demand.pk}
    assert as_stranger.json()["count"] == 0
    assert api().get("/api/v1/matches/").status_code in (401, 403)


def test_offer_above_the_guided_cap_is_a_400_on_the_price(db):
    publish(section="L", delivery_mode="api", billing_unit="per_call", cap="0.50")
    org = OrganizationFactory(is_public_data_operator=True)
    actor = member(org)
    guided = public_product(org, actor, listed=True)
    guided_plan = plan(guided, org, actor, price="0.40")
    demand = post_demand(title="企业登记信息核验", description="核验企业登记信息")
    body = {
        "demand": demand.pk,
        "product": guided.code,
        "plan": guided_plan.pk,
        "unit_price": "0.60",
        "valid_until": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }

    refused = api(actor).post("/api/v1/offers/", body, format="json")
    made = api(actor).post("/api/v1/offers/", {**body, "unit_price": "0.50"}, format="json")

    assert refused.status_code == 400 and refused.json()["field"] == "unit_price"
    assert made.status_code == 201 and made.json()["amount"] == "5000.00"


def test_buyer_accepts_an_offer_and_the_merchant_cannot(catalog):
    demand = post_demand()
    body = {
        "demand": demand.pk,
        "product": catalog.anomaly.code,
        "plan": catalog.anomaly.plans.get().pk,
        "unit_price": "0.45",
        "valid_until": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "message": "可先试用",
    }
    offer_id = api(catalog.merchant_user).post("/api/v1/offers/", body, format="json").json()["id"]

    by_merchant = api(catalog.merchant_user).post(f"/api/v1/offers/{offer_id}/accept/")
    by_buyer = api(demand.buyer.members.first()).post(f"/api/v1/offers/{offer_id}/accept/")
    mine = api(demand.buyer.members.first()).get("/api/v1/offers/", {"role": "buyer", "status": "accepted"})

    assert by_merchant.status_code == 403
    assert by_buyer.status_code == 200 and by_buyer.json()["status"] == "accepted"
    assert mine.json()["count"] == 1
    assert Offer.objects.get().status == Offer.Status.ACCEPTED


def test_demand_filterset_params_to_count(catalog):
    """Each filter narrows the list: words, section, purpose, delivery mode, status, mine."""
    org, user = buyer()
    services.demand_create(buyer=org, actor=user, data=demand_data())
    post_demand(
        title="商圈客流数据",
        description="门店选址需要商圈客流",
        purpose="marketing",
        section="R",
        delivery_modes=["dataset"],
    )
    closed = post_demand(title="企业信用评分", description="小微企业信用评分", section="J")
    services.demand_close(demand=closed, org=closed.buyer, actor=closed.buyer.members.first())
    client = api(user)

    def count(**params):
        return client.get("/api/v1/demands/", params).json()["count"]

    assert count() == 3
    assert count(q="客流") == 1
    assert count(section="L") == 1
    assert count(purpose="marketing") == 1
    assert count(delivery_mode="dataset") == 1
    assert count(status="closed") == 1
    assert count(mine="true") == 1
    assert count(mine="false") == 2
