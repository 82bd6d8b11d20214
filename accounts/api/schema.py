"""The OpenAPI schema documents the refusals every API view can give, not only the answers it was written for.

drf-spectacular documents what a view's ``extend_schema`` says (or 200/201/204). The refusals come from the
framework and from ``accounts.api.exceptions.exception_handler`` whatever the view: 400 for invalid input or a
domain error, 403 for a permission refused (DRF answers 403, not 401, to a caller without credentials because
session authentication comes first), 404 for an object not among those the caller may see or a page past the
end, 409 for a move the object's state forbids, 415 for a body DRF cannot parse. ``ExchangeAutoSchema`` adds
each one that can happen to an operation and that the view did not document itself
(tests/security/test_schemathesis.py holds the schema to it).
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.request import Request

SAFE = {"GET", "HEAD", "OPTIONS"}


class ApiErrorSerializer(serializers.Serializer):
    """A refusal: ``detail`` says why (with ``field`` and ``errors`` for a domain error); a validation error
    instead maps each field to its messages."""

    detail = serializers.CharField(required=False)
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)
    code = serializers.CharField(required=False)


REFUSALS = {
    "400": _("Invalid input, or a rule of the exchange refuses it: `detail` says why."),
    "403": _("Not allowed for this caller (or no credentials were sent)."),
    "404": _("No such object among those the caller may see (or no such page)."),
    "409": _("The object's state does not allow this now."),
    "415": _("The body is not in a media type this operation reads (or is malformed)."),
}


class ExchangeAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) with the refusals documented."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._refusals():
            if code not in responses:
                responses[code] = self._get_response_for_code(ApiErrorSerializer, code, direction=direction)
                responses[code]["description"] = str(REFUSALS[code])
        return dict(sorted(responses.items()))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # drf-spectacular's pattern for a decimal string accepts "" and "-" (every digit optional), which DRF refuses,
        # and a minus sign where the field has a minimum of zero or more.
        if isinstance(field, serializers.DecimalField) and "pattern" in schema and field.max_whole_digits:
            whole, places = field.max_whole_digits, field.decimal_places
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            schema["pattern"] = rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        return schema

    def get_auth(self):
        """Credentials are optional (``{}``) wherever no permission refuses an anonymous caller, as drf-spectacular
        says for AllowAny and IsAuthenticatedOrReadOnly but not for the project's own read-or-staff permissions."""
        auths = super().get_auth()
        if auths and {} not in auths and not self._refuses_anonymous():
            auths.append({})
        return auths

    def _refusals(self) -> list[str]:
        """The refusals this operation can give."""
        codes = []
        writes = self.method not in SAFE
        acts_for_organization = any(
            getattr(parameter, "name", None) == "X-Organization" for parameter in self.get_override_parameters()
        )
        if writes or acts_for_organization or self._takes_query():
            codes.append("400")
        restricted = self._refuses_anonymous()
        if restricted or acts_for_organization:
            codes.append("403")
        if "{" in self.path or self._is_paginated():
            codes.append("404")
        if writes and restricted and self.method != "DELETE":
            codes.append("409")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.append("415")
        return codes

    def _refuses_anonymous(self) -> bool:
        """Whether a permission class of the view refuses an anonymous caller of this method."""
        anonymous = HttpRequest()
        anonymous.method = self.method
        request = Request(anonymous)
        request.user = AnonymousUser()
        try:
            return not all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())
        except Exception:  # a permission that needs more of the request than this: assume it may refuse
            return True

    def _takes_query(self) -> bool:
        return bool(self._get_filter_parameters()) or self._is_paginated()

    def _is_paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
