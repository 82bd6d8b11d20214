"""A small, complete exchange for the authorisation tests: six personas and one of every object a URL names.

Everything is built through the services (tests/factories.py and the builders of each app's tests), so the
objects are in the states real people leave them in. ``build_world()`` runs once per test module inside a
transaction that is rolled back afterwards (see ``world`` in test_authorization_matrix.py).

Who owns what:
- ``merchant`` acts for a verified merchant organisation (also a public-data operator) that holds every
  product: a listed market product with a plan and an uploaded dataset, a listed public-data product, a
  draft, and a registration under public notice; it sells both orders and made the offer.
- ``buyer`` acts for a verified buyer organisation (not a merchant): it bought the product (one order paid
  and fulfilled, one awaiting a bank transfer), holds the entitlement and the API key, posted the demand,
  filed the objection (as a person) and the dispute, owes a statement, and applied for free use.
- ``other_merchant`` acts for another verified merchant with a listed dataset of its own (which the merchant's
  organisation bought: it is a buyer too) and nothing to do with the objects above.
- ``operator`` and ``price_authority`` are exchange staff without an organisation.
"""

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts import two_factor
from accounts.models import AuditEntry, Organization, User
from catalog import services as catalog_services
from catalog import signing
from catalog.interop import client
from catalog.models import Listing, Objection, Peer, Product
from marketplace.access.models import ApiKey, Entitlement
from marketplace.governance import services as governance_services
from marketplace.governance.models import Dispute, Statement, Violation
from marketplace.matching import services as matching_services
from marketplace.matching.models import Demand, Match, Offer
from marketplace.orders.models import Order, Payment
from pricing import services as pricing_services
from pricing.models import FreeUseApplication, GuidedPriceEntry, Plan
from tests.factories import (
    OrganizationFactory,
    draft_product,
    listed_product,
    member,
    noticed_product,
    operator,
    png_bytes,
)
from tests.matching.helpers import demand_data
from tests.orders.support import key_for, pay_by_transfer, place, upload
from tests.orders.support import plan as make_plan
from tests.pricing.helpers import price_authority, public_data, publish

PERSONAS = ("anonymous", "buyer", "merchant", "other_merchant", "operator", "price_authority")


@dataclass
class World:
    users: dict[str, User | None]
    merchant_org: Organization
    buyer_org: Organization
    other_org: Organization
    product: Product  # listed market product of the merchant (dataset + api), with a plan and a dataset
    public_product: Product  # listed public-data product of the merchant (guided price)
    draft: Product  # the merchant's draft
    noticed: Product  # the merchant's registration under public notice, with the buyer's objection
    other_product: Product  # the other merchant's listed product
    plan: Plan
    public_plan: Plan
    order: Order  # paid by transfer and fulfilled
    pending_order: Order  # placed, awaiting the bank transfer
    payment: Payment  # the pending order's bank transfer (an operator may confirm it)
    entitlement: Entitlement
    api_key: ApiKey
    api_secret: str
    demand: Demand
    offer: Offer
    match: Match  # of the buyer's demand with the merchant's market product
    objection: Objection
    dispute: Dispute
    statement: Statement  # asked of the buyer, about the dispute
    guided_entry: GuidedPriceEntry
    free_use: FreeUseApplication
    violation: Violation  # recorded against the other merchant
    peer: Peer
    listing: Listing  # the market product's listing
    audit_seq: int
    year: int
    api_secrets: dict[str, str] = field(default_factory=dict)  # persona -> secret of its organisation's data-API key
    clients: dict = field(default_factory=dict)  # filled by the test module that uses the world


def _peer() -> Peer:
    """A peer exchange as operators register it (no network: its keys are given)."""
    key = signing.generate_private_key()
    jwk = signing.public_jwk(key.public_key())
    return Peer.objects.create(
        exchange_code="BBX",
        name="乙数据交易所",
        base_url="http://bbx.test",
        jwks_uri="http://bbx.test/interop/v1/jwks.json",
        endpoints=dict(client.DEFAULT_ENDPOINTS),
        jwks={"keys": [jwk]},
        jwks_fetched_at=timezone.now(),
        is_trusted=True,
    )


def build_world() -> World:
    """Build the exchange described in the module docstring; returns its objects."""
    staff = operator()
    authority = price_authority()

    merchant_org = OrganizationFactory(name="上海某数据科技有限公司", is_public_data_operator=True)
    merchant_user = member(merchant_org)
    merchant_org.business_licence.save("licence.png", ContentFile(png_bytes()), save=True)
    buyer_org = OrganizationFactory(name="某某商业银行股份有限公司", is_merchant=False)
    buyer_user = member(buyer_org)
    other_org = OrganizationFactory(name="北京另一数据有限公司")
    other_user = member(other_org)

    # The merchant's products: listed (market and public data), a draft, one under notice.
    product = listed_product(merchant_org, merchant_user, delivery_modes=["dataset", "api"])
    plan = make_plan(product, merchant_org, merchant_user, mode="dataset", price="0.50")
    upload(product, merchant_org, merchant_user)
    guided = publish(authority, section="L", delivery_mode="api", billing_unit="per_call", cap="1.00")
    public_product = listed_product(
        merchant_org, merchant_user, delivery_modes=["api"], **{**public_data(merchant_org), "name": "企业登记信息核验"}
    )
    public_plan = make_plan(public_product, merchant_org, merchant_user, mode="api", price="0.80")
    draft = draft_product(merchant_org, merchant_user, name="企业年报数据集（草稿）")
    noticed = noticed_product(merchant_org, merchant_user, name="企业招投标数据")
    objection = catalog_services.objection_file(
        product=noticed, actor=buyer_user, grounds="该数据产品侵犯了我方的数据资源持有权，来源不合法。"
    )
    other_product = listed_product(other_org, other_user, name="商圈客流热力数据", delivery_modes=["dataset"])

    # The merchant's organisation buys too: the other merchant's dataset (merchant-and-buyer, as the API tests use).
    other_plan = make_plan(other_product, other_org, other_user, mode="dataset", price="0.20")
    pay_by_transfer(place(merchant_org, merchant_user, other_product, other_plan), staff)

    # The buyer's trade: one order paid and fulfilled, one waiting for its transfer.
    order = pay_by_transfer(place(buyer_org, buyer_user, product, plan), staff)
    pending_order = place(buyer_org, buyer_user, product, plan, quantity=5)
    entitlement = Entitlement.objects.get(order=order)
    api_key, api_secret = key_for(buyer_org, buyer_user)
    free_use = pricing_services.free_use_apply(
        buyer=buyer_org,
        actor=buyer_user,
        product=public_product,
        purpose="public_governance",
        statement="用于市场监管部门的企业信用公共治理研究，不作商业用途。",
    )

    # Matching: the buyer's demand and the merchant's offer on it.
    demand = matching_services.demand_create(buyer=buyer_org, actor=buyer_user, data=demand_data())
    matching_services.demand_match(demand=demand)
    offer = matching_services.offer_make(
        demand=demand,
        org=merchant_org,
        actor=merchant_user,
        product=product,
        plan=plan,
        unit_price="0.45",
        valid_until=timezone.localdate() + timedelta(days=7),
    )

    # Governance: a dispute on the paid order with a statement asked of the buyer, a violation.
    dispute = governance_services.dispute_file(
        order=order,
        org=buyer_org,
        actor=buyer_user,
        ground="not_as_described",
        grounds="接口返回的数据与产品说明不符，缺少经营状态字段。",
    )
    statement = governance_services.statement_request(
        actor=staff, dispute=dispute, party="buyer", question="请提供调用记录和截图。"
    )
    # Every uploaded file the file views serve (saved directly: the upload paths have their own tests).
    product.personal_evidence.save("consent.pdf", ContentFile(b"%PDF-1.4 consent"), save=True)
    objection.evidence.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    dispute.evidence.save("calls.csv", ContentFile("时间,结果\n".encode()), save=True)
    statement.attachment.save("screenshot.png", ContentFile(png_bytes()), save=True)
    violation = governance_services.violation_record(
        organization=other_org,
        actor=staff,
        kind="beyond_authorisation",
        severity="minor",
        description="超出授权范围向第三方提供数据样例。",
        occurred_on=timezone.localdate(),
    )

    users = {
        "anonymous": None,
        "buyer": buyer_user,
        "merchant": merchant_user,
        "other_merchant": other_user,
        "operator": staff,
        "price_authority": authority,
    }
    # Every signed-in persona has begun enrolling an authenticator (its QR code is drawn on the enrolment page),
    # and every organisation has an API key of the data API.
    for user in filter(None, users.values()):
        two_factor.totp_enrolment_start(user=user)
    keys = {"buyer": (api_key, api_secret)}
    keys["merchant"] = key_for(merchant_org, merchant_user, name="卖方密钥")
    keys["other_merchant"] = key_for(other_org, other_user, name="其他卖方密钥")

    return World(
        users=users,
        merchant_org=merchant_org,
        buyer_org=buyer_org,
        other_org=other_org,
        product=product,
        public_product=public_product,
        draft=draft,
        noticed=noticed,
        other_product=other_product,
        plan=plan,
        public_plan=public_plan,
        order=order,
        pending_order=pending_order,
        payment=pending_order.payment,
        entitlement=entitlement,
        api_key=api_key,
        api_secret=api_secret,
        demand=demand,
        offer=offer,
        match=Match.objects.get(demand=demand, product=product),
        objection=objection,
        dispute=dispute,
        statement=statement,
        guided_entry=guided.entry,
        free_use=free_use,
        violation=violation,
        peer=_peer(),
        listing=product.listing,
        audit_seq=AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first(),
        year=timezone.localdate().year,
        api_secrets={persona: secret for persona, (_key, secret) in keys.items()},
    )


@contextmanager
def world_for_module(django_db_blocker):
    """``build_world()`` once, for a whole test module: files in a throw-away folder, the database in a
    transaction rolled back at the end (each test's own transaction nests inside it)."""
    folder = tempfile.mkdtemp(prefix="exchange-world-")
    settings = override_settings(
        MEDIA_ROOT=f"{folder}/media",
        PRIVATE_UPLOAD_ROOT=f"{folder}/private",
        SIGNING_KEY="",
        SIGNING_KEY_FILE=f"{folder}/signing/ed25519.pem",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STAFF_TWO_FACTOR_REQUIRED=False,
        LANGUAGE_CODE="en",
    )
    try:
        with django_db_blocker.unblock(), settings, transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
