"""Registration certificates (登记凭证, interop-v1 §3): payloads, the reader's checks, plain words, PDF and QR.

Pure functions: nothing here reads or writes the database. The services in
``catalog.services.certificates`` issue and record certificates; the interop
client and the verification page use ``verify_certificate`` to read them.
"""

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.uscc import is_valid_uscc

from . import signing
from .choices import Classification, DataSourceType, DeliveryModeCode, PriceRegime, Right, Section, UpdateFrequency
from .codes import is_valid_code, issuer_of, normalize_code

CLOCK_SKEW_SECONDS = 60


class CertificateError(Exception):
    """A certificate a reader must reject (§3). ``payload`` is set when the signature did verify."""

    def __init__(self, reason: str, message: str, payload: dict | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.payload = payload


@dataclass
class VerifiedCertificate:
    payload: dict
    kid: str | None
    token: str
    warnings: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.payload["code"]

    @property
    def ver(self) -> int:
        return self.payload["ver"]


# --- building ----------------------------------------------------------------------


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def build_payload(product, *, ver: int, iat: int, exp: int, issuer: str | None = None) -> dict:
    """The certificate payload of ``product`` (a registered ``Product``), exactly as interop-v1 §3 lists it."""
    issuer = issuer or settings.EXCHANGE_CODE
    payload = {
        "iss": issuer,
        "code": product.code,
        "ver": ver,
        "iat": iat,
        "nbf": iat,
        "exp": exp,
        "holder": {"name": product.holder.name, "uscc": product.holder.uscc},
        "product": {
            "name": product.name,
            "summary": product.summary,
            "section": product.section,
            "delivery_modes": sorted(mode.code for mode in product.delivery_modes.all()),
            "data_source_type": product.data_source_type,
            "classification": product.classification,
            "update_frequency": product.update_frequency,
        },
        "rights": [right for right in product.rights if right in Right.values],
    }
    if product.data_source_type == DataSourceType.PUBLIC:
        payload["public_data_authorization"] = {
            "authority": product.auth_authority,
            "scope": product.auth_scope,
            "valid_from": product.auth_valid_from.isoformat() if product.auth_valid_from else None,
            "valid_until": product.auth_valid_until.isoformat() if product.auth_valid_until else None,
        }
    payload["price_regime"] = product.price_regime
    return payload


def _choice(value, choices, default=""):
    return value if value in choices.values else default


def _iso_date(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def described_fields(payload: dict, *, grantee: str) -> dict:
    """The registration a (verified) payload describes, as ``Product`` fields: the inverse of ``build_payload``.

    What a peer sends is cut to our columns and unknown choices are dropped. ``grantee`` is the
    organisation listing it here (the public-data authorisation's grantee when there is one).
    """
    described = payload["product"]
    auth = payload.get("public_data_authorization")
    auth = auth if isinstance(auth, dict) else {}
    name = str(described["name"])[:120]
    return {
        "name": name,
        "summary": str(described.get("summary") or "")[:300],
        "section": _choice(described.get("section"), Section),
        "data_source_type": _choice(described.get("data_source_type"), DataSourceType),
        "classification": _choice(described.get("classification"), Classification, Classification.GENERAL),
        "update_frequency": _choice(described.get("update_frequency"), UpdateFrequency),
        "rights": [right for right in payload.get("rights") or [] if right in Right.values],
        "auth_authority": str(auth.get("authority") or "")[:200],
        "auth_grantee": grantee if auth else "",
        "auth_scope": str(auth.get("scope") or ""),
        "auth_valid_from": _iso_date(auth.get("valid_from")),
        "auth_valid_until": _iso_date(auth.get("valid_until")),
    }


def described_modes(payload: dict) -> list[str]:
    """The delivery modes a payload names that we know."""
    return [mode for mode in payload["product"].get("delivery_modes") or [] if mode in DeliveryModeCode.values]


# --- reading (§3) -------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_payload_shape(payload: dict) -> None:
    """Members a reader needs to use the certificate; unknown members are ignored."""
    for name in ("iat", "nbf", "exp", "ver"):
        if not _is_int(payload.get(name)):
            raise CertificateError("bad_payload", _("The certificate lacks a valid “%(name)s”.") % {"name": name})
    if payload["ver"] < 1:
        raise CertificateError("bad_payload", _("The certificate's version must be 1 or more."))
    holder = payload.get("holder")
    product = payload.get("product")
    if (
        not isinstance(holder, dict)
        or not isinstance(holder.get("uscc"), str)
        or not isinstance(holder.get("name"), str)
    ):
        raise CertificateError("bad_payload", _("The certificate does not name its holder."))
    if not isinstance(product, dict) or not isinstance(product.get("name"), str) or not product["name"].strip():
        raise CertificateError("bad_payload", _("The certificate does not name its product."))


def verify_certificate(
    token: str, jwks: dict, *, issuer: str | None = None, now: float | None = None
) -> VerifiedCertificate:
    """Everything §3 says a reader must check, in order; raises ``CertificateError`` with the reason.

    ``issuer`` is the exchange the certificate was fetched from or attributed to; when None, the
    caller has already chosen ``jwks`` by the (unverified) ``iss`` and it is checked against that.
    """
    try:
        parsed = signing.parse(token)
    except signing.JWSError as exc:
        raise CertificateError(
            exc.reason, _("This is not a readable certificate: %(why)s.") % {"why": exc.message}
        ) from exc
    claimed = parsed.payload.get("iss")
    if issuer is not None and claimed != issuer:
        raise CertificateError(
            "foreign_iss",
            _("The certificate names “%(iss)s” as issuer, not the exchange it came from (%(expected)s).")
            % {"iss": claimed, "expected": issuer},
        )
    try:
        payload = signing.verify_parsed(parsed, signing.usable_keys(jwks), typ=signing.CERT_TYP)
    except signing.JWSError as exc:
        messages = {
            "unknown_key": _("It was signed by a key the issuer does not publish (unknown or withdrawn key)."),
            "bad_signature": _("The signature does not verify: the certificate was altered or forged."),
            "bad_typ": _("This token is not a registration certificate."),
        }
        raise CertificateError(exc.reason, messages.get(exc.reason, exc.message)) from exc
    code = payload.get("code")
    if not isinstance(code, str) or not is_valid_code(code):
        raise CertificateError("bad_code", _("The registration code in the certificate is not valid."))
    if issuer_of(code) != claimed or normalize_code(code) != code:
        raise CertificateError("bad_code", _("The registration code does not start with the issuer's exchange code."))
    check_payload_shape(payload)
    now = time.time() if now is None else now
    if now + CLOCK_SKEW_SECONDS < payload["nbf"]:
        raise CertificateError("not_yet_valid", _("The certificate is not valid yet."), payload=payload)
    if now >= payload["exp"]:
        raise CertificateError(
            "expired",
            _("The certificate expired on %(date)s.") % {"date": local_date(payload["exp"])},
            payload=payload,
        )
    warnings = []
    if not is_valid_uscc(payload["holder"]["uscc"]):
        warnings.append(_("The holder's unified social credit code has an invalid check character."))
    return VerifiedCertificate(payload=payload, kid=parsed.kid, token=token.strip(), warnings=warnings)


# --- plain words ----------------------------------------------------------------------


def local_date(seconds: int) -> str:
    return timezone.localtime(from_epoch(seconds)).strftime("%Y-%m-%d")


def local_datetime(seconds: int) -> str:
    return timezone.localtime(from_epoch(seconds)).strftime("%Y-%m-%d %H:%M")


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "—")


def describe(payload: dict) -> list[tuple[str, str]]:
    """Every field of a certificate payload as (label, value) in plain words."""
    product = payload.get("product") or {}
    holder = payload.get("holder") or {}
    rows = [
        (_("Registration code"), payload.get("code", "")),
        (_("Issuing exchange"), payload.get("iss", "")),
        (_("Version"), str(payload.get("ver", ""))),
        (_("Product name"), product.get("name", "")),
        (_("Summary"), product.get("summary", "") or "—"),
        (_("Holder"), holder.get("name", "")),
        (_("Holder's unified social credit code"), holder.get("uscc", "")),
        (_("Industry section"), _label(Section, product.get("section"))),
        (_("Data source type"), _label(DataSourceType, product.get("data_source_type"))),
        (_("Classification"), _label(Classification, product.get("classification"))),
        (
            _("Delivery modes"),
            "、".join(_label(DeliveryModeCode, m) for m in product.get("delivery_modes") or []) or "—",
        ),
        (_("Update frequency"), _label(UpdateFrequency, product.get("update_frequency"))),
        (_("Rights"), "、".join(_label(Right, r) for r in payload.get("rights") or []) or "—"),
        (_("Price regime"), _label(PriceRegime, payload.get("price_regime"))),
    ]
    auth = payload.get("public_data_authorization")
    if isinstance(auth, dict):
        rows += [
            (_("Authorising body"), auth.get("authority") or "—"),
            (_("Authorised scope"), auth.get("scope") or "—"),
            (_("Authorisation period"), f"{auth.get('valid_from') or '?'} – {auth.get('valid_until') or '?'}"),
        ]
    for name, label in (("iat", _("Issued at")), ("nbf", _("Valid from")), ("exp", _("Valid until"))):
        if _is_int(payload.get(name)):
            rows.append((label, local_datetime(payload[name])))
    return rows


def verification_url(code: str) -> str:
    """The public verification page for ``code``, the URL the QR code carries."""
    return f"{settings.SITE_URL}{reverse('catalog:verify')}?{urlencode({'code': code})}"


def qr_png(url: str, *, box_size: int = 8) -> bytes:
    image = qrcode.make(url, box_size=box_size, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------

_FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def render_pdf(*, payload: dict, status_label: str, exchange_name: str, jws: str, kid: str) -> bytes:
    """A printable A4 certificate: the exchange's name, every field, the status and a QR code to verify it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register_font()
    out = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{payload.get('code', '')} v{payload.get('ver', '')}")
    pdf.setAuthor(exchange_name)
    pdf.setStrokeColor(colors.HexColor("#b3261e"))
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

    pdf.setFillColor(colors.HexColor("#b3261e"))
    pdf.setFont(_FONT, 22)
    pdf.drawCentredString(width / 2, height - 35 * mm, exchange_name)
    pdf.setFillColor(colors.black)
    pdf.setFont(_FONT, 16)
    pdf.drawCentredString(width / 2, height - 46 * mm, _("Data product registration certificate"))
    pdf.setFont(_FONT, 11)
    pdf.drawCentredString(width / 2, height - 54 * mm, _("Status now: %(status)s") % {"status": status_label})

    url = verification_url(payload.get("code", ""))
    qr = ImageReader(io.BytesIO(qr_png(url, box_size=6)))
    qr_size = 38 * mm
    pdf.drawImage(qr, width - 20 * mm - qr_size, height - 60 * mm - qr_size, qr_size, qr_size)
    pdf.setFont(_FONT, 8)
    pdf.drawRightString(width - 20 * mm, height - 63 * mm - qr_size, _("Scan to verify"))

    y = height - 70 * mm
    label_x, value_x, right = 22 * mm, 70 * mm, width - 20 * mm - qr_size - 6 * mm
    for label, value in describe(payload):
        pdf.setFont(_FONT, 9)
        pdf.setFillColor(colors.HexColor("#52606d"))
        pdf.drawString(label_x, y, label)
        pdf.setFillColor(colors.black)
        pdf.setFont(_FONT, 10)
        limit = right - value_x if y > height - 60 * mm - qr_size - 10 * mm else width - 22 * mm - value_x
        for line in _wrap(str(value), limit, stringWidth):
            pdf.drawString(value_x, y, line)
            y -= 5.5 * mm
        y -= 1.5 * mm
        if y < 45 * mm:
            break
    pdf.setFont(_FONT, 7)
    pdf.setFillColor(colors.HexColor("#52606d"))
    pdf.drawString(22 * mm, 32 * mm, _("Signed with Ed25519, key id %(kid)s.") % {"kid": kid})
    pdf.drawString(22 * mm, 27 * mm, _("Verify at %(url)s") % {"url": url})
    pdf.drawString(
        22 * mm,
        22 * mm,
        _("Printed %(date)s; the status shown online is authoritative.") % {"date": timezone.localdate().isoformat()},
    )
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _wrap(text: str, limit: float, measure) -> list[str]:
    lines, current = [], ""
    for char in text:
        if measure(current + char, _FONT, 10) > limit:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current or not lines else lines
