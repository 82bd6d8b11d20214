"""Pricing pages, mounted under /pricing/."""

from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    # Public notice (公示) of the guided-price catalogue.
    path("guided/", views.guided_public, name="guided_public"),
    path("guided/<int:pk>/", views.guided_entry, name="guided_entry"),
    # Price authority.
    path("authority/", views.authority, name="authority"),
    path("authority/entries/new/", views.entry_create, name="entry_create"),
    path("authority/entries/<int:pk>/revise/", views.entry_revise, name="entry_revise"),
    path("authority/revenue/", views.revenue_authority, name="revenue_authority"),
    path("authority/revenue/<int:org_pk>/", views.revenue_detail, name="revenue_detail"),
    # Merchants and buyers.
    path("my/products/<int:pk>/plans/", views.plans, name="plans"),
    path("my/products/<int:pk>/plans/<int:plan_pk>/", views.plan_edit, name="plan_edit"),
    path("my/products/<int:pk>/plans/<int:plan_pk>/active/", views.plan_active, name="plan_active"),
    path("my/revenue/", views.my_revenue, name="my_revenue"),
    path("my/free-use/", views.my_free_use, name="my_free_use"),
    path("free-use/apply/<str:code>/", views.free_use_apply, name="free_use_apply"),
    # Operators.
    path("console/free-use/", views.free_use_queue, name="free_use_queue"),
    path("console/free-use/<int:pk>/<str:decision>/", views.free_use_decide, name="free_use_decide"),
    path("console/flagged-plans/", views.flagged_plans, name="flagged_plans"),
]
