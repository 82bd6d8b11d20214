"""Verification products (核验): match / no match per field, never a field of the record."""

import pytest
from django.urls import reverse

from marketplace.access.models import DatasetRow, Entitlement, VerificationRecord
from tests.orders.support import DATASET_CSV, buyer, key_for, market_product, pay_by_transfer, place, plan, upload

pytestmark = pytest.mark.django_db
KEY = "统一社会信用代码"


@pytest.fixture
def verifier():
    product, org, actor = market_product(modes=("verification",))
    the_plan = plan(product, org, actor, mode="verification", price="0.20")
    table = upload(product, org, actor, mode="verification", lookup=[KEY])
    buyer_org, buyer_user = buyer()
    order = pay_by_transfer(place(buyer_org, buyer_user, product, the_plan, quantity=10))
    _key, secret = key_for(buyer_org, buyer_user)
    return {"product": product, "order": order, "secret": secret, "table": table}


def verify(client, verifier, fields):
    return client.post(
        reverse("data-verify", args=[verifier["product"].code]),
        {"fields": fields},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {verifier['secret']}",
    )


RECORD_VALUES = {"示例科技有限公司", "91350100M000100Y43", "福州", "存续", "另一家公司", "上海", "注销", "深圳"}


def test_verification_says_which_fields_match_and_returns_no_value(client, verifier):
    """Right name, wrong city: no match overall, per field true/false; no value of the record comes back."""
    response = verify(client, verifier, {KEY: "91350100M000100Y43", "企业名称": "示例科技有限公司", "城市": "上海"})

    body = response.json()
    assert response.status_code == 200
    assert (body["match"], body["found"]) == (False, True)
    assert body["fields"] == {KEY: True, "企业名称": True, "城市": False}
    assert set(body) == {"match", "found", "fields", "quota"}
    text = response.content.decode()
    assert "福州" not in text and "存续" not in text


def test_verification_matches_ignoring_width_and_case(client, verifier):
    """Full-width digits and lower case still match (values are normalised before hashing)."""
    response = verify(client, verifier, {KEY: "９１３５０１００ｍ０００１００ｙ４３", "经营状态": "存续"})

    assert response.json()["match"] is True


def test_verification_of_an_unknown_record_is_no_match(client, verifier):
    """A key found nowhere: no match, nothing found, every field false."""
    body = verify(client, verifier, {KEY: "91110000000000000X", "企业名称": "示例科技有限公司"}).json()

    assert body == {**body, "match": False, "found": False, "fields": {KEY: False, "企业名称": False}}


@pytest.mark.parametrize(
    "fields, error", [({"企业名称": "x"}, "fields"), ({KEY: "x", "身份证号": "1"}, "身份证号"), ({KEY: "x"}, "fields")]
)
def test_verification_refuses_bad_requests_free_of_charge(client, verifier, fields, error):
    """Missing key column, unknown column, nothing to verify: 400 naming it, no quota used."""
    response = verify(client, verifier, fields)

    assert response.status_code == 400
    assert error in response.json()["errors"]
    assert Entitlement.objects.get(order=verifier["order"]).used == 0


def test_verification_records_are_stored_as_digests_only(verifier):
    """The exchange keeps keyed digests of the records, never their values, and no plain rows."""
    stored = list(
        VerificationRecord.objects.filter(table=verifier["table"]).values_list("lookup_digest", "field_digests")
    )

    assert len(stored) == 3
    assert not DatasetRow.objects.filter(table=verifier["table"]).exists()
    dumped = str(stored)
    assert not any(value in dumped for value in RECORD_VALUES)
    assert all(len(digest) == 64 for _lookup, fields in stored for digest in fields.values())
    assert DATASET_CSV.splitlines()[0].split(",")[1] == KEY
