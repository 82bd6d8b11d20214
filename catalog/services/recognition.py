"""Mutual recognition (登记互认, interop-v1 §6): listing a peer's registration here; being told a peer lists ours."""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member

from .. import search
from ..certificates import CertificateError, described_fields, described_modes, from_epoch
from ..codes import is_valid_code, issuer_of, normalize_code
from ..findings import compute_findings
from ..interop.client import PeerError
from ..models import (
    DeliveryMode,
    Listing,
    Peer,
    PeerCertificateStatus,
    Product,
    ProductEvent,
    Recognition,
    ReviewFinding,
)
from . import peers
from .transitions import move, require_operator, require_reason

CODE_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{1,7}-\d{4}-[A-Za-z]-\d{6,}-[0-9A-Za-z]")
NOTIFY_MAX_ATTEMPTS = 8


class UnknownRegistration(DomainError):
    """No registration with that code was issued here."""

    status_code = 404


def code_from_input(text: str) -> str:
    """The registration code in what a merchant typed or scanned: a code, or a verification/QR URL."""
    text = (text or "").strip()
    if text.lower().startswith(("http://", "https://")):
        query = parse_qs(urlsplit(text).query)
        for name in ("code", "q"):
            if query.get(name):
                return normalize_code(query[name][0])
    match = CODE_IN_TEXT_RE.search(text)
    return normalize_code(match.group(0) if match else text)


def _listing_url(code: str) -> str:
    return settings.SITE_URL + reverse("catalog:product", kwargs={"code": code})


def recognition_create(*, org: Organization, actor, code: str) -> Product:
    """A merchant lists here a product registered at a trusted peer (§6 steps 1–3): verify, then send to review."""
    if not is_member(actor, org):
        raise NotAllowed(_("You do not act for this organisation."))
    if not org.is_merchant:
        raise NotAllowed(_("Only merchant organisations list products."))
    if not org.is_verified:
        raise NotAllowed(_("Your organisation must be verified by the exchange first."))
    code = code_from_input(code)
    if not is_valid_code(code):
        raise DomainError(_("This is not a valid registration code (check the last character)."), field="code")
    issuer = issuer_of(code)
    if issuer == settings.EXCHANGE_CODE:
        raise DomainError(_("This registration was made at this exchange; it needs no recognition."), field="code")
    peer = Peer.objects.filter(exchange_code=issuer, is_trusted=True).first()
    if peer is None:
        raise DomainError(
            _("The exchange %(issuer)s is not a trusted peer of this exchange.") % {"issuer": issuer}, field="code"
        )
    if Product.objects.filter(code=code).exists():
        raise DomainError(_("This registration is already listed at this exchange."), field="code")
    try:
        verified, answer = peers.peer_fetch_certificate(peer=peer, code=code)
    except PeerError as exc:
        raise DomainError(
            _("Could not fetch the certificate from %(issuer)s: %(why)s") % {"issuer": issuer, "why": exc.message},
            field="code",
        ) from exc
    except CertificateError as exc:
        raise DomainError(
            _("The certificate from %(issuer)s was refused: %(why)s") % {"issuer": issuer, "why": exc.message},
            field="code",
        ) from exc
    status = answer.get("status")
    if status != PeerCertificateStatus.ACTIVE:
        raise DomainError(
            _("The registration is not active at its issuer (status: %(status)s).") % {"status": status}, field="code"
        )
    if verified.payload["holder"]["uscc"] != org.uscc:
        raise DomainError(
            _("The certificate's holder (%(uscc)s) is not your organisation.")
            % {"uscc": verified.payload["holder"]["uscc"]},
            field="code",
        )
    return _recognition_save(org=org, actor=actor, peer=peer, verified=verified, answer=answer)


@transaction.atomic
def _recognition_save(*, org, actor, peer, verified, answer) -> Product:
    payload = verified.payload
    fields = described_fields(payload, grantee=org.name)
    peers.peer_certificate_store(peer=peer, verified=verified, status=PeerCertificateStatus.ACTIVE)
    reason = _("Recognition of registration %(code)s issued by %(issuer)s.") % {
        "code": verified.code,
        "issuer": f"{peer.name} ({peer.exchange_code})",
    }
    try:
        with transaction.atomic():
            product = Product.objects.create(
                holder=org,
                issuer=peer.exchange_code,
                code=verified.code,
                **fields,
                name_normalized=search.normalize_name(fields["name"])[:120],
                status=Product.Status.REGISTERED,
                status_reason=reason,
                registered_at=from_epoch(payload["iat"]),
                created_by=actor,
                search_document=search.segment_document(fields["name"], fields["summary"]),
            )
    except IntegrityError as exc:
        raise DomainError(_("This registration is already listed at this exchange."), field="code") from exc
    product.delivery_modes.set(DeliveryMode.objects.filter(code__in=described_modes(payload)))
    search.refresh_search_vector(Product.objects.filter(pk=product.pk))
    ProductEvent.objects.create(
        product=product,
        subject=ProductEvent.Subject.REGISTRATION,
        from_status="",
        to_status=Product.Status.REGISTERED,
        actor=actor,
        actor_label=str(actor),
        reason=reason,
    )
    listing = Listing.objects.create(product=product)
    product.listing, _moved = move(
        listing, Listing.Status.IN_REVIEW, actor=actor, reason=reason, action="listing.submit_recognition"
    )
    recognition = Recognition.objects.create(
        code=product.code,
        issuer=peer.exchange_code,
        recognized_by=settings.EXCHANGE_CODE,
        product=product,
        listing_url=_listing_url(product.code),
        evidence_jws=verified.token,
        recognized_at=timezone.now(),
    )
    ReviewFinding.objects.bulk_create(
        ReviewFinding(product=product, kind=f.kind, severity=f.severity, message=f.message, detail=f.detail)
        for f in compute_findings(product)
    )
    audit_record(
        action="recognition.create",
        obj=recognition,
        actor=actor,
        organization=org,
        changes={"code": [None, product.code], "issuer": [None, peer.exchange_code], "ver": [None, verified.ver]},
        reason=reason,
    )
    return product


@transaction.atomic
def listing_approve(*, listing: Listing, actor, reason: str = "") -> Listing:
    """An operator approves a listing in review; a recognised registration's issuer is then told (on commit)."""
    require_operator(actor)
    listing = Listing.objects.select_for_update().select_related("product").get(pk=listing.pk)
    product = listing.product
    if listing.status == Listing.Status.IN_REVIEW and product.status != Product.Status.REGISTERED:
        raise InvalidTransition(_("The registration is not in force; the listing cannot open."))
    listing, moved = move(
        listing, Listing.Status.LISTED, actor=actor, reason=reason, action="listing.approve", listed_at=timezone.now()
    )
    if moved and product.issuer != settings.EXCHANGE_CODE:
        recognition = Recognition.objects.filter(code=product.code, recognized_by=settings.EXCHANGE_CODE).first()
        if recognition is not None and recognition.notified_at is None:
            from ..tasks import notify_recognition

            transaction.on_commit(lambda: notify_recognition.delay(recognition.pk))
    return listing


@transaction.atomic
def listing_reject(*, listing: Listing, actor, reason: str) -> Listing:
    """An operator refuses a listing in review, saying why."""
    require_operator(actor)
    listing, _moved = move(
        listing, Listing.Status.REJECTED, actor=actor, reason=require_reason(reason), action="listing.reject"
    )
    return listing


def recognition_notify(*, recognition: Recognition) -> tuple[Recognition, bool]:
    """Tell the issuer we list its registration (signed ``POST /recognitions``).

    Returns the recognition and whether a failure is worth retrying; success and failures are recorded.
    """
    recognition = Recognition.objects.get(pk=recognition.pk)
    if recognition.notified_at is not None:
        return recognition, False
    peer = Peer.objects.filter(exchange_code=recognition.issuer, is_trusted=True).first()
    if peer is None:
        return _notify_record(recognition=recognition, error=_("The issuer is not a trusted peer.")), False
    from ..interop import client

    try:
        answer = client.post_recognition(peer, code=recognition.code, listing_url=recognition.listing_url)
    except PeerError as exc:
        return _notify_record(recognition=recognition, error=exc.message), exc.retryable
    return _notify_record(recognition=recognition, answer=answer or {}), False


@transaction.atomic
def _notify_record(*, recognition: Recognition, error: str = "", answer: dict | None = None) -> Recognition:
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    recognition.notify_attempts += 1
    if answer is not None:
        recognition.notified_at = timezone.now()
        recognition.notify_error = ""
    else:
        recognition.notify_error = error
    recognition.save(update_fields=["notify_attempts", "notified_at", "notify_error", "updated_at"])
    audit_record(
        action="recognition.notify" if answer is not None else "recognition.notify_failed",
        obj=recognition,
        changes={"notified_at": [None, recognition.notified_at]} if answer is not None else {},
        reason=error,
    )
    return recognition


def recognitions_notify_pending() -> int:
    """Retry telling issuers about approved recognitions they have not acknowledged; returns how many succeeded."""
    pending = Recognition.objects.filter(
        recognized_by=settings.EXCHANGE_CODE,
        notified_at=None,
        notify_attempts__lt=NOTIFY_MAX_ATTEMPTS,
        product__listing__status=Listing.Status.LISTED,
    )
    done = 0
    for recognition in pending:
        recognition, _retry = recognition_notify(recognition=recognition)
        done += recognition.notified_at is not None
    return done


@transaction.atomic
def recognition_record(*, peer: Peer, code: str, listing_url: str) -> Recognition:
    """A trusted peer tells us it lists one of our registrations (§4.3); repeating it updates the URL only."""
    code = normalize_code(code)
    product = Product.objects.filter(code=code, issuer=settings.EXCHANGE_CODE).first()
    if product is None or not product.certificates.exists():
        raise UnknownRegistration(_("No registration %(code)s was issued here.") % {"code": code})
    if product.status in (Product.Status.CANCELLED, Product.Status.WITHDRAWN):
        raise InvalidTransition(_("Registration %(code)s is revoked.") % {"code": code})
    recognition, created = Recognition.objects.select_for_update().get_or_create(
        code=code,
        recognized_by=peer.exchange_code,
        defaults={
            "issuer": settings.EXCHANGE_CODE,
            "product": product,
            "listing_url": listing_url,
            "recognized_at": timezone.now(),
        },
    )
    if not created and recognition.listing_url != listing_url:
        before = recognition.listing_url
        recognition.listing_url = listing_url
        recognition.save(update_fields=["listing_url", "updated_at"])
        audit_record(action="recognition.update", obj=recognition, changes={"listing_url": [before, listing_url]})
    elif created:
        audit_record(
            action="recognition.record",
            obj=recognition,
            organization=product.holder,
            changes={"recognized_by": [None, peer.exchange_code], "listing_url": [None, listing_url]},
        )
    return recognition
