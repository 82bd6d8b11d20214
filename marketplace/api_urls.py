"""REST API v1: each app contributes its routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("pricing.api.urls")),
    path("", include("marketplace.matching.api.urls")),
    path("", include("marketplace.orders.api.urls")),
    path("", include("marketplace.access.api.urls")),
    path("", include("marketplace.governance.api.urls")),
]
