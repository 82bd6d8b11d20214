"""API of governance: the audit trail (operators), disputes, credit, and the public authorisations."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import IsOperator
from accounts.api.serializers import validate_input
from accounts.models import Organization
from accounts.selectors import is_member
from marketplace.orders.models import Order

from .. import disclosure, selectors, services
from ..credit import credit_of
from ..filtersets import AuditEntryFilterSet, DisputeFilterSet
from ..models import Dispute
from .serializers import (
    AuditEntrySerializer,
    AuthorisationSerializer,
    CreditSerializer,
    DisputeDecisionSerializer,
    DisputeFileSerializer,
    DisputeSerializer,
)

TAG = "governance"


@extend_schema_view(
    list=extend_schema(tags=[TAG], summary="Browse and filter the audit trail (operators)"),
    retrieve=extend_schema(tags=[TAG], summary="One audit entry by its sequence number (operators)"),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.audit_entries()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    permission_classes = [IsOperator]
    lookup_field = "seq"


@extend_schema_view(
    list=extend_schema(tags=[TAG], summary="Disputes of your organisation (operators: every dispute)"),
    retrieve=extend_schema(tags=[TAG], summary="One dispute"),
    create=extend_schema(
        tags=[TAG],
        summary="Dispute one of your paid orders",
        request=DisputeFileSerializer,
        responses=DisputeSerializer,
    ),
    investigate=extend_schema(tags=[TAG], summary="Take a dispute into investigation (operators)", request=None),
    uphold=extend_schema(
        tags=[TAG], summary="Uphold a dispute, optionally refunding (operators)", request=DisputeDecisionSerializer
    ),
    dismiss=extend_schema(tags=[TAG], summary="Dismiss a dispute (operators)", request=DisputeDecisionSerializer),
)
class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Dispute.objects.all()
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilterSet
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        disputes = Dispute.objects.select_related("order", "buyer", "merchant").order_by("-created_at", "-pk")
        if self.request.user.has_perm("accounts.operate_exchange"):
            return disputes
        org = getattr(self.request, "organization", None)
        return disputes.involving(org) if org else disputes.none()

    def create(self, request):
        data = validate_input(DisputeFileSerializer, request.data)
        org = getattr(request, "organization", None)
        if org is None:
            raise Http404
        order = get_object_or_404(Order, number=data.pop("order"), buyer=org)
        dispute = services.dispute_file(order=order, org=org, actor=request.user, **data)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def investigate(self, request, pk=None):
        dispute = services.dispute_investigate(dispute=self.get_object(), actor=request.user)
        return Response(DisputeSerializer(dispute).data)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def uphold(self, request, pk=None):
        data = validate_input(DisputeDecisionSerializer, request.data)
        dispute = services.dispute_uphold(dispute=self.get_object(), actor=request.user, **data)
        return Response(DisputeSerializer(dispute).data)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def dismiss(self, request, pk=None):
        data = validate_input(DisputeDecisionSerializer, request.data)
        dispute = services.dispute_dismiss(dispute=self.get_object(), actor=request.user, reason=data["reason"])
        return Response(DisputeSerializer(dispute).data)


@extend_schema(
    tags=[TAG], summary="An organisation's credit: score, level and the record behind it", responses=CreditSerializer
)
class CreditView(APIView):
    """Members of the organisation and operators only; anyone else gets 404."""

    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        org = get_object_or_404(Organization, pk=pk)
        if not (request.user.has_perm("accounts.operate_exchange") or is_member(request.user, org)):
            raise Http404
        return Response(CreditSerializer(credit_of(org)).data)


@extend_schema_view(list=extend_schema(tags=[TAG], summary="Public-data authorisations of listed products (public)"))
class AuthorisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = disclosure.public_data_authorisations()
    serializer_class = AuthorisationSerializer
    permission_classes = [AllowAny]
    filterset_class = None
