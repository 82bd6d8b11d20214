"""The demo exchange of ``manage.py seed_demo``: realistic, complete, reached through the services, idempotent."""

import io
import shutil
import tempfile

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.audit import audit_verify_chain
from accounts.models import AuditEntry, Organization, User
from accounts.uscc import is_valid_uscc
from catalog.choices import DataSourceType, DeliveryModeCode
from catalog.codes import is_valid_code
from catalog.models import Listing, NegativeListTerm, Objection, Product, ProductEvent, ReviewFinding
from marketplace import demo_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back afterwards; return the command's output."""
    media = tempfile.mkdtemp(prefix="exchange-demo-media-")
    fast = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    shutil.rmtree(media, ignore_errors=True)


def test_seed_demo_builds_at_least_40_products_across_8_sections(demo):
    """Forty products or more, in eight sections or more, with every delivery mode and source type."""
    products = Product.objects.all()

    sections = set(products.values_list("section", flat=True))
    modes = set(products.values_list("delivery_modes__code", flat=True))
    sources = set(products.values_list("data_source_type", flat=True))

    assert products.count() >= 40
    assert len(sections) >= 8
    assert modes == set(DeliveryModeCode.values)
    assert sources == set(DataSourceType.values)
    assert "Demo exchange loaded" in demo


def test_seed_demo_products_carry_their_files_and_declarations(demo):
    """Every product has a cover and a parsed CSV sample; public data its authorisation, personal data its evidence."""
    products = list(Product.objects.all())

    assert all(p.cover_image and p.cover_thumbnail for p in products)
    assert all(p.sample_file and p.sample_preview.get("header") and p.sample_preview.get("rows") for p in products)
    public = [p for p in products if p.data_source_type == DataSourceType.PUBLIC]
    assert public and all(
        p.auth_authority and p.auth_content and p.auth_scope and p.auth_valid_until and p.auth_grantee == p.holder.name
        for p in public
    )
    personal = [p for p in products if p.data_source_type == DataSourceType.PERSONAL]
    assert personal and all(p.personal_basis and p.personal_evidence for p in personal)


def test_seed_demo_reaches_every_lifecycle_state(demo):
    """Every registration state and the listing states a person meets are present; most products are listed."""
    registration_states = set(Product.objects.values_list("status", flat=True))
    listing_states = set(Listing.objects.values_list("status", flat=True))

    assert registration_states == set(Product.Status.values)
    assert {
        Listing.Status.LISTED,
        Listing.Status.PAUSED,
        Listing.Status.DELISTED,
        Listing.Status.REVOKED,
    } <= listing_states
    assert Listing.objects.filter(status=Listing.Status.LISTED, product__status=Product.Status.REGISTERED).count() >= 28
    assert Objection.objects.filter(status=Objection.Status.OPEN, product__status=Product.Status.PUBLIC_NOTICE).exists()
    assert Objection.objects.filter(status=Objection.Status.UPHELD, product__status=Product.Status.WITHDRAWN).exists()


def test_seed_demo_moves_every_product_through_the_services(demo):
    """Each submitted product has a valid code and a recorded history; drafts have no code; the audit chain holds."""
    submitted = Product.objects.exclude(status=Product.Status.DRAFT)

    assert all(is_valid_code(code) for code in submitted.values_list("code", flat=True))
    assert not Product.objects.filter(status=Product.Status.DRAFT).exclude(code=None).exists()
    for product in submitted:
        assert product.events.filter(to_status=Product.Status.SUBMITTED).exists(), product.name
    for product in Product.objects.filter(status=Product.Status.REGISTERED):
        assert product.events.filter(to_status=Product.Status.PUBLIC_NOTICE).exists(), product.name
    assert audit_verify_chain() is None


def test_seed_demo_review_shows_findings_and_the_negative_list(demo):
    """The negative list is filled; the rejected product hit it, and one product in review has an ID-card finding."""
    assert NegativeListTerm.objects.filter(term="未脱敏个人轨迹").exists()
    assert ReviewFinding.objects.filter(kind="negative_list", product__status=Product.Status.REJECTED).exists()
    assert ReviewFinding.objects.filter(kind="pii_id_card", product__status=Product.Status.IN_REVIEW).exists()
    listed = Product.objects.filter(listing__status=Listing.Status.LISTED)
    assert not ReviewFinding.objects.filter(product__in=listed, severity="blocker").exists()


def test_seed_demo_accounts_sign_in_with_the_documented_password(demo):
    """Staff, merchants and buyers sign in with the README's password; staff hold their permissions."""
    operator = authenticate(username="operator", password=demo_data.DEMO_PASSWORD)
    pricing = authenticate(username="pricing", password=demo_data.DEMO_PASSWORD)

    assert operator is not None and operator.has_perm("accounts.operate_exchange")
    assert pricing is not None and pricing.has_perm("accounts.set_guided_prices")
    assert not pricing.has_perm("accounts.operate_exchange")
    for username in ("merchant", "buyer", "opendata", "sme", "insurer"):
        assert authenticate(username=username, password=demo_data.DEMO_PASSWORD) is not None, username
    merchant_org = User.objects.get(username="merchant").organizations.get()
    assert merchant_org.name == "上海某数据科技有限公司" and merchant_org.is_verified


def test_seed_demo_organisations_have_valid_codes_and_every_verification_state(demo):
    """Every organisation has a valid USCC; most are verified, one awaits verification, one was rejected."""
    orgs = Organization.objects.all()

    assert all(is_valid_uscc(org.uscc) for org in orgs)
    assert orgs.filter(status=Organization.Status.VERIFIED).count() >= 6
    assert orgs.filter(status=Organization.Status.SUBMITTED).count() == 1
    assert orgs.filter(status=Organization.Status.REJECTED, status_reason__gt="").count() == 1
    assert orgs.filter(is_public_data_operator=True, status=Organization.Status.VERIFIED).exists()
    assert orgs.filter(is_sme=True, is_merchant=True, status=Organization.Status.VERIFIED).exists()


def test_seed_demo_second_run_adds_nothing(demo):
    """Running the command again says the demo exists and creates nothing."""
    before = [model.objects.count() for model in (User, Organization, Product, ProductEvent, AuditEntry)]
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    after = [model.objects.count() for model in (User, Organization, Product, ProductEvent, AuditEntry)]
    assert after == before
    assert "already exists" in out.getvalue()
