"""RFC 9457 problem details for every error of the interop API."""

import json

from django.http import HttpResponse

PROBLEM_TYPE_PREFIX = "urn:dxip:problem:"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8"

TITLES = {
    "invalid-code": "Not a valid registration code",
    "invalid-parameter": "Invalid query parameter",
    "invalid-request": "Invalid request",
    "unknown-registration": "Unknown registration",
    "registration-revoked": "Registration revoked",
    "unsigned-request": "Request not signed",
    "untrusted-peer": "Unknown or untrusted peer",
    "bad-signature": "Signature does not verify",
    "wrong-audience": "Request addressed to another exchange",
    "stale-request": "Stale request",
    "replayed-request": "Replayed request",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "internal-error": "Internal error",
}


def json_response(data: dict, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=JSON_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem(status: int, slug: str, detail: str, *, headers: dict | None = None, **extra) -> HttpResponse:
    """An ``application/problem+json`` answer with ``type``, ``title``, ``status`` and ``detail``."""
    body = {"type": PROBLEM_TYPE_PREFIX + slug, "title": TITLES.get(slug, slug), "status": status, "detail": detail}
    body.update(extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode("utf-8"), status=status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
