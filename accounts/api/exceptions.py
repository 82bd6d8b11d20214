"""Maps domain errors to HTTP answers with a clear ``detail``."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.exceptions import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
