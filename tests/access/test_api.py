"""Access API (as a person): entitlements and API keys of the organisation acted for."""

import pytest
from rest_framework.test import APIClient

from marketplace.access.models import ApiKey
from tests.orders.support import buyer, market_product, pay_by_transfer, place, plan

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_key_created_with_its_secret_once_then_listed_without(client):
    """The creation answer carries the secret; the list never does; DELETE revokes."""
    _org, user = buyer()
    api = api_as(user)

    created = api.post("/api/v1/api-keys/", {"name": "数据中台"}, format="json")
    listed = api.get("/api/v1/api-keys/").json()["results"]
    revoked = api.delete(f"/api/v1/api-keys/{created.json()['id']}/")

    assert created.status_code == 201 and created.json()["secret"].startswith("dxk_")
    assert created["Cache-Control"] == "no-store"
    assert "secret" not in listed[0]
    assert revoked.status_code == 204
    assert ApiKey.objects.get().revoked_at is not None


def test_api_key_of_another_organisation_cannot_be_revoked():
    _org, user = buyer()
    created = api_as(user).post("/api/v1/api-keys/", {"name": "k"}, format="json").json()
    _other, stranger = buyer()

    response = api_as(stranger).delete(f"/api/v1/api-keys/{created['id']}/")

    assert response.status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_api_lists_entitlements_with_remaining_quota():
    product, org, actor = market_product()
    buyer_org, user = buyer()
    pay_by_transfer(place(buyer_org, user, product, plan(product, org, actor), quantity=7))

    [item] = api_as(user).get("/api/v1/entitlements/").json()["results"]

    assert (item["product"], item["quota"], item["remaining"]) == (product.code, 7, 7)


def test_api_needs_sign_in():
    assert APIClient().get("/api/v1/entitlements/").status_code in (401, 403)
