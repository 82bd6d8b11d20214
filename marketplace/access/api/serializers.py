"""Serializers of the access API: explicit fields; a key's secret appears only in the creation answer."""

from rest_framework import serializers

from ..models import ApiKey, Entitlement


class EntitlementSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    order = serializers.CharField(source="order.number", read_only=True)
    remaining = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Entitlement
        fields = [
            "id", "product", "product_name", "plan", "order", "delivery_mode", "unit", "quota", "used", "remaining",
            "monthly", "period_starts_at", "period_ends_at", "starts_at", "expires_at", "status",
        ]  # fmt: skip
        read_only_fields = fields


class ApiKeySerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "expires_at", "revoked_at", "created_at", "state"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    secret = serializers.CharField(read_only=True, help_text="The full key: shown in this answer only.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "secret"]
        read_only_fields = fields
