"""Pricing API: the guided-price catalogue (read by all, written by the price authority), plans, quotes."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import organizations_of

from .. import selectors, services
from ..models import GuidedPriceEntry, GuidedPriceVersion, Plan
from .serializers import (
    GuidedEntryInputSerializer,
    GuidedPriceEntrySerializer,
    GuidedTermsInputSerializer,
    PlanSerializer,
    QuoteInputSerializer,
    QuoteSerializer,
)


class IsPriceAuthorityOrReadOnly(permissions.BasePermission):
    """Anyone reads the catalogue; only the price authority (``accounts.set_guided_prices``) writes it."""

    message = gettext_lazy("Only the price authority may do this.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("accounts.set_guided_prices"))


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class GuidedPriceEntryFilterSet(filters.FilterSet):
    class Meta:
        model = GuidedPriceEntry
        fields = ["section", "delivery_mode", "billing_unit"]


class GuidedPriceEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The guided-price catalogue with every version (公示)."""

    queryset = GuidedPriceEntry.objects.prefetch_related(
        Prefetch("versions", queryset=GuidedPriceVersion.objects.order_by("-version"))
    )
    serializer_class = GuidedPriceEntrySerializer
    filterset_class = GuidedPriceEntryFilterSet
    permission_classes = [IsPriceAuthorityOrReadOnly]

    @extend_schema(request=GuidedEntryInputSerializer, responses={201: GuidedPriceEntrySerializer})
    def create(self, request):
        """Publish a new entry with its first version (price authority)."""
        data = validated(GuidedEntryInputSerializer, request.data)
        version = services.guided_entry_publish(
            actor=request.user,
            section=data.pop("section"),
            delivery_mode=data.pop("delivery_mode"),
            billing_unit=data.pop("billing_unit"),
            title=data.pop("title"),
            terms=data,
        )
        entry = self.get_queryset().get(pk=version.entry_id)
        return Response(GuidedPriceEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GuidedTermsInputSerializer, responses={201: GuidedPriceEntrySerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Publish a new version of the entry (price authority); earlier versions stay readable."""
        entry = get_object_or_404(GuidedPriceEntry, pk=pk)
        data = validated(GuidedTermsInputSerializer, request.data)
        services.guided_entry_revise(actor=request.user, entry=entry, terms=data)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(GuidedPriceEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class PlanFilterSet(filters.FilterSet):
    product = filters.CharFilter(field_name="product__code", label="Registration code of the product")

    class Meta:
        model = Plan
        fields = ["product", "kind"]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Active plans of publicly visible products (their ids are what a quote names)."""

    queryset = (
        Plan.objects.filter(is_active=True, product__in=selectors.public_products())
        .select_related("product")
        .order_by("product_id", "pk")
    )
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    permission_classes = [permissions.AllowAny]


def _buyer(request):
    """The organisation a signed-in caller acts for (``X-Organization`` header, session, or the first)."""
    if not request.user.is_authenticated:
        return None
    organizations = organizations_of(request.user)
    header = request.headers.get("X-Organization", "").strip()
    if header.isdigit():
        return organizations.filter(pk=int(header)).first()
    return getattr(request._request, "organization", None) or organizations.order_by("pk").first()


class QuoteView(APIView):
    """Quote a plan of a product for a quantity and purpose; the buyer is the caller's organisation."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=QuoteInputSerializer, responses={200: QuoteSerializer})
    def post(self, request):
        data = validated(QuoteInputSerializer, request.data)
        product = selectors.public_products().filter(code=data["product"]).first()
        if product is None:
            raise ValidationError({"product": [_("No product with this registration code is offered.")]})
        plan = Plan.objects.filter(pk=data["plan"], product=product).first()
        if plan is None:
            raise ValidationError({"plan": [_("This product has no such plan.")]})
        result = selectors.quote_for(
            product=product, plan=plan, quantity=data["quantity"], buyer=_buyer(request), purpose=data["purpose"]
        )
        return Response(result.as_dict())
