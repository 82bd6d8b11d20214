"""Access pages: the buyer's entitlements, API keys and usage; the merchant's data, endpoints and usage."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error
from catalog.models import Product

from . import selectors, services
from .forms import ApiKeyForm, DatasetUploadForm, UpstreamForm
from .models import ApiKey

USAGE_DAYS = 30


def organization_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.organization is None:
            return render(request, "orders/forbidden.html", {"what": "organization"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _data_api_base(request) -> str:
    return request.build_absolute_uri("/data/v1/")


@organization_required
def entitlements(request):
    """What the organisation may call, with the quota used and remaining."""
    items = selectors.entitlements_of(request.organization).order_by("-status", "expires_at")
    return render(
        request,
        "access/entitlements.html",
        {"entitlements": items, "api_base": _data_api_base(request)},
    )


@organization_required
@require_http_methods(["GET", "POST"])
def keys(request):
    """The organisation's API keys; a new key's secret is shown on this response only."""
    org = request.organization
    form = ApiKeyForm(request.POST or None)
    created, secret = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.api_key_create(
                org=org, actor=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = ApiKeyForm()
    response = render(
        request,
        "access/keys.html",
        {
            "form": form,
            "keys": selectors.api_keys_of(org),
            "created": created,
            "secret": secret,
            "api_base": _data_api_base(request),
            "example_product": selectors.entitlements_of(org).filter(status="active").first(),
        },
        status=201 if created else 200,
    )
    response["Cache-Control"] = "no-store"  # the secret must not be kept by a cache
    return response


@organization_required
@require_POST
def key_revoke(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, organization=request.organization)
    try:
        services.api_key_revoke(org=request.organization, actor=request.user, key=key)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Key %(prefix)s… is revoked.") % {"prefix": key.prefix})
    return redirect("access:keys")


def _usage_context(*, organization=None, merchant=None) -> dict:
    return {
        "days": USAGE_DAYS,
        "by_product": selectors.usage_daily(organization=organization, merchant=merchant, days=USAGE_DAYS),
        "by_key": selectors.usage_daily(organization=organization, merchant=merchant, days=USAGE_DAYS, by="key"),
        "totals": selectors.usage_totals(organization=organization, merchant=merchant, days=USAGE_DAYS),
        "recent": selectors.usage_logs(organization=organization, merchant=merchant, days=USAGE_DAYS)[:50],
    }


@organization_required
def usage(request):
    """The buyer's calls per day per product and per key, and the latest calls."""
    return render(
        request, "access/usage.html", {**_usage_context(organization=request.organization), "audience": "buyer"}
    )


@organization_required
def merchant_usage(request):
    """Calls to the merchant's products per day, per product and per key prefix."""
    return render(
        request, "access/usage.html", {**_usage_context(merchant=request.organization), "audience": "merchant"}
    )


@organization_required
def my_data(request):
    """The merchant's products that serve data through the API, with what is loaded behind each."""
    products = Product.objects.filter(holder=request.organization).exclude(code=None).prefetch_related("delivery_modes")
    rows = []
    for product in products:
        modes = {mode.code for mode in product.delivery_modes.all()}
        if not modes & {"dataset", "verification", "api"}:
            continue
        rows.append(
            {
                "product": product,
                "modes": sorted(modes & {"dataset", "verification", "api"}),
                "dataset": selectors.current_table(product.pk, "dataset"),
                "verification": selectors.current_table(product.pk, "verification"),
                "upstream": selectors.upstream_of(product),
            }
        )
    return render(request, "access/my_data.html", {"rows": rows})


@organization_required
@require_http_methods(["GET", "POST"])
def product_data(request, pk):
    """Upload the CSV behind a dataset or verification product; register an API product's endpoint."""
    org = request.organization
    product = get_object_or_404(Product, pk=pk, holder=org)
    upstream = selectors.upstream_of(product)
    upload_form = DatasetUploadForm(
        request.POST if request.POST.get("form") == "upload" else None,
        request.FILES if request.POST.get("form") == "upload" else None,
    )
    upstream_form = UpstreamForm(
        request.POST if request.POST.get("form") == "upstream" else None,
        initial={"url": upstream.url, "method": upstream.method, "auth_header": upstream.auth_header}
        if upstream
        else None,
    )
    if request.method == "POST" and upload_form.is_bound and upload_form.is_valid():
        try:
            services.dataset_table_upload(
                org=org,
                actor=request.user,
                product=product,
                mode=upload_form.cleaned_data["mode"],
                file=upload_form.cleaned_data["file"],
                lookup_columns=upload_form.lookup_list(),
            )
        except DomainError as error:
            add_domain_error(upload_form, error)
        else:
            messages.success(request, _("The file is uploaded; it is being loaded."))
            return redirect(reverse("access:product_data", args=[product.pk]))
    if request.method == "POST" and upstream_form.is_bound and upstream_form.is_valid():
        data = upstream_form.cleaned_data
        try:
            services.upstream_endpoint_save(
                org=org,
                actor=request.user,
                product=product,
                url=data["url"],
                method=data["method"],
                auth_header=data["auth_header"],
                credential=data["credential"],
            )
        except DomainError as error:
            add_domain_error(upstream_form, error)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect(reverse("access:product_data", args=[product.pk]))
    modes = set(product.delivery_modes.values_list("code", flat=True))
    return render(
        request,
        "access/product_data.html",
        {
            "product": product,
            "modes": modes,
            "tables": selectors.tables_of(product)[:10],
            "upstream": upstream,
            "upload_form": upload_form,
            "upstream_form": upstream_form,
        },
    )
