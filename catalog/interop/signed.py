"""Checking a signed request from a peer (interop-v1 §5) before anything it asks is done."""

import time
from dataclasses import dataclass

from django.conf import settings

from .. import signing
from ..models import Peer
from ..services import peers

MAX_CLOCK_DIFFERENCE_SECONDS = 300
MAX_JTI_LENGTH = 200


class RequestRejected(Exception):
    """A request the protocol says to refuse with 401; ``slug`` names the problem type."""

    def __init__(self, slug: str, detail: str):
        super().__init__(detail)
        self.slug = slug
        self.detail = detail


@dataclass(frozen=True)
class SignedRequest:
    peer: Peer
    payload: dict


def authenticate(body: bytes, *, now: float | None = None) -> SignedRequest:
    """Verify signature, caller, audience, freshness and uniqueness, in that order; the jti is then spent."""
    try:
        parsed = signing.parse(body)
    except signing.JWSError as exc:
        raise RequestRejected(
            "unsigned-request", f"The body must be a compact JWS signed by the caller: {exc.message}."
        ) from exc
    if not signing.typ_matches(parsed.header.get("typ"), signing.REQUEST_TYP):
        raise RequestRejected("unsigned-request", f"The request must be a JWS of type {signing.REQUEST_TYP}.")
    iss = parsed.payload.get("iss")
    peer = Peer.objects.filter(exchange_code=iss, is_trusted=True).first() if isinstance(iss, str) else None
    if peer is None:
        raise RequestRejected("untrusted-peer", f"The caller {iss!r} is not a peer this exchange trusts.")
    try:
        payload = peers._verify_with_refresh(
            peer, lambda jwks: signing.verify_parsed(parsed, signing.usable_keys(jwks), typ=signing.REQUEST_TYP)
        )
    except signing.JWSError as exc:
        raise RequestRejected("bad-signature", f"The signature does not verify with {iss}'s published keys.") from exc
    if payload.get("aud") != settings.EXCHANGE_CODE:
        raise RequestRejected(
            "wrong-audience", f"The request is addressed to {payload.get('aud')!r}, not to {settings.EXCHANGE_CODE}."
        )
    iat = payload.get("iat")
    now = time.time() if now is None else now
    if not isinstance(iat, int | float) or isinstance(iat, bool) or abs(now - iat) > MAX_CLOCK_DIFFERENCE_SECONDS:
        raise RequestRejected("stale-request", "The request's iat is missing or more than 300 seconds from our clock.")
    jti = payload.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise RequestRejected("unsigned-request", "The request carries no valid jti.")
    if not peers.replay_nonce_accept(iss=iss, jti=jti):
        raise RequestRejected(
            "replayed-request", "This jti was already used by the caller within the last 600 seconds."
        )
    return SignedRequest(peer=peer, payload=payload)
