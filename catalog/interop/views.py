"""The interop API (interop-v1 §1, §4, §5). JSON in and out; every error is an RFC 9457 problem."""

import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from accounts.exceptions import DomainError, InvalidTransition

from ..codes import is_valid_code, normalize_code
from ..services import recognition as recognition_services
from ..services.certificates import iso_utc
from . import selectors
from .client import PROTOCOL
from .problems import json_response, problem
from .signed import RequestRejected, authenticate

logger = logging.getLogger(__name__)


def endpoint(*methods: str):
    """Allow only ``methods`` (405 problem otherwise) and answer any unexpected failure as a 500 problem."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return problem(
                    405,
                    "method-not-allowed",
                    f"{request.method} is not allowed here.",
                    headers={"Allow": ", ".join(methods)},
                )
            try:
                return view(request, *args, **kwargs)
            except Exception:
                logger.exception("interop endpoint %s failed", request.path)
                return problem(500, "internal-error", "The exchange could not answer; try again later.")

        return csrf_exempt(wrapper)

    return decorate


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


@endpoint("GET", "HEAD")
def discovery(request):
    """``GET /.well-known/data-exchange.json`` (§1.1)."""
    return json_response(
        {
            "protocol": PROTOCOL,
            "exchange_code": settings.EXCHANGE_CODE,
            "name": settings.EXCHANGE_NAME,
            "base_url": settings.SITE_URL,
            "jwks_uri": _absolute("interop:jwks"),
            "endpoints": {
                "certificate": "/interop/v1/certificates/{code}",
                "feed": "/interop/v1/feed",
                "recognitions": "/interop/v1/recognitions",
            },
        },
        headers={"Cache-Control": "public, max-age=300"},
    )


@endpoint("GET", "HEAD")
def jwks(request):
    """``GET /interop/v1/jwks.json`` (§1.2): public keys only."""
    return json_response(selectors.published_jwks(), headers={"Cache-Control": "public, max-age=60"})


@endpoint("GET", "HEAD")
def certificate(request, code: str):
    """``GET /interop/v1/certificates/{code}`` (§4.1)."""
    if not is_valid_code(code):
        return problem(400, "invalid-code", f"{code!r} is not a valid registration code (format or check character).")
    issued = selectors.issued_certificate(code)
    if issued is None:
        return problem(404, "unknown-registration", f"No certificate for {normalize_code(code)} was issued here.")
    return json_response(
        {
            "code": issued.product.code,
            "certificate": issued.certificate.jws,
            "status": str(issued.status),
            "status_changed_at": iso_utc(issued.status_changed_at),
        }
    )


def _int_param(request, name: str, default: int, *, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}")
    return int(raw)


@endpoint("GET", "HEAD")
def feed(request):
    """``GET /interop/v1/feed?after={seq}&limit={n}`` (§4.2)."""
    try:
        after = _int_param(request, "after", 0, minimum=0)
        limit = min(_int_param(request, "limit", selectors.FEED_DEFAULT_LIMIT, minimum=1), selectors.FEED_MAX_LIMIT)
    except ValueError as exc:
        return problem(400, "invalid-parameter", str(exc) + ".")
    return json_response(selectors.feed_page(after=after, limit=limit))


@endpoint("GET", "HEAD", "POST")
def recognitions(request):
    """``GET`` the public list of recognitions of a code (§4.4); ``POST`` a signed recognition (§4.3)."""
    if request.method == "POST":
        return _recognition_post(request)
    code = request.GET.get("code", "")
    if not code:
        return problem(400, "invalid-parameter", "Give the registration code as ?code=.")
    if not is_valid_code(code):
        return problem(400, "invalid-code", f"{code!r} is not a valid registration code (format or check character).")
    if selectors.issued_certificate(code) is None:
        return problem(404, "unknown-registration", f"No certificate for {normalize_code(code)} was issued here.")
    return json_response(
        {
            "code": normalize_code(code),
            "recognized_by": [
                {
                    "exchange_code": r.recognized_by,
                    "listing_url": r.listing_url,
                    "recognized_at": iso_utc(r.recognized_at),
                }
                for r in selectors.recognitions_of(code)
            ],
        }
    )


def _recognition_post(request):
    try:
        signed = authenticate(request.body)
    except RequestRejected as exc:
        return problem(401, exc.slug, exc.detail, headers={"WWW-Authenticate": 'JWS realm="dxip"'})
    code = signed.payload.get("code")
    listing_url = signed.payload.get("listing_url")
    if not isinstance(code, str) or not is_valid_code(code):
        return problem(400, "invalid-code", f"{code!r} is not a valid registration code (format or check character).")
    if (
        not isinstance(listing_url, str)
        or len(listing_url) > 500
        or urlsplit(listing_url).scheme not in ("http", "https")
    ):
        return problem(400, "invalid-request", "listing_url must be an absolute http(s) URL.")
    try:
        recognition = recognition_services.recognition_record(peer=signed.peer, code=code, listing_url=listing_url)
    except recognition_services.UnknownRegistration as exc:
        return problem(404, "unknown-registration", exc.message)
    except InvalidTransition as exc:
        return problem(409, "registration-revoked", exc.message)
    except DomainError as exc:
        return problem(400, "invalid-request", exc.message)
    return json_response(
        {
            "code": recognition.code,
            "recognized_by": recognition.recognized_by,
            "recognized_at": iso_utc(recognition.recognized_at),
        },
        status=201,
    )


@endpoint("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
def not_found(request, rest: str = ""):
    """Anything else under /interop/v1/ is a 404 problem, not an HTML page."""
    return problem(404, "not-found", f"There is no interop resource at {request.path}.")
