"""The operator console (/console/): review queue, decisions, objections and the negative list."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from accounts.selectors import verification_queue

from .. import services
from ..forms import ConsoleProductFilterForm, NegativeTermForm, ReasonForm
from ..models import Listing, NegativeListTerm, Objection, Product, ReviewFinding
from .merchant import history

RS = Product.Status
SEVERITY_RANK = {ReviewFinding.Severity.BLOCKER: 0, ReviewFinding.Severity.WARNING: 1, ReviewFinding.Severity.INFO: 2}


def _on_product(service):
    def call(*, product, actor, reason):
        return service(product=product, actor=actor, reason=reason)

    return call


def _start(*, product, actor, reason):
    return services.registration_start_review(product=product, actor=actor)


def _delist(*, product, actor, reason):
    listing = Listing.objects.filter(product=product).first()
    if listing is None:
        raise DomainError(_("This product has no listing to delist."))
    return services.listing_delist(listing=listing, actor=actor, reason=reason)


# action → (service call, button label, button class, whether a reason is required, success message).
REVIEW_ACTIONS = {
    "start": (_start, gettext_lazy("Start review"), "", False, gettext_lazy("The registration is in review.")),
    "approve": (
        _on_product(services.registration_approve),
        gettext_lazy("Approve"),
        "",
        False,
        gettext_lazy("Approved: the public notice is open."),
    ),
    "request_changes": (
        _on_product(services.registration_request_changes),
        gettext_lazy("Request changes"),
        "secondary",
        True,
        gettext_lazy("Sent back to the merchant for changes."),
    ),
    "reject": (
        _on_product(services.registration_reject),
        gettext_lazy("Reject"),
        "danger",
        True,
        gettext_lazy("The registration is rejected."),
    ),
    "suspend": (
        _on_product(services.registration_suspend),
        gettext_lazy("Suspend"),
        "secondary",
        True,
        gettext_lazy("The registration is suspended; its listing is paused."),
    ),
    "reinstate": (
        _on_product(services.registration_reinstate),
        gettext_lazy("Reinstate"),
        "",
        True,
        gettext_lazy("The registration is reinstated."),
    ),
    "cancel": (
        _on_product(services.registration_cancel),
        gettext_lazy("Cancel registration"),
        "danger",
        True,
        gettext_lazy("The registration is cancelled; its listing is revoked."),
    ),
    "delist": (_delist, gettext_lazy("Delist"), "danger", True, gettext_lazy("The product is delisted.")),
}
ACTIONS_BY_STATUS = {
    RS.SUBMITTED: ["start"],
    RS.IN_REVIEW: ["approve", "request_changes", "reject"],
    RS.REGISTERED: ["suspend", "cancel"],
    RS.SUSPENDED: ["reinstate", "cancel"],
}
OBJECTION_DECISIONS = {
    "uphold": (services.objection_uphold, gettext_lazy("The objection is upheld.")),
    "dismiss": (services.objection_dismiss, gettext_lazy("The objection is dismissed.")),
}


def operator_required(view):
    """Signed in (else to the sign-in page) with ``accounts.operate_exchange`` (else 403)."""

    @login_required
    @permission_required("accounts.operate_exchange", raise_exception=True)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


def reviewable_products():
    """Everything an operator may look at: registrations submitted at least once (drafts stay private)."""
    return Product.objects.exclude(status=RS.DRAFT)


def with_finding_counts(queryset):
    return queryset.annotate(
        findings_count=Count("findings", distinct=True),
        blocker_count=Count("findings", filter=Q(findings__severity=ReviewFinding.Severity.BLOCKER), distinct=True),
        warning_count=Count("findings", filter=Q(findings__severity=ReviewFinding.Severity.WARNING), distinct=True),
    )


@operator_required
def dashboard(request):
    by_status = dict(
        Product.objects.filter(status__in=[RS.SUBMITTED, RS.IN_REVIEW, RS.PUBLIC_NOTICE, RS.SUSPENDED])
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    context = {
        "submitted_count": by_status.get(RS.SUBMITTED, 0),
        "in_review_count": by_status.get(RS.IN_REVIEW, 0),
        "notice_count": by_status.get(RS.PUBLIC_NOTICE, 0),
        "suspended_count": by_status.get(RS.SUSPENDED, 0),
        "objection_count": Objection.objects.active().count(),
        "verification_count": verification_queue().count(),
        "negative_term_count": NegativeListTerm.objects.count(),
        "oldest": with_finding_counts(Product.objects.review_queue().select_related("holder")).order_by(
            "submitted_at", "pk"
        )[:5],
    }
    return render(request, "console/dashboard.html", context)


@operator_required
def review_queue(request):
    products = with_finding_counts(Product.objects.review_queue().select_related("holder")).order_by(
        "submitted_at", "pk"
    )
    return render(request, "console/review_queue.html", {"products": products})


def _review_actions(product: Product, listing: Listing | None, failed: tuple[str, ReasonForm] | None = None):
    names = list(ACTIONS_BY_STATUS.get(product.status, []))
    if listing is not None and listing.can_become(Listing.Status.DELISTED):
        names.append("delist")
    actions = []
    for name in names:
        _call, label, css, reason_required, _done = REVIEW_ACTIONS[name]
        form = failed[1] if failed and failed[0] == name else ReasonForm(auto_id=f"id_{name}_%s")
        actions.append({"name": name, "label": label, "css": css, "reason_required": reason_required, "form": form})
    return actions


def _messages_of(form) -> list[str]:
    return [message for messages_ in form.errors.values() for message in messages_]


def _render_review(request, product: Product, *, failed=None, status=200):
    listing = Listing.objects.filter(product=product).first()
    actions = _review_actions(product, listing, failed)
    findings = sorted(product.findings.all(), key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.kind))
    shown = {action["name"] for action in actions}
    context = {
        "product": product,
        "holder": product.holder,
        # A refused action no longer offered in this state has no form to carry its error: show it above.
        "action_error": _messages_of(failed[1]) if failed and failed[0] not in shown else [],
        "listing": listing,
        "findings": findings,
        "events": history(product),
        "objections": product.objections.select_related("objector").order_by("-created_at"),
        "actions": actions,
    }
    return render(request, "console/review_detail.html", context, status=status)


def _reviewable(pk) -> Product:
    return get_object_or_404(
        reviewable_products().select_related("holder", "commitment_signed_by").prefetch_related("delivery_modes"),
        pk=pk,
    )


@operator_required
def review_detail(request, pk):
    return _render_review(request, _reviewable(pk))


@operator_required
@require_POST
def review_action(request, pk, action):
    if action not in REVIEW_ACTIONS:
        raise Http404(_("Unknown action."))
    product = _reviewable(pk)
    call, _label, _css, _reason_required, done = REVIEW_ACTIONS[action]
    form = ReasonForm(request.POST, auto_id=f"id_{action}_%s")
    form.is_valid()
    try:
        call(product=product, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        add_domain_error(form, error)
        product.refresh_from_db()
        return _render_review(request, product, failed=(action, form))
    messages.success(request, done)
    return redirect("catalog:review_detail", pk=product.pk)


@operator_required
def product_list(request):
    form = ConsoleProductFilterForm(request.GET or None)
    products = reviewable_products().select_related("holder", "listing").order_by("-updated_at", "-pk")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            products = products.filter(Q(name__icontains=query) | Q(code__icontains=query))
        if status := form.cleaned_data["status"]:
            products = products.filter(status=status)
    page = Paginator(products, 50).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "console/product_list.html",
        {"form": form, "page": page, "products": page.object_list, "query_string": query_string.urlencode()},
    )


def _render_objections(request, *, failed: tuple[int, ReasonForm] | None = None):
    show = request.GET.get("status", "active")
    objections = Objection.objects.select_related("product", "product__holder", "objector", "decided_by")
    if show == "active":
        objections = objections.active()
    elif show in Objection.Status.values:
        objections = objections.filter(status=show)
    rows = []
    for objection in objections.order_by("created_at", "pk"):
        form = failed[1] if failed and failed[0] == objection.pk else ReasonForm(auto_id=f"id_{objection.pk}_%s")
        rows.append({"objection": objection, "form": form})
    context = {"rows": rows, "show": show, "statuses": Objection.Status.choices}
    return render(request, "console/objection_list.html", context)


@operator_required
def objection_list(request):
    return _render_objections(request)


@operator_required
@require_POST
def objection_decide(request, pk, decision):
    if decision not in OBJECTION_DECISIONS:
        raise Http404(_("Unknown decision."))
    objection = get_object_or_404(Objection, pk=pk)
    service, done = OBJECTION_DECISIONS[decision]
    form = ReasonForm(request.POST, auto_id=f"id_{objection.pk}_%s")
    form.is_valid()
    try:
        service(objection=objection, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        add_domain_error(form, error)
        return _render_objections(request, failed=(objection.pk, form))
    messages.success(request, done)
    return redirect("catalog:objections")


@operator_required
@require_http_methods(["GET", "POST"])
def negative_list(request):
    form = NegativeTermForm()
    if request.method == "POST":
        if remove := request.POST.get("remove"):
            entry = get_object_or_404(NegativeListTerm, pk=remove if remove.isdigit() else 0)
            services.negative_term_remove(actor=request.user, entry=entry)
            messages.success(request, _("“%(term)s” is off the negative list.") % {"term": entry.term})
            return redirect("catalog:negative_list")
        form = NegativeTermForm(request.POST)
        if form.is_valid():
            try:
                entry = services.negative_term_add(
                    actor=request.user, term=form.cleaned_data["term"], note=form.cleaned_data["note"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("“%(term)s” is on the negative list; review flags it in registrations submitted from now on.")
                    % {"term": entry.term},
                )
                return redirect("catalog:negative_list")
    terms = NegativeListTerm.objects.select_related("created_by")
    return render(request, "console/negative_list.html", {"form": form, "terms": terms})
