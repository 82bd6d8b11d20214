"""Peer exchanges: registering and trusting them, refreshing their keys, following their feeds (interop-v1 §4.2, §6).

HTTP to peers never runs inside a database transaction: each service fetches first, then writes in
its own short transaction.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError

from .. import hooks, search, signing
from ..certificates import (
    CertificateError,
    VerifiedCertificate,
    described_fields,
    described_modes,
    from_epoch,
    verify_certificate,
)
from ..codes import is_valid_code, issuer_of
from ..interop import client
from ..interop.client import PeerError
from ..models import (
    DeliveryMode,
    FeedEventType,
    Listing,
    Peer,
    PeerCertificate,
    PeerCertificateStatus,
    Product,
    ProductEvent,
    ReplayNonce,
)
from .transitions import move, require_operator, require_reason

logger = logging.getLogger(__name__)

KEY_REFRESH_MIN_SECONDS = 60
KEY_MAX_AGE_SECONDS = 24 * 3600
REPLAY_WINDOW_SECONDS = 600
FEED_PAGE_LIMIT = 1000
PCS = PeerCertificateStatus


class FeedEventError(Exception):
    """An event of a peer's feed that must not be applied; following stops before it."""


def _require_operator_or_system(actor) -> None:
    # Management commands and tasks act as the system (actor None); people must be operators.
    if actor is not None:
        require_operator(actor)


# --- registering and trusting --------------------------------------------------------------


def peer_add(*, base_url: str, actor=None, trust: bool = False) -> Peer:
    """Register (or refresh) a peer from its base URL: fetch its discovery document and JWK Set."""
    _require_operator_or_system(actor)
    try:
        doc = client.discover(base_url)
        jwks = client.fetch_jwks(doc["jwks_uri"])
    except PeerError as exc:
        raise DomainError(_("Could not register the peer: %(why)s") % {"why": exc.message}, field="base_url") from exc
    if doc["exchange_code"] == settings.EXCHANGE_CODE:
        raise DomainError(_("This is our own exchange code; a peer is another exchange."), field="base_url")
    return _peer_save(doc=doc, jwks=jwks, actor=actor, trust=trust)


@transaction.atomic
def _peer_save(*, doc: dict, jwks: dict, actor, trust: bool) -> Peer:
    peer = Peer.objects.select_for_update().filter(exchange_code=doc["exchange_code"]).first()
    creating = peer is None
    before = {} if creating else {"base_url": peer.base_url, "jwks_uri": peer.jwks_uri, "is_trusted": peer.is_trusted}
    if creating:
        peer = Peer(exchange_code=doc["exchange_code"])
    elif peer.base_url != doc["base_url"] or peer.jwks_uri != doc["jwks_uri"]:
        # Trust was given to the keys found at the old address; a new address needs it again.
        peer.is_trusted = False
        peer.trusted_by = None
        peer.trusted_at = None
    peer.name = doc["name"]
    peer.base_url = doc["base_url"]
    peer.jwks_uri = doc["jwks_uri"]
    peer.endpoints = doc["endpoints"]
    peer.jwks = jwks
    peer.jwks_fetched_at = timezone.now()
    peer.save()
    after = {"base_url": peer.base_url, "jwks_uri": peer.jwks_uri, "is_trusted": peer.is_trusted}
    audit_record(
        action="peer.add" if creating else "peer.refresh",
        obj=peer,
        actor=actor,
        changes={key: [before.get(key), value] for key, value in after.items() if before.get(key) != value},
    )
    if trust and not peer.is_trusted:
        peer = peer_trust(peer=peer, actor=actor)
    return peer


@transaction.atomic
def peer_trust(*, peer: Peer, actor=None) -> Peer:
    """An operator trusts the peer after comparing its key fingerprints; from now on we follow and accept it."""
    _require_operator_or_system(actor)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if peer.is_trusted:
        return peer
    if not signing.usable_keys(peer.jwks):
        raise DomainError(_("The peer publishes no usable key; refresh its keys first."))
    peer.is_trusted = True
    peer.trusted_by = actor if getattr(actor, "is_authenticated", False) else None
    peer.trusted_at = timezone.now()
    peer.save(update_fields=["is_trusted", "trusted_by", "trusted_at", "updated_at"])
    kids = sorted(signing.usable_keys(peer.jwks))
    audit_record(
        action="peer.trust", obj=peer, actor=actor, changes={"is_trusted": [False, True], "kids": [None, kids]}
    )
    return peer


@transaction.atomic
def peer_untrust(*, peer: Peer, actor=None, reason: str) -> Peer:
    """Stop trusting a peer: its requests are refused and its feed no longer followed."""
    _require_operator_or_system(actor)
    reason = require_reason(reason)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    if not peer.is_trusted:
        return peer
    peer.is_trusted = False
    peer.save(update_fields=["is_trusted", "updated_at"])
    audit_record(action="peer.untrust", obj=peer, actor=actor, changes={"is_trusted": [True, False]}, reason=reason)
    return peer


def peer_refresh_keys(*, peer: Peer, force: bool = True) -> Peer:
    """Fetch the peer's JWK Set again from its ``jwks_uri`` (at most once a minute unless ``force``)."""
    if (
        not force
        and peer.jwks_fetched_at
        and timezone.now() - peer.jwks_fetched_at < timedelta(seconds=KEY_REFRESH_MIN_SECONDS)
    ):
        return peer
    jwks = client.fetch_jwks(peer.jwks_uri)
    return _peer_keys_save(peer=peer, jwks=jwks)


@transaction.atomic
def _peer_keys_save(*, peer: Peer, jwks: dict) -> Peer:
    locked = Peer.objects.select_for_update().get(pk=peer.pk)
    before = sorted(signing.usable_keys(locked.jwks))
    locked.jwks = jwks
    locked.jwks_fetched_at = timezone.now()
    locked.save(update_fields=["jwks", "jwks_fetched_at", "updated_at"])
    after = sorted(signing.usable_keys(jwks))
    if before != after:
        audit_record(action="peer.keys_refresh", obj=locked, changes={"kids": [before, after]})
    peer.jwks, peer.jwks_fetched_at = locked.jwks, locked.jwks_fetched_at
    return peer


@transaction.atomic
def peer_reset_cursor(*, peer: Peer, actor=None, cursor: int = 0) -> Peer:
    """Follow the peer's feed again from ``cursor``; events already applied change nothing."""
    _require_operator_or_system(actor)
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    before = peer.cursor
    peer.cursor = max(0, int(cursor))
    peer.save(update_fields=["cursor", "updated_at"])
    audit_record(action="peer.reset_cursor", obj=peer, actor=actor, changes={"cursor": [before, peer.cursor]})
    return peer


def replay_nonce_accept(*, iss: str, jti: str) -> bool:
    """Record a signed request's ``jti``; False when the same ``iss`` used it within the last 600 s."""
    now = timezone.now()
    ReplayNonce.objects.filter(seen_at__lt=now - timedelta(seconds=REPLAY_WINDOW_SECONDS)).delete()
    try:
        with transaction.atomic():
            ReplayNonce.objects.create(iss=iss, jti=jti, seen_at=now)
    except IntegrityError:
        return False
    return True


# --- verifying what a peer sends ------------------------------------------------------------------


def _verify_with_refresh(peer: Peer, check):
    """Run ``check(jwks)``; on an unknown key fetch the peer's keys again (rate-limited) and retry once."""
    try:
        return check(peer.jwks)
    except (signing.JWSError, CertificateError) as exc:
        if exc.reason != "unknown_key":
            raise
        try:
            fresh = peer_refresh_keys(peer=peer, force=False)
        except PeerError:
            raise exc from None
        return check(fresh.jwks)


def peer_verify_certificate(*, peer: Peer, token: str) -> VerifiedCertificate:
    """Verify a certificate attributed to ``peer`` (§3), refreshing its keys once if the key is new."""
    return _verify_with_refresh(peer, lambda jwks: verify_certificate(token, jwks, issuer=peer.exchange_code))


def peer_fetch_certificate(*, peer: Peer, code: str) -> tuple[VerifiedCertificate, dict]:
    """Fetch a certificate from the peer that issued it and verify it; returns it and the peer's answer."""
    answer = client.fetch_certificate(peer, code)
    verified = peer_verify_certificate(peer=peer, token=answer["certificate"])
    if verified.code != code:
        raise CertificateError("bad_code", _("The peer answered a certificate for another code."))
    return verified, answer


@dataclass
class FollowResult:
    peer: str
    applied: int = 0
    fetched: int = 0
    cursor: int = 0
    error: str = ""
    pages: int = 0
    changed_listings: list[str] = field(default_factory=list)


@dataclass
class _Event:
    seq: int
    type: str
    code: str
    ver: int
    at: datetime
    certificate: VerifiedCertificate | None = None
    expired: bool = False


def _event_at(value) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool):
        return from_epoch(value)
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise FeedEventError(_("the event has no valid time"))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_fixed_timezone(0))


def _read_event(peer: Peer, token: str, after: int) -> _Event:
    payload = _verify_with_refresh(peer, lambda jwks: signing.verify(token, jwks, typ=signing.EVENT_TYP))
    if payload.get("iss") != peer.exchange_code:
        raise FeedEventError(_("the event names another issuer"))
    seq, ver, code, kind = payload.get("seq"), payload.get("ver"), payload.get("code"), payload.get("type")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq <= after:
        raise FeedEventError(_("the events are not in increasing order"))
    if kind not in FeedEventType.values:
        raise FeedEventError(_("unknown event type %(type)s") % {"type": kind})
    if not isinstance(code, str) or not is_valid_code(code) or issuer_of(code) != peer.exchange_code:
        raise FeedEventError(_("the event's registration code is not valid or not the issuer's"))
    if not isinstance(ver, int) or isinstance(ver, bool) or ver < 1:
        raise FeedEventError(_("the event has no valid version"))
    event = _Event(seq=seq, type=kind, code=code.upper(), ver=ver, at=_event_at(payload.get("at")))
    if kind in (FeedEventType.ISSUED, FeedEventType.UPDATED):
        event.certificate, event.expired = _event_certificate(peer, event, payload.get("certificate"))
    return event


def _event_certificate(peer: Peer, event: _Event, token) -> tuple[VerifiedCertificate | None, bool]:
    """The event's certificate, verified; when its key has since been withdrawn, the issuer's current one."""
    if not isinstance(token, str):
        raise FeedEventError(_("a certificate event carries no certificate"))
    try:
        verified = peer_verify_certificate(peer=peer, token=token)
        expired = False
    except CertificateError as exc:
        if exc.reason == "expired" and exc.payload is not None:
            verified = VerifiedCertificate(payload=exc.payload, kid=None, token=token.strip())
            expired = True
        elif exc.reason in ("unknown_key", "bad_signature"):
            return _current_certificate(peer, event, token, exc)
        else:
            raise FeedEventError(exc.message) from exc
    if verified.code != event.code:
        raise FeedEventError(_("the certificate in the event is for another code"))
    return verified, expired


def _current_certificate(peer: Peer, event: _Event, token: str, original: CertificateError):
    try:
        verified, _answer = peer_fetch_certificate(peer=peer, code=event.code)
        return verified, False
    except CertificateError as exc:
        if exc.reason == "expired" and exc.payload is not None:
            return VerifiedCertificate(payload=exc.payload, kid=None, token=""), True
        raise FeedEventError(original.message) from exc
    except PeerError:
        pass
    unverified_exp = signing.parse(token).payload.get("exp") if token.count(".") == 2 else None
    if isinstance(unverified_exp, int) and unverified_exp < timezone.now().timestamp():
        return None, True  # An expired certificate whose key was withdrawn: nothing left to verify or apply.
    raise FeedEventError(original.message)


def peer_follow(*, peer: Peer, session=None, max_pages: int | None = None) -> FollowResult:
    """Follow a trusted peer's feed from its cursor to the end: verify every event, apply each once.

    Events are verified page by page; the verified prefix of a page is applied in one transaction with
    the cursor, so a bad event stops following exactly before it and is retried on the next poll.
    """
    peer = Peer.objects.get(pk=peer.pk)
    result = FollowResult(peer=peer.exchange_code, cursor=peer.cursor)
    if not peer.is_trusted:
        result.error = _("The peer is not trusted.")
        return result
    http = session or client.new_session()
    if peer.jwks_fetched_at is None or timezone.now() - peer.jwks_fetched_at > timedelta(seconds=KEY_MAX_AGE_SECONDS):
        try:  # Keys are refreshed from the peer's jwks_uri now and then, and at once when an unknown kid appears.
            peer = peer_refresh_keys(peer=peer)
        except PeerError as exc:
            logger.warning("refreshing %s's keys: %s", peer.exchange_code, exc.message)
    while True:
        try:
            page = client.fetch_feed(peer, after=peer.cursor, limit=FEED_PAGE_LIMIT, session=http)
        except PeerError as exc:
            result.error = exc.message
            break
        result.pages += 1
        events: list[_Event] = []
        after = peer.cursor
        for token in page["events"]:
            try:
                event = _read_event(peer, token, after)
            except (signing.JWSError, CertificateError, FeedEventError, PeerError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                result.error = _("Event after #%(seq)s refused: %(why)s") % {"seq": after, "why": message}
                break
            events.append(event)
            after = event.seq
        result.fetched += len(events)
        if events:
            peer, applied, changed = _apply_events(peer=peer, events=events)
            result.applied += applied
            result.changed_listings += changed
        if result.error or not page["has_more"] or not page["events"]:
            break
        if max_pages is not None and result.pages >= max_pages:
            break
    result.cursor = peer.cursor
    _record_poll(peer=peer, error=result.error)
    return result


@transaction.atomic
def _record_poll(*, peer: Peer, error: str) -> None:
    now = timezone.now()
    fields = {"last_polled_at": now}
    if error:
        fields.update(last_error=error, last_error_at=now)
    else:
        fields.update(last_success_at=now, last_error="")
    Peer.objects.filter(pk=peer.pk).update(**fields, updated_at=now)
    if error:
        logger.warning("following peer %s: %s", peer.exchange_code, error)


def _status_after(event: _Event, current: str | None, exp: datetime | None) -> str:
    expired = exp is not None and exp <= timezone.now()
    if event.type == FeedEventType.SUSPENDED:
        return PCS.SUSPENDED
    if event.type == FeedEventType.REVOKED:
        return PCS.REVOKED
    if current == PCS.REVOKED:
        return PCS.REVOKED  # Revocation is final.
    if expired or event.expired:
        return PCS.EXPIRED
    if event.type == FeedEventType.UPDATED and current == PCS.SUSPENDED:
        return PCS.SUSPENDED  # A change while suspended does not lift the suspension.
    return PCS.ACTIVE


def _fill_from_certificate(pc: PeerCertificate, certificate: VerifiedCertificate) -> None:
    payload = certificate.payload
    pc.ver = payload["ver"]
    pc.jws = certificate.token or pc.jws
    pc.payload = payload
    pc.holder_uscc = str(payload["holder"]["uscc"])[:18]
    pc.holder_name = str(payload["holder"]["name"])[:200]
    pc.name = str(payload["product"]["name"])[:200]
    pc.name_normalized = search.normalize_name(pc.name)[:200]
    pc.exp = from_epoch(payload["exp"])


PC_FIELDS = [
    "ver",
    "jws",
    "payload",
    "status",
    "status_changed_at",
    "last_event_seq",
    "holder_uscc",
    "holder_name",
    "name",
    "name_normalized",
    "exp",
    "updated_at",
]


@transaction.atomic
def _apply_events(*, peer: Peer, events: list[_Event]) -> tuple[Peer, int, list[str]]:
    """Apply verified events in order, skipping those already applied; advance the cursor to the last one."""
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    codes = {event.code for event in events}
    known = {pc.code: pc for pc in PeerCertificate.objects.select_for_update().filter(code__in=codes)}
    created: dict[str, PeerCertificate] = {}
    changed: dict[str, PeerCertificate] = {}
    status_changes: dict[str, tuple[str, _Event]] = {}
    reissued: dict[str, tuple[PeerCertificate, int]] = {}  # code -> (certificate, the ver we had before)
    applied = 0
    now = timezone.now()
    for event in events:
        pc = known.get(event.code) or created.get(event.code)
        if pc is not None and pc.last_event_seq >= event.seq:
            continue  # Applied before: applying it again changes nothing.
        if pc is None:
            if event.certificate is None:
                continue  # A status event for a registration we never saw a certificate of.
            pc = PeerCertificate(peer=peer, code=event.code, issuer=peer.exchange_code, created_at=now)
            _fill_from_certificate(pc, event.certificate)
            pc.status = _status_after(event, None, pc.exp)
            pc.status_changed_at = event.at
            created[event.code] = pc
        else:
            before = pc.status
            if event.certificate is not None and event.certificate.payload["ver"] >= pc.ver:
                if event.certificate.payload["ver"] > pc.ver:
                    reissued.setdefault(event.code, (pc, pc.ver))
                _fill_from_certificate(pc, event.certificate)
            pc.status = _status_after(event, pc.status, pc.exp)
            if pc.status != before:
                pc.status_changed_at = event.at
                status_changes[event.code] = (pc.status, event)
            if pc.pk:
                changed[event.code] = pc
        pc.last_event_seq = event.seq
        pc.updated_at = now
        applied += 1
    PeerCertificate.objects.bulk_create(created.values(), batch_size=500)
    for pc in changed.values():  # One UPDATE each: far cheaper than bulk_update's CASE expressions.
        pc.save(update_fields=PC_FIELDS)
    touched = []
    listed_here = set(
        Product.objects.filter(code__in=[*status_changes, *reissued], issuer=peer.exchange_code).values_list(
            "code", flat=True
        )
    )
    for code, (pc, previous_ver) in reissued.items():
        if code in listed_here and _refresh_local_product(peer=peer, pc=pc, previous_ver=previous_ver):
            touched.append(code)
    for code, (status, event) in status_changes.items():
        if code in listed_here and _apply_to_local_listing(peer=peer, code=code, status=status, event=event):
            touched.append(code)
    before_cursor = peer.cursor
    peer.cursor = events[-1].seq
    peer.save(update_fields=["cursor", "updated_at"])
    if applied:
        audit_record(
            action="peer.feed_apply",
            obj=peer,
            changes={"cursor": [before_cursor, peer.cursor], "applied": [0, applied], "listings": [[], touched]},
        )
    return peer, applied, touched


def _refresh_local_product(*, peer: Peer, pc: PeerCertificate, previous_ver: int) -> bool:
    """Our copy of a recognised registration follows the issuer's re-issued certificate (§3: a reader keeps the
    highest ``ver``): name, summary, section, modes, classification, rights, authorisation. A certificate naming
    another holder is not ours to go on selling: the listing pauses for the operators. Returns whether anything
    changed."""
    product = (
        Product.objects.select_for_update().select_related("holder").filter(code=pc.code, issuer=peer.exchange_code)
    ).first()
    if product is None:
        return False
    fields = described_fields(pc.payload, grantee=product.holder.name)
    modes = sorted(described_modes(pc.payload))
    changes = {
        name: [getattr(product, name), value] for name, value in fields.items() if getattr(product, name) != value
    }
    old_modes = sorted(product.delivery_modes.values_list("code", flat=True))
    if modes != old_modes:
        changes["delivery_modes"] = [old_modes, modes]
    issuer = f"{peer.name} ({peer.exchange_code})"
    if changes:
        reason = _(
            "The issuing exchange %(issuer)s re-issued the certificate of %(code)s (version %(ver)s); "
            "this page now shows what it registers."
        ) % {"issuer": issuer, "code": pc.code, "ver": pc.ver}
        for name, value in fields.items():
            setattr(product, name, value)
        product.name_normalized = search.normalize_name(product.name)[:120]
        product.search_document = search.segment_document(product.name, product.summary)
        product.save(update_fields=[*fields, "name_normalized", "search_document", "updated_at"])
        product.delivery_modes.set(DeliveryMode.objects.filter(code__in=modes))
        search.refresh_search_vector(Product.objects.filter(pk=product.pk))
        ProductEvent.objects.create(
            product=product,
            subject=ProductEvent.Subject.REGISTRATION,
            from_status=product.status,
            to_status=product.status,
            actor_label=issuer,
            reason=reason,
        )
        audit_record(
            action="registration.reissued_by_issuer",
            obj=product,
            organization=product.holder,
            changes={**changes, "ver": [previous_ver, pc.ver]},
            reason=reason,
        )
    holder_changed = pc.holder_uscc != product.holder.uscc
    listing = Listing.objects.filter(product=product).first()
    if changes and not holder_changed and listing is not None and listing.status == Listing.Status.LISTED:
        # What it describes changed: demands are matched against the new text (as when it was listed).
        transaction.on_commit(partial(hooks.listing_listed, product.pk), robust=True)
    if holder_changed and listing is not None and listing.status == Listing.Status.LISTED:
        reason = _(
            "The issuing exchange %(issuer)s re-issued the certificate of %(code)s to another holder (%(holder)s); "
            "the listing is paused until the operators review it."
        ) % {"issuer": issuer, "code": pc.code, "holder": pc.holder_name}
        move(listing, Listing.Status.PAUSED, reason=reason, action="listing.pause")
        return True
    return bool(changes)


def _issuer_reason(peer: Peer, status: str, code: str, at: datetime) -> str:
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    params = {"issuer": f"{peer.name} ({peer.exchange_code})", "code": code, "when": when}
    return {
        PCS.SUSPENDED: _("The issuing exchange %(issuer)s suspended registration %(code)s on %(when)s."),
        PCS.REVOKED: _("The issuing exchange %(issuer)s revoked registration %(code)s on %(when)s."),
        PCS.EXPIRED: _("The certificate of registration %(code)s issued by %(issuer)s expired on %(when)s."),
        PCS.ACTIVE: _("The issuing exchange %(issuer)s reinstated registration %(code)s on %(when)s; back to review."),
    }[status] % params


def _apply_to_local_listing(*, peer: Peer, code: str, status: str, event) -> bool:
    """Carry the issuer's decision to our listing of its registration (§6 step 4). Returns whether anything moved."""
    product = Product.objects.filter(code=code, issuer=peer.exchange_code).first()
    if product is None:
        return False
    at = event.at if hasattr(event, "at") else timezone.now()
    reason = _issuer_reason(peer, status, code, at)
    listing = Listing.objects.filter(product=product).first()
    moved_any = False
    if status == PCS.REVOKED:
        _, moved = move(product, Product.Status.CANCELLED, reason=reason, action="registration.revoked_by_issuer")
        moved_any |= moved
        if listing and listing.can_become(Listing.Status.REVOKED):
            move(listing, Listing.Status.REVOKED, reason=reason, action="listing.revoke")
            moved_any = True
        elif listing and listing.status == Listing.Status.IN_REVIEW:
            move(listing, Listing.Status.REJECTED, reason=reason, action="listing.reject")
            moved_any = True
    elif status in (PCS.SUSPENDED, PCS.EXPIRED):
        if product.can_become(Product.Status.SUSPENDED):
            move(product, Product.Status.SUSPENDED, reason=reason, action="registration.suspended_by_issuer")
            moved_any = True
        if listing and listing.status == Listing.Status.LISTED:
            move(listing, Listing.Status.PAUSED, reason=reason, action="listing.pause")
            moved_any = True
    elif status == PCS.ACTIVE:
        if product.status == Product.Status.SUSPENDED:
            move(product, Product.Status.REGISTERED, reason=reason, action="registration.reinstated_by_issuer")
            moved_any = True
        if listing and listing.status == Listing.Status.PAUSED:
            move(listing, Listing.Status.IN_REVIEW, reason=reason, action="listing.back_to_review")
            moved_any = True
    return moved_any


@transaction.atomic
def peer_certificates_expire() -> int:
    """Mark peers' certificates past ``exp`` expired and pause our listings of them; returns how many."""
    now = timezone.now()
    due = list(
        PeerCertificate.objects.select_for_update().filter(status=PCS.ACTIVE, exp__lte=now).select_related("peer")
    )
    for pc in due:
        pc.status = PCS.EXPIRED
        pc.status_changed_at = pc.exp
        pc.save(update_fields=["status", "status_changed_at", "updated_at"])
        audit_record(action="peer_certificate.expire", obj=pc, changes={"status": [PCS.ACTIVE, PCS.EXPIRED]})
        _apply_to_local_listing(peer=pc.peer, code=pc.code, status=PCS.EXPIRED, event=_Expiry(pc.exp))
    return len(due)


@dataclass
class _Expiry:
    at: datetime


def peers_follow_all() -> list[FollowResult]:
    """Follow every trusted peer's feed once; one peer's failure does not stop the others."""
    results = []
    for peer in Peer.objects.filter(is_trusted=True).order_by("exchange_code"):
        try:
            results.append(peer_follow(peer=peer))
        except Exception as exc:  # Recorded on the peer's page; the next poll retries.
            logger.exception("following peer %s failed", peer.exchange_code)
            _record_poll(peer=peer, error=f"{exc.__class__.__name__}: {exc}")
            results.append(FollowResult(peer=peer.exchange_code, error=str(exc)))
    peer_certificates_expire()
    return results


def peer_certificate_store(
    *, peer: Peer, verified: VerifiedCertificate, status: str, changed_at=None
) -> PeerCertificate:
    """Keep a certificate fetched from its issuer (highest ``ver`` wins); used when a merchant recognises it."""
    pc = PeerCertificate.objects.select_for_update().filter(code=verified.code).first()
    if pc is None:
        pc = PeerCertificate(peer=peer, code=verified.code, issuer=peer.exchange_code)
    if pc.pk is None or verified.ver >= pc.ver:
        _fill_from_certificate(pc, verified)
    if pc.status != status:
        pc.status = status
        pc.status_changed_at = changed_at or timezone.now()
    pc.save()
    return pc
