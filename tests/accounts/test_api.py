"""The accounts REST API: token, me, organisations, verification, and its OpenAPI schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import AuditEntry, Membership, Organization
from tests.factories import OrganizationFactory, UserFactory, make_uscc, member, operator

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organizations/"


@pytest.fixture
def api():
    return APIClient()


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def registration(**overrides) -> dict:
    data = {"name": "深圳示例数据有限公司", "uscc": make_uscc(), "is_merchant": True, "is_buyer": False}
    data.update(overrides)
    return data


def test_token_obtain_with_password_and_use_it(api):
    """A token obtained with user name and password authenticates later calls."""
    user = UserFactory()

    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "pass-1234-word"}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == user.username


def test_token_obtain_refuses_a_wrong_password(api):
    """A wrong password gets 400 and no token."""
    user = UserFactory()

    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "nope"}, format="json")

    assert response.status_code == 400
    assert not Token.objects.filter(user=user).exists()


def test_me_lists_the_person_and_their_organisations():
    """/me/ names the person, their roles and their organisations with their role in each."""
    org = OrganizationFactory(name="甲公司")
    user = member(org, display_name="钱多多")

    body = signed_in(user).get("/api/v1/me/").json()

    assert body["display_name"] == "钱多多"
    assert body["is_operator"] is False
    assert body["organizations"] == [
        {"role": "owner", "organization": body["organizations"][0]["organization"]},
    ]
    assert body["organizations"][0]["organization"]["uscc"] == org.uscc


def test_me_needs_authentication(api):
    """Anonymous callers are refused."""
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_organizations_list_shows_only_mine():
    """A member lists their own organisations and not others'."""
    mine = OrganizationFactory()
    OrganizationFactory()
    user = member(mine)

    body = signed_in(user).get(ORGS).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_organizations_status_filter_for_operators():
    """An operator filters every organisation by status, e.g. the verification queue."""
    waiting = OrganizationFactory(status=Organization.Status.SUBMITTED)
    OrganizationFactory(status=Organization.Status.VERIFIED)

    body = signed_in(operator()).get(ORGS, {"status": "submitted"}).json()

    assert [row["id"] for row in body["results"]] == [waiting.pk]


def test_organizations_status_filter_stays_within_a_members_scope():
    """A non-operator filtering by status still sees only their own organisations."""
    mine = OrganizationFactory(status=Organization.Status.SUBMITTED)
    OrganizationFactory(status=Organization.Status.SUBMITTED)
    user = member(mine)

    body = signed_in(user).get(ORGS, {"status": "submitted"}).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_organization_register_by_api():
    """POST registers the organisation with the caller as owner; it awaits verification."""
    user = UserFactory()
    data = registration()

    response = signed_in(user).post(ORGS, data, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert body["members"][0]["username"] == user.username
    assert body["members"][0]["role"] == "owner"
    assert Organization.objects.get(pk=body["id"]).uscc == data["uscc"]


def test_organization_register_invalid_uscc_is_400_with_detail_and_field():
    """An invalid code is refused with a clear detail naming the field; nothing is created."""
    response = signed_in(UserFactory()).post(ORGS, registration(uscc="91350100M000100Y44"), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "uscc"
    assert "check character" in body["detail"]
    assert not Organization.objects.exists()


def test_organization_register_missing_name_is_400_with_detail_and_field():
    """A missing field is reported like every other refusal."""
    data = registration()
    del data["name"]

    response = signed_in(UserFactory()).post(ORGS, data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "name"
    assert body["detail"]
    assert "name" in body["errors"]


def test_organization_register_refuses_text_named_png_by_multipart(settings):
    """A licence that is text named .png is refused; nothing is created."""
    data = registration(business_licence=SimpleUploadedFile("licence.png", b"plain text", content_type="image/png"))

    response = signed_in(UserFactory()).post(ORGS, data, format="multipart")

    assert response.status_code == 400
    assert response.json()["field"] == "business_licence"
    assert not Organization.objects.exists()


def test_organization_register_oversized_licence_by_multipart(settings):
    """An oversized licence is refused; nothing is created."""
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n" + b"0" * 4096, content_type="application/pdf")

    response = signed_in(UserFactory()).post(ORGS, registration(business_licence=big), format="multipart")

    assert response.status_code == 400
    assert response.json()["field"] == "business_licence"
    assert not Organization.objects.exists()


def test_organization_register_needs_authentication(api):
    """Anonymous callers cannot register organisations."""
    response = api.post(ORGS, registration(), format="json")

    assert response.status_code in (401, 403)
    assert not Organization.objects.exists()


def test_organization_detail_for_members_with_members_list():
    """A member reads the organisation with its members."""
    org = OrganizationFactory()
    owner = member(org)

    body = signed_in(owner).get(f"{ORGS}{org.pk}/").json()

    assert body["uscc"] == org.uscc
    assert [row["username"] for row in body["members"]] == [owner.username]


def test_organization_detail_is_404_for_non_members():
    """Someone outside the organisation gets 404."""
    org = OrganizationFactory()

    response = signed_in(member(OrganizationFactory())).get(f"{ORGS}{org.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["verify", "reject", "suspend"])
def test_organization_decisions_forbidden_to_non_operators(action):
    """Even the organisation's owner gets 403 on the operators' actions."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)

    response = signed_in(member(org)).post(f"{ORGS}{org.pk}/{action}/", {"reason": "x"}, format="json")

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.status == Organization.Status.SUBMITTED


def test_operator_verifies_by_api():
    """Verify moves a submitted organisation to verified and writes an audit entry."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    staff = operator()

    response = signed_in(staff).post(f"{ORGS}{org.pk}/verify/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert AuditEntry.objects.get(action="organization.verify").actor == staff


def test_operator_reject_needs_a_reason_by_api():
    """Reject without a reason is 400 on the reason field; with one it moves to rejected."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client = signed_in(operator())

    refused = client.post(f"{ORGS}{org.pk}/reject/", {}, format="json")
    rejected = client.post(f"{ORGS}{org.pk}/reject/", {"reason": "执照与名称不符"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    assert rejected.status_code == 200
    assert rejected.json()["status_reason"] == "执照与名称不符"
    assert AuditEntry.objects.filter(action="organization.reject").count() == 1


def test_operator_suspend_then_verify_by_api():
    """Suspend a verified organisation with a reason, then reinstate it by verifying."""
    org = OrganizationFactory(status=Organization.Status.VERIFIED)
    client = signed_in(operator())

    suspended = client.post(f"{ORGS}{org.pk}/suspend/", {"reason": "违规"}, format="json")
    reinstated = client.post(f"{ORGS}{org.pk}/verify/", {"reason": "已整改"}, format="json")

    assert suspended.json()["status"] == "suspended"
    assert reinstated.json()["status"] == "verified"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["organization.suspend", "organization.verify"]


def test_operator_illegal_move_is_409():
    """Verifying a rejected organisation is a conflict with a clear detail."""
    org = OrganizationFactory(status=Organization.Status.REJECTED)

    response = signed_in(operator()).post(f"{ORGS}{org.pk}/verify/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"]


def test_operator_decision_on_missing_organisation_is_404():
    """An unknown id is 404."""
    response = signed_in(operator()).post(f"{ORGS}999999/verify/", {}, format="json")

    assert response.status_code == 404


def test_membership_of_members_added_is_listed():
    """A member added by the owner sees the organisation in their list."""
    org = OrganizationFactory()
    newcomer = UserFactory()
    Membership.objects.create(user=newcomer, organization=org, role=Membership.Role.MEMBER)

    body = signed_in(newcomer).get(ORGS).json()

    assert [row["id"] for row in body["results"]] == [org.pk]


def test_accounts_api_schema_generates_without_warnings():
    """The OpenAPI schema of the accounts routes has no warnings or errors."""
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("accounts.api.urls"))])

    schema = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert {
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/organizations/",
        "/api/v1/organizations/{id}/",
        "/api/v1/organizations/{id}/verify/",
        "/api/v1/organizations/{id}/reject/",
        "/api/v1/organizations/{id}/suspend/",
    } <= set(schema["paths"])
