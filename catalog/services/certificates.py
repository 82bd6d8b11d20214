"""Issuing registration certificates, the signed feed of their events, and signing-key rotation."""

from datetime import UTC, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.exceptions import DomainError, InvalidTransition

from .. import signing
from ..certificates import build_payload, epoch, from_epoch
from ..models import Certificate, FeedEvent, FeedEventType, FeedSequence, Product, SigningKey

STATUS_EVENTS = {FeedEventType.SUSPENDED, FeedEventType.REINSTATED, FeedEventType.REVOKED}


def iso_utc(moment) -> str:
    """RFC 3339 in UTC, the way the protocol writes instants: ``2026-11-02T08:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@transaction.atomic
def signing_key_sync() -> signing.SigningKeyPair:
    """Make sure the current key has its row; any other key still marked current is retired (kept published)."""
    pair = signing.current_signing_key()
    key = SigningKey.objects.filter(kid=pair.kid).first()
    if key is None:
        try:
            with transaction.atomic():
                key = SigningKey.objects.create(
                    kid=pair.kid, public_jwk=pair.jwk, private_key_path="" if pair.source == "env" else pair.source
                )
        except IntegrityError:
            key = SigningKey.objects.get(kid=pair.kid)  # Created meanwhile by another process.
        else:
            audit_record(action="signing_key.add", obj=key, changes={"kid": [None, key.kid]})
    stale = SigningKey.objects.filter(retired_at=None, removed_at=None).exclude(kid=pair.kid)
    for old in stale.select_for_update():
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        audit_record(action="signing_key.retire", obj=old, changes={"retired_at": [None, old.retired_at]})
    return pair


def _next_feed_seq() -> int:
    """The next event number, under a lock on the sequence row (like ``code_allocate``); never reused."""
    try:
        with transaction.atomic():
            FeedSequence.objects.get_or_create(pk=1)
    except IntegrityError:
        pass  # Another transaction created the row first.
    sequence = FeedSequence.objects.select_for_update().get(pk=1)
    sequence.last_seq += 1
    sequence.save(update_fields=["last_seq"])
    return sequence.last_seq


@transaction.atomic
def feed_append(*, type: str, product: Product, ver: int, certificate_jws: str | None = None) -> FeedEvent:
    """Append one signed event to this exchange's feed (interop-v1 §4.2)."""
    pair = signing_key_sync()
    seq = _next_feed_seq()
    at = timezone.now()
    payload = {
        "iss": settings.EXCHANGE_CODE,
        "seq": seq,
        "type": str(type),
        "code": product.code,
        "ver": ver,
        "at": iso_utc(at),
    }
    if certificate_jws is not None:
        payload["certificate"] = certificate_jws
    return FeedEvent.objects.create(
        seq=seq,
        type=type,
        product=product,
        code=product.code,
        ver=ver,
        at=at,
        kid=pair.kid,
        payload=payload,
        jws=signing.sign_with(pair.private_key, pair.kid, payload, signing.EVENT_TYP),
    )


def _sign_certificate(*, product: Product, ver: int, exp: int, actor, event: str, reason: str = "") -> Certificate:
    pair = signing_key_sync()
    iat = epoch(timezone.now())
    payload = build_payload(product, ver=ver, iat=iat, exp=exp)
    jws = signing.sign_with(pair.private_key, pair.kid, payload, signing.CERT_TYP)
    certificate = Certificate.objects.create(
        product=product,
        code=product.code,
        ver=ver,
        kid=pair.kid,
        jws=jws,
        payload=payload,
        iat=from_epoch(iat),
        nbf=from_epoch(iat),
        exp=from_epoch(exp),
    )
    feed_append(type=event, product=product, ver=ver, certificate_jws=jws)
    audit_record(
        action="certificate.issue" if ver == 1 else "certificate.reissue",
        obj=certificate,
        actor=actor,
        organization=product.holder,
        changes={"ver": [ver - 1 or None, ver], "exp": [None, certificate.exp], "kid": [None, pair.kid]},
        reason=reason,
    )
    return certificate


def latest_certificate(product: Product) -> Certificate | None:
    return Certificate.objects.filter(product=product).order_by("-ver").first()


def _default_exp() -> int:
    return epoch(timezone.now() + timedelta(days=settings.CERTIFICATE_VALID_DAYS))


@transaction.atomic
def certificate_issue(*, product: Product, actor=None) -> Certificate:
    """Issue certificate ver 1 of a registration completed here and announce it in the feed; idempotent."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    existing = latest_certificate(product)
    if existing is not None:
        return existing
    if product.status != Product.Status.REGISTERED or product.issuer != settings.EXCHANGE_CODE:
        raise InvalidTransition(_("Only a registration completed at this exchange receives a certificate."))
    return _sign_certificate(product=product, ver=1, exp=_default_exp(), actor=actor, event=FeedEventType.ISSUED)


@transaction.atomic
def certificate_reissue(*, product: Product, actor=None, reason: str, renew: bool = False) -> Certificate:
    """Re-issue the certificate with ``ver + 1`` after a change, renewal (``renew``: new expiry) or transfer."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    previous = latest_certificate(product)
    if previous is None:
        raise InvalidTransition(_("This registration has no certificate to re-issue."))
    if product.status not in (Product.Status.REGISTERED, Product.Status.SUSPENDED):
        raise InvalidTransition(_("A cancelled registration's certificate is not re-issued."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; it is recorded and shown in the history."), field="reason")
    exp = _default_exp() if renew else epoch(previous.exp)
    return _sign_certificate(
        product=product, ver=previous.ver + 1, exp=exp, actor=actor, event=FeedEventType.UPDATED, reason=reason
    )


@transaction.atomic
def certificate_record_status(*, product: Product, event: str) -> FeedEvent | None:
    """Announce a suspension, reinstatement or revocation of a certified registration in the feed."""
    if event not in STATUS_EVENTS:
        raise ValueError(event)
    if product.issuer != settings.EXCHANGE_CODE:
        return None  # A peer's registration listed here: its issuer announces it.
    certificate = latest_certificate(product)
    if certificate is None:
        return None
    return feed_append(type=event, product=product, ver=certificate.ver)


@transaction.atomic
def signing_key_rotate(*, actor=None, compromised: bool = False, reason: str = "") -> SigningKey:
    """Start signing with a new key file; the old public key stays published while its certificates live.

    A compromised key is withdrawn at once instead, its private key deleted, and every unexpired
    certificate it signed re-issued (``ver + 1``) with the new key.
    """
    if settings.SIGNING_KEY.strip():
        raise DomainError(
            _(
                "The signing key comes from the SIGNING_KEY environment variable: put the new key there and restart; "
                "the old public key stays published while its certificates live."
            )
        )
    if compromised and not (reason or "").strip():
        raise DomainError(_("Say why the key is withdrawn."), field="reason")
    old = signing_key_sync()
    path = Path(settings.SIGNING_KEY_FILE)
    retired_path = path.parent / "retired" / f"{old.kid}.pem"
    retired_path.parent.mkdir(parents=True, exist_ok=True)
    path.replace(retired_path)
    signing.write_private_key(path, signing.generate_private_key())
    new = signing_key_sync()
    old_row = SigningKey.objects.select_for_update().get(kid=old.kid)
    old_row.private_key_path = str(retired_path)
    old_row.retired_at = old_row.retired_at or timezone.now()
    if compromised:
        old_row.removed_at = timezone.now()
        old_row.removal_reason = reason.strip()
        old_row.private_key_path = ""
        retired_path.unlink(missing_ok=True)
    old_row.save(update_fields=["private_key_path", "retired_at", "removed_at", "removal_reason"])
    audit_record(
        action="signing_key.withdraw" if compromised else "signing_key.rotate",
        obj=old_row,
        actor=actor,
        changes={"current_kid": [old.kid, new.kid]},
        reason=reason,
    )
    if compromised:
        affected = (
            Certificate.objects.filter(kid=old.kid, exp__gt=timezone.now())
            .values_list("product_id", flat=True)
            .distinct()
        )
        for product in Product.objects.filter(
            pk__in=list(affected), status__in=[Product.Status.REGISTERED, Product.Status.SUSPENDED]
        ):
            latest = latest_certificate(product)
            if latest is not None and latest.kid == old.kid:
                certificate_reissue(product=product, actor=actor, reason=_("Re-issued: the signing key was withdrawn."))
    return SigningKey.objects.get(kid=new.kid)
