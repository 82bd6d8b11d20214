"""Operators' governance pages under /console/: overview, audit trail, disputes, objection cases, credit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import entry_hash
from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from accounts.models import AuditEntry, Organization
from catalog import services as catalog_services
from catalog.models import Listing, Objection
from catalog.views.console import operator_required

from .. import charts, selectors, services
from ..credit import credit_of, low_credit_organizations
from ..filtersets import AuditEntryFilterSet
from ..forms import (
    DecisionForm,
    OrganizationSearchForm,
    ReasonForm,
    StatementRequestForm,
    ViolationForm,
)
from ..models import Dispute, Violation

AUDIT_PAGE_SIZE = 50
QUEUE_LABELS = {
    "verifications": gettext_lazy("Organisations to verify"),
    "reviews": gettext_lazy("Registrations to review"),
    "objections": gettext_lazy("Open objections"),
    "disputes": gettext_lazy("Disputes to decide"),
    "transfers": gettext_lazy("Bank transfers to confirm"),
}
TREND_TITLES = {
    "registrations": gettext_lazy("Registrations submitted per day"),
    "trades": gettext_lazy("Trades (orders paid) per day"),
    "api_calls": gettext_lazy("Data-API calls served per day"),
}


@operator_required
def overview(request):
    """Queues, 30-day trends as charts, and the health of peer synchronisation."""
    trends = selectors.daily_trends(30)
    charts_ = [
        {
            "key": key,
            "title": TREND_TITLES[key],
            "total": sum(n for _day, n in rows),
            "svg": charts.bar_chart(
                [(day.strftime("%m-%d"), n) for day, n in rows], title=str(TREND_TITLES[key]), show_values=False
            ),
        }
        for key, rows in trends.items()
    ]
    queues = [{"queue": queue, "label": QUEUE_LABELS[queue.key]} for queue in selectors.queues()]
    return render(
        request,
        "governance/console/overview.html",
        {
            "queues": queues,
            "charts": charts_,
            "peers": selectors.peer_health(),
            "low_credit": low_credit_organizations(5),
        },
    )


# The audit trail ------------------------------------------------------------------------------------------


@operator_required
def audit_list(request):
    """Browse and filter the audit trail, 50 entries a page, newest first."""
    filterset = AuditEntryFilterSet(request.GET or None, queryset=selectors.audit_entries())
    entries = filterset.qs if filterset.is_bound else filterset.queryset
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/console/audit_list.html",
        {"filter": filterset, "form": filterset.form, "page": page, "actions": selectors.audit_actions()},
    )


@operator_required
def audit_entry(request, seq: int):
    """One entry in full: before and after, request id, and its place in the chain."""
    entry = get_object_or_404(selectors.audit_entries(), seq=seq)
    context = {
        "entry": entry,
        "hash_ok": entry_hash(entry) == entry.hash,
        "previous": AuditEntry.objects.filter(seq=seq - 1).only("seq", "hash").first(),
        "next": AuditEntry.objects.filter(seq=seq + 1).only("seq", "prev_hash").first(),
    }
    return render(request, "governance/console/audit_entry.html", context)


# Disputes -------------------------------------------------------------------------------------------------


@operator_required
def dispute_list(request):
    show = request.GET.get("status", "")
    if show and show != "all" and show not in Dispute.Status.values:
        show = ""
    page = Paginator(selectors.dispute_queue(show), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/console/dispute_list.html",
        {"page": page, "show": show, "statuses": Dispute.Status.choices},
    )


def _render_dispute(request, dispute: Dispute, *, failed: tuple[str, object] | None = None):
    forms = {
        "statement": StatementRequestForm(case="dispute", auto_id="id_statement_%s"),
        "decision": DecisionForm(auto_id="id_decision_%s"),
    }
    if failed:
        forms[failed[0]] = failed[1]
    dispute = (
        Dispute.objects.select_related("order", "order__product", "order__plan", "buyer", "merchant", "filed_by")
        .prefetch_related("statements__requested_by", "statements__answered_by")
        .get(pk=dispute.pk)
    )
    return render(
        request,
        "governance/console/dispute_detail.html",
        {"dispute": dispute, "order": dispute.order, "forms": forms, "merchant_credit": credit_of(dispute.merchant)},
        status=400 if failed else 200,
    )


@operator_required
def dispute_detail(request, pk: int):
    return _render_dispute(request, get_object_or_404(Dispute, pk=pk))


@operator_required
@require_POST
def dispute_action(request, pk: int, action: str):
    """Investigate, ask a party for a statement, uphold or dismiss."""
    dispute = get_object_or_404(Dispute, pk=pk)
    if action == "investigate":
        try:
            services.dispute_investigate(dispute=dispute, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The dispute is under investigation; both parties see it."))
        return redirect("governance:console_dispute", pk=dispute.pk)
    if action == "statement":
        form = StatementRequestForm(request.POST, case="dispute", auto_id="id_statement_%s")
        if not form.is_valid():
            return _render_dispute(request, dispute, failed=("statement", form))
        try:
            services.statement_request(actor=request.user, dispute=dispute, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            return _render_dispute(request, dispute, failed=("statement", form))
        messages.success(request, _("The statement is requested; the party is told."))
        return redirect("governance:console_dispute", pk=dispute.pk)
    if action in ("uphold", "dismiss"):
        form = DecisionForm(request.POST, auto_id="id_decision_%s")
        form.is_valid()
        data = form.cleaned_data
        try:
            if action == "uphold":
                services.dispute_uphold(
                    dispute=dispute, actor=request.user, reason=data.get("reason", ""), refund=data.get("refund", False)
                )
            else:
                services.dispute_dismiss(dispute=dispute, actor=request.user, reason=data.get("reason", ""))
        except DomainError as error:
            add_domain_error(form, error)
            return _render_dispute(request, dispute, failed=("decision", form))
        messages.success(request, _("The dispute is decided; both parties see the outcome."))
        return redirect("governance:console_dispute", pk=dispute.pk)
    raise Http404(_("Unknown action."))


# Objection cases: statements and decisions ---------------------------------------------------------------

OBJECTION_DECISIONS = {
    "uphold": (catalog_services.objection_uphold, gettext_lazy("The objection is upheld.")),
    "dismiss": (catalog_services.objection_dismiss, gettext_lazy("The objection is dismissed.")),
}


def _render_objection(request, objection: Objection, *, failed: tuple[str, object] | None = None):
    forms = {
        "statement": StatementRequestForm(case="objection", auto_id="id_statement_%s"),
        "decision": ReasonForm(auto_id="id_decision_%s"),
    }
    if failed:
        forms[failed[0]] = failed[1]
    objection = (
        Objection.objects.select_related("product", "product__holder", "objector", "decided_by")
        .prefetch_related("statements__requested_by", "statements__answered_by")
        .get(pk=objection.pk)
    )
    product = objection.product
    context = {
        "objection": objection,
        "product": product,
        "listing": Listing.objects.filter(product=product).first(),
        "forms": forms,
        "is_open": objection.is_active,
        "holder_credit": credit_of(product.holder),
    }
    return render(request, "governance/console/objection_detail.html", context, status=400 if failed else 200)


@operator_required
def objection_detail(request, pk: int):
    return _render_objection(request, get_object_or_404(Objection, pk=pk))


@operator_required
@require_POST
def objection_action(request, pk: int, action: str):
    """Investigate, ask a party for a statement, or decide (through catalog's services)."""
    objection = get_object_or_404(Objection, pk=pk)
    if action == "investigate":
        try:
            catalog_services.objection_investigate(objection=objection, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The objection is under investigation; the objector and the holder see it."))
        return redirect("governance:console_objection", pk=objection.pk)
    if action == "statement":
        form = StatementRequestForm(request.POST, case="objection", auto_id="id_statement_%s")
        if not form.is_valid():
            return _render_objection(request, objection, failed=("statement", form))
        try:
            services.statement_request(actor=request.user, objection=objection, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            return _render_objection(request, objection, failed=("statement", form))
        messages.success(request, _("The statement is requested; the party is told."))
        return redirect("governance:console_objection", pk=objection.pk)
    if action in OBJECTION_DECISIONS:
        service, done = OBJECTION_DECISIONS[action]
        form = ReasonForm(request.POST, auto_id="id_decision_%s")
        form.is_valid()
        try:
            service(objection=objection, actor=request.user, reason=form.cleaned_data.get("reason", ""))
        except DomainError as error:
            add_domain_error(form, error)
            return _render_objection(request, objection, failed=("decision", form))
        messages.success(request, done)
        return redirect("governance:console_objection", pk=objection.pk)
    raise Http404(_("Unknown action."))


# Credit and violations ------------------------------------------------------------------------------------


@operator_required
def credit_list(request):
    """Organisations whose record lowers their credit, lowest first, and a search of every organisation."""
    form = OrganizationSearchForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["q"]:
        found = Paginator(selectors.organizations_for_console(form.cleaned_data["q"]), 50).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "governance/console/credit_list.html",
        {"form": form, "found": found, "low_credit": low_credit_organizations()},
    )


def _render_organization(request, org: Organization, *, violation_form=None, rescind_failed=None):
    violations = Violation.objects.filter(organization=org).select_related("recorded_by", "rescinded_by")
    rows = []
    for violation in violations:
        form = (
            rescind_failed[1]
            if rescind_failed and rescind_failed[0] == violation.pk
            else ReasonForm(auto_id=f"id_rescind_{violation.pk}_%s")
        )
        rows.append({"violation": violation, "form": form})
    context = {
        "org": org,
        "credit": credit_of(org),
        "violations": rows,
        "history_objects": [org, *(row["violation"] for row in rows)],
        "violation_form": violation_form or ViolationForm(),
        "disputes": Dispute.objects.filter(merchant=org).select_related("order").order_by("-created_at")[:20],
        "objections": Objection.objects.filter(product__holder=org)
        .select_related("product")
        .order_by("-created_at")[:20],
    }
    failed = violation_form is not None or rescind_failed is not None
    return render(request, "governance/console/organization.html", context, status=400 if failed else 200)


@operator_required
def organization_record(request, pk: int):
    """An organisation's credit, the record behind it, its violations and its audit history."""
    return _render_organization(request, get_object_or_404(Organization, pk=pk))


@operator_required
@require_POST
def violation_create(request, pk: int):
    org = get_object_or_404(Organization, pk=pk)
    form = ViolationForm(request.POST)
    if not form.is_valid():
        return _render_organization(request, org, violation_form=form)
    try:
        services.violation_record(organization=org, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return _render_organization(request, org, violation_form=form)
    messages.success(request, _("The violation is recorded; the organisation is told and its credit recomputed."))
    return redirect("governance:console_organization", pk=org.pk)


@operator_required
@require_POST
def violation_rescind(request, pk: int):
    violation = get_object_or_404(Violation.objects.select_related("organization"), pk=pk)
    form = ReasonForm(request.POST, auto_id=f"id_rescind_{violation.pk}_%s")
    form.is_valid()
    try:
        services.violation_rescind(violation=violation, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        add_domain_error(form, error)
        return _render_organization(request, violation.organization, rescind_failed=(violation.pk, form))
    messages.success(request, _("The violation is rescinded; it no longer counts against credit."))
    return redirect("governance:console_organization", pk=violation.organization_id)
