"""Pages of demands and matching, mounted under /demands/."""

from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("new/", views.demand_create, name="create"),
    path("mine/", views.my_demands, name="mine"),
    path("for-you/", views.inbox, name="inbox"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/edit/", views.demand_edit, name="edit"),
    path("<int:pk>/close/", views.demand_close, name="close"),
    path("<int:pk>/offers/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
]
