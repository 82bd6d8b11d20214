"""The catalog REST API: public catalog, merchants' registrations, operators' review, objections."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership
from catalog.codes import is_valid_code
from catalog.models import Objection, Product
from tests.factories import (
    SAMPLE_CSV,
    OrganizationFactory,
    UserFactory,
    complete_data,
    csv_upload,
    draft_product,
    listed_product,
    member,
    noticed_product,
    operator,
    png_upload,
    submitted_product,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"
REGISTRATIONS = "/api/v1/registrations/"
REVIEW = "/api/v1/review/"


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# The public catalog.


def test_catalog_list_searches_chinese_words_with_filters():
    """q matches segmented words; filters narrow; the answer is paginated with a count."""
    org = OrganizationFactory()
    merchant = member(org)
    wanted = listed_product(org, merchant, name="企业信用评分", section="J", delivery_modes=["api"])
    listed_product(org, merchant, name="企业信用报告", section="J", delivery_modes=["report"])
    listed_product(org, merchant, name="企业信用核验", section="L", delivery_modes=["api"])

    response = APIClient().get(PRODUCTS, {"q": "信用", "section": "J", "delivery_mode": "api"})

    assert response.status_code == 200
    assert response.data["count"] == 1
    row = response.data["results"][0]
    assert row["code"] == wanted.code
    assert row["delivery_modes"] == ["api"]
    assert row["price_regime"] == "market"
    assert row["url"].endswith(f"/p/{wanted.code}/")


def test_catalog_list_leaves_out_unlisted_products():
    noticed_product(name="企业信用评分")

    assert APIClient().get(PRODUCTS, {"q": "信用"}).data["count"] == 0


def test_catalog_list_refuses_an_invalid_section_with_a_detail():
    """A bad filter value is a 400 naming the field, not an empty page."""
    response = APIClient().get(PRODUCTS, {"section": "Z"})

    assert response.status_code == 400
    assert response.data["detail"]
    assert "section" in response.data["errors"]


def test_catalog_detail_by_code_case_insensitive():
    product = listed_product()

    response = APIClient().get(f"{PRODUCTS}{product.code.lower()}/")

    assert response.status_code == 200
    assert response.data["code"] == product.code
    assert response.data["holder"]["uscc"] == product.holder.uscc
    assert [event["to_status"] for event in response.data["events"]][-1] == "listed"
    assert response.data["public_data_authorization"] is None


def test_catalog_detail_hides_registrations_before_their_notice():
    product = submitted_product()

    assert APIClient().get(f"{PRODUCTS}{product.code}/").status_code == 404


# Objections.


def test_objection_api_files_an_objection_for_a_product_under_notice():
    product = noticed_product()
    objector = UserFactory()

    response = signed_in(objector).post(
        f"{PRODUCTS}{product.code}/objections/", {"grounds": "该数据来源于我司，未经授权。"}, format="json"
    )

    assert response.status_code == 201
    assert Objection.objects.get(pk=response.data["id"]).objector == objector


def test_objection_api_requires_sign_in():
    product = noticed_product()

    response = APIClient().post(f"{PRODUCTS}{product.code}/objections/", {"grounds": "该数据来源于我司，未经授权。"})

    assert response.status_code in (401, 403)
    assert not Objection.objects.exists()


def test_objection_api_refuses_short_grounds():
    product = noticed_product()

    response = signed_in(UserFactory()).post(f"{PRODUCTS}{product.code}/objections/", {"grounds": "太短"})

    assert response.status_code == 400
    assert response.data["field"] == "grounds"
    assert not Objection.objects.exists()


# Merchants' registrations.


def test_registration_create_and_submit_through_the_api():
    """A merchant creates a draft with files (multipart), completes it (JSON) and submits: a code is allocated."""
    org = OrganizationFactory()
    client = signed_in(member(org))
    data = complete_data()

    created = client.post(
        REGISTRATIONS,
        {
            "name": data["name"],
            "section": "J",
            "delivery_modes": ["api", "dataset"],
            "allowed_purposes": ["risk_control", "research"],
            "cover_image": png_upload(),
            "sample_file": csv_upload(SAMPLE_CSV),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.data
    assert created.data["status"] == "draft"
    assert created.data["delivery_modes"] == ["api", "dataset"]
    assert created.data["sample_preview"]["row_count"] == 2
    assert "application_scenario" in created.data["missing"]
    pk = created.data["id"]

    rest = {key: value for key, value in data.items() if key not in ("name", "section", "allowed_purposes")}
    patched = client.patch(f"{REGISTRATIONS}{pk}/", {**rest, "sign_commitment": True}, format="json")
    assert patched.status_code == 200, patched.data
    assert patched.data["missing"] == {}

    submitted = client.post(f"{REGISTRATIONS}{pk}/submit/")

    assert submitted.status_code == 200, submitted.data
    assert submitted.data["status"] == "submitted"
    assert is_valid_code(submitted.data["code"])
    assert submitted.data["code"].split("-")[2] == "J"


def test_registration_submit_of_an_incomplete_draft_lists_what_is_missing():
    org = OrganizationFactory()
    client = signed_in(member(org))
    pk = client.post(REGISTRATIONS, {"name": "半成品"}, format="json").data["id"]

    response = client.post(f"{REGISTRATIONS}{pk}/submit/")

    assert response.status_code == 400
    assert {"application_scenario", "sample_file"} <= set(response.data["errors"])
    assert Product.objects.get(pk=pk).code is None


def test_registration_create_refuses_an_invalid_section():
    """One bad input: the field is named in the answer and nothing is created."""
    org = OrganizationFactory()

    response = signed_in(member(org)).post(REGISTRATIONS, {"name": "数据", "section": "Z"}, format="json")

    assert response.status_code == 400
    assert response.data["detail"]
    assert "section" in response.data["errors"]
    assert not Product.objects.exists()


def test_registration_list_shows_only_the_callers_organisation():
    org, other = OrganizationFactory(), OrganizationFactory()
    merchant = member(org)
    mine = draft_product(org, merchant)
    draft_product(other, member(other))

    response = signed_in(merchant).get(REGISTRATIONS)

    assert [row["id"] for row in response.data["results"]] == [mine.pk]


def test_registration_of_another_organisation_is_404():
    """A merchant can neither see nor change another organisation's draft."""
    org, other = OrganizationFactory(), OrganizationFactory()
    theirs = draft_product(other, member(other))
    client = signed_in(member(org))

    assert client.get(f"{REGISTRATIONS}{theirs.pk}/").status_code == 404
    assert client.patch(f"{REGISTRATIONS}{theirs.pk}/", {"name": "改名"}, format="json").status_code == 404
    assert client.post(f"{REGISTRATIONS}{theirs.pk}/submit/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "改名" and theirs.status == Product.Status.DRAFT


def test_registration_create_needs_sign_in():
    response = APIClient().post(REGISTRATIONS, {"name": "数据"}, format="json")

    assert response.status_code in (401, 403)
    assert not Product.objects.exists()


def test_registration_with_token_auth_and_organisation_header():
    """A person in two organisations says which one with X-Organization; without it the call is refused."""
    first, second = OrganizationFactory(), OrganizationFactory()
    user = member(first)
    Membership.objects.create(user=user, organization=second, role=Membership.Role.MEMBER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    unclear = client.post(REGISTRATIONS, {"name": "数据"}, format="json")
    chosen = client.post(REGISTRATIONS, {"name": "数据"}, format="json", HTTP_X_ORGANIZATION=str(second.pk))
    foreign = client.post(
        REGISTRATIONS, {"name": "数据"}, format="json", HTTP_X_ORGANIZATION=str(OrganizationFactory().pk)
    )

    assert unclear.status_code == 400
    assert chosen.status_code == 201
    assert Product.objects.get(pk=chosen.data["id"]).holder == second
    assert foreign.status_code == 403
    assert Product.objects.count() == 1


def test_registration_uses_the_organisation_chosen_in_the_session():
    """Signed in through the site, the organisation picked in the session is the one acted for."""
    first, second = OrganizationFactory(), OrganizationFactory()
    user = member(first)
    Membership.objects.create(user=user, organization=second, role=Membership.Role.MEMBER)
    client = APIClient()
    client.force_login(user)
    session = client.session
    session["organization_id"] = second.pk
    session.save()

    response = client.post(REGISTRATIONS, {"name": "数据"}, format="json")

    assert response.status_code == 201
    assert Product.objects.get(pk=response.data["id"]).holder == second


def test_registration_by_a_buyer_only_organisation_is_refused():
    org = OrganizationFactory(is_merchant=False)

    response = signed_in(member(org)).post(REGISTRATIONS, {"name": "数据"}, format="json")

    assert response.status_code == 403
    assert not Product.objects.exists()


# Review.


def test_review_queue_and_approval_by_an_operator():
    product = submitted_product()
    client = signed_in(operator())

    queue = client.get(f"{REVIEW}queue/")
    started = client.post(f"{REVIEW}{product.pk}/start/")
    approved = client.post(f"{REVIEW}{product.pk}/approve/", {"reason": "材料齐全"}, format="json")

    assert [row["id"] for row in queue.data["results"]] == [product.pk]
    assert started.data["status"] == "in_review"
    assert approved.status_code == 200
    assert approved.data["status"] == "public_notice"


def test_review_reject_needs_a_reason():
    product = submitted_product()
    client = signed_in(operator())
    client.post(f"{REVIEW}{product.pk}/start/")

    response = client.post(f"{REVIEW}{product.pk}/reject/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert response.data["field"] == "reason"
    assert Product.objects.get(pk=product.pk).status == Product.Status.IN_REVIEW


def test_review_an_illegal_move_is_409():
    product = submitted_product()

    response = signed_in(operator()).post(f"{REVIEW}{product.pk}/approve/")

    assert response.status_code == 409
    assert Product.objects.get(pk=product.pk).status == Product.Status.SUBMITTED


def test_review_is_forbidden_to_a_buyer():
    """A buyer (or merchant) cannot see the queue nor review."""
    product = submitted_product()
    buyer = member(OrganizationFactory(is_merchant=False))
    client = signed_in(buyer)

    assert client.get(f"{REVIEW}queue/").status_code == 403
    assert client.post(f"{REVIEW}{product.pk}/start/").status_code == 403
    assert Product.objects.get(pk=product.pk).status == Product.Status.SUBMITTED


# Schema.


def test_openapi_schema_lists_the_catalog_paths(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/catalog/products/",
        "/api/v1/catalog/products/{code}/",
        "/api/v1/catalog/products/{code}/objections/",
        "/api/v1/registrations/",
        "/api/v1/registrations/{id}/",
        "/api/v1/registrations/{id}/submit/",
        "/api/v1/review/queue/",
        "/api/v1/review/{id}/approve/",
        "/api/v1/review/{id}/request-changes/",
    ):
        assert path in schema
