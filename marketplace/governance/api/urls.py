"""Routes of the governance API, included under ``/api/v1/``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("audit-entries", views.AuditEntryViewSet, basename="audit-entry")
router.register("disputes", views.DisputeViewSet, basename="dispute")
router.register("disclosure/authorisations", views.AuthorisationViewSet, basename="disclosure-authorisation")

urlpatterns = [
    path("organizations/<int:pk>/credit/", views.CreditView.as_view(), name="api-organization-credit"),
    *router.urls,
]
