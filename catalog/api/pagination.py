"""Pagination of the catalog API."""

from rest_framework.pagination import PageNumberPagination

from ..selectors import SearchPaginator


class CatalogPagination(PageNumberPagination):
    """Numbered pages (``count``, ``next``, ``previous``, ``results``) through ``SearchPaginator``."""

    django_paginator_class = SearchPaginator
