"""The demo exchange of ``manage.py seed_demo``: realistic, complete, reached through the services, idempotent."""

import io
import re
import shutil
import tempfile
import time
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.audit import audit_verify_chain
from accounts.models import AuditEntry, Organization, User
from accounts.uscc import is_valid_uscc
from catalog.choices import DataSourceType, DeliveryModeCode
from catalog.codes import is_valid_code
from catalog.models import Listing, NegativeListTerm, Objection, Product, ProductEvent, ReviewFinding
from marketplace import demo_data
from marketplace.access import store
from marketplace.access.models import ApiKey, DatasetTable, Entitlement, EntitlementStatus, UsageLog
from marketplace.governance.models import Dispute, DisputeStatus, Statement, Violation
from marketplace.matching.models import Demand, Match, Offer
from marketplace.orders.models import LedgerEntry, Order, OrderStatus, PaymentMethod
from pricing import selectors as pricing_selectors
from pricing.models import FreeUseApplication, GuidedPriceEntry, GuidedPriceVersion, PermittedRevenue, Plan
from tests.security.totp import totp

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back afterwards; return the command's output."""
    media = tempfile.mkdtemp(prefix="exchange-demo-media-")
    private = tempfile.mkdtemp(prefix="exchange-demo-private-")
    fast = override_settings(
        MEDIA_ROOT=media,
        PRIVATE_UPLOAD_ROOT=private,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    # The data API cached the demo's keys, entitlements and tables; no later test may see them.
    cache.clear()
    store.clear_namespace()
    shutil.rmtree(media, ignore_errors=True)
    shutil.rmtree(private, ignore_errors=True)


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
    undecided = Objection.objects.filter(product__status=Product.Status.PUBLIC_NOTICE)
    assert {Objection.Status.OPEN, Objection.Status.INVESTIGATING} <= set(undecided.values_list("status", flat=True))
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
    models = (User, Organization, Product, ProductEvent, AuditEntry, Plan, Order, ApiKey, UsageLog, Demand, Dispute)
    before = [model.objects.count() for model in models]
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    after = [model.objects.count() for model in models]
    assert after == before
    assert "already exists" in out.getvalue()


def test_seed_demo_takes_well_under_a_minute(demo):
    """The command reports its time, and a fresh demo loads in less than 60 s (``make run`` waits for it)."""
    seconds = float(re.search(r"Demo exchange loaded in ([\d.]+) s", demo).group(1))

    assert seconds < 60


# ── prices ──────────────────────────────────────────────────────────────────────────────────────


def test_seed_demo_guided_catalogue_is_published_by_the_price_authority(demo):
    """Every entry and version was published by ``pricing``; tiers, SME discounts, a trial and a revision appear."""
    pricing = User.objects.get(username="pricing")
    versions = GuidedPriceVersion.objects.all()

    assert GuidedPriceEntry.objects.count() == len(demo_data.GUIDED_PRICES)
    assert set(versions.values_list("published_by", flat=True)) == {pricing.pk}
    assert any(v.tiers for v in versions) and any(v.sme_discount_percent > 0 for v in versions)
    assert versions.filter(is_trial=True).exists()
    revised = GuidedPriceEntry.objects.get(section="L", delivery_mode="verification", billing_unit="per_call")
    history = pricing_selectors.entry_history(revised)
    assert [row.version.version for row in history] == [2, 1]
    assert [row.state for row in history] == ["in_force", "superseded"]
    assert history[0].version.cap < history[1].version.cap
    assert PermittedRevenue.objects.filter(organization__is_public_data_operator=True).exists()


def test_seed_demo_prices_every_listed_product_and_guided_ones_within_the_cap(demo):
    """Each listed product has active plans of the market kinds; each public-data plan sits under its cap in force."""
    listed = Product.objects.filter(listing__status=Listing.Status.LISTED)
    plans = Plan.objects.filter(product__in=listed, is_active=True).select_related("product")

    assert all(product.plans.filter(is_active=True).exists() for product in listed), "a listed product has no plan"
    assert {"per_call", "subscription", "dataset_licence", "quotation"} <= set(plans.values_list("kind", flat=True))
    guided = [plan for plan in plans if plan.product.data_source_type == DataSourceType.PUBLIC]
    assert guided
    for plan in guided:
        version = pricing_selectors.guided_version_for_plan(plan)
        assert version is not None and plan.unit_price <= version.cap, plan
    assert not Plan.objects.filter(above_cap_since__isnull=False).exists()


# ── orders, access, the data API ─────────────────────────────────────────────────────────────────


def test_seed_demo_orders_are_in_every_state_a_buyer_meets(demo):
    """Fulfilled (transfer confirmed by the operator), free, awaiting payment or approval, cancelled, refunded."""
    operator = User.objects.get(username="operator")
    orders = Order.objects.all()

    assert {
        OrderStatus.FULFILLED,
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.AWAITING_APPROVAL,
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
    } <= set(orders.values_list("status", flat=True))
    transfers = orders.filter(payment_method=PaymentMethod.BANK_TRANSFER, status=OrderStatus.FULFILLED)
    assert transfers.count() >= 4
    assert all(o.payment.confirmed_by == operator and o.payment.bank_serial for o in transfers)
    assert all(Entitlement.objects.filter(order=o, status=EntitlementStatus.ACTIVE).exists() for o in transfers)
    free = orders.get(payment_method=PaymentMethod.FREE)
    assert free.amount == Decimal("0.00") and free.status == OrderStatus.FULFILLED
    assert FreeUseApplication.objects.filter(buyer=free.buyer, status="approved").exists()
    assert any(line["kind"] == "sme_discount" for o in orders for line in o.quote.get("lines", []))
    refunded = orders.get(status=OrderStatus.REFUNDED)
    assert Entitlement.objects.get(order=refunded).status == EntitlementStatus.REVOKED
    splits = LedgerEntry.objects.values("order", "kind").annotate(total=Sum("amount"))
    assert splits and all(split["total"] == Decimal("0.00") for split in splits)


def test_seed_demo_prints_a_working_api_key_of_the_buyer(demo, client):
    """The output shows the buyer's key once; it reads the uploaded dataset through the data API."""
    secret = re.search(r"Authorization: Bearer (\S+)", demo).group(1)
    tender = Product.objects.get(name="全国招投标公告结构化数据")

    response = client.get(
        f"/data/v1/products/{tender.code}/rows", {"limit": "3"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )

    assert response.status_code == 200, response.content
    assert len(response.json()["rows"]) == 3
    assert ApiKey.objects.filter(organization__name="某商业银行股份有限公司", revoked_at__isnull=False).exists()


def test_seed_demo_logs_real_calls_of_the_data_api(demo):
    """The seed's calls went through the data API: dataset and verification calls served and metered, one refused."""
    logs = UsageLog.objects.all()

    assert logs.filter(endpoint="dataset", served=True).count() >= 3
    assert logs.filter(endpoint="verification", served=True).count() >= 3
    assert logs.filter(served=False, status=403).exists()
    assert set(DatasetTable.objects.filter(is_current=True).values_list("status", flat=True)) == {"ready"}
    verification = Entitlement.objects.get(
        product__name="企业登记信息核验", organization__name="某商业银行股份有限公司"
    )
    assert verification.used == logs.filter(endpoint="verification", served=True).count()


# ── demands, governance, staff ──────────────────────────────────────────────────────────────────────


def test_seed_demo_demands_have_matches_and_an_accepted_offer_is_an_order(demo):
    """Open demands carry scored matches; one offer waits for the buyer, one was accepted and paid."""
    assert all(demand.matches.exists() for demand in Demand.objects.all())
    assert Match.objects.filter(score__gte=0.6).exists()
    assert Offer.objects.filter(status="pending").exists()
    accepted = Offer.objects.get(status="accepted")
    order = Order.objects.get(number=accepted.order_number)
    assert order.amount == accepted.amount and order.status == OrderStatus.FULFILLED


def test_seed_demo_records_disputes_and_a_violation(demo):
    """A dispute under investigation awaits the merchant's statement; another was upheld with a refund."""
    investigating = Dispute.objects.get(status=DisputeStatus.INVESTIGATING)
    upheld = Dispute.objects.get(status=DisputeStatus.UPHELD)

    assert Statement.objects.filter(dispute=investigating, status="requested").exists()
    assert Statement.objects.filter(dispute=upheld, status="received").exists()
    assert upheld.refunded and upheld.order.status == OrderStatus.REFUNDED
    assert Violation.objects.filter(organization__name="杭州某智能科技有限公司").count() == 1


def test_seed_demo_staff_two_factor_uses_the_documented_demo_secret(demo):
    """Operator and price authority are enrolled with the README's demo secret: its codes sign them in."""
    for username in demo_data.DEMO_TOTP_USERS:
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.get(user=user, confirmed=True)

        verified = two_factor.two_factor_verify(user=user, token=totp(demo_data.DEMO_TOTP_SECRET, time.time() + 30))

        assert verified.device == device
    assert demo_data.DEMO_TOTP_SECRET in demo
