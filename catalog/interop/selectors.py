"""Reads behind the interop API: the published keys, our certificates' status, the feed and recognitions."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .. import signing
from ..codes import normalize_code
from ..models import Certificate, FeedEvent, PeerCertificateStatus, Product, Recognition, SigningKey

FEED_DEFAULT_LIMIT = 100
FEED_MAX_LIMIT = 1000
REVOKED_STATUSES = {Product.Status.CANCELLED, Product.Status.WITHDRAWN}


def published_jwks() -> dict:
    """The JWK Set (§1.2): the current key, and every earlier key not withdrawn while a certificate it signed lives."""
    pair = signing.current_signing_key()
    keys = [pair.jwk]
    live_kids = set(
        Certificate.objects.filter(exp__gt=timezone.now())
        .exclude(kid=pair.kid)
        .values_list("kid", flat=True)
        .distinct()
    )
    if live_kids:
        for row in SigningKey.objects.filter(kid__in=live_kids, removed_at=None).order_by("-created_at"):
            keys.append({**row.public_jwk, "kid": row.kid, "alg": signing.SIGNING_ALG, "use": "sig"})
    return {"keys": keys}


def published_kids() -> set[str]:
    return {jwk["kid"] for jwk in published_jwks()["keys"]}


@dataclass(frozen=True)
class IssuedCertificate:
    product: Product
    certificate: Certificate
    status: str
    status_changed_at: datetime


def issued_certificate(code: str) -> IssuedCertificate | None:
    """The latest certificate of a registration issued here, with its status now (§4.1); None if unknown."""
    code = normalize_code(code)
    product = Product.objects.filter(code=code, issuer=settings.EXCHANGE_CODE).select_related("holder").first()
    if product is None:
        return None
    certificate = Certificate.objects.filter(product=product).order_by("-ver").first()
    if certificate is None:
        return None
    status, changed_at = certificate_status(product, certificate)
    return IssuedCertificate(product, certificate, status, changed_at)


def certificate_status(product: Product, certificate: Certificate) -> tuple[str, datetime]:
    """active (registered), suspended, revoked (cancelled or withdrawn) or expired (past ``exp``), and since when."""
    last_event = FeedEvent.objects.filter(code=product.code).order_by("-seq").values_list("at", flat=True).first()
    changed_at = last_event or certificate.created_at
    if product.status in REVOKED_STATUSES:
        return PeerCertificateStatus.REVOKED, changed_at
    if certificate.exp <= timezone.now():
        return PeerCertificateStatus.EXPIRED, max(changed_at, certificate.exp)
    if product.status == Product.Status.SUSPENDED:
        return PeerCertificateStatus.SUSPENDED, changed_at
    return PeerCertificateStatus.ACTIVE, changed_at


def feed_page(*, after: int, limit: int) -> dict:
    """Events after ``after`` in order (§4.2). Events signed by a key no longer published are re-signed."""
    rows = list(
        FeedEvent.objects.filter(seq__gt=after).order_by("seq").values_list("seq", "kid", "payload", "jws")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    kids = published_kids() if rows else set()
    events = [jws if kid in kids else signing.sign(payload, signing.EVENT_TYP) for _seq, kid, payload, jws in rows]
    return {"events": events, "next_after": rows[-1][0] if rows else after, "has_more": has_more}


def recognitions_of(code: str) -> list[Recognition]:
    """Peers that told us they list one of our registrations."""
    return list(
        Recognition.objects.filter(code=normalize_code(code), issuer=settings.EXCHANGE_CODE)
        .exclude(recognized_by=settings.EXCHANGE_CODE)
        .order_by("recognized_at")
    )


def outbound_recognitions(organization) -> list[Recognition]:
    """Peers' registrations this organisation lists here, newest first."""
    return list(
        Recognition.objects.filter(recognized_by=settings.EXCHANGE_CODE, product__holder=organization)
        .select_related("product", "product__listing")
        .order_by("-recognized_at")
    )


def recognized_listings_in_review():
    """Listings of peers' registrations waiting for an operator's review."""
    from ..models import Listing

    return (
        Listing.objects.filter(status=Listing.Status.IN_REVIEW)
        .exclude(product__issuer=settings.EXCHANGE_CODE)
        .select_related("product", "product__holder")
        .order_by("created_at")
    )
