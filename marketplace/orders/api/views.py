"""Orders API: a buyer's and a merchant's orders, placing, cancelling, deciding requests; operators' payments."""

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.response import Response

from accounts.api.permissions import IsOperator
from accounts.api.schema import ApiErrorSerializer
from catalog.api.views import acting_organization
from catalog.models import Product
from marketplace.access.models import Entitlement
from pricing.models import Plan

from .. import services
from ..models import Order, OrderStatus, Payment, PaymentMethod
from .serializers import (
    OrderPlaceSerializer,
    OrderSerializer,
    PaymentSerializer,
    ReasonSerializer,
    TransferConfirmSerializer,
)


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class OrderFilterSet(filters.FilterSet):
    role = filters.ChoiceFilter(
        choices=[("buyer", "buyer"), ("merchant", "merchant")], method="filter_role", label="As buyer or merchant"
    )
    status = filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["status", "payment_method"]

    def filter_role(self, queryset, name, value):
        organization = acting_organization(self.request)
        return queryset.filter(buyer=organization) if value == "buyer" else queryset.filter(merchant=organization)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders of the organisation you act for, as buyer or merchant (``?role=``)."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "number"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organisation
            return Order.objects.none()
        organization = acting_organization(self.request)
        return (
            Order.objects.filter(Q(buyer=organization) | Q(merchant=organization))
            .select_related("product", "plan", "buyer", "merchant", "payment")
            .order_by("-created_at")
        )

    @extend_schema(
        request=OrderPlaceSerializer,
        responses={
            201: OrderSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="No such product, plan or entitlement."),
        },
    )
    def create(self, request):
        """Place an order; the amount is quoted on the server."""
        organization = acting_organization(request)  # who asks is checked before what is asked
        data = validated(OrderPlaceSerializer, request.data)
        product = get_object_or_404(Product, code=data["product"])
        plan = get_object_or_404(Plan, pk=data["plan"], product=product)
        renews = (
            get_object_or_404(Entitlement, pk=data["renews"], organization=organization) if data.get("renews") else None
        )
        order = services.order_place(
            buyer=organization,
            actor=request.user,
            product=product,
            plan=plan,
            quantity=data["quantity"],
            purpose=data["purpose"],
            payment_method=data["payment_method"],
            renews=renews,
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        """The buyer cancels an unpaid order."""
        order = get_object_or_404(Order, number=number, buyer=acting_organization(request))
        order = services.order_cancel(order=order, org=order.buyer, actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, number=None):
        """The merchant approves an important-data access request."""
        order = get_object_or_404(Order, number=number, merchant=acting_organization(request))
        order = services.order_approve(order=order, org=order.merchant, actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=ReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, number=None):
        """The merchant refuses an access request, with a reason."""
        order = get_object_or_404(Order, number=number, merchant=acting_organization(request))
        data = validated(ReasonSerializer, request.data)
        order = services.order_refuse(order=order, org=order.merchant, actor=request.user, reason=data["reason"])
        return Response(OrderSerializer(order).data)


class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Operators: every payment; confirm bank transfers; refund orders."""

    serializer_class = PaymentSerializer
    permission_classes = [IsOperator]
    queryset = Payment.objects.select_related("order").order_by("-created_at")
    filterset_fields = ["method", "status"]

    @extend_schema(request=TransferConfirmSerializer, responses={200: PaymentSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-transfer")
    def confirm_transfer(self, request, pk=None):
        data = validated(TransferConfirmSerializer, request.data)
        payment = get_object_or_404(Payment, pk=pk, method=PaymentMethod.BANK_TRANSFER)
        payment = services.bank_transfer_confirm(
            payment=payment,
            actor=request.user,
            amount=data["amount"],
            bank_serial=data["bank_serial"],
            payer_name=data.get("payer_name", ""),
        )
        return Response(PaymentSerializer(payment).data)

    @extend_schema(request=ReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund the order this payment paid (in full)."""
        data = validated(ReasonSerializer, request.data)
        payment = get_object_or_404(Payment.objects.select_related("order"), pk=pk)
        order = services.order_refund(order=payment.order, actor=request.user, reason=data["reason"])
        return Response(OrderSerializer(order).data)
