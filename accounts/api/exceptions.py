"""Maps domain errors to HTTP answers with a clear ``detail``."""

from django.http import JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.exceptions import DomainError

API_PREFIXES = ("/api/", "/data/")


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)


def page_not_found(request, exception):
    """The project's 404 page (``handler404``): JSON under the APIs, whose clients read JSON, the HTML page elsewhere.

    A path no route matches (``/api/v1/api-keys/0.5/``) never reaches DRF, so without this an API client would
    get Django's HTML page for a 404 the schema documents as JSON.
    """
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
