"""The catalog's filters, shared by the search page and the REST API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import DataSourceType, DeliveryModeCode, PriceRegime, Section
from .models import Product
from .selectors import Sort, catalog_search

ANY = _("Any")
SORT_CHOICES = [
    (Sort.RELEVANCE, _("Relevance")),
    (Sort.NEWEST, _("Newest listed")),
    (Sort.NAME, _("Name")),
]
# Free use is granted per buyer and purpose, never a property of a product.
REGIME_CHOICES = [(regime.value, regime.label) for regime in (PriceRegime.GUIDED, PriceRegime.MARKET)]


class ProductFilterSet(django_filters.FilterSet):
    """Text (segmented Chinese words), section, delivery mode, source type, price regime and ordering.

    The filters only validate the parameters; ``catalog_search`` applies them all
    at once, so the page and the API answer the same query the same way.
    """

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="_noop")
    section = django_filters.ChoiceFilter(
        label=_("Industry section"), choices=Section.choices, empty_label=ANY, method="_noop"
    )
    delivery_mode = django_filters.ChoiceFilter(
        label=_("Delivery mode"), choices=DeliveryModeCode.choices, empty_label=ANY, method="_noop"
    )
    data_source_type = django_filters.ChoiceFilter(
        label=_("Data source type"), choices=DataSourceType.choices, empty_label=ANY, method="_noop"
    )
    price_regime = django_filters.ChoiceFilter(
        label=_("Price regime"), choices=REGIME_CHOICES, empty_label=ANY, method="_noop"
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        empty_label=None,
        method="_noop",
        help_text=_("Relevance applies to a text search; without text the newest listings come first."),
    )

    class Meta:
        model = Product
        fields = ["q", "section", "delivery_mode", "data_source_type", "price_regime", "ordering"]

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return catalog_search(
            queryset=queryset,
            text=data.get("q") or "",
            section=data.get("section") or "",
            delivery_mode=data.get("delivery_mode") or "",
            data_source_type=data.get("data_source_type") or "",
            price_regime=data.get("price_regime") or "",
            sort=data.get("ordering") or "",
        )
