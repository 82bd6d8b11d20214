"""FilterSets of the accounts API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Organization


class OrganizationFilterSet(django_filters.FilterSet):
    """Filters of ``GET /api/v1/organizations/``; only operators see organisations other than their own."""

    status = django_filters.ChoiceFilter(choices=Organization.Status.choices, help_text=_("Verification status."))
    is_merchant = django_filters.BooleanFilter(help_text=_("Merchants only (true) or non-merchants (false)."))
    is_buyer = django_filters.BooleanFilter(help_text=_("Buyers only (true) or non-buyers (false)."))
    q = django_filters.CharFilter(method="filter_q", label=_("Name or code contains"))

    class Meta:
        model = Organization
        fields = ["status", "is_merchant", "is_buyer", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(name__icontains=value) | queryset.filter(uscc__icontains=value.upper())
