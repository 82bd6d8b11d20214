"""TEMPORARY placeholders (to be replaced by the page work)."""
from django.http import Http404


def home(request, *args, **kwargs):
    raise Http404("TODO")


def search(request, *args, **kwargs):
    raise Http404("TODO")


def notice_list(request, *args, **kwargs):
    raise Http404("TODO")


def product_detail(request, *args, **kwargs):
    raise Http404("TODO")


def objection_create(request, *args, **kwargs):
    raise Http404("TODO")

