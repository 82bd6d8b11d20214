"""Routes of the access API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("entitlements", views.EntitlementViewSet, basename="entitlement")
router.register("api-keys", views.ApiKeyViewSet, basename="api-key")

urlpatterns = router.urls
