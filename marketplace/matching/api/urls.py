"""Routes of the matching API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("demands", views.DemandViewSet, basename="demand")
router.register("matches", views.MatchViewSet, basename="match")
router.register("offers", views.OfferViewSet, basename="offer")

urlpatterns = router.urls
