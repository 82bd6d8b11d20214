"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from catalog.interop import views as interop_views

urlpatterns = [
    path("", include("catalog.urls")),
    path("accounts/", include("accounts.urls")),
    path("pricing/", include("pricing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The interop protocol between exchanges (interop-v1.md).
    path(".well-known/data-exchange.json", interop_views.discovery, name="interop-discovery"),
    path("interop/v1/", include("catalog.interop.urls")),
    path("orders/", include("marketplace.orders.urls")),
    path("access/", include("marketplace.access.urls")),
    path("demands/", include("marketplace.matching.urls")),
    path("", include("marketplace.governance.urls")),
    # The metered data API, authenticated by API key (not by session).
    path("data/v1/", include("marketplace.access.api.data_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("marketplace.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation pages load every script from a file: the Content Security Policy allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_override(settings.SECURE_CSP_REDOC)(
            SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html")
        ),
        name="api-redoc",
    ),
]
# A path no route matches answers JSON under /api/ and /data/ (their clients read JSON), the HTML page elsewhere.
handler404 = "accounts.api.exceptions.page_not_found"
