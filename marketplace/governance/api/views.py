"""API of governance: the audit trail (operators), disputes, credit, and the public authorisations."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import IsOperator
from accounts.api.schema import ApiErrorSerializer
from accounts.api.serializers import validate_input
from accounts.models import Organization
from accounts.selectors import is_member, organizations_of
from catalog.api.views import acting_organization
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
        responses={
            201: DisputeSerializer,
            404: OpenApiResponse(ApiErrorSerializer, description="No order of yours has this number."),
        },
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
        # The organisation the caller acts for, as everywhere in the API (a token caller has no session, so the
        # page middleware's ``request.organization`` would be None for it).
        if not organizations_of(self.request.user).exists():
            return disputes.none()
        return disputes.involving(acting_organization(self.request))

    def create(self, request):
        org = acting_organization(request)  # who asks is checked before what is asked
        data = validate_input(DisputeFileSerializer, request.data)
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
