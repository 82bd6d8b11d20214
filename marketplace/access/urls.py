"""Access pages (entitlements, keys, usage, merchants' data), mounted under /access/."""

from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    # Buyers.
    path("entitlements/", views.entitlements, name="entitlements"),
    path("keys/", views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("usage/", views.usage, name="usage"),
    # Merchants.
    path("merchant/usage/", views.merchant_usage, name="merchant_usage"),
    path("merchant/data/", views.my_data, name="my_data"),
    path("merchant/data/<int:pk>/", views.product_data, name="product_data"),
]
