"""Routes of the pricing API under /api/v1/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("guided-prices", views.GuidedPriceEntryViewSet, basename="guided-price")
router.register("plans", views.PlanViewSet, basename="plan")

urlpatterns = [
    re_path(r"^quotes/?$", views.QuoteView.as_view(), name="pricing-quote"),
    *router.urls,
]
