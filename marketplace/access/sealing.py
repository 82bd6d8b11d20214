"""Secrets the exchange keeps for merchants: upstream credentials (encrypted) and verification digests.

Credentials are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key from
``UPSTREAM_CREDENTIAL_KEY`` or, when that is empty, derived from ``SECRET_KEY`` by
HKDF-SHA256 for this one purpose. Verification records are reduced to keyed digests
(HMAC-SHA256 under a key derived the same way) of normalised values: the exchange can
tell whether a submitted value equals the merchant's, never what the value was.
"""

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(secret_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())


@lru_cache(maxsize=4)
def _fernet(secret_key: str, configured: str) -> Fernet:
    if configured:
        return Fernet(configured.encode())
    return Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"data-exchange/upstream-credential/v1")))


def _credential_cipher() -> Fernet:
    return _fernet(settings.SECRET_KEY, settings.UPSTREAM_CREDENTIAL_KEY)


def credential_seal(plain: str) -> str:
    return _credential_cipher().encrypt(plain.encode()).decode() if plain else ""


def credential_open(sealed: str) -> str:
    """The plain credential; an empty string when none is stored or the key changed."""
    if not sealed:
        return ""
    try:
        return _credential_cipher().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


@lru_cache(maxsize=4)
def _digest_key(secret_key: str) -> bytes:
    return _derive(secret_key, b"data-exchange/verification-digest/v1")


def normalise(value) -> str:
    """Full-width to half-width, trimmed, case-folded: ``"９１３５０１００m"`` equals ``"91350100M"``."""
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().casefold()


def field_digest(table_id: int, column: str, value) -> str:
    """The keyed digest of one field of one table (a table's digests say nothing about another's)."""
    message = f"{table_id}\x1f{column}\x1f{normalise(value)}".encode()
    return hmac.new(_digest_key(settings.SECRET_KEY), message, hashlib.sha256).hexdigest()


def lookup_digest(table_id: int, columns: list[str], values: dict) -> str:
    """The digest of a record's key columns together, used to find it."""
    joined = "\x1e".join(field_digest(table_id, column, values.get(column)) for column in columns)
    return hashlib.sha256(joined.encode()).hexdigest()
