"""The merchant's registration pages (/my/products/), through the test client."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from catalog import services
from catalog.models import CodeSequence, Listing, Product
from tests.factories import (
    OrganizationFactory,
    csv_upload,
    draft_product,
    member,
    operator,
    png_bytes,
    png_upload,
    submitted_product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in their English source, so assertions do not depend on the translation."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def merchant_org():
    return OrganizationFactory(is_buyer=False)


@pytest.fixture
def merchant(client, merchant_org):
    user = member(merchant_org)
    client.force_login(user)
    return user


def full_post(**overrides) -> dict:
    """Every field of the registration form, as the browser sends it."""
    data = {
        "name": "企业经营异常核验",
        "summary": "核验企业是否列入经营异常名录",
        "description": "基于市场监管公共数据，提供企业经营异常状态的实时核验服务。",
        "section": "L",
        "application_scenario": "银行对公开户前核验企业经营状态",
        "data_source_type": "public",
        "classification": "general",
        "delivery_modes": ["api", "verification"],
        "update_frequency": "daily",
        "coverage_start": "2020-01-01",
        "coverage_end": "2030-12-31",
        "coverage_region": "全国",
        "allowed_purposes": ["risk_control", "research"],
        "rights": ["processing_use", "product_operation"],
        "auth_authority": "上海市大数据中心",
        "auth_grantee": "",
        "auth_content": "企业登记信息",
        "auth_scope": "金融风控场景",
        "auth_valid_from": "2025-01-01",
        "auth_valid_until": "2030-12-31",
        "personal_basis": "",
        "sign_commitment": "on",
        "cover_image": png_upload(),
        "sample_file": csv_upload(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def registered_product(org, user):
    """A product that completed registration and is listed."""
    product = submitted_product(org, user)
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_approve(product=product, actor=staff)
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return services.registration_complete(product=product)


def snapshot(product: Product) -> dict:
    """Every stored column of a registration, to prove a refused request changed nothing."""
    product.refresh_from_db()
    row = {field.attname: getattr(product, field.attname) for field in Product._meta.concrete_fields}
    row["delivery_modes"] = sorted(product.delivery_modes.values_list("code", flat=True))
    for name in ("cover_image", "cover_thumbnail", "sample_file", "personal_evidence"):
        row[name] = str(row[name])
    return row


# Who may use the pages.


def test_product_list_anonymous_is_sent_to_sign_in(client):
    """Without signing in, the merchant pages redirect to the sign-in page."""

    response = client.get(reverse("catalog:my_products"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_product_list_shows_only_the_organisations_own_registrations(client, merchant, merchant_org):
    """A merchant sees its registrations with their status, not another merchant's."""
    mine = draft_product(merchant_org, merchant, name="本公司的数据产品")
    other_org = OrganizationFactory()
    draft_product(other_org, member(other_org), name="别人家的数据产品")

    response = client.get(reverse("catalog:my_products"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "本公司的数据产品" in content
    assert "别人家的数据产品" not in content
    assert reverse("catalog:product_manage", args=[mine.pk]) in content
    assert "Register a new product" in content


def test_product_list_warns_an_unverified_organisation(client):
    """An unverified merchant is told drafts save but submission waits for verification."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    client.force_login(member(org))

    response = client.get(reverse("catalog:my_products"))

    assert "you can save drafts; submission needs verification" in response.content.decode()


def test_other_merchants_draft_is_not_found_anywhere(client, merchant):
    """Another merchant's draft answers 404 on every page and action, and stays as it was."""
    other_org = OrganizationFactory()
    theirs = draft_product(other_org, member(other_org))
    before = snapshot(theirs)

    pages = [
        client.get(reverse("catalog:product_manage", args=[theirs.pk])),
        client.get(reverse("catalog:product_edit", args=[theirs.pk])),
        client.post(reverse("catalog:product_edit", args=[theirs.pk]), {"name": "篡改", "classification": "general"}),
        client.post(reverse("catalog:product_submit", args=[theirs.pk])),
        client.post(reverse("catalog:listing_action", args=[theirs.pk]), {"action": "pause", "reason": "x"}),
    ]

    assert [page.status_code for page in pages] == [404] * 5
    assert snapshot(theirs) == before


def test_buyer_only_organisation_cannot_register_products(client):
    """A buyer-only organisation gets a page saying to use a merchant organisation, and nothing is created."""
    buyer_org = OrganizationFactory(is_merchant=False, is_buyer=True)
    client.force_login(member(buyer_org))

    listing = client.get(reverse("catalog:my_products"))
    create = client.post(reverse("catalog:product_create"), full_post())

    assert listing.status_code == 403
    assert "not registered as a merchant" in listing.content.decode()
    assert create.status_code == 403
    assert not Product.objects.exists()


def test_person_without_organisation_is_told_to_register_one(client):
    """Someone acting for no organisation is pointed to registering one."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(reverse("catalog:product_create"))

    assert response.status_code == 403
    assert reverse("accounts:organization_create") in response.content.decode()


# Drafting.


def test_product_create_form_has_every_field_and_accepts_files(client, merchant):
    """The form is multipart and carries every registration field, grouped in fieldsets."""

    response = client.get(reverse("catalog:product_create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in content
    for name in (
        "name", "summary", "description", "section", "data_source_type", "classification", "delivery_modes",
        "update_frequency", "coverage_start", "coverage_end", "coverage_region", "allowed_purposes",
        "application_scenario", "rights", "cover_image", "sample_file", "sign_commitment", "auth_authority",
        "auth_grantee", "auth_content", "auth_scope", "auth_valid_from", "auth_valid_until", "personal_basis",
        "personal_evidence",
    ):  # fmt: skip
        assert f'name="{name}"' in content, name
    assert "Required for public data" in content
    assert "<script>" not in content  # no inline scripts: the CSP forbids them


def test_product_create_saves_a_partial_draft(client, merchant, merchant_org):
    """A draft with only a name is saved and the merchant lands on its page."""

    response = client.post(reverse("catalog:product_create"), {"name": "半成品草稿", "classification": "general"})

    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:product_manage", args=[product.pk])
    assert product.holder == merchant_org
    assert product.status == Product.Status.DRAFT
    assert product.code is None


def test_product_create_stores_every_field(client, merchant, merchant_org):
    """Every field of the form reaches the registration, the files processed by the services."""

    client.post(reverse("catalog:product_create"), full_post(auth_grantee=merchant_org.name))

    product = Product.objects.get()
    assert product.section == "L"
    assert product.data_source_type == "public"
    assert sorted(product.delivery_modes.values_list("code", flat=True)) == ["api", "verification"]
    assert product.allowed_purposes == ["risk_control", "research"]
    assert product.rights == ["processing_use", "product_operation"]
    assert product.coverage_start.isoformat() == "2020-01-01"
    assert product.auth_grantee == merchant_org.name
    assert product.auth_valid_until.isoformat() == "2030-12-31"
    assert product.commitment_signed_by == merchant
    assert product.cover_image and product.cover_thumbnail
    assert product.sample_preview["row_count"] == 2


def test_product_create_refuses_core_data_and_writes_nothing(client, merchant):
    """Core data is refused with the service's message next to the classification field."""

    response = client.post(reverse("catalog:product_create"), full_post(classification="core"))

    assert response.status_code == 200
    assert "Core data (核心数据) may not be registered" in response.context["form"].errors["classification"][0]
    assert not Product.objects.exists()


def test_product_create_refuses_a_non_image_named_png(client, merchant):
    """A text file named .png is refused next to the cover field; no product is created."""
    fake = SimpleUploadedFile("cover.png", b"this is not an image at all", content_type="image/png")

    response = client.post(reverse("catalog:product_create"), full_post(cover_image=fake))

    assert response.status_code == 200
    assert response.context["form"].errors["cover_image"] == ["The file is not an image that can be read."]
    assert "The file is not an image that can be read." in response.content.decode()
    assert not Product.objects.exists()


def test_product_edit_refuses_an_oversized_image_and_changes_nothing(client, merchant, merchant_org, settings):
    """An image over COVER_IMAGE_MAX_BYTES is refused and the draft, other fields included, stays as it was."""
    product = draft_product(merchant_org, merchant)
    before = snapshot(product)
    settings.COVER_IMAGE_MAX_BYTES = 100
    big = SimpleUploadedFile("big.png", png_bytes(size=(300, 300)), content_type="image/png")

    response = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        full_post(name="改过的名字", cover_image=big, sample_file=csv_upload("列1,列2\n新,数据\n")),
    )

    assert response.status_code == 200
    assert "the limit is 0 KB" in response.context["form"].errors["cover_image"][0]
    assert snapshot(product) == before


def test_product_edit_refuses_a_malformed_csv_and_changes_nothing(client, merchant, merchant_org):
    """A CSV whose rows do not match the header is refused with the row named; nothing changes."""
    product = draft_product(merchant_org, merchant)
    before = snapshot(product)
    malformed = csv_upload("名称,代码,状态\n甲公司,123\n")

    response = client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        full_post(name="改过的名字", cover_image=png_upload(), sample_file=malformed),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["sample_file"] == ["Row 2 has 2 fields; the header has 3."]
    assert snapshot(product) == before


def test_product_edit_keeps_stored_files_when_none_is_uploaded(client, merchant, merchant_org):
    """Editing without choosing files keeps the cover and sample already stored."""
    product = draft_product(merchant_org, merchant)
    cover, sample = product.cover_image.name, product.sample_file.name

    client.post(
        reverse("catalog:product_edit", args=[product.pk]),
        full_post(name="新名称", data_source_type="enterprise", cover_image=None, sample_file=None),
    )

    product.refresh_from_db()
    assert product.name == "新名称"
    assert (product.cover_image.name, product.sample_file.name) == (cover, sample)


def test_product_edit_of_a_submitted_registration_is_refused(client, merchant, merchant_org):
    """A submitted registration is not editable: the edit page sends back to the product page."""
    product = submitted_product(merchant_org, merchant)

    response = client.post(reverse("catalog:product_edit", args=[product.pk]), full_post(name="改名"))

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name != "改名"


# Submitting.


def test_product_submit_from_unverified_organisation_shows_the_error_and_allocates_no_code(client):
    """An unverified organisation's submission is refused on the page; no code is allocated."""
    org = OrganizationFactory(status=Organization.Status.SUBMITTED)
    user = member(org)
    product = draft_product(org, user)
    client.force_login(user)

    response = client.post(reverse("catalog:product_submit", args=[product.pk]))

    product.refresh_from_db()
    assert response.status_code == 200
    assert "must be verified by the exchange" in response.content.decode()
    assert product.status == Product.Status.DRAFT
    assert product.code is None
    assert not CodeSequence.objects.filter(last_number__gt=0).exists()


def test_product_submit_incomplete_lists_each_missing_field(client, merchant, merchant_org):
    """An incomplete draft is not submitted; the page lists every missing field by its label."""
    product = services.product_save_draft(org=merchant_org, actor=merchant, data={"name": "只有名字"})

    response = client.post(reverse("catalog:product_submit", args=[product.pk]))

    content = response.content.decode()
    missing = {item["name"] for item in response.context["missing"]}
    assert {"summary", "application_scenario", "delivery_modes", "sample_file", "sign_commitment"} <= missing
    assert "The registration is incomplete." in content
    assert "No registration without a declared application scenario" in content
    assert "Delivery modes" in content
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT and product.code is None


def test_product_submit_allocates_the_code_shown_on_the_page(client, merchant, merchant_org):
    """A complete draft of a verified merchant is submitted and its code shown."""
    product = draft_product(merchant_org, merchant)

    response = client.post(reverse("catalog:product_submit", args=[product.pk]), follow=True)

    product.refresh_from_db()
    assert product.status == Product.Status.SUBMITTED
    assert product.code
    assert f'id="registration-code">{product.code}<' in response.content.decode()


def test_product_submit_by_get_is_refused(client, merchant, merchant_org):
    """State changes only by POST."""
    product = draft_product(merchant_org, merchant)

    response = client.get(reverse("catalog:product_submit", args=[product.pk]))

    assert response.status_code == 405


# The product page.


def test_product_manage_shows_steps_sample_history_and_requested_changes(client, merchant, merchant_org):
    """After an operator requests changes, the merchant sees the reason, the step, the sample and the history."""
    product = submitted_product(merchant_org, merchant)
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    services.registration_request_changes(product=product, actor=staff, reason="请补充数据来源说明")

    response = client.get(reverse("catalog:product_manage", args=[product.pk]))

    content = response.content.decode()
    assert "请补充数据来源说明" in content
    assert "Changes requested" in content
    assert 'class="steps"' in content
    assert "示例科技有限公司" in content  # a sample row
    assert reverse("catalog:product_edit", args=[product.pk]) in content
    assert "Submit again" in content
    assert len(response.context["events"]) == 3


# The listing.


def test_listing_pause_needs_a_reason_then_pauses_and_resumes(client, merchant, merchant_org):
    """Pausing without a reason shows the error next to the field; with one, it pauses; resume re-opens."""
    product = registered_product(merchant_org, merchant)
    url = reverse("catalog:listing_action", args=[product.pk])

    refused = client.post(url, {"action": "pause", "reason": ""})
    status_after_refusal = Listing.objects.get(product=product).status
    client.post(url, {"action": "pause", "reason": "数据源维护中"})
    status_after_pause = Listing.objects.get(product=product).status
    client.post(url, {"action": "resume", "reason": ""})

    assert "Give a reason" in refused.content.decode()
    assert refused.context["listing_form"].errors["reason"]
    assert status_after_refusal == Listing.Status.LISTED
    assert status_after_pause == Listing.Status.PAUSED
    assert Listing.objects.get(product=product).status == Listing.Status.LISTED


def test_listing_delist_by_the_holder(client, merchant, merchant_org):
    """The holder delists with a reason; the history records it."""
    product = registered_product(merchant_org, merchant)

    response = client.post(
        reverse("catalog:listing_action", args=[product.pk]),
        {"action": "delist", "reason": "产品停止维护"},
        follow=True,
    )

    assert Listing.objects.get(product=product).status == Listing.Status.DELISTED
    assert "产品停止维护" in response.content.decode()
