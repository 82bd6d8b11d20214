"""Read-only admin views of governance: every change goes through the services (and so the audit trail)."""

from django.contrib import admin

from .models import Dispute, Statement, Violation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["order", "buyer", "merchant", "ground", "status", "created_at", "decided_at"]
    list_filter = ["status", "ground"]
    search_fields = ["order__number", "buyer__name", "merchant__name"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["party", "objection", "dispute", "status", "due_at", "answered_at"]
    list_filter = ["party", "status"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "severity", "occurred_on", "rescinded_at"]
    list_filter = ["kind", "severity"]
    search_fields = ["organization__name", "organization__uscc"]
