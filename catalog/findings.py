"""Automatic review findings (DESIGN §3.2): what an operator should look at first."""

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from . import hooks
from .choices import Classification, DataSourceType
from .hooks import Finding
from .models import NegativeListTerm, Product, RegistrationStatus

ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
BANK_CARD_RE = re.compile(r"(?<!\d)(\d{16,19})(?!\d)")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def is_id_card(number: str) -> bool:
    """An 18-digit resident ID number with a plausible birth date and a valid check digit (GB 11643)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def passes_luhn(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _mask(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def scan_personal_identifiers(cells: list[str]) -> dict[str, list[str]]:
    """Masked personal identifiers found in the cells, by kind."""
    found: dict[str, list[str]] = {"id_card": [], "mobile": [], "bank_card": []}
    for cell in cells:
        for match in ID_CARD_RE.findall(cell):
            if is_id_card(match):
                found["id_card"].append(_mask(match))
        for match in MOBILE_RE.findall(cell):
            found["mobile"].append(match[:3] + "****" + match[-4:])
        for match in BANK_CARD_RE.findall(cell):
            if not is_id_card(match) and passes_luhn(match):
                found["bank_card"].append(_mask(match))
    return {kind: sorted(set(values))[:10] for kind, values in found.items() if values}


def sample_cells(product: Product) -> list[str]:
    preview = product.sample_preview or {}
    cells = list(preview.get("header", []))
    for row in preview.get("rows", []):
        cells.extend(row)
    return cells


def personal_identifier_findings(product: Product) -> list[Finding]:
    # Uploads store the scan of every row; the preview alone is the fallback.
    found = (product.sample_preview or {}).get("identifiers")
    if found is None:
        found = scan_personal_identifiers(sample_cells(product))
    labels = {
        "id_card": _("resident ID-card numbers with a valid check digit"),
        "mobile": _("mobile phone numbers"),
        "bank_card": _("bank card numbers passing the Luhn check"),
    }
    return [
        Finding(
            kind=f"pii_{kind}",
            severity="blocker" if kind == "id_card" else "warning",
            message=_("The sample data contains %(what)s: %(examples)s")
            % {"what": labels[kind], "examples": ", ".join(values)},
            detail={"examples": values},
        )
        for kind, values in found.items()
    ]


def negative_list_findings(product: Product) -> list[Finding]:
    text = " ".join(
        [product.name, product.summary, product.description, product.application_scenario, *sample_cells(product)]
    ).lower()
    hits = [term.term for term in NegativeListTerm.objects.all() if term.term.lower() in text]
    if not hits:
        return []
    return [
        Finding(
            kind="negative_list",
            severity="blocker",
            message=_("Terms on the negative list appear: %(terms)s") % {"terms": "、".join(hits)},
            detail={"terms": hits},
        )
    ]


def authorization_findings(product: Product) -> list[Finding]:
    if product.data_source_type != DataSourceType.PUBLIC:
        return []
    if not (product.auth_authority and product.auth_content and product.auth_valid_until):
        return [Finding("authorization_missing", "blocker", _("Public data without a complete authorisation."))]
    findings = []
    today = timezone.localdate()
    if product.auth_valid_until < today:
        findings.append(
            Finding(
                "authorization_expired",
                "blocker",
                _("The authorisation expired on %(date)s.") % {"date": product.auth_valid_until.isoformat()},
            )
        )
    elif product.auth_valid_from and product.auth_valid_from > today:
        findings.append(Finding("authorization_not_started", "warning", _("The authorisation has not started yet.")))
    if product.auth_grantee.strip() not in (product.holder.name, product.holder.uscc):
        findings.append(
            Finding(
                "authorization_grantee",
                "blocker",
                _("The authorisation names “%(grantee)s”, not the merchant “%(holder)s”.")
                % {"grantee": product.auth_grantee, "holder": product.holder.name},
            )
        )
    return findings


def important_data_findings(product: Product) -> list[Finding]:
    if product.classification != Classification.IMPORTANT:
        return []
    return [
        Finding(
            "important_data",
            "warning",
            _("Important data: only verified buyers may be sold access, with the merchant's approval."),
        )
    ]


def duplicate_findings(product: Product) -> list[Finding]:
    duplicates = (
        Product.objects.filter(holder=product.holder, name_normalized=product.name_normalized)
        .exclude(pk=product.pk)
        .exclude(status__in=[RegistrationStatus.REJECTED, RegistrationStatus.WITHDRAWN, RegistrationStatus.DRAFT])
        .exclude(code=None)
    )
    return [
        Finding(
            "probable_duplicate",
            "warning",
            _("Probably a duplicate of %(code)s “%(name)s” registered by the same holder.")
            % {"code": other.code, "name": other.name},
            detail={"code": other.code},
        )
        for other in duplicates[:5]
    ]


BUILTIN_PROVIDERS = [
    personal_identifier_findings,
    negative_list_findings,
    authorization_findings,
    important_data_findings,
    duplicate_findings,
]


def compute_findings(product: Product) -> list[Finding]:
    """Every finding of the built-in checks and of the providers other apps registered."""
    findings: list[Finding] = []
    for provider in [*BUILTIN_PROVIDERS, *hooks.finding_providers]:
        findings.extend(provider(product))
    return findings
