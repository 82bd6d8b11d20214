"""Binds a request id to each request so audit entries can name it."""

import re
import uuid

from . import context

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request.request_id = supplied if REQUEST_ID_RE.match(supplied) else uuid.uuid4().hex
        token = context.bind(request_id=request.request_id)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class CurrentOrganizationMiddleware:
    """Sets ``request.organization``: the organisation the person acts for (chosen in the session)."""

    SESSION_KEY = "organization_id"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from .selectors import organizations_of

            orgs = organizations_of(user)
            chosen = request.session.get(self.SESSION_KEY)
            request.organization = (orgs.filter(pk=chosen).first() if chosen else None) or orgs.order_by("pk").first()
        return self.get_response(request)
