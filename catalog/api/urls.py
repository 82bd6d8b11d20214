"""Routes of the catalog API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("catalog/products", views.CatalogProductViewSet, basename="catalog-product")
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("review", views.ReviewViewSet, basename="review")

urlpatterns = router.urls
