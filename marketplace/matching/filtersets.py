"""Filters of demands, matches and offers, shared by the pages and the REST API."""

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import DeliveryModeCode, Purpose, Section

from . import scoring
from .models import Demand, DemandStatus, Match, Offer, OfferStatus

ROLE_CHOICES = [("buyer", _("As buyer")), ("merchant", _("As merchant"))]


def _organization(request):
    """The organisation the caller acts for: set by the API views, else by the site's middleware."""
    return getattr(request, "acting_organization", None) or getattr(request, "organization", None)


class DemandFilterSet(django_filters.FilterSet):
    """Words of the demand (segmented Chinese), section, purpose, delivery mode, status; ``mine`` for one's own."""

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="filter_text")
    section = django_filters.ChoiceFilter(label=_("Industry section"), choices=Section.choices)
    purpose = django_filters.ChoiceFilter(label=_("Purpose"), choices=Purpose.choices)
    delivery_mode = django_filters.ChoiceFilter(
        label=_("Delivery mode"), choices=DeliveryModeCode.choices, method="filter_delivery_mode"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DemandStatus.choices)
    mine = django_filters.BooleanFilter(label=_("Only my organisation's"), method="filter_mine")

    class Meta:
        model = Demand
        fields = ["q", "section", "purpose", "delivery_mode", "status", "mine"]

    def filter_text(self, queryset, name, value):
        condition = Q()
        for term in scoring.query_terms(value):
            condition &= Q(search_document__contains=f" {term} ")
        return queryset.filter(condition)

    def filter_delivery_mode(self, queryset, name, value):
        # A demand accepting any mode (none ticked) accepts this one too.
        return queryset.filter(Q(delivery_modes__icontains=f'"{value}"') | Q(delivery_modes=[]))

    def filter_mine(self, queryset, name, value):
        organization = _organization(self.request)
        if value is None:
            return queryset
        if organization is None:
            return queryset.none() if value else queryset
        return queryset.filter(buyer=organization) if value else queryset.exclude(buyer=organization)


class MatchFilterSet(django_filters.FilterSet):
    """By demand, product code, side (buyer or merchant), lowest score, or only those above the threshold."""

    product = django_filters.CharFilter(field_name="product__code", label=_("Registration code of the product"))
    role = django_filters.ChoiceFilter(label=_("Side"), choices=ROLE_CHOICES, method="filter_role")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("Lowest score (0–1)"))
    strong = django_filters.BooleanFilter(
        label=_("Only matches above the notification threshold"), method="filter_strong"
    )
    open = django_filters.BooleanFilter(label=_("Only open demands"), method="filter_open")

    class Meta:
        model = Match
        fields = ["demand", "product", "role", "min_score", "strong", "open"]

    def filter_role(self, queryset, name, value):
        organization = _organization(self.request)
        if organization is None:
            return queryset.none()
        return (
            queryset.filter(demand__buyer=organization)
            if value == "buyer"
            else queryset.filter(product__holder=organization)
        )

    def filter_strong(self, queryset, name, value):
        if value is None:
            return queryset
        threshold = settings.MATCH_NOTIFY_THRESHOLD
        return queryset.filter(score__gte=threshold) if value else queryset.filter(score__lt=threshold)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(demand__status=DemandStatus.OPEN)
            if value
            else queryset.exclude(demand__status=DemandStatus.OPEN)
        )


class OfferFilterSet(django_filters.FilterSet):
    """By status, demand, product code, and side (offers received as buyer, made as merchant)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=OfferStatus.choices)
    product = django_filters.CharFilter(field_name="product__code", label=_("Registration code of the product"))
    role = django_filters.ChoiceFilter(label=_("Side"), choices=ROLE_CHOICES, method="filter_role")

    class Meta:
        model = Offer
        fields = ["status", "demand", "product", "role"]

    def filter_role(self, queryset, name, value):
        organization = _organization(self.request)
        if organization is None:
            return queryset.none()
        return (
            queryset.filter(demand__buyer=organization) if value == "buyer" else queryset.filter(merchant=organization)
        )
