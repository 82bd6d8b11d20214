"""TEMPORARY placeholders (to be replaced by the page work)."""
from django.http import Http404


def product_list(request, *args, **kwargs):
    raise Http404("TODO")


def product_create(request, *args, **kwargs):
    raise Http404("TODO")


def product_manage(request, *args, **kwargs):
    raise Http404("TODO")


def product_edit(request, *args, **kwargs):
    raise Http404("TODO")


def product_submit(request, *args, **kwargs):
    raise Http404("TODO")


def listing_action(request, *args, **kwargs):
    raise Http404("TODO")

