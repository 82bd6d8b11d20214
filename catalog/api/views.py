"""REST API of the catalog: public search, merchants' registrations, operators' review, objections.

Reads are viewsets over selectors; every write validates an input serializer and
calls one service. Domain errors become 400/403/409 with a ``detail`` through the
project's exception handler.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.exceptions import DomainError
from accounts.middleware import CurrentOrganizationMiddleware
from accounts.models import Organization
from accounts.selectors import organizations_of

from .. import selectors, services
from ..filtersets import ProductFilterSet
from ..models import Product
from .pagination import CatalogPagination
from .serializers import (
    CatalogProductDetailSerializer,
    CatalogProductSerializer,
    ObjectionInputSerializer,
    ObjectionSerializer,
    ReasonInputSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
    ReviewItemSerializer,
)

ERROR_RESPONSE = inline_serializer(
    name="ErrorResponse",
    fields={
        "detail": serializers.CharField(),
        "field": serializers.CharField(required=False),
        "errors": serializers.DictField(child=serializers.CharField(), required=False),
    },
)
ORGANIZATION_HEADER = OpenApiParameter(
    name="X-Organization",
    type={"type": "integer", "minimum": 1},
    location=OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Id of the organisation you act for. Defaults to the organisation chosen in the session, "
        "or your only organisation."
    ),
)


def _messages(value) -> list[str]:
    """Flatten DRF's nested error lists and dicts into plain messages."""
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def validated(serializer_class, data) -> dict:
    """Validate ``data``; refuse it with ``{"detail", "errors": {field: message}}`` like a domain error."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        errors = {field: " ".join(_messages(value)) for field, value in serializer.errors.items()}
        raise DomainError(_("The request has invalid fields."), errors=errors)
    return serializer.validated_data


class CatalogFilterBackend(DjangoFilterBackend):
    """The catalog FilterSet; invalid parameters are a 400 with a ``detail`` naming each field."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {field: " ".join(messages) for field, messages in filterset.errors.items()}
            raise DomainError(_("The query has invalid parameters."), errors=errors)
        return filterset.qs


class IsOperator(permissions.BasePermission):
    """Exchange staff with the operator permission."""

    message = gettext_lazy("Only exchange operators may do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("accounts.operate_exchange"))


def acting_organization(request) -> Organization:
    """The organisation an API caller acts for.

    In order: the ``X-Organization`` header (an id of one of the caller's
    organisations), the organisation chosen in the session, the caller's only
    organisation.
    """
    organizations = organizations_of(request.user)
    header = request.headers.get("X-Organization", "").strip()
    if header:
        if not header.isdigit() or len(header) > 18:
            raise DomainError(_("X-Organization must be an organisation id."), field="X-Organization")
        organization = organizations.filter(pk=int(header)).first()
        if organization is None:
            raise PermissionDenied(_("You do not act for organisation %(id)s.") % {"id": header})
        return organization
    chosen = request.session.get(CurrentOrganizationMiddleware.SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        organization = organizations.filter(pk=chosen).first()
        if organization is not None:
            return organization
    candidates = list(organizations.order_by("pk")[:2])
    if not candidates:
        raise PermissionDenied(_("You do not act for any organisation."))
    if len(candidates) > 1:
        raise DomainError(
            _("You belong to several organisations: say which with the X-Organization header."),
            field="X-Organization",
        )
    return candidates[0]


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Search the catalog"),
        description=gettext_lazy(
            "Listed products. `q` matches whole Chinese words (segmented), not fragments; "
            "results are ranked by relevance when `q` is given."
        ),
        responses={200: CatalogProductSerializer(many=True), 400: ERROR_RESPONSE},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("A public product by its registration code"),
        description=gettext_lazy("Any registration from its public notice on; the code is case-insensitive."),
        responses={200: CatalogProductDetailSerializer, 404: ERROR_RESPONSE},
    ),
)
class CatalogProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The public catalog."""

    queryset = Product.objects.listed()
    serializer_class = CatalogProductSerializer
    filterset_class = ProductFilterSet
    filter_backends = [CatalogFilterBackend]
    pagination_class = CatalogPagination
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"

    def get_serializer_class(self):
        return CatalogProductDetailSerializer if self.action == "retrieve" else CatalogProductSerializer

    def get_object(self):
        product = selectors.public_product(self.kwargs["code"])
        if product is None:
            raise NotFound(_("No public product has this code."))
        return product

    @extend_schema(
        summary=gettext_lazy("Object to a registration"),
        description=gettext_lazy("Anyone signed in; only while the registration is under public notice or registered."),
        request={
            "multipart/form-data": ObjectionInputSerializer,
            "application/json": ObjectionInputSerializer,
        },
        responses={201: ObjectionSerializer, 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="objections",
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        filter_backends=[],
    )
    def objections(self, request, code=None):
        product = self.get_object()
        data = validated(ObjectionInputSerializer, request.data)
        objection = services.objection_file(
            product=product, actor=request.user, grounds=data["grounds"], evidence=data.get("evidence")
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


REGISTRATION_REQUEST = {
    "application/json": RegistrationInputSerializer,
    "multipart/form-data": RegistrationInputSerializer,
}
FILE_FIELDS = ("cover_image", "sample_file", "personal_evidence")


def _draft_arguments(data: dict) -> dict:
    """Split validated input into ``product_save_draft``'s keyword arguments."""
    data = dict(data)
    arguments = {name: data.pop(name) for name in FILE_FIELDS if data.get(name) is not None}
    arguments["delivery_modes"] = data.pop("delivery_modes", None)
    arguments["sign_commitment"] = data.pop("sign_commitment", False)
    arguments["data"] = data
    return arguments


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Your organisation's registrations"), parameters=[ORGANIZATION_HEADER]),
    retrieve=extend_schema(
        summary=gettext_lazy("One of your organisation's registrations"),
        parameters=[ORGANIZATION_HEADER],
        responses={200: RegistrationSerializer, 404: ERROR_RESPONSE},
    ),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A merchant's registrations: create and edit drafts, submit them."""

    serializer_class = RegistrationSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        return selectors.registrations_of(acting_organization(self.request))

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        summary=gettext_lazy("Create a draft registration"),
        parameters=[ORGANIZATION_HEADER],
        request=REGISTRATION_REQUEST,
        responses={201: RegistrationSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE},
    )
    def create(self, request):
        organization = acting_organization(request)
        data = validated(RegistrationInputSerializer, request.data)
        product = services.product_save_draft(org=organization, actor=request.user, **_draft_arguments(data))
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Change a draft registration"),
        description=gettext_lazy(
            "Only drafts and registrations sent back for changes may be edited; send any subset of fields."
        ),
        parameters=[ORGANIZATION_HEADER],
        request=REGISTRATION_REQUEST,
        responses={200: RegistrationSerializer, 400: ERROR_RESPONSE, 404: ERROR_RESPONSE},
    )
    def partial_update(self, request, pk=None):
        product = self.get_object()
        data = validated(RegistrationInputSerializer, request.data)
        product = services.product_save_draft(
            org=product.holder, actor=request.user, product=product, **_draft_arguments(data)
        )
        return Response(self.get_serializer(product).data)

    @extend_schema(
        summary=gettext_lazy("Submit a registration for review"),
        description=gettext_lazy("Validates every field; the first submission allocates the registration code."),
        parameters=[ORGANIZATION_HEADER],
        request=None,
        responses={200: RegistrationSerializer, 400: ERROR_RESPONSE, 403: ERROR_RESPONSE, 409: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        product = services.product_submit(product=self.get_object(), actor=request.user)
        return Response(self.get_serializer(product).data)


def review_action_schema(summary):
    return extend_schema(
        summary=summary,
        request=ReasonInputSerializer,
        responses={
            200: ReviewItemSerializer,
            400: ERROR_RESPONSE,
            403: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
            409: ERROR_RESPONSE,
        },
    )


class ReviewViewSet(viewsets.GenericViewSet):
    """Operators' review of submitted registrations."""

    serializer_class = ReviewItemSerializer
    permission_classes = [IsOperator]
    filter_backends = []

    def get_queryset(self):
        return selectors.reviewable_products().select_related("holder").prefetch_related("delivery_modes", "findings")

    @extend_schema(
        summary=gettext_lazy("The review queue, oldest submission first"), responses=ReviewItemSerializer(many=True)
    )
    @action(detail=False, methods=["get"])
    def queue(self, request):
        page = self.paginate_queryset(selectors.review_queue())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _target(self, request, pk) -> tuple[Product, str]:
        product = get_object_or_404(self.get_queryset(), pk=pk)
        return product, validated(ReasonInputSerializer, request.data).get("reason", "")

    def _answer(self, product: Product) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=product.pk)).data)

    @review_action_schema(gettext_lazy("Take a submitted registration into review"))
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        product, _reason = self._target(request, pk)
        return self._answer(services.registration_start_review(product=product, actor=request.user))

    @review_action_schema(gettext_lazy("Approve: the public notice opens"))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        product, reason = self._target(request, pk)
        return self._answer(services.registration_approve(product=product, actor=request.user, reason=reason))

    @review_action_schema(gettext_lazy("Send back to the merchant for changes (reason required)"))
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        product, reason = self._target(request, pk)
        return self._answer(services.registration_request_changes(product=product, actor=request.user, reason=reason))

    @review_action_schema(gettext_lazy("Reject (reason required)"))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        product, reason = self._target(request, pk)
        return self._answer(services.registration_reject(product=product, actor=request.user, reason=reason))
