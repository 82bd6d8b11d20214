"""Every write of the pricing app: catalogue, permitted revenue, plans, free use. Each is audited."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, diff
from accounts.exceptions import DomainError, InvalidTransition, NotAllowed
from accounts.models import Organization
from accounts.selectors import is_member
from catalog.choices import DataSourceType, DeliveryModeCode, Section
from catalog.models import Product

from . import selectors
from .models import (
    FREE_USE_PURPOSES,
    KIND_UNIT,
    UNIT_SUFFIX,
    BillingUnit,
    FreeUseApplication,
    FreeUseStatus,
    GuidedPriceEntry,
    GuidedPriceVersion,
    PermittedRevenue,
    Plan,
    PlanKind,
    PlanPriceChange,
    RevenueRecord,
)
from .money import format_cny, money, to_decimal

# Registrations whose plans can no longer change.
CLOSED_STATUSES = {Product.Status.REJECTED, Product.Status.WITHDRAWN, Product.Status.CANCELLED}


def _require_price_authority(actor) -> None:
    if actor is None or not actor.has_perm("accounts.set_guided_prices"):
        raise NotAllowed(_("Only the price authority may do this."))


def _require_operator(actor) -> None:
    if actor is None or not actor.has_perm("accounts.operate_exchange"):
        raise NotAllowed(_("Only exchange operators may do this."))


def _amount(value, *, field: str, errors: dict, minimum: Decimal = Decimal("0.00"), allow_equal: bool = True):
    """Parse an amount into ``errors`` instead of raising, so every field's problem is shown at once."""
    if value in (None, ""):
        errors[field] = _("This is required.")
        return None
    try:
        amount = to_decimal(value)
    except ValueError:
        errors[field] = _("Enter an amount in yuan, e.g. 0.50.")
        return None
    if amount != money(amount):
        errors[field] = _("Use at most two decimal places (yuan and fen).")
        return None
    if amount < minimum or (not allow_equal and amount == minimum) or amount > Decimal("999999999999.99"):
        errors[field] = _("Enter an amount above %(min)s.") % {"min": format_cny(minimum)}
        return None
    return money(amount)


def cap_label(amount: Decimal, unit: str) -> str:
    """``¥0.50/call``."""
    return format_cny(amount) + str(UNIT_SUFFIX.get(unit, ""))


# Guided-price catalogue ------------------------------------------------------------------------


def parse_tiers(value) -> list[tuple[int, str]]:
    """Tiers from text (``1001, 0.40`` per line) or from a list of pairs or dicts."""
    if isinstance(value, str):
        rows = []
        for line in value.splitlines():
            line = line.strip().replace("，", ",").replace("=", ",").replace("→", ",")
            if not line:
                continue
            parts = [p.strip() for p in line.split(",") if p.strip()]
            if len(parts) != 2:
                raise ValueError(line)
            rows.append((parts[0], parts[1]))
        value = rows
    pairs = []
    for item in value or []:
        if isinstance(item, dict):
            pairs.append((item.get("from_quantity"), item.get("unit_price")))
        else:
            from_quantity, unit_price = item
            pairs.append((from_quantity, unit_price))
    return pairs


def clean_terms(terms: dict) -> dict:
    """Validate a version's terms; raise ``DomainError`` naming every bad field."""
    errors: dict[str, str] = {}
    cap = _amount(terms.get("cap"), field="cap", errors=errors, allow_equal=False)
    sme = terms.get("sme_discount_percent") or "0"
    try:
        sme = to_decimal(sme)
        if not Decimal(0) <= sme <= Decimal(100) or sme != sme.quantize(Decimal("0.01")):
            raise ValueError
    except ValueError:
        errors["sme_discount_percent"] = _("Enter a percentage from 0 to 100.")
        sme = None
    tiers = []
    try:
        pairs = parse_tiers(terms.get("tiers") or [])
    except (ValueError, TypeError):
        errors["tiers"] = _("Write one tier per line: from-quantity, unit price (e.g. 1001, 0.40).")
        pairs = []
    previous_from, previous_price = 1, cap
    for from_quantity, unit_price in pairs:
        try:
            from_quantity = int(str(from_quantity).replace(",", ""))
            unit_price = money(to_decimal(unit_price))
        except (ValueError, TypeError):
            errors["tiers"] = _("Write one tier per line: from-quantity, unit price (e.g. 1001, 0.40).")
            break
        if from_quantity <= previous_from:
            errors["tiers"] = _("Tier quantities must rise: each tier starts above the one before (and above 1).")
            break
        if unit_price < 0 or (previous_price is not None and unit_price >= previous_price):
            errors["tiers"] = _(
                "The unit price must fall as volume rises: each tier below the cap and the tier before."
            )
            break
        tiers.append({"from_quantity": from_quantity, "unit_price": str(unit_price)})
        previous_from, previous_price = from_quantity, unit_price
    effective_from = terms.get("effective_from")
    effective_until = terms.get("effective_until") or None
    if not isinstance(effective_from, date):
        errors["effective_from"] = _("This is required.")
    elif effective_until and effective_until < effective_from:
        errors["effective_until"] = _("The period ends before it starts.")
    is_trial = bool(terms.get("is_trial"))
    trial_expires_on = terms.get("trial_expires_on") or None
    if is_trial and not trial_expires_on:
        errors["trial_expires_on"] = _("A trial standard (试行收费标准) needs its expiry date.")
    elif is_trial and isinstance(effective_from, date) and trial_expires_on < effective_from:
        errors["trial_expires_on"] = _("The trial expires before it starts.")
    if errors:
        raise DomainError(_("The guided price was not saved; correct the fields shown."), errors=errors)
    return {
        "cap": cap,
        "tiers": tiers,
        "sme_discount_percent": money(sme),
        "effective_from": effective_from,
        "effective_until": effective_until,
        "is_trial": is_trial,
        "trial_expires_on": trial_expires_on if is_trial else None,
        "basis": (terms.get("basis") or "").strip()[:200],
    }


def _version_changes(version: GuidedPriceVersion) -> dict:
    return {
        name: getattr(version, name)
        for name in (
            "version",
            "cap",
            "tiers",
            "sme_discount_percent",
            "effective_from",
            "effective_until",
            "is_trial",
            "trial_expires_on",
            "basis",
        )
    }


@transaction.atomic
def guided_entry_publish(
    *, actor, section: str, delivery_mode: str, billing_unit: str, title: str, terms: dict
) -> GuidedPriceVersion:
    """The price authority publishes a new catalogue entry with its first version."""
    _require_price_authority(actor)
    errors = {}
    if section not in Section.values:
        errors["section"] = _("Choose an industry section.")
    if delivery_mode not in DeliveryModeCode.values:
        errors["delivery_mode"] = _("Choose a delivery mode.")
    if billing_unit not in BillingUnit.values:
        errors["billing_unit"] = _("Choose a billing unit.")
    if not (title or "").strip():
        errors["title"] = _("This is required.")
    try:
        cleaned = clean_terms(terms)
    except DomainError as error:
        errors.update(error.errors)
    if (
        not errors
        and GuidedPriceEntry.objects.filter(
            section=section, delivery_mode=delivery_mode, billing_unit=billing_unit
        ).exists()
    ):
        errors["billing_unit"] = _("An entry for this section, delivery mode and billing unit exists; revise it.")
    if errors:
        raise DomainError(_("The guided price was not saved; correct the fields shown."), errors=errors)
    entry = GuidedPriceEntry.objects.create(
        section=section, delivery_mode=delivery_mode, billing_unit=billing_unit, title=title.strip(), created_by=actor
    )
    version = GuidedPriceVersion.objects.create(entry=entry, version=1, published_by=actor, **cleaned)
    audit_record(action="pricing.guided_publish", obj=version, actor=actor, changes=diff({}, _version_changes(version)))
    plans_recheck_caps(entry=entry)
    return version


@transaction.atomic
def guided_entry_revise(*, actor, entry: GuidedPriceEntry, terms: dict) -> GuidedPriceVersion:
    """Publish a new version of an entry; earlier versions stay as they were, readable in the history."""
    _require_price_authority(actor)
    entry = GuidedPriceEntry.objects.select_for_update().get(pk=entry.pk)
    cleaned = clean_terms(terms)
    previous = entry.versions.order_by("-version").first()
    number = previous.version + 1 if previous else 1
    version = GuidedPriceVersion.objects.create(entry=entry, version=number, published_by=actor, **cleaned)
    audit_record(
        action="pricing.guided_revise",
        obj=version,
        actor=actor,
        changes=diff(_version_changes(previous) if previous else {}, _version_changes(version)),
    )
    plans_recheck_caps(entry=entry)
    return version


@transaction.atomic
def plans_recheck_caps(*, entry: GuidedPriceEntry | None = None, moment: datetime | None = None) -> list[Plan]:
    """Flag guided plans priced above the cap now in force, unflag those that no longer are.

    Returns the plans whose flag changed. Idempotent: a second run changes nothing.
    """
    moment = moment or timezone.now()
    plans = selectors.guided_plans()
    if entry is not None:
        kinds = [kind for kind, unit in KIND_UNIT.items() if unit == entry.billing_unit]
        plans = plans.filter(product__section=entry.section, delivery_mode=entry.delivery_mode, kind__in=kinds)
    changed = []
    for plan in plans.select_for_update(of=("self",)).order_by("pk"):
        version = selectors.guided_version_for_plan(plan, moment)
        above = version is not None and plan.unit_price is not None and plan.unit_price > version.cap
        if above and (plan.above_cap_version_id != version.pk or not plan.is_flagged):
            plan.above_cap_since = plan.above_cap_since or moment
            plan.above_cap_version = version
            plan.save(update_fields=["above_cap_since", "above_cap_version", "updated_at"])
            audit_record(
                action="pricing.plan_flag_above_cap",
                obj=plan,
                organization=plan.product.holder,
                changes={"unit_price": str(plan.unit_price), "cap": str(version.cap), "version": version.version},
                reason=_("The guided cap in force (%(cap)s) is below the plan's price.")
                % {"cap": cap_label(version.cap, version.entry.billing_unit)},
            )
            changed.append(plan)
        elif not above and plan.is_flagged:
            plan.above_cap_since = None
            plan.above_cap_version = None
            plan.save(update_fields=["above_cap_since", "above_cap_version", "updated_at"])
            audit_record(action="pricing.plan_unflag", obj=plan, organization=plan.product.holder)
            changed.append(plan)
    return changed


# Maximum permitted revenue ---------------------------------------------------------------------


@transaction.atomic
def permitted_revenue_set(
    *, actor, organization: Organization, year: int, operating_cost, permitted_profit, tax
) -> PermittedRevenue:
    """The price authority sets an operator's maximum permitted revenue for a year (cost + profit + tax)."""
    _require_price_authority(actor)
    errors: dict[str, str] = {}
    values = {
        name: _amount(value, field=name, errors=errors)
        for name, value in (("operating_cost", operating_cost), ("permitted_profit", permitted_profit), ("tax", tax))
    }
    if not organization.is_public_data_operator:
        errors["organization"] = _("Only authorised public-data operators have a maximum permitted revenue.")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year.")
    if errors:
        raise DomainError(_("The permitted revenue was not saved; correct the fields shown."), errors=errors)
    row = PermittedRevenue.objects.select_for_update().filter(organization=organization, year=year).first()
    before = {name: getattr(row, name) for name in values} if row else {}
    if row is None:
        row = PermittedRevenue(organization=organization, year=year)
    for name, value in values.items():
        setattr(row, name, value)
    row.set_by = actor
    row.save()
    audit_record(
        action="pricing.permitted_revenue_set",
        obj=row,
        actor=actor,
        organization=organization,
        changes={**diff(before, values), "amount": str(row.amount)},
    )
    return row


@transaction.atomic
def revenue_record(*, organization: Organization, amount, period_date: date, source: str) -> RevenueRecord:
    """Record guided-price revenue of an operator (orders call this); a repeated ``source`` is recorded once."""
    amount = money(amount)
    source = (source or "").strip()[:120]
    if source:
        existing = RevenueRecord.objects.filter(organization=organization, source=source).first()
        if existing:
            return existing
    before = selectors.revenue_status(organization, period_date.year)
    try:
        with transaction.atomic():
            record = RevenueRecord.objects.create(
                organization=organization, amount=amount, period_date=period_date, source=source
            )
    except IntegrityError:
        return RevenueRecord.objects.get(organization=organization, source=source)
    status = selectors.revenue_status(organization, period_date.year)
    audit_record(
        action="pricing.revenue_record",
        obj=record,
        organization=organization,
        changes={"amount": str(amount), "period_date": period_date, "source": source},
    )
    # The warning is recorded once, when revenue first reaches the threshold.
    if status and status.warning and not (before and before.warning):
        audit_record(
            action="pricing.revenue_warning",
            obj=record,
            organization=organization,
            changes={"revenue": str(status.revenue), "permitted": str(status.effective_permitted)},
            reason=_("Guided-price revenue has reached %(percent)s%% of the maximum permitted revenue.")
            % {"percent": status.percent if status.percent is not None else "100+"},
        )
    return record


# Market and guided plans -----------------------------------------------------------------------


def _require_plan_owner(actor, org: Organization, product: Product) -> None:
    if org is None or not is_member(actor, org) or product.holder_id != org.pk:
        raise NotAllowed(_("You do not act for the holder of this product."))
    if product.status in CLOSED_STATUSES:
        raise DomainError(
            _("A registration in state “%(status)s” cannot be priced.") % {"status": product.get_status_display()}
        )


def _check_against_cap(product: Product, *, kind: str, delivery_mode: str, price: Decimal | None) -> None:
    """A guided product's plan must be priced, and at or below the cap in force."""
    if product.price_regime != "guided":
        return
    if kind == PlanKind.QUOTATION:
        raise DomainError(
            _("A public-data product is sold at a guided price; quotation on request is for market-priced products."),
            field="kind",
        )
    unit = KIND_UNIT[kind]
    version = selectors.guided_version_for(section=product.section, delivery_mode=delivery_mode, billing_unit=unit)
    if version is None:
        raise DomainError(
            _(
                "No guided price is in force for section %(section)s, delivery mode %(mode)s, billed %(unit)s; "
                "a public-data product cannot be priced until the price authority publishes one."
            )
            % {
                "section": product.section,
                "mode": DeliveryModeCode(delivery_mode).label,
                "unit": BillingUnit(unit).label,
            },
            field="kind",
        )
    if price is not None and price > version.cap:
        raise DomainError(
            _("Above the guided-price cap %(cap)s (catalogue entry #%(entry)s, version %(version)s).")
            % {"cap": cap_label(version.cap, unit), "entry": version.entry_id, "version": version.version},
            field="unit_price",
        )


def _clean_plan(product: Product, data: dict, *, kind: str, delivery_mode: str) -> dict:
    errors: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _("This is required.")
    if kind not in PlanKind.values:
        errors["kind"] = _("Choose a kind of plan.")
    if delivery_mode not in product.delivery_modes.values_list("code", flat=True):
        errors["delivery_mode"] = _("Choose one of the product's delivery modes.")
    price = None
    if kind == PlanKind.QUOTATION:
        if data.get("unit_price") not in (None, ""):
            errors["unit_price"] = _("A quotation on request has no list price; leave it empty.")
    elif kind in PlanKind.values:
        price = _amount(data.get("unit_price"), field="unit_price", errors=errors, allow_equal=False)
    quota = data.get("monthly_quota")
    quota = None if quota in (None, "") else quota
    if kind == PlanKind.SUBSCRIPTION:
        try:
            quota = int(quota)
            if quota < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["monthly_quota"] = _("A subscription states how many calls a month it includes.")
    else:
        quota = None
    if errors:
        raise DomainError(_("The plan was not saved; correct the fields shown."), errors=errors)
    _check_against_cap(product, kind=kind, delivery_mode=delivery_mode, price=price)
    return {"name": name[:80], "unit_price": price, "monthly_quota": quota}


@transaction.atomic
def plan_create(*, org: Organization, actor, product: Product, data: dict) -> Plan:
    """A merchant adds a price plan to its product; a guided product's price is checked against the cap."""
    _require_plan_owner(actor, org, product)
    kind, delivery_mode = data.get("kind") or "", data.get("delivery_mode") or ""
    cleaned = _clean_plan(product, data, kind=kind, delivery_mode=delivery_mode)
    plan = Plan.objects.create(product=product, kind=kind, delivery_mode=delivery_mode, created_by=actor, **cleaned)
    now = timezone.now()
    PlanPriceChange.objects.create(
        plan=plan, old_price=None, new_price=plan.unit_price, effective_at=now, subscribers_from=now, changed_by=actor
    )
    audit_record(
        action="pricing.plan_create",
        obj=plan,
        actor=actor,
        organization=org,
        changes=diff({}, {"kind": kind, "delivery_mode": delivery_mode, **cleaned}),
    )
    return plan


@transaction.atomic
def plan_update(*, org: Organization, actor, plan: Plan, data: dict) -> Plan:
    """Change a plan's name, price or quota; a price change is recorded and reaches subscribers by the rules."""
    plan = Plan.objects.select_for_update().select_related("product").get(pk=plan.pk)
    _require_plan_owner(actor, org, plan.product)
    cleaned = _clean_plan(plan.product, data, kind=plan.kind, delivery_mode=plan.delivery_mode)
    before = {name: getattr(plan, name) for name in cleaned}
    old_price = plan.unit_price
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.save()
    if old_price != plan.unit_price:
        now = timezone.now()
        increase = old_price is not None and plan.unit_price is not None and plan.unit_price > old_price
        PlanPriceChange.objects.create(
            plan=plan,
            old_price=old_price,
            new_price=plan.unit_price,
            effective_at=now,
            subscribers_from=now + timedelta(days=settings.PRICE_INCREASE_NOTICE_DAYS) if increase else now,
            changed_by=actor,
        )
    audit_record(action="pricing.plan_update", obj=plan, actor=actor, organization=org, changes=diff(before, cleaned))
    if plan.is_flagged:
        plans_recheck_caps(entry=plan.above_cap_version.entry if plan.above_cap_version else None)
        plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_set_active(*, org: Organization, actor, plan: Plan, active: bool) -> Plan:
    """Withdraw a plan from sale (existing buyers keep theirs) or offer it again."""
    plan = Plan.objects.select_for_update().select_related("product").get(pk=plan.pk)
    _require_plan_owner(actor, org, plan.product)
    if plan.is_active == active:
        return plan
    if active:
        _check_against_cap(plan.product, kind=plan.kind, delivery_mode=plan.delivery_mode, price=plan.unit_price)
    plan.is_active = active
    plan.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="pricing.plan_activate" if active else "pricing.plan_deactivate",
        obj=plan,
        actor=actor,
        organization=org,
        changes={"is_active": [not active, active]},
    )
    return plan


# Free use ----------------------------------------------------------------------------------------


@transaction.atomic
def free_use_apply(*, buyer: Organization, actor, product: Product, purpose: str, statement: str) -> FreeUseApplication:
    """A buyer applies for conditional free use (有条件无偿使用) of a public-data product."""
    if buyer is None or not is_member(actor, buyer):
        raise NotAllowed(_("You do not act for this organisation."))
    errors = {}
    if product.data_source_type != DataSourceType.PUBLIC:
        errors["product"] = _("Free use is only for public-data products.")
    if purpose not in FREE_USE_PURPOSES:
        errors["purpose"] = _("Free use is for public governance or public welfare only.")
    statement = (statement or "").strip()
    if len(statement) < 10:
        errors["statement"] = _("Describe the public-interest use (at least 10 characters).")
    if errors:
        raise DomainError(_("The application was not submitted; correct the fields shown."), errors=errors)
    if FreeUseApplication.objects.filter(
        buyer=buyer, product=product, purpose=purpose, status=FreeUseStatus.PENDING
    ).exists():
        raise DomainError(_("An application for this product and purpose is already awaiting a decision."))
    application = FreeUseApplication.objects.create(
        buyer=buyer, product=product, purpose=purpose, statement=statement, applicant=actor
    )
    audit_record(
        action="pricing.free_use_apply",
        obj=application,
        actor=actor,
        organization=buyer,
        changes={"product": product.code, "purpose": purpose},
    )
    return application


def _decide(application: FreeUseApplication, to: str, *, actor, reason: str, **fields) -> FreeUseApplication:
    application = FreeUseApplication.objects.select_for_update().get(pk=application.pk)
    if application.status == to:
        return application
    if not application.can_become(to):
        raise InvalidTransition(
            _("This application was already decided (%(status)s).") % {"status": application.get_status_display()}
        )
    application.status = to
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at", *fields])
    audit_record(
        action=f"pricing.free_use_{to}",
        obj=application,
        actor=actor,
        organization=application.buyer,
        changes={"status": [FreeUseStatus.PENDING, to], **{k: [None, v] for k, v in fields.items()}},
        reason=reason,
    )
    return application


@transaction.atomic
def free_use_approve(
    *, application: FreeUseApplication, actor, reason: str = "", expires_at: datetime | None = None
) -> FreeUseApplication:
    """An operator approves free use until ``expires_at`` (default FREE_USE_DEFAULT_DAYS from now)."""
    _require_operator(actor)
    now = timezone.now()
    expires_at = expires_at or now + timedelta(days=settings.FREE_USE_DEFAULT_DAYS)
    if expires_at <= now:
        raise DomainError(_("Free use must last until a future date."), field="expires_at")
    return _decide(
        application, FreeUseStatus.APPROVED, actor=actor, reason=(reason or "").strip(), expires_at=expires_at
    )


@transaction.atomic
def free_use_refuse(*, application: FreeUseApplication, actor, reason: str) -> FreeUseApplication:
    """An operator refuses free use, saying why."""
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason; the applicant sees it."), field="reason")
    return _decide(application, FreeUseStatus.REFUSED, actor=actor, reason=reason)
