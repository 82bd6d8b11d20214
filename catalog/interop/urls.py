"""The interop API under /interop/v1/ (interop-v1 §1.2, §4)."""

from django.urls import path, re_path

from . import views

app_name = "interop"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("certificates/<str:code>", views.certificate, name="certificate"),
    path("feed", views.feed, name="feed"),
    path("recognitions", views.recognitions, name="recognitions"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
