"""Pricing pages: the public guided-price notice, the price authority's pages, merchants' plans, free use."""

from datetime import datetime, time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from accounts.models import Organization
from catalog.choices import Section
from catalog.models import Product

from . import selectors, services
from .forms import (
    FreeUseApplyForm,
    FreeUseDecisionForm,
    GuidedEntryForm,
    GuidedTermsForm,
    PermittedRevenueForm,
    PlanEditForm,
    PlanForm,
    tiers_as_text,
)
from .models import FreeUseApplication, GuidedPriceEntry, Plan


def _permission_required(perm: str, what: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                return render(request, "pricing/forbidden.html", {"what": what}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def price_authority_required(view):
    return _permission_required("accounts.set_guided_prices", "price_authority")(view)


def operator_required(view):
    return _permission_required("accounts.operate_exchange", "operator")(view)


# Public ------------------------------------------------------------------------------------------


def guided_public(request):
    """The guided-price catalogue in force and every version ever published (公示)."""
    section = request.GET.get("section", "")
    if section not in Section.values:
        section = ""
    rows = selectors.guided_catalogue(section=section)
    return render(
        request,
        "pricing/guided_public.html",
        {"rows": rows, "sections": Section.choices, "section": section, "today": timezone.localdate()},
    )


def guided_entry(request, pk):
    entry = get_object_or_404(GuidedPriceEntry, pk=pk)
    return render(request, "pricing/guided_entry.html", {"entry": entry, "history": selectors.entry_history(entry)})


# Price authority ----------------------------------------------------------------------------------


@price_authority_required
def authority(request):
    return render(request, "pricing/authority.html", {"rows": selectors.guided_catalogue()})


@price_authority_required
@require_http_methods(["GET", "POST"])
def entry_create(request):
    form = GuidedEntryForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.guided_entry_publish(
                actor=request.user,
                section=data["section"],
                delivery_mode=data["delivery_mode"],
                billing_unit=data["billing_unit"],
                title=data["title"],
                terms=form.terms(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The guided price is published."))
            return redirect("pricing:guided_entry", pk=version.entry_id)
    return render(request, "pricing/entry_form.html", {"form": form, "entry": None})


@price_authority_required
@require_http_methods(["GET", "POST"])
def entry_revise(request, pk):
    entry = get_object_or_404(GuidedPriceEntry, pk=pk)
    current = selectors.version_in_force(entry) or entry.versions.order_by("-version").first()
    initial = {"effective_from": timezone.localdate()}
    if current:
        initial.update(
            cap=current.cap,
            tiers=tiers_as_text(current),
            sme_discount_percent=current.sme_discount_percent,
            is_trial=current.is_trial,
            trial_expires_on=current.trial_expires_on,
            basis=current.basis,
        )
    form = GuidedTermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.guided_entry_revise(actor=request.user, entry=entry, terms=form.terms())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flagged = version.flagged_plans.count()
            messages.success(request, _("Version %(version)s is published.") % {"version": version.version})
            if flagged:
                messages.warning(
                    request,
                    _("%(count)s plan(s) are now above the cap and flagged to their merchants and the operators.")
                    % {"count": flagged},
                )
            return redirect("pricing:guided_entry", pk=entry.pk)
    return render(request, "pricing/entry_form.html", {"form": form, "entry": entry, "current": current})


@price_authority_required
@require_http_methods(["GET", "POST"])
def revenue_authority(request):
    """Operators' maximum permitted revenue: set it per year, see who nears or passes it."""
    form = PermittedRevenueForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.permitted_revenue_set(
                actor=request.user,
                organization=data["organization"],
                year=data["year"],
                operating_cost=data["operating_cost"],
                permitted_profit=data["permitted_profit"],
                tax=data["tax"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The maximum permitted revenue is set."))
            return redirect("pricing:revenue_authority")
    year = timezone.localdate().year
    operators = [
        {"organization": org, "status": selectors.revenue_status(org, year)}
        for org in selectors.public_data_operators()
    ]
    return render(request, "pricing/revenue_list.html", {"form": form, "operators": operators, "year": year})


@price_authority_required
def revenue_detail(request, org_pk):
    organization = get_object_or_404(Organization, pk=org_pk, is_public_data_operator=True)
    return _revenue_report(request, organization)


def _revenue_report(request, organization):
    return render(
        request,
        "pricing/revenue_report.html",
        {"organization": organization, "periods": list(reversed(selectors.revenue_report(organization)))},
    )


@login_required
def my_revenue(request):
    """The operator organisation's own guided-price revenue against its maximum permitted revenue."""
    organization = request.organization
    if organization is None or not organization.is_public_data_operator:
        return render(request, "pricing/forbidden.html", {"what": "public_data_operator"}, status=403)
    return _revenue_report(request, organization)


# Merchant's plans ---------------------------------------------------------------------------------


def _my_product(request, pk) -> Product:
    return get_object_or_404(Product, pk=pk, holder=request.organization)


@login_required
@require_http_methods(["GET", "POST"])
def plans(request, pk):
    """The merchant's plans for one product, and a form to add one."""
    if request.organization is None:
        return render(request, "pricing/forbidden.html", {"what": "merchant"}, status=403)
    product = _my_product(request, pk)
    form = PlanForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_create(org=request.organization, actor=request.user, product=product, data=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("pricing:plans", pk=product.pk)
    guided = []
    if product.price_regime == "guided":
        guided = [row for row in selectors.guided_catalogue(section=product.section) if row.current]
    return render(
        request,
        "pricing/plans.html",
        {
            "product": product,
            "plans": selectors.plans_of(product).prefetch_related("price_changes"),
            "form": form,
            "guided_rows": guided,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk, plan_pk):
    if request.organization is None:
        return render(request, "pricing/forbidden.html", {"what": "merchant"}, status=403)
    product = _my_product(request, pk)
    plan = get_object_or_404(Plan, pk=plan_pk, product=product)
    form = PlanEditForm(
        request.POST or None,
        initial={"name": plan.name, "unit_price": plan.unit_price, "monthly_quota": plan.monthly_quota},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(org=request.organization, actor=request.user, plan=plan, data=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The plan is saved; price changes reach existing subscribers by the rules."))
            return redirect("pricing:plans", pk=product.pk)
    return render(
        request,
        "pricing/plan_edit.html",
        {
            "product": product,
            "plan": plan,
            "form": form,
            "changes": plan.price_changes.order_by("-effective_at", "-pk"),
            "guided": selectors.guided_version_for_plan(plan) if product.price_regime == "guided" else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_active(request, pk, plan_pk):
    product = _my_product(request, pk)
    plan = get_object_or_404(Plan, pk=plan_pk, product=product)
    active = request.POST.get("active") == "1"
    try:
        services.plan_set_active(org=request.organization, actor=request.user, plan=plan, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is offered again.") if active else _("The plan is withdrawn from sale."))
    return redirect("pricing:plans", pk=product.pk)


# Free use -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def free_use_apply(request, code):
    product = get_object_or_404(Product, code=code, data_source_type="public")
    form = FreeUseApplyForm(request.POST or None, initial={"purpose": request.GET.get("purpose")})
    if request.method == "POST" and form.is_valid():
        try:
            services.free_use_apply(
                buyer=request.organization,
                actor=request.user,
                product=product,
                purpose=form.cleaned_data["purpose"],
                statement=form.cleaned_data["statement"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your application is submitted; an operator will decide."))
            return redirect("pricing:my_free_use")
    return render(request, "pricing/free_use_apply.html", {"product": product, "form": form})


@login_required
def my_free_use(request):
    applications = selectors.free_use_of(request.organization) if request.organization else []
    return render(request, "pricing/free_use_mine.html", {"applications": applications, "now": timezone.now()})


@operator_required
def free_use_queue(request):
    return render(
        request,
        "pricing/free_use_queue.html",
        {
            "pending": [
                (application, FreeUseDecisionForm(auto_id=f"id_%s_{application.pk}"))
                for application in selectors.free_use_queue()
            ],
            "decided": FreeUseApplication.objects.exclude(status="pending").select_related("buyer", "product")[:50],
            "now": timezone.now(),
        },
    )


@operator_required
@require_POST
def free_use_decide(request, pk, decision):
    application = get_object_or_404(FreeUseApplication, pk=pk)
    form = FreeUseDecisionForm(request.POST)
    if not form.is_valid() or decision not in ("approve", "refuse"):
        messages.error(request, _("The decision could not be read; try again."))
        return redirect("pricing:free_use_queue")
    reason = form.cleaned_data["reason"]
    try:
        if decision == "approve":
            expires_on = form.cleaned_data["expires_on"]
            expires_at = (
                timezone.make_aware(datetime.combine(expires_on, time.max.replace(microsecond=0)))
                if expires_on
                else None
            )
            services.free_use_approve(application=application, actor=request.user, reason=reason, expires_at=expires_at)
            messages.success(request, _("Free use is approved."))
        else:
            services.free_use_refuse(application=application, actor=request.user, reason=reason)
            messages.success(request, _("Free use is refused."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("pricing:free_use_queue")


@operator_required
def flagged_plans(request):
    """Plans priced above the guided cap now in force: new sales use the cap until the merchant revises."""
    return render(request, "pricing/flagged_plans.html", {"plans": selectors.flagged_plans()})
