"""Admin for people and organisations; the audit trail is read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Membership, Organization, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "display_name", "password1", "password2")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Status changes go through the verification console, which records them in the audit trail."""

    list_display = ("name", "uscc", "status", "is_merchant", "is_buyer", "is_sme", "created_at")
    list_filter = ("status", "is_merchant", "is_buyer", "is_sme", "is_public_data_operator")
    search_fields = ("name", "uscc")
    readonly_fields = ("uscc", "status", "status_reason", "verified_at", "created_at", "updated_at")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__name", "organization__uscc")
    autocomplete_fields = ("user", "organization")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The hash-chained trail can be read here, never written."""

    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_id", "object_repr", "actor_label", "request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
