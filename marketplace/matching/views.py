"""Pages of demands and matching: the public list, a buyer's demands and matches, the merchants' inbox, offers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from catalog.models import Product
from pricing.models import Plan

from . import selectors, services
from .filtersets import DemandFilterSet
from .forms import CloseForm, DeclineForm, DemandForm, OfferForm
from .models import Demand, DemandStatus, Offer

PAGE_SIZE = 20


def _needs_organization(request):
    """The page a signed-in person without an organisation sees instead."""
    return render(request, "matching/no_organization.html", status=403)


# Public -------------------------------------------------------------------------------------------------------


def public_list(request):
    """Open public demands, newest first, filtered by words, section, purpose and delivery mode."""
    data = request.GET.copy()
    data.setdefault("status", DemandStatus.OPEN)
    filterset = DemandFilterSet(data, queryset=selectors.public_demands(status=""), request=request)
    demands = filterset.qs.select_related("buyer") if filterset.is_valid() else Demand.objects.none()
    page = Paginator(demands, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/public_list.html", {"filter": filterset, "page": page})


# Buyers -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def demand_create(request):
    """A buyer posts a demand; its matches appear on its page once matched (in the background)."""
    if request.organization is None:
        return _needs_organization(request)
    form = DemandForm.blank(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(buyer=request.organization, actor=request.user, data=form.service_data())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your demand is posted; matching products are listed below."))
            return redirect("matching:detail", pk=demand.pk)
    return render(
        request, "matching/demand_form.html", {"form": form, "demand": None}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request, pk):
    """The buyer edits its open demand; it is matched again."""
    demand = get_object_or_404(Demand, pk=pk, buyer=request.organization)
    form = DemandForm.for_demand(demand, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_update(
                demand=demand, org=request.organization, actor=request.user, data=form.service_data()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The demand is saved and matched again."))
            return redirect("matching:detail", pk=demand.pk)
    return render(
        request, "matching/demand_form.html", {"form": form, "demand": demand}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def demand_close(request, pk):
    demand = get_object_or_404(Demand, pk=pk, buyer=request.organization)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.demand_close(demand=demand, org=request.organization, actor=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The demand is closed: no more matching, pending offers lapse."))
    return redirect("matching:detail", pk=demand.pk)


@login_required
def my_demands(request):
    """The organisation's demands with their state, best match and pending offers."""
    if request.organization is None:
        return _needs_organization(request)
    demands = selectors.demands_of_buyer(request.organization)
    page = Paginator(demands, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "demand": demand,
            "best": selectors.matches_of_demand(demand).first(),
            "pending_offers": selectors.pending_offer_count(demand),
        }
        for demand in page
    ]
    return render(request, "matching/my_demands.html", {"page": page, "rows": rows})


# A demand's page -----------------------------------------------------------------------------------------------


def _detail_context(request, demand: Demand, *, offer_form: OfferForm | None = None) -> dict:
    organization = request.organization
    is_buyer = organization is not None and organization.pk == demand.buyer_id
    context = {
        "demand": demand,
        "is_buyer": is_buyer,
        "buyer_label": demand.buyer_label(organization),
        "threshold": settings.MATCH_NOTIFY_THRESHOLD,
        "offers": selectors.offers_of_demand(demand, organization=organization),
        "close_form": CloseForm() if is_buyer and demand.is_open else None,
        "decline_form": DeclineForm() if is_buyer else None,
    }
    if is_buyer:
        matches = list(selectors.matches_of_demand(demand, limit=50))
        context["strong_matches"] = [m for m in matches if m.above_threshold]
        context["other_matches"] = [m for m in matches if not m.above_threshold]
    elif organization is not None:
        context["my_matches"] = list(selectors.matches_of_demand(demand).filter(product__holder=organization))
        if demand.is_open and organization.is_merchant:
            products = selectors.offerable_products(organization, demand)
            plans = Plan.objects.filter(product__in=products, is_active=True).select_related("product")
            if offer_form is None:
                first_match = context["my_matches"][0] if context["my_matches"] else None
                initial = {"product": str(first_match.product_id)} if first_match else {}
                offer_form = OfferForm(products=products, plans=plans, initial=initial)
            context["offer_form"] = offer_form if products else None
    return context


def demand_detail(request, pk):
    """A demand: the buyer sees ranked matches with reasons and answers offers; a merchant makes an offer."""
    demand = get_object_or_404(selectors.visible_demands(request.organization).select_related("buyer"), pk=pk)
    return render(request, "matching/demand_detail.html", _detail_context(request, demand))


@login_required
@require_POST
def offer_create(request, pk):
    """A merchant answers the demand with an offer."""
    if request.organization is None:
        return _needs_organization(request)
    demand = get_object_or_404(selectors.visible_demands(request.organization).select_related("buyer"), pk=pk)
    products = selectors.offerable_products(request.organization, demand)
    plans = Plan.objects.filter(product__in=products, is_active=True).select_related("product")
    form = OfferForm(request.POST, products=products, plans=plans)
    if form.is_valid():
        data = form.cleaned_data
        product = get_object_or_404(Product, pk=data["product"], holder=request.organization)
        plan = get_object_or_404(Plan, pk=data["plan"], product__holder=request.organization)
        try:
            services.offer_make(
                demand=demand,
                org=request.organization,
                actor=request.user,
                product=product,
                plan=plan,
                unit_price=data["unit_price"],
                quantity=data["quantity"],
                valid_until=data["valid_until"],
                message=data["message"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your offer is sent to the buyer."))
            return redirect("matching:detail", pk=demand.pk)
    return render(request, "matching/demand_detail.html", _detail_context(request, demand, offer_form=form), status=400)


def _offer_of(request, pk) -> Offer:
    return get_object_or_404(selectors.offers_visible_to(request.organization), pk=pk)


def _answer_offer(request, pk, answer, success: str):
    """Run one answer to an offer (``answer(offer)``) and go back to its demand, saying how it went."""
    if request.organization is None:
        return _needs_organization(request)
    offer = _offer_of(request, pk)
    try:
        answer(offer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("matching:detail", pk=offer.demand_id)


@login_required
@require_POST
def offer_accept(request, pk):
    return _answer_offer(
        request,
        pk,
        lambda offer: services.offer_accept(offer=offer, org=request.organization, actor=request.user),
        _("You accepted the offer."),
    )


@login_required
@require_POST
def offer_decline(request, pk):
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _answer_offer(
        request,
        pk,
        lambda offer: services.offer_decline(offer=offer, org=request.organization, actor=request.user, reason=reason),
        _("You declined the offer."),
    )


@login_required
@require_POST
def offer_withdraw(request, pk):
    return _answer_offer(
        request,
        pk,
        lambda offer: services.offer_withdraw(offer=offer, org=request.organization, actor=request.user),
        _("Your offer is withdrawn."),
    )


# Merchants ----------------------------------------------------------------------------------------------------


@login_required
def inbox(request):
    """ "Demands for you": open demands the organisation's products match, best first; and its offers."""
    if request.organization is None:
        return _needs_organization(request)
    strong_only = request.GET.get("strong") == "1"
    matches = selectors.matches_for_merchant(request.organization, strong_only=strong_only)
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    offers = selectors.offers_of_merchant(request.organization)[:50]
    return render(
        request,
        "matching/inbox.html",
        {"page": page, "strong_only": strong_only, "offers": offers, "threshold": settings.MATCH_NOTIFY_THRESHOLD},
    )
