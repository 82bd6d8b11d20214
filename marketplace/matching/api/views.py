"""Matching API: demands (public reads, buyers' writes), matches (either side's), offers (made and answered).

Reads are viewsets over selectors with FilterSets; every write validates an input
serializer and calls one service. Domain errors become 400/403/409 with a ``detail``.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.response import Response

from accounts.api.schema import ApiErrorSerializer
from accounts.selectors import organizations_of
from catalog.api.views import ERROR_RESPONSE, ORGANIZATION_HEADER, acting_organization
from catalog.models import Product
from pricing.models import Plan

from .. import selectors, services
from ..filtersets import DemandFilterSet, MatchFilterSet, OfferFilterSet
from ..models import Demand
from .serializers import (
    CloseInputSerializer,
    DeclineInputSerializer,
    DemandInputSerializer,
    DemandSerializer,
    MatchSerializer,
    OfferInputSerializer,
    OfferSerializer,
)

TAG = "matching"
# 400: a domain error (`detail`) or invalid input (each field with its messages).
ERRORS = {400: ApiErrorSerializer, 403: ERROR_RESPONSE, 404: ERROR_RESPONSE, 409: ERROR_RESPONSE}


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ActingOrganizationMixin:
    """Resolves the organisation a signed-in caller acts for (``X-Organization``), for the FilterSets too."""

    def acting(self):
        if not hasattr(self, "_acting"):
            self._acting = acting_organization(self.request) if self.request.user.is_authenticated else None
            self.request.acting_organization = self._acting
        return self._acting

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organization"] = self.acting() if self.request.user.is_authenticated else None
        return context


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="List demands",
        description="Public demands, plus (signed in) your own and those your products match or you answered. "
        "`q` matches whole Chinese words; `mine=true` lists only yours.",
        parameters=[ORGANIZATION_HEADER],
    ),
    retrieve=extend_schema(tags=[TAG], summary="One demand", parameters=[ORGANIZATION_HEADER]),
)
class DemandViewSet(ActingOrganizationMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def acting(self):
        # Public demands are read by anyone: staff who act for no organisation read them as the public does.
        if self.action in ("list", "retrieve") and not organizations_of(self.request.user).exists():
            self._acting = self.request.acting_organization = None
        return super().acting()

    def get_queryset(self):
        organization = self.acting() if self.request.user.is_authenticated else None
        return selectors.visible_demands(organization).select_related("buyer").order_by("-created_at", "-pk")

    @extend_schema(
        tags=[TAG],
        summary="Post a demand",
        request=DemandInputSerializer,
        responses={201: DemandSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    def create(self, request):
        organization = self.acting()  # who asks is checked before what is asked
        data = validated(DemandInputSerializer, request.data)
        demand = services.demand_create(buyer=organization, actor=request.user, data=data)
        return Response(self.get_serializer(demand).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG],
        summary="Change your open demand (it is matched again)",
        request=DemandInputSerializer,
        responses={200: DemandSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    def partial_update(self, request, pk=None):
        demand = get_object_or_404(Demand, pk=pk, buyer=self.acting())
        data = validated(DemandInputSerializer, request.data, partial=True)
        demand = services.demand_update(demand=demand, org=self.acting(), actor=request.user, data=data)
        return Response(self.get_serializer(demand).data)

    @extend_schema(
        tags=[TAG],
        summary="Close your demand (matching stops, pending offers lapse)",
        request=CloseInputSerializer,
        responses={200: DemandSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        demand = get_object_or_404(Demand, pk=pk, buyer=self.acting())
        data = validated(CloseInputSerializer, request.data)
        demand = services.demand_close(demand=demand, org=self.acting(), actor=request.user, reason=data["reason"])
        return Response(self.get_serializer(demand).data)


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="List matches",
        description="Matches of your demands and of your products, best first, each with its reasons. "
        "`role=buyer|merchant` picks a side; `strong=true` keeps those above the notification threshold.",
        parameters=[ORGANIZATION_HEADER],
    ),
    retrieve=extend_schema(tags=[TAG], summary="One match", parameters=[ORGANIZATION_HEADER]),
)
class MatchViewSet(ActingOrganizationMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MatchSerializer
    filterset_class = MatchFilterSet
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.matches_visible_to(self.acting()).order_by("-score", "-pk")


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="List offers",
        description="Offers on your demands and offers you made. `role=buyer|merchant` picks a side.",
        parameters=[ORGANIZATION_HEADER],
    ),
    retrieve=extend_schema(tags=[TAG], summary="One offer", parameters=[ORGANIZATION_HEADER]),
)
class OfferViewSet(ActingOrganizationMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.offers_visible_to(self.acting()).order_by("-created_at", "-pk")

    @extend_schema(
        tags=[TAG],
        summary="Make an offer on a demand",
        description="A plan of your listed product at a price per unit; a public-data product's price may not "
        "exceed the guided cap in force (400 with `field: unit_price`).",
        request=OfferInputSerializer,
        responses={201: OfferSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    def create(self, request):
        organization = self.acting()  # who asks is checked before what is asked
        data = validated(OfferInputSerializer, request.data)
        demand = get_object_or_404(selectors.visible_demands(organization), pk=data["demand"])
        product = get_object_or_404(Product, code=data["product"], holder=organization)
        plan = get_object_or_404(Plan, pk=data["plan"], product=product)
        offer = services.offer_make(
            demand=demand,
            org=organization,
            actor=request.user,
            product=product,
            plan=plan,
            unit_price=data["unit_price"],
            quantity=data.get("quantity"),
            valid_until=data["valid_until"],
            message=data.get("message", ""),
        )
        return Response(self.get_serializer(offer).data, status=status.HTTP_201_CREATED)

    def _answer(self, request, pk, service, **kwargs):
        offer = get_object_or_404(self.get_queryset(), pk=pk)
        offer = service(offer=offer, org=self.acting(), actor=request.user, **kwargs)
        return Response(self.get_serializer(offer).data)

    @extend_schema(
        tags=[TAG],
        summary="Accept an offer on your demand",
        request=None,
        responses={200: OfferSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, pk, services.offer_accept)

    @extend_schema(
        tags=[TAG],
        summary="Decline an offer on your demand",
        request=DeclineInputSerializer,
        responses={200: OfferSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = validated(DeclineInputSerializer, request.data)
        return self._answer(request, pk, services.offer_decline, reason=data["reason"])

    @extend_schema(
        tags=[TAG],
        summary="Withdraw your pending offer",
        request=None,
        responses={200: OfferSerializer, **ERRORS},
        parameters=[ORGANIZATION_HEADER],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(request, pk, services.offer_withdraw)
