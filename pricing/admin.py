"""Read-only admin views of pricing data; every change goes through the pages and services (audited)."""

from django.contrib import admin

from .models import (
    FreeUseApplication,
    GuidedPriceEntry,
    GuidedPriceVersion,
    PermittedRevenue,
    Plan,
    PlanPriceChange,
    RevenueRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuidedPriceVersionInline(admin.TabularInline):
    model = GuidedPriceVersion
    extra = 0
    can_delete = False
    fields = ["version", "cap", "tiers", "sme_discount_percent", "effective_from", "effective_until", "is_trial"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GuidedPriceEntry)
class GuidedPriceEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "section", "delivery_mode", "billing_unit", "created_at"]
    list_filter = ["section", "delivery_mode", "billing_unit"]
    inlines = [GuidedPriceVersionInline]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "product", "kind", "unit_price", "is_active", "above_cap_since"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "product__name", "product__code"]


@admin.register(PlanPriceChange)
class PlanPriceChangeAdmin(ReadOnlyAdmin):
    list_display = ["plan", "old_price", "new_price", "effective_at", "subscribers_from"]


@admin.register(PermittedRevenue)
class PermittedRevenueAdmin(ReadOnlyAdmin):
    list_display = ["organization", "year", "operating_cost", "permitted_profit", "tax"]


@admin.register(RevenueRecord)
class RevenueRecordAdmin(ReadOnlyAdmin):
    list_display = ["organization", "amount", "period_date", "source"]


@admin.register(FreeUseApplication)
class FreeUseApplicationAdmin(ReadOnlyAdmin):
    list_display = ["buyer", "product", "purpose", "status", "expires_at"]
    list_filter = ["status", "purpose"]
