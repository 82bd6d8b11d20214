"""Admin: read-mostly views of demands, matches and offers for staff; every change goes through the pages or the API."""

from django.contrib import admin

from .models import CorpusStat, Demand, Match, Offer, TermStat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    list_display = ["title", "buyer", "purpose", "section", "status", "deadline", "created_at"]
    list_filter = ["status", "purpose", "section"]
    search_fields = ["title", "description", "buyer__name"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["demand", "product", "score", "notified_at", "updated_at"]
    list_select_related = ["demand", "product"]
    search_fields = ["demand__title", "product__name", "product__code"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["demand", "product", "merchant", "amount", "status", "valid_until", "created_at"]
    list_filter = ["status"]
    search_fields = ["demand__title", "product__name", "merchant__name"]


@admin.register(TermStat)
class TermStatAdmin(ReadOnlyAdmin):
    list_display = ["term", "df"]
    search_fields = ["term"]
    ordering = ["-df"]


@admin.register(CorpusStat)
class CorpusStatAdmin(ReadOnlyAdmin):
    list_display = ["documents", "total_length", "rebuilt_at"]
