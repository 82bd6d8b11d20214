"""Read-only admin of orders: every change goes through the services (and the pages that call them)."""

from django.contrib import admin

from .models import LedgerEntry, Order, Payment, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer", "merchant", "product", "amount", "payment_method", "status", "created_at"]
    list_filter = ["status", "payment_method", "regime"]
    search_fields = ["number", "buyer__name", "merchant__name", "product__code"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "method", "amount", "status", "stripe_payment_intent", "bank_serial", "received_at"]
    list_filter = ["method", "status"]
    search_fields = ["order__number", "stripe_payment_intent", "bank_serial"]
    exclude = ["stripe_client_secret"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "order", "outcome", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["order", "kind", "account", "party_name", "amount", "created_at"]
    list_filter = ["kind", "account"]
    search_fields = ["order__number", "party_name"]
