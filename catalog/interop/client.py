"""Outbound HTTP to peer exchanges: discovery, keys, certificates, the feed and signed requests.

Every call has a timeout and a size limit; every failure becomes a ``PeerError`` with a message
an operator can act on. Nothing here touches the database.
"""

import json
import time
import uuid
from urllib.parse import quote, urljoin, urlsplit

import requests
from django.conf import settings

from .. import signing
from ..codes import EXCHANGE_CODE_RE

PROTOCOL = "dxip/1"
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
DEFAULT_ENDPOINTS = {
    "certificate": "/interop/v1/certificates/{code}",
    "feed": "/interop/v1/feed",
    "recognitions": "/interop/v1/recognitions",
}
USER_AGENT = "data-exchange-interop/1 (dxip/1)"


class PeerError(Exception):
    """A peer could not be reached or answered something unusable."""

    def __init__(self, message: str, *, status: int | None = None, body=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body

    @property
    def retryable(self) -> bool:
        """Network trouble and server errors may pass; a 4xx answer will not change by itself (401 aside)."""
        return self.status is None or self.status >= 500 or self.status in (401, 408, 429)


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = False  # Peers are reached directly, never through a proxy from the environment.
    return session


def check_url(url: str) -> str:
    """An absolute http(s) URL; plain http only where ``INTEROP_ALLOW_HTTP`` allows it."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PeerError(f"not an absolute http(s) URL: {url!r}")
    if parts.scheme == "http" and not settings.INTEROP_ALLOW_HTTP:
        raise PeerError(f"peers must be reached over https: {url}")
    if parts.username or parts.password:
        raise PeerError("a peer URL must not carry credentials")
    return url


def normalize_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise PeerError("a base URL has no query or fragment")
    return check_url(url)


def _timeout(timeout: float | None) -> float:
    return timeout if timeout is not None else settings.PEER_HTTP_TIMEOUT_SECONDS


def _read(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise PeerError(f"the answer from {response.url} is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode_json(data: bytes, url: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PeerError(f"{url} did not answer JSON") from exc


def get_json(url: str, *, session: requests.Session | None = None, timeout: float | None = None):
    """GET ``url`` and decode its JSON body; non-2xx answers raise ``PeerError`` with the problem detail."""
    check_url(url)
    http = session or new_session()
    try:
        with http.get(
            url, timeout=_timeout(timeout), stream=True, allow_redirects=False, headers={"Accept": "application/json"}
        ) as response:
            body = _read(response)
            status = response.status_code
    except requests.RequestException as exc:
        raise PeerError(f"could not reach {url}: {exc.__class__.__name__}") from exc
    data = _decode_json(body, url) if body else None
    if not 200 <= status < 300:
        detail = data.get("detail") if isinstance(data, dict) else None
        raise PeerError(f"{url} answered {status}" + (f": {detail}" if detail else ""), status=status, body=data)
    return data


def endpoint_url(base_url: str, endpoints: dict, name: str, **params) -> str:
    template = (endpoints or {}).get(name) or DEFAULT_ENDPOINTS[name]
    for key, value in params.items():
        template = template.replace("{" + key + "}", quote(str(value), safe=""))
    if template.startswith(("http://", "https://")):
        return check_url(template)
    return base_url.rstrip("/") + "/" + template.lstrip("/")


def discover(base_url: str, *, session=None, timeout=None) -> dict:
    """Fetch and check a peer's discovery document (§1.1)."""
    base_url = normalize_base_url(base_url)
    doc = get_json(base_url + "/.well-known/data-exchange.json", session=session, timeout=timeout)
    if not isinstance(doc, dict) or doc.get("protocol") != PROTOCOL:
        raise PeerError(f"{base_url} does not speak {PROTOCOL}")
    code = doc.get("exchange_code")
    if not isinstance(code, str) or not EXCHANGE_CODE_RE.match(code):
        raise PeerError("the discovery document has no valid exchange code")
    if not isinstance(doc.get("jwks_uri"), str):
        raise PeerError("the discovery document has no jwks_uri")
    endpoints = doc.get("endpoints") if isinstance(doc.get("endpoints"), dict) else {}
    return {
        "exchange_code": code,
        "name": str(doc.get("name") or code)[:200],
        "base_url": base_url,
        "jwks_uri": check_url(urljoin(base_url + "/", doc["jwks_uri"])),
        "endpoints": {name: str(endpoints.get(name) or path) for name, path in DEFAULT_ENDPOINTS.items()},
    }


def fetch_jwks(jwks_uri: str, *, session=None, timeout=None) -> dict:
    """Fetch a peer's JWK Set and keep only what may be used: Ed25519 signing keys, never a private key."""
    jwks = get_json(jwks_uri, session=session, timeout=timeout)
    try:
        signing.validate_jwks(jwks)
    except signing.JWSError as exc:
        raise PeerError(f"{jwks_uri}: {exc.message}") from exc
    return {"keys": [jwk for jwk in jwks["keys"] if _usable(jwk)]}


def _usable(jwk) -> bool:
    try:
        signing.jwk_public_key(jwk)
    except signing.JWSError:
        return False
    return isinstance(jwk.get("kid"), str) and bool(jwk["kid"])


def fetch_certificate(peer, code: str, *, session=None, timeout=None) -> dict:
    """``GET /interop/v1/certificates/{code}`` at the peer (§4.1)."""
    url = endpoint_url(peer.base_url, peer.endpoints, "certificate", code=code)
    data = get_json(url, session=session, timeout=timeout)
    if not isinstance(data, dict) or not isinstance(data.get("certificate"), str):
        raise PeerError(f"{url} did not answer a certificate")
    return data


def fetch_feed(peer, *, after: int, limit: int = 1000, session=None, timeout=None) -> dict:
    """One page of the peer's feed (§4.2), checked for shape."""
    url = endpoint_url(peer.base_url, peer.endpoints, "feed") + f"?after={int(after)}&limit={int(limit)}"
    data = get_json(url, session=session, timeout=timeout)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("events"), list)
        or not all(isinstance(event, str) for event in data["events"])
    ):
        raise PeerError(f"{url} did not answer a feed page")
    data["has_more"] = bool(data.get("has_more"))
    return data


def signed_request(payload: dict, *, aud: str, now: float | None = None, jti: str | None = None) -> str:
    """A signed request body (§5): ``payload`` plus iss, aud, iat and a fresh jti, signed with our key."""
    body = {
        **payload,
        "iss": settings.EXCHANGE_CODE,
        "aud": aud,
        "iat": int(now if now is not None else time.time()),
        "jti": jti or uuid.uuid4().hex,
    }
    return signing.sign(body, signing.REQUEST_TYP)


def post_recognition(peer, *, code: str, listing_url: str, session=None, timeout=None) -> dict:
    """``POST /interop/v1/recognitions`` at the issuer (§4.3); returns its 201 answer."""
    url = endpoint_url(peer.base_url, peer.endpoints, "recognitions")
    check_url(url)
    token = signed_request({"code": code, "listing_url": listing_url}, aud=peer.exchange_code)
    http = session or new_session()
    try:
        with http.post(
            url,
            data=token.encode("ascii"),
            headers={"Content-Type": "application/jose", "Accept": "application/json"},
            timeout=_timeout(timeout),
            stream=True,
            allow_redirects=False,
        ) as response:
            body = _read(response)
            status = response.status_code
    except requests.RequestException as exc:
        raise PeerError(f"could not reach {url}: {exc.__class__.__name__}") from exc
    data = _decode_json(body, url) if body else None
    if status != 201:
        detail = data.get("detail") if isinstance(data, dict) else None
        raise PeerError(f"{url} answered {status}" + (f": {detail}" if detail else ""), status=status, body=data)
    return data
