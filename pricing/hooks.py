"""What pricing adds to catalog through catalog's hooks: review findings and the product-page panel."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError
from catalog.choices import PriceRegime, Purpose
from catalog.hooks import Finding, Panel

from . import selectors
from .models import FREE_USE_PURPOSES, BillingUnit, PlanKind
from .services import cap_label


def price_findings(product) -> list[Finding]:
    """Review findings: a guided product's plan above the cap in force, or with no guided price at all."""
    if product.pk is None or product.price_regime != PriceRegime.GUIDED:
        return []
    findings = []
    for plan in selectors.plans_of(product, active_only=True):
        if plan.kind == PlanKind.QUOTATION:
            findings.append(
                Finding(
                    "price_quotation_guided",
                    "blocker",
                    _("Plan “%(plan)s” is a quotation on request, but this public-data product is guided-priced.")
                    % {"plan": plan.name},
                    {"plan": plan.pk},
                )
            )
            continue
        version = selectors.guided_version_for_plan(plan)
        if version is None:
            findings.append(
                Finding(
                    "price_guided_missing",
                    "warning",
                    _("Plan “%(plan)s”: no guided price is in force for section %(section)s, %(mode)s, %(unit)s.")
                    % {
                        "plan": plan.name,
                        "section": product.section,
                        "mode": plan.get_delivery_mode_display(),
                        "unit": BillingUnit(plan.billing_unit).label,
                    },
                    {"plan": plan.pk},
                )
            )
        elif plan.unit_price is not None and plan.unit_price > version.cap:
            findings.append(
                Finding(
                    "price_above_cap",
                    "blocker",
                    _(
                        "Plan “%(plan)s” is priced %(price)s, "
                        "above the guided-price cap %(cap)s (entry #%(entry)s v%(version)s)."
                    )
                    % {
                        "plan": plan.name,
                        "price": cap_label(plan.unit_price, plan.billing_unit),
                        "cap": cap_label(version.cap, plan.billing_unit),
                        "entry": version.entry_id,
                        "version": version.version,
                    },
                    {"plan": plan.pk, "cap": str(version.cap), "entry": version.entry_id, "version": version.version},
                )
            )
    return findings


def _whole_number(value: str) -> int | None:
    try:
        number = int(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        return None
    return number


def pricing_panel(request, product) -> Panel | None:
    """The plans and the quote calculator on the public product page; works without JavaScript (GET form)."""
    plans = list(selectors.plans_of(product, active_only=True))
    buyer = getattr(request, "organization", None)
    now = timezone.now()
    rows = []
    for plan in plans:
        version = selectors.guided_version_for_plan(plan, now) if product.price_regime == PriceRegime.GUIDED else None
        rows.append({"plan": plan, "guided": version})
    priced = [row["plan"] for row in rows if row["plan"].kind != PlanKind.QUOTATION]
    chosen = None
    plan_param = request.GET.get("plan", "")
    if plan_param:
        chosen = next((plan for plan in priced if str(plan.pk) == plan_param), None)
    chosen = chosen or (priced[0] if priced else None)
    quantity_param = request.GET.get("quantity", "")
    quantity = _whole_number(quantity_param) if quantity_param else 1
    purposes = [(p.value, p.label) for p in Purpose]
    purpose = request.GET.get("purpose", "")
    if purpose not in Purpose.values:
        purpose = ""
    result, error = None, ""
    if chosen is not None:
        if quantity is None:
            error = _("Enter a whole number of units from 1 to 1,000,000,000.")
        else:
            try:
                result = selectors.quote_for(
                    product=product, plan=chosen, quantity=quantity, buyer=buyer, purpose=purpose, moment=now
                )
            except DomainError as exc:
                error = exc.message
    free_use = None
    if buyer is not None and product.price_regime == PriceRegime.GUIDED:
        free_use = selectors.free_use_of(buyer).filter(product=product).first()
    return Panel(
        template_name="pricing/panel.html",
        context={
            "is_holder": buyer is not None and buyer.pk == product.holder_id,
            "plan_rows": rows,
            "chosen_plan": chosen,
            "quantity": quantity_param or "1",
            "purpose": purpose,
            "purposes": purposes,
            "quote": result,
            "quote_error": error,
            "free_use": free_use,
            "free_use_possible": product.price_regime == PriceRegime.GUIDED,
            "free_use_purposes": FREE_USE_PURPOSES,
            "now": now,
        },
        order=20,
    )
