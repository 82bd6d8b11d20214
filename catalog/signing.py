"""Ed25519 keys, JWK Sets and compact JWS (interop-v1 §1, §3, §5).

Only Ed25519 is spoken: a token's ``alg`` must be ``Ed25519`` (RFC 9864) or the
older ``EdDSA``, and the key must be an OKP key on curve Ed25519. Anything
else is refused before any cryptography runs.

The exchange's private key is never stored in the database: it comes from the
``SIGNING_KEY`` environment variable (PEM) or from ``SIGNING_KEY_FILE``, which
is generated on first use for the embedded default. A key's ``kid`` is its
RFC 7638 thumbprint, so the same key always has the same id.
"""

import base64
import binascii
import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ACCEPTED_ALGS = frozenset({"Ed25519", "EdDSA"})
SIGNING_ALG = "Ed25519"
CERT_TYP = "dx-cert+jws"
EVENT_TYP = "dx-event+jws"
REQUEST_TYP = "dx-req+jws"
MAX_TOKEN_LENGTH = 64 * 1024


class JWSError(Exception):
    """A token that cannot be accepted. ``reason`` is a stable short code, the message says why."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


# --- base64url and JSON ------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or any(ch in text for ch in "=+/ \n\t"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def json_bytes(value: dict) -> bytes:
    """Compact UTF-8 JSON, the encoding every token and payload here uses."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")


# --- keys ----------------------------------------------------------------------


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """The public JWK of ``public_key``, with its thumbprint as ``kid``."""
    x = b64url_encode(raw_public_bytes(public_key))
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint_of_x(x), "alg": SIGNING_ALG, "use": "sig"}


def thumbprint_of_x(x: str) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an Ed25519 public key."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def jwk_public_key(jwk: dict) -> Ed25519PublicKey:
    """The Ed25519 public key of a JWK; refuses any other key type, curve or algorithm, and private keys."""
    if not isinstance(jwk, dict):
        raise JWSError("bad_key", "a key must be a JSON object")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise JWSError("bad_key", "only OKP keys on curve Ed25519 are accepted")
    if jwk.get("alg") not in (None, *ACCEPTED_ALGS):
        raise JWSError("bad_key", "the key is for another algorithm")
    if jwk.get("use") not in (None, "sig"):
        raise JWSError("bad_key", "the key is not a signing key")
    if "d" in jwk:
        raise JWSError("bad_key", "a published key set must never hold a private key")
    try:
        raw = b64url_decode(jwk.get("x", ""))
        if len(raw) != 32:
            raise ValueError("wrong length")
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise JWSError("bad_key", "the key's x is not a 32-byte Ed25519 public key") from exc


def fingerprint(jwk: dict) -> str:
    """SHA-256 of the raw public key, upper-case hex in groups of four, for people to compare."""
    digest = hashlib.sha256(b64url_decode(jwk["x"])).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def usable_keys(jwks: dict) -> dict[str, Ed25519PublicKey]:
    """``kid`` → public key for each acceptable key of a JWK Set; unacceptable entries are skipped."""
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in (jwks or {}).get("keys", []) if isinstance(jwks, dict) else []:
        try:
            key = jwk_public_key(jwk)
        except JWSError:
            continue
        if isinstance(jwk.get("kid"), str) and jwk["kid"]:
            keys[jwk["kid"]] = key
    return keys


def validate_jwks(jwks) -> dict:
    """Check a fetched JWK Set: an object with at least one usable Ed25519 key and no private key."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JWSError("bad_jwks", "the key set is not a JWK Set")
    for jwk in jwks["keys"]:
        if isinstance(jwk, dict) and "d" in jwk:
            raise JWSError("bad_jwks", "the key set publishes a private key")
    if not usable_keys(jwks):
        raise JWSError("bad_jwks", "the key set holds no Ed25519 signing key")
    return jwks


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key_pem(pem: bytes | str) -> Ed25519PrivateKey:
    if isinstance(pem, str):
        pem = pem.encode("ascii")
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write a PEM key readable by its owner only; never overwrites an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_key_pem(key))


@dataclass(frozen=True)
class SigningKeyPair:
    kid: str
    private_key: Ed25519PrivateKey
    jwk: dict
    source: str  # "env" or the file path


_cache: dict[tuple, SigningKeyPair] = {}
_lock = threading.Lock()


def current_signing_key() -> SigningKeyPair:
    """The exchange's signing key now: ``SIGNING_KEY`` (PEM) if set, else ``SIGNING_KEY_FILE`` (created if missing)."""
    pem = getattr(settings, "SIGNING_KEY", "") or ""
    if pem.strip():
        cache_key = ("env", hashlib.sha256(pem.encode()).hexdigest())
        source = "env"
    else:
        path = Path(settings.SIGNING_KEY_FILE)
        with _lock:
            if not path.exists():
                with contextlib.suppress(FileExistsError):  # Another process created it first.
                    write_private_key(path, generate_private_key())
        stat = path.stat()
        cache_key = ("file", str(path), stat.st_mtime_ns, stat.st_ino)
        source = str(path)
    pair = _cache.get(cache_key)
    if pair is None:
        key = load_private_key_pem(pem if source == "env" else Path(source).read_bytes())
        jwk = public_jwk(key.public_key())
        pair = SigningKeyPair(kid=jwk["kid"], private_key=key, jwk=jwk, source=source)
        _cache.clear()
        _cache[cache_key] = pair
    return pair


# --- compact JWS -----------------------------------------------------------------


def sign_with(private_key: Ed25519PrivateKey, kid: str, payload: dict, typ: str) -> str:
    header = {"alg": SIGNING_ALG, "typ": typ, "kid": kid}
    signing_input = b64url_encode(json_bytes(header)) + "." + b64url_encode(json_bytes(payload))
    signature = private_key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def sign(payload: dict, typ: str) -> str:
    """Sign ``payload`` with the exchange's current key; a compact JWS."""
    pair = current_signing_key()
    return sign_with(pair.private_key, pair.kid, payload, typ)


@dataclass(frozen=True)
class ParsedJWS:
    header: dict
    payload: dict
    signing_input: bytes
    signature: bytes

    @property
    def kid(self) -> str | None:
        return self.header.get("kid")


def parse(token: str) -> ParsedJWS:
    """Split and decode a compact JWS without verifying it; refuses anything but Ed25519 JSON tokens."""
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise JWSError("malformed", "not a compact JWS") from exc
    if not isinstance(token, str):
        raise JWSError("malformed", "not a compact JWS")
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise JWSError("malformed", "not a compact JWS (three base64url parts separated by dots)")
    header_b64, payload_b64, signature_b64 = token.split(".")
    try:
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64).decode("utf-8"))
        signature = b64url_decode(signature_b64)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JWSError("malformed", "the token's parts are not base64url JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JWSError("malformed", "the header and payload must be JSON objects")
    if header.get("alg") not in ACCEPTED_ALGS:
        raise JWSError("bad_alg", "only Ed25519 signatures are accepted")
    if "crit" in header:
        raise JWSError("malformed", "critical header parameters are not understood")
    if len(signature) != 64:
        raise JWSError("bad_signature", "the signature is not an Ed25519 signature")
    return ParsedJWS(header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def typ_matches(value, expected: str) -> bool:
    """RFC 7515 §4.1.9: ``typ`` is compared case-insensitively, with or without the ``application/`` prefix."""
    if not isinstance(value, str):
        return False
    value = value.lower()
    return value.removeprefix("application/") == expected.lower()


def verify_parsed(parsed: ParsedJWS, keys: dict[str, Ed25519PublicKey], *, typ: str | None = None) -> dict:
    """Verify a parsed token against ``kid`` → key; returns the payload."""
    if typ is not None and not typ_matches(parsed.header.get("typ"), typ):
        raise JWSError("bad_typ", f"expected a token of type {typ}")
    kid = parsed.kid
    if kid is not None:
        key = keys.get(kid)
        if key is None:
            raise JWSError("unknown_key", "the token was signed by a key the issuer does not publish")
        candidates = [key]
    else:
        candidates = list(keys.values())
    for key in candidates:
        try:
            key.verify(parsed.signature, parsed.signing_input)
            return parsed.payload
        except InvalidSignature:
            continue
    raise JWSError("bad_signature", "the signature does not verify: the content was altered or signed by another key")


def verify(token: str, jwks: dict, *, typ: str | None = None) -> dict:
    """Verify a compact JWS against a JWK Set; returns its payload or raises ``JWSError``."""
    return verify_parsed(parse(token), usable_keys(jwks), typ=typ)
