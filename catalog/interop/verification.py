"""What the public verification page says about a code, a pasted certificate or a scanned QR URL.

A certificate issued here is checked against our own published keys; a peer's is fetched from the
trusted peer that issued it and checked against that peer's keys (falling back to what its feed
last told us when it cannot be reached). Reading only: nothing is written.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import signing
from ..certificates import CertificateError, describe, verify_certificate
from ..codes import CODE_RE, is_valid_code, issuer_of, normalize_code
from ..models import Peer, PeerCertificate, PeerCertificateStatus
from ..services.recognition import code_from_input
from . import client, selectors

PCS = PeerCertificateStatus


@dataclass
class Verification:
    """The verdict in plain words, and everything needed to show it."""

    # valid, suspended, revoked, expired, tampered, unknown_key, unknown_issuer, not_found, invalid, unreachable
    verdict: str
    headline: str
    signature_ok: bool = False
    code: str = ""
    issuer_code: str = ""
    issuer_name: str = ""
    issuer_is_us: bool = False
    status: str = ""
    status_changed_at: object = None
    ver: int | None = None
    latest_ver: int | None = None
    rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def badge(self) -> str:
        return {"valid": "ok", "suspended": "warn", "expired": "warn", "unreachable": "warn"}.get(self.verdict, "bad")

    @property
    def status_label(self) -> str:
        return PCS(self.status).label if self.status in PCS.values else ""


def looks_like_jws(text: str) -> bool:
    return text.count(".") == 2 and " " not in text and text.startswith("eyJ")


def verify_input(text: str) -> Verification:
    """Verify whatever was pasted: a compact JWS, a code, or a verification URL carrying a code."""
    text = (text or "").strip()
    if looks_like_jws(text):
        return verify_token(text)
    code = code_from_input(text)
    if is_valid_code(code):
        return verify_code(code)
    if CODE_RE.match(code):
        return Verification(
            verdict="invalid",
            headline=_("%(code)s is not a valid registration code: its check character is wrong (a typo?).")
            % {"code": code},
            code=code,
        )
    return Verification(
        verdict="invalid",
        headline=_("This is neither a registration code nor a certificate."),
    )


def _issuer(code_or_iss: str) -> tuple[str, str, Peer | None, bool]:
    """(exchange code, name, trusted peer or None, is it us)."""
    if code_or_iss == settings.EXCHANGE_CODE:
        return code_or_iss, settings.EXCHANGE_NAME, None, True
    peer = Peer.objects.filter(exchange_code=code_or_iss, is_trusted=True).first()
    return code_or_iss, peer.name if peer else "", peer, False


def _verdict_for_status(result: Verification) -> Verification:
    headlines = {
        PCS.ACTIVE: _("Valid: the signature verifies and the registration is in force."),
        PCS.SUSPENDED: _("The signature verifies, but the registration is suspended by its issuer."),
        PCS.REVOKED: _("The signature verifies, but the registration has been revoked by its issuer."),
        PCS.EXPIRED: _("The signature verifies, but the certificate has expired."),
    }
    result.verdict = {PCS.ACTIVE: "valid"}.get(result.status, str(result.status))
    result.headline = headlines.get(result.status, result.headline)
    return result


def _refused(result: Verification, exc: CertificateError) -> Verification:
    result.signature_ok = exc.reason in ("expired", "not_yet_valid")
    if exc.payload:
        result.rows = describe(exc.payload)
        result.ver = exc.payload.get("ver")
    if exc.reason == "expired":
        result.status = PCS.EXPIRED
        result.verdict = "expired"
        result.headline = _("The signature verifies, but the certificate has expired.")
    elif exc.reason == "unknown_key":
        result.verdict = "unknown_key"
        result.headline = _("Not valid: it was signed with a key its issuer does not publish (unknown or withdrawn).")
    elif exc.reason in ("bad_signature", "malformed", "bad_alg"):
        result.verdict = "tampered"
        result.headline = _("Not valid: the signature does not verify. The certificate was altered or forged.")
    else:
        result.verdict = "tampered"
        result.headline = _("Not valid: %(why)s") % {"why": exc.message}
    return result


def verify_code(code: str) -> Verification:
    """The latest certificate of ``code`` from its issuer, verified, with its status now."""
    code = normalize_code(code)
    issuer_code, issuer_name, peer, is_us = _issuer(issuer_of(code))
    result = Verification(
        verdict="not_found",
        headline="",
        code=code,
        issuer_code=issuer_code,
        issuer_name=issuer_name,
        issuer_is_us=is_us,
    )
    if is_us:
        issued = selectors.issued_certificate(code)
        if issued is None:
            result.headline = _("No certificate %(code)s was issued by this exchange.") % {"code": code}
            return result
        result.source = _("Checked against this exchange's published keys.")
        return _check(
            result, issued.certificate.jws, selectors.published_jwks(), issued.status, issued.status_changed_at
        )
    if peer is None:
        result.verdict = "unknown_issuer"
        result.headline = _(
            "Issued by %(issuer)s, an exchange this exchange does not know or trust: it cannot be verified here."
        ) % {"issuer": issuer_code}
        return result
    try:
        answer = client.fetch_certificate(peer, code, timeout=5)
    except client.PeerError as exc:
        if exc.status == 404:
            result.headline = _("The issuing exchange %(issuer)s knows no registration %(code)s.") % {
                "issuer": issuer_code,
                "code": code,
            }
            return result
        known = PeerCertificate.objects.filter(code=code, peer=peer).first()
        if known is None:
            result.verdict = "unreachable"
            result.headline = _("The issuing exchange %(issuer)s could not be reached; try again later.") % {
                "issuer": issuer_code
            }
            return result
        result.notes.append(
            _("The issuing exchange could not be reached; the status is the last one its feed reported.")
        )
        result.source = _("Last known from %(issuer)s's feed.") % {"issuer": issuer_code}
        return _check(result, known.jws, peer.jwks, known.status, known.status_changed_at)
    result.source = _("Fetched from %(issuer)s just now and checked against its published keys.") % {
        "issuer": issuer_code
    }
    status = answer.get("status") if answer.get("status") in PCS.values else ""
    changed_at = _parse_instant(answer.get("status_changed_at"))
    return _check(result, answer["certificate"], peer.jwks, status, changed_at)


def _parse_instant(value):
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _check(result: Verification, token: str, jwks: dict, status: str, changed_at) -> Verification:
    try:
        verified = verify_certificate(token, jwks, issuer=result.issuer_code)
    except CertificateError as exc:
        return _refused(result, exc)
    result.signature_ok = True
    result.rows = describe(verified.payload)
    result.ver = result.latest_ver = verified.ver
    result.status = status or PCS.ACTIVE
    result.status_changed_at = changed_at
    result.notes += verified.warnings
    return _verdict_for_status(result)


def verify_token(token: str) -> Verification:
    """A pasted certificate: verify it offline against its issuer's keys, then say its status now."""
    result = Verification(verdict="tampered", headline="")
    try:
        parsed = signing.parse(token)
    except signing.JWSError as exc:
        return _refused(result, CertificateError(exc.reason, exc.message))
    iss = parsed.payload.get("iss")
    if not isinstance(iss, str):
        result.headline = _("Not valid: the certificate does not name its issuer.")
        return result
    issuer_code, issuer_name, peer, is_us = _issuer(iss)
    result.issuer_code, result.issuer_name, result.issuer_is_us = issuer_code, issuer_name, is_us
    result.code = str(parsed.payload.get("code") or "")
    if not is_us and peer is None:
        result.verdict = "unknown_issuer"
        result.rows = describe(parsed.payload)
        result.headline = _(
            "Issued by %(issuer)s, an exchange this exchange does not know or trust: it cannot be verified here."
        ) % {"issuer": issuer_code}
        return result
    jwks = selectors.published_jwks() if is_us else peer.jwks
    try:
        verified = verify_certificate(token, jwks, issuer=issuer_code)
    except CertificateError as exc:
        return _refused(result, exc)
    result.signature_ok = True
    result.rows = describe(verified.payload)
    result.ver = verified.ver
    result.notes += verified.warnings
    now = verify_code(verified.code)
    result.status = now.status or PCS.ACTIVE
    result.status_changed_at = now.status_changed_at
    result.latest_ver = now.latest_ver
    result.source = now.source
    if now.latest_ver and now.latest_ver > verified.ver:
        result.notes.append(
            _("A newer version (%(latest)s) of this certificate exists; this copy is version %(ver)s.")
            % {"latest": now.latest_ver, "ver": verified.ver}
        )
    if now.verdict in ("unreachable", "not_found"):
        result.notes.append(now.headline)
    return _verdict_for_status(result)


__all__ = ["Verification", "verify_code", "verify_input", "verify_token"]
