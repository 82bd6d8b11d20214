"""Order pages: checkout, the buyer's orders and invoices, the merchant's sales and income, the operator's payments."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from catalog.choices import Classification
from catalog.models import Product
from marketplace.access.models import Entitlement
from pricing import selectors as pricing_selectors
from pricing.models import PlanKind

from . import payments, selectors, services
from .forms import CheckoutForm, PurposeChoices, ReasonForm, TransferConfirmForm
from .models import Order, OrderStatus, Payment, PaymentMethod, PaymentStatus


def operator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm("accounts.operate_exchange"):
            return render(request, "orders/forbidden.html", {"what": "operator"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def organization_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.organization is None:
            return render(request, "orders/forbidden.html", {"what": "organization"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, queryset, per_page=20):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def bank_account() -> dict:
    return {"name": settings.BANK_ACCOUNT_NAME, "number": settings.BANK_ACCOUNT_NUMBER, "bank": settings.BANK_NAME}


# Buyers -------------------------------------------------------------------------------------------------------


@organization_required
@require_http_methods(["GET", "POST"])
def checkout(request, code):
    """Choose plan, quantity, purpose and payment; the quote shown is recomputed on the server when placing."""
    product = get_object_or_404(Product, code=code)
    plans = [p for p in pricing_selectors.plans_of(product, active_only=True) if p.kind != PlanKind.QUOTATION]
    org = request.organization
    renews_id = request.POST.get("renews") or request.GET.get("renews")
    renews = (
        get_object_or_404(Entitlement, pk=renews_id, organization=org, product=product)
        if renews_id and str(renews_id).isdigit()
        else None
    )
    initial = {key: request.GET[key] for key in ("plan", "quantity", "purpose") if request.GET.get(key)}
    if renews is not None:
        initial.setdefault("plan", renews.plan_id)
        initial.setdefault("purpose", renews.order.purpose)
    form = CheckoutForm(
        request.POST or None,
        initial=initial,
        plans=plans,
        purposes=PurposeChoices.for_product(product),
        methods=services.payment_methods_available(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = next(p for p in plans if p.pk == data["plan"])
        try:
            order = services.order_place(
                buyer=org,
                actor=request.user,
                product=product,
                plan=plan,
                quantity=data["quantity"],
                purpose=data["purpose"],
                payment_method=data["payment_method"],
                renews=renews,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
            return redirect("orders:detail", number=order.number)
    quote, quote_error = None, ""
    values = form.data if form.is_bound else initial
    plan = next((p for p in plans if str(p.pk) == str(values.get("plan") or (plans[0].pk if plans else ""))), None)
    quantity = str(values.get("quantity") or "1")
    if plan is not None and quantity.isdigit():
        try:
            quote = pricing_selectors.quote_for(
                product=product, plan=plan, quantity=int(quantity), buyer=org, purpose=values.get("purpose") or ""
            )
        except DomainError as error:
            quote_error = error.message
    return render(
        request,
        "orders/checkout.html",
        {
            "product": product,
            "form": form,
            "plans": plans,
            "quote": quote,
            "quote_error": quote_error,
            "renews": renews,
            "needs_approval": product.classification == Classification.IMPORTANT and renews is None,
            "approval_days": settings.IMPORTANT_DATA_APPROVAL_DAYS,
            "own_product": product.holder_id == org.pk,
        },
    )


@organization_required
def my_orders(request):
    """The buyer organisation's orders, newest first."""
    status = request.GET.get("status", "")
    orders = selectors.orders_of_buyer(request.organization)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return render(
        request,
        "orders/my_orders.html",
        {"page": _page(request, orders), "status": status, "statuses": OrderStatus.choices},
    )


def _order_for(request, number) -> tuple[Order, str]:
    """The order if the person may see it, and as whom: buyer, merchant or operator."""
    org = request.organization
    order = Order.objects.select_related("product", "plan", "buyer", "merchant").filter(number=number).first()
    if order is None:
        raise Http404
    if org is not None and order.buyer_id == org.pk:
        return order, "buyer"
    if org is not None and order.merchant_id == org.pk:
        return order, "merchant"
    if request.user.has_perm("accounts.operate_exchange"):
        return order, "operator"
    raise Http404


def order_steps(order: Order) -> list[dict]:
    """The pipeline as the page's step indicator shows it."""
    steps = [("placed", _("Placed"))]
    if order.approval_deadline:
        steps.append(("approved", _("Merchant's approval")))
    if not order.is_free:
        steps.append(("paid", _("Payment")))
    steps.append(("fulfilled", _("Access granted")))
    reached = {"placed"}
    if order.approved_at:
        reached.add("approved")
    if order.paid_at:
        reached |= {"approved", "paid"}
    if order.fulfilled_at:
        reached |= {"approved", "paid", "fulfilled"}
    closed = order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED)
    rows, current_set = [], False
    for key, label in steps:
        state = "done" if key in reached else ""
        if not state and not current_set and not closed:
            state, current_set = "current", True
        rows.append({"key": key, "label": label, "state": state})
    return rows


@login_required
def order_detail(request, number):
    """One order as its buyer, its merchant or an operator sees it: steps, payment, access, ledger."""
    order, role = _order_for(request, number)
    payment = Payment.objects.filter(order=order).first()
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "role": role,
            "payment": payment,
            "steps": order_steps(order),
            "entitlement": Entitlement.objects.filter(order=order).first(),
            "ledger": selectors.ledger_of_order(order) if role in ("merchant", "operator") else None,
            "bank": bank_account(),
            "refuse_form": ReasonForm(),
            "stripe_enabled": payments.stripe_enabled(),
        },
    )


@organization_required
@require_POST
def order_pay(request, number):
    """Start online payment: the order's PaymentIntent is created once, then the payment page shows."""
    order = get_object_or_404(Order, number=number, buyer=request.organization)
    try:
        services.payment_intent_prepare(order=order)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("orders:detail", number=number)
    return redirect("orders:pay_page", number=number)


@csp_override(settings.SECURE_CSP_STRIPE)  # Stripe.js and its frames, on this page only
@organization_required
def order_pay_page(request, number):
    """Stripe's Payment Element (card, Alipay, WeChat Pay) for an order whose PaymentIntent exists."""
    order = get_object_or_404(Order, number=number, buyer=request.organization)
    payment = Payment.objects.filter(order=order, method=PaymentMethod.STRIPE).first()
    if payment is None or not payment.stripe_client_secret or order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect("orders:detail", number=number)
    return render(
        request,
        "orders/pay.html",
        {
            "order": order,
            "payment": payment,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "return_url": request.build_absolute_uri(reverse("orders:detail", args=[order.number])),
        },
    )


@organization_required
@require_POST
def order_cancel(request, number):
    order = get_object_or_404(Order, number=number, buyer=request.organization)
    try:
        services.order_cancel(order=order, org=request.organization, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect("orders:detail", number=number)


@login_required
def invoice(request, number):
    """A printable invoice (结算单) of a paid order."""
    order, role = _order_for(request, number)
    if order.paid_at is None or order.is_free:
        raise Http404
    return render(
        request,
        "orders/invoice.html",
        {"order": order, "role": role, "payment": Payment.objects.filter(order=order).first(), "bank": bank_account()},
    )


# Merchants ----------------------------------------------------------------------------------------------------


@organization_required
def sales(request):
    """The merchant's orders, with the access requests awaiting its decision on top."""
    org = request.organization
    status = request.GET.get("status", "")
    orders = selectors.orders_of_merchant(org)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return render(
        request,
        "orders/sales.html",
        {
            "requests": selectors.access_requests_of(org),
            "page": _page(request, orders),
            "status": status,
            "statuses": OrderStatus.choices,
            "refuse_form": ReasonForm(),
        },
    )


@organization_required
@require_POST
def order_approve(request, number):
    order = get_object_or_404(Order, number=number, merchant=request.organization)
    try:
        services.order_approve(order=order, org=request.organization, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request is approved; the buyer can pay."))
    return redirect(request.POST.get("next") or reverse("orders:sales"))


@organization_required
@require_http_methods(["GET", "POST"])
def order_refuse(request, number):
    order = get_object_or_404(Order, number=number, merchant=request.organization)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_refuse(
                order=order, org=request.organization, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The request is refused."))
            return redirect("orders:sales")
    return render(request, "orders/refuse.html", {"order": order, "form": form})


@organization_required
def income(request):
    """The merchant's income from the ledger: gross, commission, data-source share and its own share."""
    org = request.organization
    return render(
        request,
        "orders/income.html",
        {
            "totals": selectors.merchant_income(org),
            "months": selectors.merchant_income_by_month(org),
            "orders": selectors.orders_of_merchant(org).filter(paid_at__isnull=False)[:50],
        },
    )


# Operators ----------------------------------------------------------------------------------------------------


@operator_required
def console_payments(request):
    """Transfers to confirm, money on closed orders to return, and every payment."""
    method = request.GET.get("method", "")
    status = request.GET.get("status", "")
    payments_qs = selectors.payments_for_operator(
        method=method if method in PaymentMethod.values else "",
        status=status if status in PaymentStatus.values else "",
    )
    return render(
        request,
        "orders/console_payments.html",
        {
            "transfers": selectors.transfers_to_confirm(),
            "to_refund": selectors.payments_to_refund(),
            "page": _page(request, payments_qs),
            "method": method,
            "status": status,
            "methods": PaymentMethod.choices,
            "statuses": PaymentStatus.choices,
            "confirm_form": TransferConfirmForm(),
        },
    )


@operator_required
@require_http_methods(["GET", "POST"])
def transfer_confirm(request, pk):
    payment = get_object_or_404(Payment.objects.select_related("order"), pk=pk, method=PaymentMethod.BANK_TRANSFER)
    form = TransferConfirmForm(request.POST or None, initial={"amount": payment.amount})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bank_transfer_confirm(
                payment=payment,
                actor=request.user,
                amount=data["amount"],
                bank_serial=data["bank_serial"],
                payer_name=data["payer_name"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The transfer for order %(number)s is confirmed.") % {"number": payment.order.number}
            )
            return redirect("orders:console_payments")
    return render(request, "orders/transfer_confirm.html", {"payment": payment, "form": form, "bank": bank_account()})


@operator_required
@require_http_methods(["GET", "POST"])
def order_refund(request, number):
    order = get_object_or_404(Order.objects.select_related("buyer", "product"), number=number)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_refund(order=order, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Order %(number)s is refunded.") % {"number": order.number})
            return redirect("orders:detail", number=order.number)
    return render(request, "orders/refund.html", {"order": order, "form": form})


@operator_required
@require_http_methods(["GET", "POST"])
def payment_refund(request, pk):
    payment = get_object_or_404(Payment.objects.select_related("order"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_refund(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The payment is returned."))
            return redirect("orders:console_payments")
    return render(request, "orders/refund.html", {"order": payment.order, "payment": payment, "form": form})


# Stripe ---------------------------------------------------------------------------------------------------


@csrf_exempt  # Stripe signs the request instead (STRIPE_WEBHOOK_SECRET)
@require_POST
def stripe_webhook(request):
    """Stripe's webhook: 200 once the event is stored (or was already), 400 when the signature fails."""
    try:
        event = services.stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except DomainError as error:
        return JsonResponse({"detail": error.message}, status=error.status_code)
    return JsonResponse({"received": True, "event": event.event_id, "outcome": event.outcome})
