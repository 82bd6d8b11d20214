"""The data API (``/data/v1/``): authenticated by API key, authorised by entitlement, metered.

Views parse the input, hand ``dataapi.serve`` two small functions (check, then work)
and render what comes back. Every answer is JSON with a ``detail`` and a stable
``code`` when refused; the upstream proxy passes the merchant's answer through.
"""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.exceptions import DomainError

from .. import dataapi, netguard, sealing, selectors
from ..cached import TableRef
from ..dataapi import CallRefused
from ..models import QuotaUnit

MAX_BODY = 64 * 1024


class KeyPrincipal:
    """Who calls: an organisation through one of its keys (no person is signed in)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, key):
        self.key = key
        self.organization_id = key.organization_id

    def __str__(self):
        return f"key {self.key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer dxk_<prefix>_<secret>``."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        try:
            key = dataapi.authenticate(header)
        except CallRefused as refused:
            error = exceptions.AuthenticationFailed if refused.status == 401 else exceptions.PermissionDenied
            raise error(refused.body) from refused
        return KeyPrincipal(key), key

    def authenticate_header(self, request):
        return 'Bearer realm="data"'


class HasApiKey(BasePermission):
    message = {"detail": "Send your API key as “Authorization: Bearer <key>”.", "code": "not_authenticated"}

    def has_permission(self, request, view):
        return isinstance(request.user, KeyPrincipal)


class DataView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    throttle_classes = []

    @staticmethod
    def refused(error: CallRefused) -> Response:
        return Response(error.body, status=error.status, headers=error.headers)

    @staticmethod
    def quota_of(outcome) -> dict:
        entitlement = outcome.entitlement
        return {"unit": entitlement.unit, "limit": entitlement.quota, "charged": outcome.units}


def _table(table: TableRef | None) -> TableRef:
    if table is None:
        raise CallRefused(503, "no_data", _("The merchant has not loaded the data of this product yet."))
    return table


ROWS_PARAMETERS = [
    OpenApiParameter("fields", str, description="Columns to return, comma-separated (default: all)."),
    OpenApiParameter("limit", int, description="Rows per page (at most DATA_API_MAX_PAGE_SIZE)."),
    OpenApiParameter("after", int, description="The cursor from the previous page's `next`."),
    OpenApiParameter(
        "filter[column]", str, description="Only rows whose column equals the value; several filters combine."
    ),
]


class DatasetRowsView(DataView):
    """Query a dataset product: filters on columns, field selection, paging. No bulk export: pages are capped."""

    @extend_schema(
        parameters=ROWS_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT,
                   403: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )  # fmt: skip
    def get(self, request, code):
        query = request.query_params
        params = {k: query.getlist(k) if len(query.getlist(k)) > 1 else query.get(k) for k in sorted(query)}

        def prepare(entitlement, table):
            table = _table(table)
            errors = {}
            fields = [f.strip() for f in (query.get("fields") or "").split(",") if f.strip()] or list(table.columns)
            unknown = [f for f in fields if f not in table.columns]
            if unknown:
                errors["fields"] = _("Unknown columns: %(cols)s.") % {"cols": ", ".join(unknown)}
            filters = {}
            for name in query:
                if name in ("fields", "limit", "after"):
                    continue
                if not (name.startswith("filter[") and name.endswith("]")):
                    errors[name] = _("Unknown parameter.")
                    continue
                column = name[len("filter[") : -1]
                if column not in table.columns:
                    errors[name] = _("Unknown column.")
                else:
                    filters[column] = query.get(name)
            limit = _int(query.get("limit"), default=20, low=1, high=settings.DATA_API_MAX_PAGE_SIZE, name="limit",
                         errors=errors)  # fmt: skip
            after = _int(query.get("after"), default=0, low=0, high=2**31 - 1, name="after", errors=errors)
            if errors:
                raise DomainError(_("The query is not valid."), errors=errors)
            return (table, filters, fields, limit, after), limit

        def run(work):
            table, filters, fields, limit, after = work
            rows, next_cursor = selectors.dataset_page(
                table_id=table.id, filters=filters, fields=fields, limit=limit, after=after
            )
            return {"product": code, "columns": fields, "rows": rows, "next": next_cursor}, len(rows)

        try:
            outcome = dataapi.serve_read(
                key=request.auth, endpoint="dataset", code=code, params=params, prepare=prepare, run=run
            )
        except CallRefused as refused:
            return self.refused(refused)
        return Response({**outcome.payload, "quota": self.quota_of(outcome)})


def _int(value, *, default: int, low: int, high: int, name: str, errors: dict) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors[name] = _("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return default
    return number


class VerificationView(DataView):
    """Verify a record (核验): send its key fields and the fields to check; get match / no match per field."""

    @extend_schema(
        request=inline_serializer(
            "VerificationRequest", {"fields": serializers.DictField(child=serializers.CharField())}
        ),
        responses={200: inline_serializer("VerificationResult", {
            "match": serializers.BooleanField(), "found": serializers.BooleanField(),
            "fields": serializers.DictField(child=serializers.BooleanField()),
        }), 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )  # fmt: skip
    def post(self, request, code):
        submitted = request.data.get("fields") if isinstance(request.data, dict) else None

        def prepare(entitlement, table):
            table = _table(table)
            if not isinstance(submitted, dict) or not submitted:
                raise DomainError(_('Send {"fields": {column: value, …}}.'), field="fields")
            errors = {}
            for column, value in submitted.items():
                if column not in table.columns:
                    errors[column] = _("Unknown column.")
                elif not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > 500:
                    errors[column] = _("A text value of at most 500 characters.")
            missing = [c for c in table.lookup_columns if c not in submitted]
            if missing:
                errors["fields"] = _("Include the key columns: %(cols)s.") % {"cols": ", ".join(missing)}
            if not [c for c in submitted if c not in table.lookup_columns]:
                errors.setdefault("fields", _("Include at least one column to verify besides the key."))
            if errors:
                raise DomainError(_("The verification request is not valid."), errors=errors)
            return (table, {c: str(v) for c, v in submitted.items()}), 1

        def run(work):
            table, values = work
            return selectors.verification_check(
                table_id=table.id, lookup_columns=table.lookup_columns, submitted=values
            ), 1

        # The digest of what was asked, never the values themselves.
        params = (
            {"fields": {c: sealing.normalise(v) for c, v in submitted.items()}} if isinstance(submitted, dict) else {}
        )
        try:
            outcome = dataapi.serve_read(
                key=request.auth, endpoint="verification", code=code, params=params, prepare=prepare, run=run
            )
        except CallRefused as refused:
            return self.refused(refused)
        return Response({**outcome.payload, "quota": self.quota_of(outcome)})


SAFE_CONTENT_TYPES = ("application/json", "text/plain", "text/csv", "application/xml", "text/xml")


class UpstreamView(DataView):
    """Call an upstream API product: the exchange forwards your query to the merchant's endpoint."""

    parser_classes = []

    def _proxy(self, request, code):
        if request.method == "POST" and len(request.body) > MAX_BODY:
            return Response({"detail": _("The body is larger than 64 KB."), "code": "invalid_request"}, status=400)
        query = [(k, v) for k in sorted(request.query_params) for v in request.query_params.getlist(k)]
        body = request.body if request.method == "POST" else None

        def prepare(entitlement, _table):
            endpoint = selectors.upstream_of_product_id(entitlement.product_id)
            if endpoint is None:
                raise CallRefused(503, "no_data", _("The merchant has not registered its endpoint yet."))
            if request.method != endpoint.method:
                raise DomainError(_("Call this product with %(method)s.") % {"method": endpoint.method})
            parts = urlsplit(endpoint.url)
            merged = "&".join(filter(None, [parts.query, urlencode(query)]))
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, merged, ""))
            headers = {
                "Accept": request.headers.get("Accept", "application/json"),
                "User-Agent": f"data-exchange-proxy/{settings.EXCHANGE_CODE}",
                "X-Request-ID": getattr(request, "request_id", ""),
            }
            credential = sealing.credential_open(endpoint.credential_encrypted)
            if credential:
                headers[endpoint.auth_header] = credential
            if body is not None:
                headers["Content-Type"] = request.headers.get("Content-Type", "application/json")
            return (url, endpoint.method, headers), 1

        def run(work):
            url, method, headers = work
            answer = netguard.fetch(url=url, method=method, headers=headers, body=body)
            if answer.status >= 500 or 300 <= answer.status < 400:
                raise netguard.UpstreamFailed(
                    _("The upstream endpoint answered %(status)s.") % {"status": answer.status}
                )
            return answer, 1

        try:
            outcome = dataapi.serve_upstream(
                key=request.auth,
                code=code,
                params={"method": request.method, "query": query, "body_bytes": len(body or b"")},
                prepare=prepare,
                run=run,
            )
        except CallRefused as refused:
            return self.refused(refused)
        answer = outcome.payload
        content_type = answer.content_type.split(";")[0].strip().lower()
        response = HttpResponse(
            answer.body,
            status=answer.status,
            content_type=answer.content_type if content_type in SAFE_CONTENT_TYPES else "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Quota-Charged"] = str(outcome.units)
        return response

    @extend_schema(responses={200: OpenApiTypes.BINARY, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT,
                              429: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT})  # fmt: skip
    def get(self, request, code):
        return self._proxy(request, code)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.BINARY, 401: OpenApiTypes.OBJECT,
                   403: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT, 502: OpenApiTypes.OBJECT})  # fmt: skip
    def post(self, request, code):
        return self._proxy(request, code)


class EntitlementsView(DataView):
    """Your organisation's entitlements and their remaining quota (not metered)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT})
    def get(self, request):
        items = []
        for entitlement in selectors.entitlements_of_id(request.user.organization_id).order_by("expires_at"):
            items.append(
                {
                    "product": entitlement.product.code,
                    "product_name": entitlement.product.name,
                    "plan": entitlement.plan.name,
                    "mode": entitlement.delivery_mode,
                    "status": entitlement.status,
                    "unit": entitlement.unit,
                    "quota": entitlement.quota,
                    "used": entitlement.used,
                    "remaining": entitlement.remaining,
                    "monthly": entitlement.monthly,
                    "period_ends_at": entitlement.period_ends_at,
                    "starts_at": entitlement.starts_at,
                    "expires_at": entitlement.expires_at,
                    "usable": entitlement.is_usable(),
                }
            )
        return Response({"entitlements": items, "units": QuotaUnit.values})
