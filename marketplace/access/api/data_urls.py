"""The data API, mounted under /data/v1/."""

from django.urls import path

from . import data

urlpatterns = [
    path("entitlements", data.EntitlementsView.as_view(), name="data-entitlements"),
    path("products/<str:code>/rows", data.DatasetRowsView.as_view(), name="data-rows"),
    path("products/<str:code>/verify", data.VerificationView.as_view(), name="data-verify"),
    path("products/<str:code>/upstream", data.UpstreamView.as_view(), name="data-upstream"),
]
