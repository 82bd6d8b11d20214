"""Scenarios of ``catalog.services``: registrations, listings, objections, certificates, peers."""

from datetime import timedelta

from django.utils import timezone

from catalog import services, signing
from catalog.codes import format_code
from catalog.models import (
    Certificate,
    FeedEventType,
    Listing,
    NegativeListTerm,
    Peer,
    PeerCertificate,
    Product,
)
from tests.factories import (
    OrganizationFactory,
    draft_product,
    listed_product,
    member,
    noticed_product,
    operator,
    submitted_product,
)

from . import scenario

SUSPENDS = "Suspending a registration pauses its listing: two transitions, each audited."


def _key_file(ctx):
    ctx.settings.SIGNING_KEY = ""
    ctx.settings.SIGNING_KEY_FILE = ctx.tmp_path / "signing" / "ed25519.pem"


def _in_review(ctx):
    product = submitted_product()
    staff = operator()
    services.registration_start_review(product=product, actor=staff)
    return product, staff


def _peer(code="BBX", trusted=False) -> Peer:
    jwk = signing.public_jwk(signing.generate_private_key().public_key())
    return Peer.objects.create(
        exchange_code=code,
        name="乙数据交易所",
        base_url=f"https://{code.lower()}.example",
        jwks_uri=f"https://{code.lower()}.example/jwks.json",
        jwks={"keys": [jwk]},
        is_trusted=trusted,
    )


def _peer_listing(status) -> Listing:
    """A peer's registration listed here (recognised), its listing in ``status``."""
    org = OrganizationFactory()
    product = Product.objects.create(
        holder=org,
        issuer="BBX",
        code=format_code("BBX", 2026, "J", 1),
        name="企业信用评分",
        status=Product.Status.REGISTERED,
    )
    return Listing.objects.create(product=product, status=status)


# Registration and review ---------------------------------------------------------------------------------


@scenario("catalog.product_save_draft", "registration.create_draft")
def _product_save_draft(ctx):
    org = OrganizationFactory()
    actor = member(org)
    return lambda: services.product_save_draft(org=org, actor=actor, data={"name": "企业经营异常核验"})


@scenario("catalog.product_submit", "registration.submit")
def _product_submit(ctx):
    org = OrganizationFactory()
    actor = member(org)
    product = draft_product(org, actor)
    return lambda: services.product_submit(product=product, actor=actor)


@scenario("catalog.registration_start_review", "registration.start_review")
def _registration_start_review(ctx):
    product, staff = submitted_product(), operator()
    return lambda: services.registration_start_review(product=product, actor=staff)


@scenario("catalog.registration_approve", "registration.approve")
def _registration_approve(ctx):
    product, staff = _in_review(ctx)
    return lambda: services.registration_approve(product=product, actor=staff)


@scenario("catalog.registration_request_changes", "registration.request_changes")
def _registration_request_changes(ctx):
    product, staff = _in_review(ctx)
    return lambda: services.registration_request_changes(product=product, actor=staff, reason="请补充样例数据说明。")


@scenario("catalog.registration_reject", "registration.reject")
def _registration_reject(ctx):
    product, staff = _in_review(ctx)
    return lambda: services.registration_reject(product=product, actor=staff, reason="命中负面清单。")


@scenario(
    "catalog.registration_complete",
    "registration.complete",
    "listing.list",
    "certificate.issue",
    why="Completing a registration lists it here and issues its certificate (赋码/发证): three audited steps.",
)
def _registration_complete(ctx):
    _key_file(ctx)
    services.signing_key_sync()
    product = noticed_product()
    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return lambda: services.registration_complete(product=product)


# After registration --------------------------------------------------------------------------------------


@scenario("catalog.registration_suspend", "registration.suspend", "listing.pause", why=SUSPENDS)
def _registration_suspend(ctx):
    product, staff = listed_product(), operator()
    return lambda: services.registration_suspend(product=product, actor=staff, reason="涉嫌侵权，暂停。")


@scenario(
    "catalog.registration_reinstate",
    "registration.reinstate",
    "listing.resume",
    why="Reinstating re-opens the listing the suspension paused: two transitions.",
)
def _registration_reinstate(ctx):
    product, staff = listed_product(), operator()
    services.registration_suspend(product=product, actor=staff, reason="涉嫌侵权，暂停。")
    return lambda: services.registration_reinstate(product=product, actor=staff, reason="复核无问题。")


@scenario(
    "catalog.registration_cancel",
    "registration.cancel",
    "listing.revoke",
    why="Cancelling (注销) revokes the listing: two transitions.",
)
def _registration_cancel(ctx):
    product, staff = listed_product(), operator()
    return lambda: services.registration_cancel(product=product, actor=staff, reason="持有人申请注销。")


@scenario("catalog.listing_delist", "listing.delist")
def _listing_delist(ctx):
    product = listed_product()
    return lambda: services.listing_delist(listing=product.listing, actor=product.created_by, reason="产品下线。")


@scenario("catalog.listing_pause", "listing.pause")
def _listing_pause(ctx):
    product = listed_product()
    return lambda: services.listing_pause(listing=product.listing, actor=product.created_by, reason="暂停销售。")


@scenario("catalog.listing_resume", "listing.resume")
def _listing_resume(ctx):
    product = listed_product()
    services.listing_pause(listing=product.listing, actor=product.created_by, reason="暂停销售。")
    return lambda: services.listing_resume(listing=Listing.objects.get(product=product), actor=product.created_by)


@scenario("catalog.listing_approve", "listing.approve")
def _listing_approve(ctx):
    listing, staff = _peer_listing(Listing.Status.IN_REVIEW), operator()
    return lambda: services.listing_approve(listing=listing, actor=staff)


@scenario("catalog.listing_reject", "listing.reject")
def _listing_reject(ctx):
    listing, staff = _peer_listing(Listing.Status.IN_REVIEW), operator()
    return lambda: services.listing_reject(listing=listing, actor=staff, reason="互认材料不全。")


# Negative list and objections ---------------------------------------------------------------------------


@scenario("catalog.negative_term_add", "negative_list.add")
def _negative_term_add(ctx):
    staff = operator()
    return lambda: services.negative_term_add(actor=staff, term="赌博")


@scenario("catalog.negative_term_remove", "negative_list.remove")
def _negative_term_remove(ctx):
    staff = operator()
    entry = NegativeListTerm.objects.create(term="赌博", created_by=staff)
    return lambda: services.negative_term_remove(actor=staff, entry=entry)


def _objection(ctx):
    product = noticed_product()
    objector = member(OrganizationFactory(is_merchant=False))
    return services.objection_file(product=product, actor=objector, grounds="该产品数据来源不合法，侵犯我方权益。")


@scenario("catalog.objection_file", "objection.file")
def _objection_file(ctx):
    product = noticed_product()
    objector = member(OrganizationFactory(is_merchant=False))
    return lambda: services.objection_file(product=product, actor=objector, grounds="该产品数据来源不合法。")


@scenario(
    "catalog.objection_uphold",
    "objection.uphold",
    "registration.withdraw",
    why="An objection upheld during the notice withdraws the registration: the decision and the withdrawal.",
)
def _objection_uphold(ctx):
    objection, staff = _objection(ctx), operator()
    return lambda: services.objection_uphold(objection=objection, actor=staff, reason="来源不合法属实。")


@scenario("catalog.objection_investigate", "objection.investigate")
def _objection_investigate(ctx):
    objection, staff = _objection(ctx), operator()
    return lambda: services.objection_investigate(objection=objection, actor=staff)


@scenario("catalog.objection_dismiss", "objection.dismiss")
def _objection_dismiss(ctx):
    objection, staff = _objection(ctx), operator()
    return lambda: services.objection_dismiss(objection=objection, actor=staff, reason="异议不成立。")


# Certificates and signing keys --------------------------------------------------------------------------


@scenario("catalog.signing_key_sync", "signing_key.add")
def _signing_key_sync(ctx):
    _key_file(ctx)
    return services.signing_key_sync


@scenario(
    "catalog.signing_key_rotate",
    "signing_key.add",
    "signing_key.retire",
    "signing_key.rotate",
    why="Rotating adds the new key, retires the old one (kept published), and records the rotation.",
)
def _signing_key_rotate(ctx):
    _key_file(ctx)
    services.signing_key_sync()
    staff = operator()
    return lambda: services.signing_key_rotate(actor=staff)


@scenario("catalog.certificate_issue", "certificate.issue")
def _certificate_issue(ctx):
    _key_file(ctx)
    product = listed_product()
    Certificate.objects.filter(product=product).delete()  # As if completed before certificates existed.
    return lambda: services.certificate_issue(product=product)


@scenario("catalog.certificate_reissue", "certificate.reissue")
def _certificate_reissue(ctx):
    _key_file(ctx)
    product, staff = listed_product(), operator()
    return lambda: services.certificate_reissue(product=product, actor=staff, reason="变更登记，重新发证。")


@scenario(
    "catalog.certificate_record_status",
    why="It announces in the signed feed a suspension, reinstatement or revocation its caller already audited.",
)
def _certificate_record_status(ctx):
    _key_file(ctx)
    product = listed_product()
    return lambda: services.certificate_record_status(product=product, event=FeedEventType.SUSPENDED)


@scenario(
    "catalog.feed_append",
    why="The feed is itself an append-only, signed log of certificate events; the change it announces is audited "
    "by its caller (certificate issue or re-issue, registration suspension, reinstatement, cancellation).",
)
def _feed_append(ctx):
    _key_file(ctx)
    product = listed_product()
    return lambda: services.feed_append(type=FeedEventType.SUSPENDED, product=product, ver=1)


# Peers and recognition ---------------------------------------------------------------------------------


@scenario("catalog.peer_trust", "peer.trust")
def _peer_trust(ctx):
    peer, staff = _peer(), operator()
    return lambda: services.peer_trust(peer=peer, actor=staff)


@scenario("catalog.peer_untrust", "peer.untrust")
def _peer_untrust(ctx):
    peer, staff = _peer(trusted=True), operator()
    return lambda: services.peer_untrust(peer=peer, actor=staff, reason="对方密钥泄露。")


@scenario("catalog.peer_reset_cursor", "peer.reset_cursor")
def _peer_reset_cursor(ctx):
    peer, staff = _peer(trusted=True), operator()
    Peer.objects.filter(pk=peer.pk).update(cursor=42)
    return lambda: services.peer_reset_cursor(peer=peer, actor=staff, cursor=0)


@scenario("catalog.peer_certificates_expire", "peer_certificate.expire")
def _peer_certificates_expire(ctx):
    peer = _peer(trusted=True)
    PeerCertificate.objects.create(
        peer=peer,
        code=format_code("BBX", 2026, "J", 7),
        issuer="BBX",
        ver=1,
        jws="x.y.z",
        payload={},
        holder_uscc="91350100M000100Y43",
        holder_name="某某数据科技有限公司",
        name="企业信用评分",
        name_normalized="企业信用评分",
        exp=timezone.now() - timedelta(minutes=1),
    )
    return services.peer_certificates_expire


@scenario("catalog.recognition_record", "recognition.record")
def _recognition_record(ctx):
    _key_file(ctx)
    product = listed_product()
    peer = _peer(trusted=True)
    return lambda: services.recognition_record(
        peer=peer, code=product.code, listing_url=f"https://bbx.example/p/{product.code}/"
    )
