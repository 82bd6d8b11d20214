"""Read-only admin of access: every change goes through the services. Secrets are never shown."""

from django.contrib import admin

from marketplace.orders.admin import ReadOnlyAdmin

from .models import ApiKey, DatasetTable, Entitlement, UpstreamEndpoint, UsageLog


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    list_display = ["organization", "product", "plan", "unit", "quota", "used", "expires_at", "status"]
    list_filter = ["status", "unit", "monthly"]
    search_fields = ["organization__name", "product__code"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["organization", "name", "prefix", "expires_at", "revoked_at", "created_at"]
    search_fields = ["organization__name", "prefix", "name"]
    exclude = ["key_hash"]


@admin.register(DatasetTable)
class DatasetTableAdmin(ReadOnlyAdmin):
    list_display = ["product", "mode", "source_name", "row_count", "status", "is_current", "created_at"]
    list_filter = ["mode", "status"]


@admin.register(UpstreamEndpoint)
class UpstreamEndpointAdmin(ReadOnlyAdmin):
    list_display = ["product", "method", "url", "auth_header", "updated_at"]
    exclude = ["credential_encrypted"]


@admin.register(UsageLog)
class UsageLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "organization", "key_prefix", "product", "endpoint", "status", "rows", "served"]
    list_filter = ["endpoint", "served", "status"]
    search_fields = ["key_prefix", "organization__name", "params_digest"]
