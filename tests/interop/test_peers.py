"""Registering, trusting and following peer exchanges (interop-v1 §4.2, §6 step 4)."""

import pytest
from django.urls import reverse

from accounts.exceptions import DomainError
from accounts.models import AuditEntry
from catalog import hooks, services, signing
from catalog.interop import client as interop_client
from catalog.models import Listing, Peer, PeerCertificate, Product
from tests.factories import OrganizationFactory, member, operator

pytestmark = pytest.mark.django_db


def test_peer_add_fetches_discovery_and_keys_untrusted(fake_peer):
    peer = services.peer_add(base_url="http://bbx.test/", actor=operator())

    assert (peer.exchange_code, peer.base_url, peer.is_trusted) == ("BBX", "http://bbx.test", False)
    assert peer.jwks == fake_peer.jwks
    assert AuditEntry.objects.filter(action="peer.add").exists()


def test_peer_add_refuses_our_own_exchange(fake_peer, settings):
    fake_peer.code = "AAX"

    with pytest.raises(DomainError) as error:
        services.peer_add(base_url="http://bbx.test", actor=operator())

    assert error.value.field == "base_url"
    assert not Peer.objects.exists()


def test_peer_add_reports_an_unreachable_peer(monkeypatch):
    def unreachable(base_url, **kwargs):
        raise interop_client.PeerError("could not reach http://nowhere.test: ConnectionError")

    monkeypatch.setattr(interop_client, "discover", unreachable)

    with pytest.raises(DomainError) as error:
        services.peer_add(base_url="http://nowhere.test", actor=operator())

    assert "could not reach" in error.value.message


def test_only_operators_trust_peers(fake_peer):
    peer = fake_peer.register(trusted=False)
    merchant = member(OrganizationFactory())

    with pytest.raises(DomainError):
        services.peer_trust(peer=peer, actor=merchant)
    services.peer_trust(peer=peer, actor=operator())

    assert Peer.objects.get(pk=peer.pk).is_trusted


def test_an_untrusted_peer_is_not_followed(fake_peer):
    peer = fake_peer.register(trusted=False)
    fake_peer.issue(fake_peer.new_code(), uscc="91350100M000100Y43")

    result = services.peer_follow(peer=peer)

    assert result.applied == 0 and not PeerCertificate.objects.exists()


def test_follow_applies_every_event_once_and_keeps_the_cursor(fake_peer):
    peer = fake_peer.register()
    codes = [fake_peer.new_code() for _ in range(3)]
    for code in codes:
        fake_peer.issue(code, uscc="91350100M000100Y43")
    fake_peer.set_status(codes[0], "suspended")
    fake_peer.issue(codes[1], uscc="91350100M000100Y43", ver=2, name="企业经营异常核验（增强版）")

    result = services.peer_follow(peer=peer)

    peer.refresh_from_db()
    assert (result.applied, result.error, peer.cursor) == (5, "", 5)
    assert peer.last_success_at is not None and peer.last_error == ""
    assert PeerCertificate.objects.get(code=codes[0]).status == "suspended"
    updated = PeerCertificate.objects.get(code=codes[1])
    assert (updated.ver, updated.name, updated.status) == (2, "企业经营异常核验（增强版）", "active")


def test_following_again_from_zero_changes_nothing(fake_peer):
    """Applying the same events twice changes nothing (idempotent re-application)."""
    peer = fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc="91350100M000100Y43")
    fake_peer.set_status(code, "revoked")
    services.peer_follow(peer=peer)
    before = list(PeerCertificate.objects.values())

    services.peer_reset_cursor(peer=peer, cursor=0)
    again = services.peer_follow(peer=peer)

    assert again.applied == 0 and again.fetched == 2
    assert [{k: v for k, v in row.items() if k != "updated_at"} for row in PeerCertificate.objects.values()] == [
        {k: v for k, v in row.items() if k != "updated_at"} for row in before
    ]


def test_follow_pages_through_a_long_feed(fake_peer, monkeypatch):
    from catalog.services import peers

    monkeypatch.setattr(peers, "FEED_PAGE_LIMIT", 3)
    peer = fake_peer.register()
    for _ in range(7):
        fake_peer.issue(fake_peer.new_code(), uscc="91350100M000100Y43")

    result = services.peer_follow(peer=peer)

    assert (result.applied, result.pages, result.cursor) == (7, 3, 7)


def test_a_tampered_event_stops_following_just_before_it(fake_peer):
    peer = fake_peer.register()
    first, second = fake_peer.new_code(), fake_peer.new_code()
    fake_peer.issue(first, uscc="91350100M000100Y43")
    fake_peer.issue(second, uscc="91350100M000100Y43")
    header, payload, signature = fake_peer.events[1].split(".")
    forged = signing.parse(fake_peer.events[1]).payload | {"type": "certificate.revoked"}
    fake_peer.events[1] = f"{header}.{signing.b64url_encode(signing.json_bytes(forged))}.{signature}"

    result = services.peer_follow(peer=peer)

    peer.refresh_from_db()
    assert result.applied == 1 and peer.cursor == 1
    assert "#1" in peer.last_error and peer.last_error_at is not None
    assert not PeerCertificate.objects.filter(code=second).exists()


def test_an_event_signed_by_an_unknown_key_is_refused_after_refreshing_keys(fake_peer):
    peer = fake_peer.register()
    stranger = signing.generate_private_key()
    code = fake_peer.new_code()
    token = fake_peer.sign(fake_peer.certificate_payload(code, uscc="91350100M000100Y43"), signing.CERT_TYP)
    fake_peer.events.append(
        fake_peer.sign(
            {
                "iss": "BBX",
                "seq": 1,
                "type": "certificate.issued",
                "code": code,
                "ver": 1,
                "at": "2026-01-01T00:00:00Z",
                "certificate": token,
            },
            signing.EVENT_TYP,
            key=stranger,
            kid="new-kid",
        )
    )

    result = services.peer_follow(peer=peer)

    assert result.applied == 0 and result.error
    assert Peer.objects.get(pk=peer.pk).jwks_fetched_at is not None


def test_a_rotated_peer_key_is_fetched_from_its_jwks_uri(fake_peer):
    """Keys are refreshed from the peer's jwks_uri when an event names a new kid."""
    peer = fake_peer.register()
    peer.jwks_fetched_at = None
    peer.save()
    fake_peer.key = signing.generate_private_key()
    fake_peer.jwk = signing.public_jwk(fake_peer.key.public_key())
    fake_peer.kid = fake_peer.jwk["kid"]
    fake_peer.issue(fake_peer.new_code(), uscc="91350100M000100Y43")

    result = services.peer_follow(peer=peer)

    assert (result.applied, result.error) == (1, "")
    assert Peer.objects.get(pk=peer.pk).jwks == fake_peer.jwks


def test_an_expired_certificate_in_the_feed_is_kept_as_expired(fake_peer):
    peer = fake_peer.register()
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc="91350100M000100Y43", exp_in=-10)

    services.peer_follow(peer=peer)

    assert PeerCertificate.objects.get(code=code).status == "expired"


def _recognised_listing(fake_peer, peer, *, listed=True):
    org = OrganizationFactory()
    merchant = member(org)
    code = fake_peer.new_code()
    fake_peer.issue(code, uscc=org.uscc, holder=org.name)
    product = services.recognition_create(org=org, actor=merchant, code=code)
    if listed:
        services.listing_approve(listing=product.listing, actor=operator())
    return product


def test_revocation_at_the_issuer_revokes_our_listing_with_the_reason(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)
    fake_peer.set_status(product.code, "revoked")

    services.peer_follow(peer=peer)

    product.refresh_from_db()
    listing = Listing.objects.get(product=product)
    assert product.status == Product.Status.CANCELLED
    assert listing.status == Listing.Status.REVOKED
    assert "BBX" in listing.status_reason and "revoked" in listing.status_reason


def test_suspension_pauses_and_reinstatement_returns_to_review(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)

    fake_peer.set_status(product.code, "suspended")
    services.peer_follow(peer=peer)
    paused = Listing.objects.get(product=product)
    fake_peer.set_status(product.code, "active")
    services.peer_follow(peer=peer)
    back = Listing.objects.get(product=product)

    assert paused.status == Listing.Status.PAUSED and "suspended" in paused.status_reason
    assert back.status == Listing.Status.IN_REVIEW
    assert Product.objects.get(pk=product.pk).status == Product.Status.REGISTERED


def test_revocation_while_in_review_rejects_the_listing(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer, listed=False)
    fake_peer.set_status(product.code, "revoked")

    services.peer_follow(peer=peer)

    assert Listing.objects.get(product=product).status == Listing.Status.REJECTED


def test_expiry_pauses_the_listing_within_one_poll(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)
    services.peer_follow(peer=peer)
    PeerCertificate.objects.filter(code=product.code).update(exp="2001-01-01T00:00:00Z")  # Time passes.

    services.peers_follow_all()

    assert PeerCertificate.objects.get(code=product.code).status == "expired"
    listing = Listing.objects.get(product=product)
    assert listing.status == Listing.Status.PAUSED and "expired" in listing.status_reason


def test_a_reissued_certificate_refreshes_what_our_listing_shows(
    fake_peer, monkeypatch, django_capture_on_commit_callbacks
):
    matched = []
    monkeypatch.setattr(hooks, "listing_listed_handlers", [matched.append])
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)
    holder = product.holder
    fake_peer.issue(
        product.code,
        uscc=holder.uscc,
        holder=holder.name,
        ver=2,
        name="企业经营异常与严重违法核验",
        rights=["processing_use"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.peer_follow(peer=peer)
    services.peer_follow(peer=peer)  # nothing new: no second event

    product.refresh_from_db()
    event = product.events.order_by("-pk").first()
    entries = AuditEntry.objects.filter(action="registration.reissued_by_issuer", object_id=str(product.pk))
    assert product.name == "企业经营异常与严重违法核验"
    assert product.rights == ["processing_use"]
    assert "违法" in product.search_document
    assert "version 2" in event.reason and "BBX" in event.reason
    assert entries.count() == 1
    assert entries.get().changes["name"] == ["企业经营异常核验", "企业经营异常与严重违法核验"]
    assert entries.get().changes["ver"] == [1, 2]
    assert matched == [product.pk]  # demands are matched against the new text
    assert Listing.objects.get(product=product).status == Listing.Status.LISTED


def test_a_reissued_certificate_with_the_same_content_changes_nothing(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)
    events_before = product.events.count()
    fake_peer.issue(product.code, uscc=product.holder.uscc, holder=product.holder.name, ver=2)

    services.peer_follow(peer=peer)

    assert product.events.count() == events_before
    assert not AuditEntry.objects.filter(action="registration.reissued_by_issuer").exists()
    assert PeerCertificate.objects.get(code=product.code).ver == 2


def test_a_certificate_reissued_to_another_holder_pauses_our_listing(fake_peer):
    peer = fake_peer.register()
    product = _recognised_listing(fake_peer, peer)
    newcomer = OrganizationFactory(name="另一家数据公司")
    fake_peer.issue(product.code, uscc=newcomer.uscc, holder=newcomer.name, ver=2)

    services.peer_follow(peer=peer)

    listing = Listing.objects.get(product=product)
    assert listing.status == Listing.Status.PAUSED
    assert "另一家数据公司" in listing.status_reason
    assert Product.objects.get(pk=product.pk).holder == product.holder  # ours stays with the merchant who listed it


def test_follow_peer_feeds_task_reports_each_peer(fake_peer):
    from catalog.tasks import follow_peer_feeds

    fake_peer.register()
    fake_peer.issue(fake_peer.new_code(), uscc="91350100M000100Y43")

    result = follow_peer_feeds.apply().get()

    assert result["peers"]["BBX"]["applied"] == 1


def test_peer_pages_are_for_operators_only(client, fake_peer):
    peer = fake_peer.register(trusted=False)
    client.force_login(member(OrganizationFactory()))

    assert client.get(reverse("catalog:peers")).status_code == 403
    assert client.post(reverse("catalog:peer_action", args=[peer.pk, "trust"])).status_code == 403


def test_operator_adds_a_peer_sees_fingerprints_and_trusts_it(client, fake_peer):
    client.force_login(operator())

    added = client.post(reverse("catalog:peers"), {"base_url": "http://bbx.test"})
    peer = Peer.objects.get()
    detail = client.get(added.url)
    trusted = client.post(reverse("catalog:peer_action", args=[peer.pk, "trust"]))

    assert added.status_code == 302
    assert signing.fingerprint(fake_peer.jwk) in detail.content.decode()
    assert trusted.status_code == 302 and Peer.objects.get().is_trusted


def test_adding_an_unreachable_peer_shows_the_error_next_to_the_field(client, monkeypatch):
    def unreachable(base_url, **kwargs):
        raise interop_client.PeerError("could not reach http://nowhere.test: ConnectionError")

    monkeypatch.setattr(interop_client, "discover", unreachable)
    client.force_login(operator())

    response = client.post(reverse("catalog:peers"), {"base_url": "http://nowhere.test"})

    assert response.status_code == 200
    assert "could not reach" in response.content.decode()


def test_peer_add_command_prints_fingerprints(fake_peer):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("peer_add", "http://bbx.test", "--trust", stdout=out)

    assert signing.fingerprint(fake_peer.jwk) in out.getvalue()
    assert Peer.objects.get().is_trusted
