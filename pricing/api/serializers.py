"""Serializers of the pricing API. Reads are explicit field lists; writes are input serializers for services."""

from django.utils import timezone
from rest_framework import serializers

from catalog.choices import DeliveryModeCode, Purpose, Section

from ..models import BillingUnit, GuidedPriceEntry, GuidedPriceVersion, Plan
from ..quotes import MAX_QUANTITY


class TierSerializer(serializers.Serializer):
    from_quantity = serializers.IntegerField(min_value=2)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class GuidedPriceVersionSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, source="tier_list")

    class Meta:
        model = GuidedPriceVersion
        fields = [
            "version",
            "cap",
            "tiers",
            "sme_discount_percent",
            "effective_from",
            "effective_until",
            "is_trial",
            "trial_expires_on",
            "basis",
            "published_at",
        ]


class GuidedPriceEntrySerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The version in force today, or null.")
    versions = GuidedPriceVersionSerializer(many=True, read_only=True)

    class Meta:
        model = GuidedPriceEntry
        fields = ["id", "section", "delivery_mode", "billing_unit", "title", "current", "versions", "created_at"]

    def get_current(self, entry) -> dict | None:
        today = timezone.localdate()
        in_force = [v for v in entry.versions.all() if v.covers(today)]
        if not in_force:
            return None
        return GuidedPriceVersionSerializer(max(in_force, key=lambda v: v.version)).data


class GuidedTermsInputSerializer(serializers.Serializer):
    cap = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    tiers = TierSerializer(many=True, required=False, default=list)
    sme_discount_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, default=0
    )
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(required=False, allow_null=True, default=None)
    is_trial = serializers.BooleanField(required=False, default=False)
    trial_expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    basis = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class GuidedEntryInputSerializer(GuidedTermsInputSerializer):
    section = serializers.ChoiceField(choices=Section.choices)
    delivery_mode = serializers.ChoiceField(choices=DeliveryModeCode.choices)
    billing_unit = serializers.ChoiceField(choices=BillingUnit.choices)
    title = serializers.CharField(max_length=120)


class PlanSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", read_only=True)
    billing_unit = serializers.CharField(read_only=True, allow_null=True)
    above_cap = serializers.BooleanField(source="is_flagged", read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "product",
            "name",
            "kind",
            "billing_unit",
            "delivery_mode",
            "unit_price",
            "monthly_quota",
            "is_active",
            "above_cap",
        ]


class QuoteInputSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=40, help_text="The product's registration code.")
    plan = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False, allow_blank=True, default="")


class QuoteLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.CharField()
    quantity = serializers.IntegerField(allow_null=True)
    unit_price = serializers.CharField(allow_null=True)
    from_quantity = serializers.IntegerField(allow_null=True)
    to_quantity = serializers.IntegerField(allow_null=True)


class QuoteSerializer(serializers.Serializer):
    """A quote as the API answers it: amounts are strings with two places (yuan)."""

    amount = serializers.CharField()
    subtotal = serializers.CharField()
    currency = serializers.CharField()
    regime = serializers.CharField()
    rule = serializers.CharField()
    product_code = serializers.CharField()
    plan_id = serializers.IntegerField()
    plan_name = serializers.CharField()
    billing_unit = serializers.CharField()
    quantity = serializers.IntegerField()
    purpose = serializers.CharField(allow_blank=True)
    moment = serializers.DateTimeField()
    guided_entry_id = serializers.IntegerField(allow_null=True)
    guided_version = serializers.IntegerField(allow_null=True)
    capped = serializers.BooleanField()
    free_use_application_id = serializers.IntegerField(allow_null=True)
    lines = QuoteLineSerializer(many=True)
