"""Serializers of the matching API. Reads are explicit field lists; writes are input serializers for services."""

from rest_framework import serializers

from catalog.choices import DeliveryModeCode, Purpose, Section
from pricing.models import BillingUnit
from pricing.quotes import MAX_QUANTITY

from ..models import Demand, Match, Offer


class DemandSerializer(serializers.ModelSerializer):
    buyer = serializers.SerializerMethodField(help_text="The buyer's name, or a placeholder when it hides it.")
    delivery_modes = serializers.ListField(child=serializers.ChoiceField(choices=DeliveryModeCode.choices))

    class Meta:
        model = Demand
        fields = [
            "id",
            "title",
            "description",
            "scenario",
            "section",
            "delivery_modes",
            "purpose",
            "volume",
            "volume_unit",
            "budget_min",
            "budget_max",
            "region",
            "deadline",
            "is_public",
            "hide_buyer",
            "buyer",
            "status",
            "status_reason",
            "matched_at",
            "created_at",
            "updated_at",
        ]

    def get_buyer(self, demand) -> str:
        return demand.buyer_label(self.context.get("organization"))


class DemandInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField()
    scenario = serializers.CharField(required=False, allow_blank=True, default="")
    section = serializers.ChoiceField(choices=Section.choices, required=False, allow_blank=True, default="")
    delivery_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=DeliveryModeCode.choices), required=False, default=list
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    volume = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False, default=1)
    volume_unit = serializers.ChoiceField(choices=BillingUnit.choices, required=False, default=BillingUnit.PER_CALL)
    budget_min = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    deadline = serializers.DateField()
    is_public = serializers.BooleanField(required=False, default=True)
    hide_buyer = serializers.BooleanField(required=False, default=False)


class CloseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True)


class MatchSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    demand_title = serializers.CharField(source="demand.title", read_only=True)
    reasons = serializers.SerializerMethodField()
    reasons_text = serializers.CharField(read_only=True)
    above_threshold = serializers.BooleanField(read_only=True)

    class Meta:
        model = Match
        fields = [
            "id",
            "demand",
            "demand_title",
            "product",
            "product_name",
            "score",
            "above_threshold",
            "components",
            "reasons",
            "reasons_text",
            "notified_at",
            "created_at",
            "updated_at",
        ]

    def get_reasons(self, match) -> list[dict]:
        from ..scoring import reason_line

        return ReasonSerializer(
            [{"code": r.get("code"), "text": reason_line(r), "ok": r.get("ok")} for r in match.reasons], many=True
        ).data


class OfferSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    merchant = serializers.CharField(source="merchant.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    billing_unit = serializers.CharField(source="plan.billing_unit", read_only=True, allow_null=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "demand",
            "product",
            "product_name",
            "merchant",
            "plan",
            "plan_name",
            "billing_unit",
            "quantity",
            "unit_price",
            "amount",
            "quote",
            "valid_until",
            "message",
            "status",
            "status_reason",
            "decided_at",
            "order_number",
            "created_at",
        ]


class OfferInputSerializer(serializers.Serializer):
    demand = serializers.IntegerField(min_value=1)
    product = serializers.CharField(max_length=40, help_text="The registration code of your listed product.")
    plan = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False, allow_null=True)
    valid_until = serializers.DateField()
    message = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
