"""Serializers of the orders API: explicit fields, no writes (services write)."""

from rest_framework import serializers

from ..models import Order, Payment, PaymentMethod


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "method", "amount", "currency", "status", "received_at", "refunded_at"]


class OrderSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    buyer = serializers.CharField(source="buyer.name", read_only=True)
    merchant = serializers.CharField(source="merchant.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    payment = PaymentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "number", "product", "product_name", "plan", "plan_name", "quantity", "purpose", "amount", "currency",
            "regime", "quote", "payment_method", "status", "status_reason", "buyer", "merchant", "approval_deadline",
            "approved_at", "paid_at", "fulfilled_at", "closed_at", "created_at", "payment",
        ]  # fmt: skip
        read_only_fields = fields


class OrderPlaceSerializer(serializers.Serializer):
    product = serializers.CharField(help_text="The product's registration code.")
    plan = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
    purpose = serializers.CharField(max_length=24)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER)
    renews = serializers.IntegerField(required=False, help_text="The entitlement a subscription renewal continues.")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TransferConfirmSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    bank_serial = serializers.CharField(max_length=64)
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
