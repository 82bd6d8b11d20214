"""Outbound requests to merchants' upstream endpoints, refusing non-public addresses (SSRF).

The check happens before any connection: the host name is resolved once, every
address it resolves to must be public (``ipaddress``: not private, loopback,
link-local — which covers the cloud metadata address 169.254.169.254 —, multicast,
reserved or unspecified; an IPv4-mapped IPv6 address is judged by its IPv4 form),
and the connection then goes to that checked address (pinned), so a second DNS answer
cannot swap in an internal one (DNS rebinding). TLS still verifies the certificate
against the host name. ``UPSTREAM_ALLOWED_HOSTS`` (host names, addresses or CIDR
networks) is the explicit exception, empty in production and used by tests.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError

# Addresses refused whatever ``is_global`` says of them (cloud metadata services).
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UpstreamRefused(DomainError):
    """The endpoint's address is not allowed; nothing was sent."""

    status_code = 502
    code = "upstream_refused"


class UpstreamFailed(DomainError):
    """The upstream endpoint failed (timeout, too large, error status)."""

    status_code = 502
    code = "upstream_failed"


def address_is_public(address: str) -> bool:
    """Whether an IP address may be connected to: globally routable and not a metadata service."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    if ip in METADATA_ADDRESSES:
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def _allowlisted(host: str, address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    for entry in settings.UPSTREAM_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry == host.lower():
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def resolve_checked(host: str, port: int) -> list[str]:
    """Resolve ``host`` and return its addresses if every one is allowed; raise ``UpstreamRefused`` otherwise."""
    if not host:
        raise UpstreamRefused(_("The upstream endpoint has no host."))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UpstreamRefused(_("The upstream endpoint's host name does not resolve.")) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UpstreamRefused(_("The upstream endpoint's host name does not resolve."))
    for address in addresses:
        if not (address_is_public(address) or _allowlisted(host, address)):
            raise UpstreamRefused(
                _("The upstream endpoint resolves to a private, loopback or link-local address; it is refused.")
            )
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host resolves to a refused address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamRefused(_("Use an http:// or https:// URL."))
    if parts.username or parts.password:
        raise UpstreamRefused(_("Put the credential in the credential field, not in the URL."))
    resolve_checked(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


class _PinnedMixin:
    """Connect to the checked address while keeping the host name for Host, SNI and the certificate."""

    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned_address = address
        self._create_connection = self._connect_pinned

    def _connect_pinned(self, target, timeout, source_address=None):
        return socket.create_connection((self._pinned_address, target[1]), timeout, source_address)


class PinnedHTTPConnection(_PinnedMixin, http.client.HTTPConnection):
    pass


class PinnedHTTPSConnection(_PinnedMixin, http.client.HTTPSConnection):
    pass


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    content_type: str
    body: bytes


def fetch(
    *,
    url: str,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> UpstreamResponse:
    """One request to a checked, pinned address, with a deadline and a size limit; redirects are not followed."""
    timeout = float(timeout or settings.UPSTREAM_TIMEOUT_SECONDS)
    max_bytes = int(max_bytes or settings.UPSTREAM_MAX_BYTES)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpstreamRefused(_("Use an http:// or https:// URL."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port)[0]
    if parts.scheme == "https":
        connection = PinnedHTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context(), address=address
        )
    else:
        connection = PinnedHTTPConnection(parts.hostname, port, timeout=timeout, address=address)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise UpstreamFailed(_("The upstream response is larger than the limit."))
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise UpstreamFailed(_("The upstream endpoint did not answer in time."))
            chunk = response.read(min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise UpstreamFailed(_("The upstream response is larger than the limit."))
        return UpstreamResponse(
            status=response.status,
            content_type=response.getheader("Content-Type") or "application/octet-stream",
            body=b"".join(chunks),
        )
    except TimeoutError as exc:
        raise UpstreamFailed(_("The upstream endpoint did not answer in time.")) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise UpstreamFailed(_("The upstream endpoint could not be reached.")) from exc
    finally:
        connection.close()
