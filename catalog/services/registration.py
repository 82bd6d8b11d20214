"""Drafting and submitting a registration; allocating its code."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, diff
from accounts.exceptions import DomainError, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member

from .. import hooks, images, samples, search
from ..choices import Classification, DataSourceType, DeliveryModeCode, PersonalDataBasis, Purpose, Right
from ..codes import format_code
from ..findings import compute_findings, scan_personal_identifiers
from ..models import CodeSequence, DeliveryMode, Product, ReviewFinding
from .transitions import move

# Plain fields a merchant edits on a draft.
DRAFT_FIELDS = (
    "name",
    "summary",
    "description",
    "section",
    "data_source_type",
    "classification",
    "update_frequency",
    "coverage_start",
    "coverage_end",
    "coverage_region",
    "allowed_purposes",
    "application_scenario",
    "rights",
    "auth_authority",
    "auth_grantee",
    "auth_content",
    "auth_scope",
    "auth_valid_from",
    "auth_valid_until",
    "personal_basis",
)


def _require_merchant_member(actor, org: Organization) -> None:
    if not is_member(actor, org):
        raise NotAllowed(_("You do not act for this organisation."))
    if not org.is_merchant:
        raise NotAllowed(_("Only merchant organisations register products."))


def _refuse_core(data: dict) -> None:
    if data.get("classification") == Classification.CORE:
        raise DomainError(_("Core data (核心数据) may not be registered or traded at all."), field="classification")


def _check_choices(data: dict) -> None:
    for name, allowed in (("allowed_purposes", Purpose.values), ("rights", Right.values)):
        unknown = [value for value in data.get(name) or [] if value not in allowed]
        if unknown:
            raise DomainError(_("Unknown values: %(values)s") % {"values": ", ".join(unknown)}, field=name)


@transaction.atomic
def product_save_draft(
    *,
    org: Organization,
    actor,
    data: dict,
    product: Product | None = None,
    delivery_modes: list[str] | None = None,
    cover_image=None,
    sample_file=None,
    personal_evidence=None,
    sign_commitment: bool = False,
) -> Product:
    """Create or update a draft registration; any subset of fields may be given."""
    _require_merchant_member(actor, org)
    _refuse_core(data)
    _check_choices(data)
    creating = product is None
    if creating:
        product = Product(holder=org, issuer=settings.EXCHANGE_CODE, created_by=actor)
        before = {}
    else:
        product = Product.objects.select_for_update().get(pk=product.pk, holder=org)
        if not product.is_editable:
            raise DomainError(
                _("A registration in state “%(status)s” cannot be edited.") % {"status": product.get_status_display()}
            )
        before = {name: getattr(product, name) for name in DRAFT_FIELDS}
    for name in DRAFT_FIELDS:
        if name in data:
            value = data[name]
            if value is None and not Product._meta.get_field(name).null:
                value = Product._meta.get_field(name).get_default()
            setattr(product, name, value)
    if not product.name.strip():
        raise DomainError(_("A draft needs at least a name."), field="name")
    # Validate every upload before anything is written, so a refusal leaves no file behind.
    if delivery_modes is not None:
        unknown = set(delivery_modes) - set(DeliveryModeCode.values)
        if unknown:
            raise DomainError(
                _("Unknown delivery modes: %(modes)s") % {"modes": ", ".join(sorted(unknown))}, field="delivery_modes"
            )
    cover = images.process_cover(cover_image) if cover_image is not None else None
    parsed = samples.parse_sample(sample_file) if sample_file is not None else None
    if personal_evidence is not None and personal_evidence.size > settings.EVIDENCE_MAX_BYTES:
        raise DomainError(_("The evidence file is too large."), field="personal_evidence")
    if cover is not None:
        clean, thumb = cover
        product.cover_image.save(clean.name, clean, save=False)
        product.cover_thumbnail.save(thumb.name, thumb, save=False)
    if parsed is not None:
        cells = [cell for row in parsed.pop("all_rows") for cell in row]
        product.sample_preview = {**parsed, "identifiers": scan_personal_identifiers(cells)}
        product.sample_file.save(sample_file.name.rsplit("/", 1)[-1], sample_file, save=False)
    if personal_evidence is not None:
        product.personal_evidence.save(personal_evidence.name.rsplit("/", 1)[-1], personal_evidence, save=False)
    if sign_commitment and not product.commitment_signed_at:
        product.commitment_signed_at = timezone.now()
        product.commitment_signed_by = actor
    product.name_normalized = search.normalize_name(product.name)
    product.search_document = search.segment_document(product.name, product.summary, product.description)
    product.save()
    if delivery_modes is not None:
        product.delivery_modes.set(DeliveryMode.objects.filter(code__in=delivery_modes))
    search.refresh_search_vector(Product.objects.filter(pk=product.pk))
    after = {name: getattr(product, name) for name in DRAFT_FIELDS}
    audit_record(
        action="registration.create_draft" if creating else "registration.update_draft",
        obj=product,
        actor=actor,
        organization=org,
        changes=diff(before, after),
    )
    return product


def missing_for_submission(product: Product) -> dict[str, str]:
    """Field → message for everything a submission still lacks."""
    need = _("This is required to submit.")
    missing: dict[str, str] = {}
    for name in (
        "name",
        "summary",
        "description",
        "section",
        "data_source_type",
        "update_frequency",
        "coverage_region",
    ):
        if not getattr(product, name):
            missing[name] = need
    if not product.application_scenario.strip():
        missing["application_scenario"] = _("No registration without a declared application scenario (无场景不登记).")
    if not product.delivery_modes.exists():
        missing["delivery_modes"] = _("Choose at least one delivery mode.")
    if not product.allowed_purposes:
        missing["allowed_purposes"] = _("Choose the purposes buyers may use it for.")
    if not product.rights:
        missing["rights"] = _("Claim at least one right.")
    if not product.sample_file:
        missing["sample_file"] = _("Upload sample data.")
    if not product.commitment_signed_at:
        missing["sign_commitment"] = _("Sign the source-legality commitment (来源合法承诺).")
    if product.coverage_start and product.coverage_end and product.coverage_end < product.coverage_start:
        missing["coverage_end"] = _("Coverage ends before it starts.")
    if product.classification == Classification.CORE:
        missing["classification"] = _("Core data (核心数据) may not be registered or traded at all.")
    if product.data_source_type == DataSourceType.PUBLIC:
        for name in (
            "auth_authority",
            "auth_grantee",
            "auth_content",
            "auth_scope",
            "auth_valid_from",
            "auth_valid_until",
        ):
            if not getattr(product, name):
                missing[name] = _("Public data needs its authorisation (授权) in full.")
        if product.auth_valid_from and product.auth_valid_until and product.auth_valid_until < product.auth_valid_from:
            missing["auth_valid_until"] = _("The authorisation ends before it starts.")
    if product.data_source_type == DataSourceType.PERSONAL:
        if product.personal_basis not in PersonalDataBasis.values:
            missing["personal_basis"] = _("Personal data needs consent or anonymisation.")
        if not product.personal_evidence:
            missing["personal_evidence"] = _("Upload the evidence of consent or anonymisation.")
    return missing


def code_allocate(*, exchange: str, year: int, section: str) -> str:
    """Allocate the next code for (exchange, year), unique under concurrency.

    Must run inside a transaction: the sequence row stays locked until it commits.
    """
    try:
        with transaction.atomic():
            CodeSequence.objects.get_or_create(exchange=exchange, year=year)
    except IntegrityError:
        pass  # Another transaction created the row first; it exists now.
    sequence = CodeSequence.objects.select_for_update().get(exchange=exchange, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_code(exchange, year, section, sequence.last_number)


@transaction.atomic
def product_submit(*, product: Product, actor) -> Product:
    """Submit a complete registration for review; the first submission allocates its code."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    org = product.holder
    _require_merchant_member(actor, org)
    if not org.is_verified:
        raise NotAllowed(_("Your organisation must be verified by the exchange before it can submit registrations."))
    if refusal := hooks.submission_refusal(org):
        raise NotAllowed(refusal)
    missing = missing_for_submission(product)
    if missing:
        raise DomainError(_("The registration is incomplete."), errors=missing)
    fields = {"submitted_at": timezone.now()}
    if not product.code:
        fields["code"] = code_allocate(
            exchange=settings.EXCHANGE_CODE, year=timezone.localdate().year, section=product.section
        )
    product, _moved = move(product, Product.Status.SUBMITTED, actor=actor, action="registration.submit", **fields)
    ReviewFinding.objects.filter(product=product).delete()
    ReviewFinding.objects.bulk_create(
        ReviewFinding(product=product, kind=f.kind, severity=f.severity, message=f.message, detail=f.detail)
        for f in compute_findings(product)
    )
    return product
