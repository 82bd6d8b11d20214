"""Access API (session or token, as a person): entitlements and API keys of the organisation you act for."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a ValueError (500)
from rest_framework.response import Response

from catalog.api.views import acting_organization

from .. import selectors, services
from ..models import ApiKey, Entitlement
from .serializers import ApiKeyCreatedSerializer, ApiKeyCreateSerializer, ApiKeySerializer, EntitlementSerializer


class EntitlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your organisation's entitlements with the quota used and remaining."""

    serializer_class = EntitlementSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "delivery_mode"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organisation
            return Entitlement.objects.none()
        return selectors.entitlements_of(acting_organization(self.request)).order_by("expires_at")


class ApiKeyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your organisation's API keys. Creating returns the secret once; deleting revokes the key."""

    serializer_class = ApiKeySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiKey.objects.none()
        return selectors.api_keys_of(acting_organization(self.request))

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request):
        organization = acting_organization(request)  # who asks is checked before what is asked
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, secret = services.api_key_create(
            org=organization,
            actor=request.user,
            name=serializer.validated_data["name"],
            expires_at=serializer.validated_data.get("expires_at"),
        )
        key.secret = secret
        response = Response(ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    def destroy(self, request, pk=None):
        organization = acting_organization(request)
        key = get_object_or_404(ApiKey, pk=pk, organization=organization)
        services.api_key_revoke(org=organization, actor=request.user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
