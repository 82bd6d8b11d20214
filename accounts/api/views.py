"""API views of the accounts area: token, the signed-in person, organisations and their verification."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, signin, two_factor
from accounts.exceptions import DomainError
from accounts.filtersets import OrganizationFilterSet
from accounts.models import Membership, Organization
from accounts.selectors import organizations_of

from .permissions import IsOperator
from .schema import ApiErrorSerializer
from .serializers import (
    DecisionSerializer,
    ErrorSerializer,
    MeSerializer,
    OrganizationDetailSerializer,
    OrganizationRegisterSerializer,
    OrganizationSerializer,
    TokenObtainSerializer,
    TokenSerializer,
    validate_input,
)

TAG = "accounts"
REFUSED = OpenApiResponse(ErrorSerializer, description="Refused: `detail` says why, `field` names the field.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed for this person.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such organisation among those you may see.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="The organisation's state does not allow this move.")
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Too many failed sign-ins: `Retry-After` says when to retry.")


@extend_schema(
    tags=[TAG],
    summary="Obtain an API token with a user name and password",
    request=TokenObtainSerializer,
    responses={
        200: TokenSerializer,
        400: OpenApiResponse(
            ApiErrorSerializer,
            description="Missing fields, or a user name and password that do not match (`non_field_errors`).",
        ),
        403: OpenApiResponse(ErrorSerializer, description="A one-time code is required (`field`: `otp`) or wrong."),
        429: TOO_MANY,
    },
)
class TokenObtainView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token"}``; send it as ``Authorization: Token <token>``.

    Failed attempts count towards the sign-in lockout (accounts/signin.py); staff who must use two-factor
    sign-in also send ``otp``, a current code from their authenticator.
    """

    serializer_class = TokenObtainSerializer

    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}
        username = str(data.get("username", ""))
        address = signin.client_address(request)
        if lockout := signin.lockout_for(username=username, address=address):
            return _locked_out(lockout)
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if lockout := signin.lockout_for(username=username, address=address):  # this failure locked it
                return _locked_out(lockout)
            raise
        user = serializer.validated_data["user"]
        if two_factor.two_factor_required(user):
            try:
                two_factor.two_factor_verify(user=user, token=serializer.validated_data.get("otp", ""))
            except DomainError as error:
                return Response({"detail": error.message, "field": "otp"}, status=status.HTTP_403_FORBIDDEN)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _locked_out(lockout) -> Response:
    return Response(
        {"detail": lockout.message},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(lockout.seconds_left)},
    )


@extend_schema_view(
    get=extend_schema(tags=[TAG], summary="The signed-in person and their organisations", responses=MeSerializer)
)
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        user = request.user
        memberships = Membership.objects.select_related("organization").order_by("organization__name")
        user = type(user).objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(pk=user.pk)
        context = {"request": request, "organization": getattr(request, "organization", None)}
        return Response(MeSerializer(user, context=context).data)


def _decision_schema(summary: str):
    return extend_schema(
        tags=[TAG],
        summary=summary,
        request=DecisionSerializer,
        responses={200: OrganizationSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="List organisations",
        description="Your organisations; operators see every organisation and filter it, e.g. `?status=submitted`.",
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="One organisation with its members",
        description="Members of the organisation (and operators) only; anyone else gets 404.",
        responses={200: OrganizationDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        tags=[TAG],
        summary="Register an organisation",
        description="The caller becomes its owner; it awaits an operator's verification.",
        request=OrganizationRegisterSerializer,
        responses={201: OrganizationDetailSerializer, 400: REFUSED},
    ),
    verify=_decision_schema("Verify (or reinstate) an organisation (operators)"),
    reject=_decision_schema("Reject an organisation's verification, with a reason (operators)"),
    suspend=_decision_schema("Suspend a verified organisation, with a reason (operators)"),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        user = self.request.user
        queryset = Organization.objects.all() if user.has_perm("accounts.operate_exchange") else organizations_of(user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("memberships__user")
        return queryset.order_by("name", "pk")

    def get_serializer_class(self):
        return OrganizationDetailSerializer if self.action == "retrieve" else OrganizationSerializer

    def create(self, request):
        data = validate_input(OrganizationRegisterSerializer, request.data)
        org = services.organization_register(user=request.user, **data)
        return Response(OrganizationDetailSerializer(org).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service):
        data = validate_input(DecisionSerializer, request.data)
        org = service(org=self.get_object(), actor=request.user, reason=data["reason"])
        return Response(OrganizationSerializer(org).data)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def verify(self, request, pk=None):
        return self._decide(request, services.organization_verify)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def reject(self, request, pk=None):
        return self._decide(request, services.organization_reject)

    @action(detail=True, methods=["post"], permission_classes=[IsOperator])
    def suspend(self, request, pk=None):
        return self._decide(request, services.organization_suspend)
