"""TEMPORARY placeholders (to be replaced by the page work)."""
from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404("TODO")


def review_queue(request, *args, **kwargs):
    raise Http404("TODO")


def review_detail(request, *args, **kwargs):
    raise Http404("TODO")


def review_action(request, *args, **kwargs):
    raise Http404("TODO")


def product_list(request, *args, **kwargs):
    raise Http404("TODO")


def objection_list(request, *args, **kwargs):
    raise Http404("TODO")


def objection_decide(request, *args, **kwargs):
    raise Http404("TODO")


def negative_list(request, *args, **kwargs):
    raise Http404("TODO")

