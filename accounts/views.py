"""TEMPORARY placeholders (to be replaced by the page work)."""
from django.http import Http404

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


def signup(request, *args, **kwargs):
    raise Http404("TODO")


def dashboard(request, *args, **kwargs):
    raise Http404("TODO")


def organization_create(request, *args, **kwargs):
    raise Http404("TODO")


def organization_detail(request, *args, **kwargs):
    raise Http404("TODO")


def organization_switch(request, *args, **kwargs):
    raise Http404("TODO")


def member_add(request, *args, **kwargs):
    raise Http404("TODO")


def verification_queue(request, *args, **kwargs):
    raise Http404("TODO")


def organization_decide(request, *args, **kwargs):
    raise Http404("TODO")

