"""Public pages: the home page, catalog search, product pages, the public notice and objections."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error

from .. import hooks, selectors, services
from ..choices import Section
from ..filtersets import ProductFilterSet
from ..models import Product
from ..services.objections import OBJECTABLE

PAGE_SIZE = 20


class ObjectionForm(forms.Form):
    """Grounds of an objection (数据异议) and an optional evidence file."""

    grounds = forms.CharField(
        label=gettext_lazy("Grounds"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=10,
        max_length=5000,
        help_text=gettext_lazy("Say which rule or right the registration infringes, and how (at least 10 characters)."),
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence (optional)"),
        required=False,
        help_text=gettext_lazy("A document supporting the objection, for example a contract or a notice."),
    )

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and evidence.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s KB; the limit is %(limit)s KB.")
                % {"size": evidence.size // 1024, "limit": settings.EVIDENCE_MAX_BYTES // 1024}
            )
        return evidence


def _public_product_or_404(code: str) -> Product:
    product = selectors.public_product(code)
    if product is None:
        raise Http404(_("No public product has this code."))
    return product


def home(request):
    """Hero with the search box, key figures, the latest listings and the sections to browse."""
    counts = selectors.section_counts()
    sections = [(value, label, counts[value]) for value, label in Section.choices if counts.get(value)]
    return render(
        request,
        "catalog/public/home.html",
        {
            "figures": selectors.catalog_figures(),
            "latest": selectors.latest_listed(limit=8),
            "sections": sections,
        },
    )


def search(request):
    """The catalog: Chinese text search, filters, sorting and pages of 20."""
    filterset = ProductFilterSet(request.GET, queryset=Product.objects.listed())
    filterset.is_valid()  # Invalid parameters are shown next to their field and ignored.
    for name, field in filterset.form.fields.items():
        if name != "q":
            field.widget.attrs["data-autosubmit"] = ""  # static/js/site.js submits on change.
    page = selectors.SearchPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/public/search.html",
        {"filter": filterset, "form": filterset.form, "page": page, "query": request.GET.get("q", "")},
    )


def product_detail(request, code: str):
    """A public registration: details, code, status, sample preview, public history and app panels."""
    product = _public_product_or_404(code)
    if code != product.code:
        return redirect("catalog:product", code=product.code, permanent=True)
    listing = getattr(product, "listing", None)  # A product under notice has no listing yet.
    panels = [
        render_to_string(
            panel.template_name, {**panel.context, "panel": panel, "product": product, "listing": listing}, request
        )
        for panel in hooks.product_panels(request, product)
    ]
    return render(
        request,
        "catalog/public/product_detail.html",
        {
            "product": product,
            "listing": listing,
            "events": product.public_events,
            "sample": selectors.public_sample_preview(product),
            "panels": format_html_join("\n", "{}", ((panel,) for panel in panels)),
            "may_object": product.status in OBJECTABLE,
        },
    )


def notice_list(request):
    """Products under public notice (公示), each with the time left to object."""
    products = selectors.products_under_notice()
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/public/notice_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request, code: str):
    """Anyone signed in objects to a registration under notice or registered."""
    product = _public_product_or_404(code)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_file(
                product=product,
                actor=request.user,
                grounds=form.cleaned_data["grounds"],
                evidence=form.cleaned_data["evidence"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your objection was filed. An operator will decide on it and record why."))
            return redirect("catalog:product", code=product.code)
    return render(
        request,
        "catalog/public/objection_form.html",
        {"product": product, "form": form, "may_object": product.status in OBJECTABLE},
    )
