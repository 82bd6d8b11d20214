"""The merchant's pages (/my/products/): registrations of the organisation the person acts for."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error

from .. import services
from ..forms import ProductForm, ReasonForm
from ..models import Listing, Product

RS = Product.Status

# The national registration procedure as the merchant sees it (申请 → 受理 → 形式审核 → 公示 → 赋码).
LIFECYCLE = (RS.DRAFT, RS.SUBMITTED, RS.IN_REVIEW, RS.PUBLIC_NOTICE, RS.REGISTERED)
# Which step a status stands on; statuses off the happy path stand on the step where they happened.
STEP_OF = {
    RS.DRAFT: 0,
    RS.CHANGES_REQUESTED: 0,
    RS.SUBMITTED: 1,
    RS.IN_REVIEW: 2,
    RS.REJECTED: 2,
    RS.PUBLIC_NOTICE: 3,
    RS.WITHDRAWN: 3,
    RS.REGISTERED: 4,
    RS.SUSPENDED: 4,
    RS.CANCELLED: 4,
}
LISTING_ACTIONS = {
    "pause": (services.listing_pause, gettext_lazy("The listing is paused: no new sales; existing access continues.")),
    "resume": (services.listing_resume, gettext_lazy("The listing is open again.")),
    "delist": (services.listing_delist, gettext_lazy("The product is delisted; existing access runs to its end.")),
}


def merchant_required(view):
    """Signed in, acting for a merchant organisation; anyone else gets a page saying what to do (403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        org = request.organization
        if org is None or not org.is_merchant:
            return render(request, "catalog/merchant/not_merchant.html", {"organization": org}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def history(product: Product) -> list:
    """The product's events, each with ``from_label``: the display name of the status it left."""
    events = list(product.events.select_related("actor"))
    for event in events:
        choices = RS if event.subject == event.Subject.REGISTRATION else Listing.Status
        event.from_label = (
            choices(event.from_status).label if event.from_status in choices.values else event.from_status
        )
    return events


def lifecycle_steps(product: Product) -> list[dict]:
    """The step indicator: each step's label and whether it is done, current or to come."""
    position = STEP_OF.get(product.status, 0)
    steps = []
    for index, status in enumerate(LIFECYCLE):
        state = "done" if index < position else "current" if index == position else ""
        if index == position == len(LIFECYCLE) - 1 and product.status == RS.REGISTERED:
            state = "done current"
        label = RS(status).label
        if index == position and product.status != status and product.status in STEP_OF:
            # Off the happy path (changes requested, rejected, withdrawn…): say so on the step it happened.
            label = f"{label}: {product.get_status_display()}"
        steps.append({"label": label, "state": state})
    return steps


@merchant_required
def product_list(request):
    products = (
        Product.objects.for_holder(request.organization)
        .select_related("listing")
        .prefetch_related("delivery_modes")
        .order_by("-updated_at", "-pk")
    )
    return render(request, "catalog/merchant/product_list.html", {"products": products})


def _save_draft(request, *, product: Product | None):
    """Create (``product`` None) or edit a draft; on any error nothing is written and the form shows why."""
    org = request.organization
    if request.method == "POST":
        form = ProductForm(request.POST, request.FILES, product=product, organization=org)
        if form.is_valid():
            try:
                saved = services.product_save_draft(
                    org=org,
                    actor=request.user,
                    data=form.draft_data(),
                    product=product,
                    delivery_modes=form.cleaned_data["delivery_modes"],
                    sign_commitment=form.cleaned_data["sign_commitment"],
                    **form.uploads(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("catalog:product_manage", pk=saved.pk)
    else:
        form = ProductForm(product=product, organization=org)
    return render(request, "catalog/merchant/product_form.html", {"form": form, "product": product})


@merchant_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    return _save_draft(request, product=None)


@merchant_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    product = get_object_or_404(Product, pk=pk, holder=request.organization)
    if not product.is_editable:
        messages.error(
            request,
            _("A registration in state “%(status)s” cannot be edited.") % {"status": product.get_status_display()},
        )
        return redirect("catalog:product_manage", pk=product.pk)
    return _save_draft(request, product=product)


def _render_manage(request, product: Product, *, submit_error=None, listing_form=None, status=200):
    listing = Listing.objects.filter(product=product).first()
    labels = {name: field.label for name, field in ProductForm.base_fields.items()}
    missing = []
    if submit_error is not None:
        missing = [
            {"name": name, "label": labels.get(name, name), "message": message}
            for name, message in submit_error.errors.items()
        ]
    context = {
        "product": product,
        "steps": lifecycle_steps(product),
        "listing": listing,
        "listing_form": listing_form or ReasonForm(),
        "listing_actions": _listing_actions(product, listing),
        "events": history(product),
        "submit_error": submit_error,
        "missing": missing,
        "can_submit": product.can_become(RS.SUBMITTED),
    }
    return render(request, "catalog/merchant/product_manage.html", context, status=status)


def _listing_actions(product: Product, listing: Listing | None) -> list[str]:
    if listing is None:
        return []
    actions = []
    if listing.status == Listing.Status.LISTED:
        actions.append("pause")
    if listing.status == Listing.Status.PAUSED and product.status == RS.REGISTERED:
        actions.append("resume")
    if listing.can_become(Listing.Status.DELISTED):
        actions.append("delist")
    return actions


@merchant_required
def product_manage(request, pk):
    product = get_object_or_404(
        Product.objects.select_related("holder").prefetch_related("delivery_modes"),
        pk=pk,
        holder=request.organization,
    )
    return _render_manage(request, product)


@merchant_required
@require_POST
def product_submit(request, pk):
    product = get_object_or_404(Product, pk=pk, holder=request.organization)
    try:
        product = services.product_submit(product=product, actor=request.user)
    except DomainError as error:
        product.refresh_from_db()
        return _render_manage(request, product, submit_error=error)
    messages.success(
        request,
        _("Submitted for review under registration code %(code)s.") % {"code": product.code},
    )
    return redirect("catalog:product_manage", pk=product.pk)


@merchant_required
@require_POST
def listing_action(request, pk):
    product = get_object_or_404(Product, pk=pk, holder=request.organization)
    listing = get_object_or_404(Listing, product=product)
    action = request.POST.get("action", "")
    if action not in LISTING_ACTIONS:
        messages.error(request, _("Unknown listing action."))
        return redirect("catalog:product_manage", pk=product.pk)
    service, done = LISTING_ACTIONS[action]
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        service(listing=listing, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        add_domain_error(form, error)
        return _render_manage(request, product, listing_form=form)
    messages.success(request, done)
    return redirect("catalog:product_manage", pk=product.pk)
