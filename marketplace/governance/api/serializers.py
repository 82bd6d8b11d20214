"""Serializers of the governance API: explicit fields, no writes (writes validate input and call a service)."""

from rest_framework import serializers

from accounts.models import AuditEntry
from catalog.models import Product

from ..models import Dispute, DisputeGround


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_organization = serializers.IntegerField(source="actor_organization_id", allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "created_at",
            "actor_label",
            "actor_organization",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "reason",
            "request_id",
            "prev_hash",
            "hash",
        ]


class DisputeSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    buyer = serializers.CharField(source="buyer.name")
    merchant = serializers.CharField(source="merchant.name")

    class Meta:
        model = Dispute
        fields = [
            "id",
            "order",
            "buyer",
            "merchant",
            "ground",
            "grounds",
            "refund_requested",
            "status",
            "investigation_started_at",
            "decision_reason",
            "decided_at",
            "refunded",
            "created_at",
        ]


class DisputeFileSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/disputes/``."""

    order = serializers.CharField(help_text="The order number.")
    ground = serializers.ChoiceField(choices=DisputeGround.choices)
    grounds = serializers.CharField(max_length=5000)
    refund_requested = serializers.BooleanField(default=True)


class DisputeDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    refund = serializers.BooleanField(default=False)


class CreditItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField()
    count = serializers.IntegerField()
    description = serializers.CharField()
    on = serializers.DateField(allow_null=True)
    counts_until = serializers.DateField(allow_null=True)


class CreditSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    score = serializers.IntegerField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    threshold = serializers.IntegerField()
    may_trade = serializers.BooleanField()
    items = CreditItemSerializer(many=True)


class AuthorisationSerializer(serializers.ModelSerializer):
    """A listed public-data product's authorisation (授权对象、内容、范围、时限, authorising body)."""

    holder = serializers.CharField(source="holder.name")

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "holder",
            "auth_grantee",
            "auth_content",
            "auth_scope",
            "auth_valid_from",
            "auth_valid_until",
            "auth_authority",
        ]
