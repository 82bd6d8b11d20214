"""Django admin for the catalog: read-only views, because every write goes through ``catalog.services``.

Registrations, listings and objections change state only through their services (which lock,
check the transition, record the history and the audit entry); the console pages offer those
actions. The negative list is editable here too, through its services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Listing, NegativeListTerm, Objection, Product, ProductEvent, ReviewFinding


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search only: no add, change or delete outside the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProductEventInline(admin.TabularInline):
    model = ProductEvent
    fields = ("created_at", "subject", "from_status", "to_status", "actor_label", "reason", "is_public")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReviewFindingInline(admin.TabularInline):
    model = ReviewFinding
    fields = ("severity", "kind", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "holder", "status", "section", "data_source_type", "classification", "updated_at")
    list_filter = ("status", "section", "data_source_type", "classification", "update_frequency", "delivery_modes")
    search_fields = ("name", "code", "holder__name", "holder__uscc")
    readonly_fields = ("code", "issuer", "status", "status_reason", "submitted_at", "notice_ends_at", "registered_at")
    date_hierarchy = "created_at"
    list_select_related = ("holder",)
    inlines = (ReviewFindingInline, ProductEventInline)
    fieldsets = (
        (None, {"fields": ("holder", "issuer", "code", "status", "status_reason")}),
        (_("The product"), {"fields": ("name", "summary", "description", "section", "application_scenario")}),
        (
            _("The data"),
            {
                "fields": (
                    "data_source_type",
                    "classification",
                    "delivery_modes",
                    "update_frequency",
                    "coverage_start",
                    "coverage_end",
                    "coverage_region",
                    "allowed_purposes",
                    "rights",
                )
            },
        ),
        (_("Files"), {"fields": ("cover_image", "sample_file", "personal_evidence")}),
        (
            _("Authorisation and commitment"),
            {
                "fields": (
                    "auth_authority",
                    "auth_grantee",
                    "auth_content",
                    "auth_scope",
                    "auth_valid_from",
                    "auth_valid_until",
                    "personal_basis",
                    "commitment_signed_at",
                    "commitment_signed_by",
                )
            },
        ),
        (_("Dates"), {"fields": ("submitted_at", "notice_ends_at", "registered_at", "created_by")}),
    )


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ("product", "status", "listed_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("product__name", "product__code")
    list_select_related = ("product",)


@admin.register(ProductEvent)
class ProductEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "product", "subject", "from_status", "to_status", "actor_label", "is_public")
    list_filter = ("subject", "to_status", "is_public")
    search_fields = ("product__name", "product__code", "actor_label", "reason")
    list_select_related = ("product",)
    date_hierarchy = "created_at"


@admin.register(ReviewFinding)
class ReviewFindingAdmin(ReadOnlyAdmin):
    list_display = ("product", "severity", "kind", "message", "created_at")
    list_filter = ("severity", "kind")
    search_fields = ("product__name", "product__code", "message")
    list_select_related = ("product",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("product", "objector", "status", "created_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("product__name", "product__code", "grounds")
    list_select_related = ("product", "objector", "decided_by")


@admin.register(NegativeListTerm)
class NegativeListTermAdmin(admin.ModelAdmin):
    """Adding and removing terms goes through ``negative_term_add`` / ``negative_term_remove``."""

    list_display = ("term", "note", "created_by", "created_at")
    search_fields = ("term", "note")
    fields = ("term", "note")

    def get_readonly_fields(self, request, obj=None):
        return ("term", "note") if obj is not None else ()

    def has_add_permission(self, request):
        return request.user.has_perm("accounts.operate_exchange")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.operate_exchange")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        entry = services.negative_term_add(actor=request.user, term=obj.term, note=obj.note)
        obj.pk = entry.pk

    def delete_model(self, request, obj):
        services.negative_term_remove(actor=request.user, entry=obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.negative_term_remove(actor=request.user, entry=entry)
