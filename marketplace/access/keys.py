"""API keys of the data API: ``dxk_<prefix>_<secret>``, stored as prefix + HMAC-SHA256.

Why a fast keyed hash and not a slow password hash: the secret is 256 bits from
``secrets`` (never chosen by a person), so guessing it is hopeless however fast the
hash; a slow hash (PBKDF2, Argon2) would only add milliseconds to every data call.
HMAC-SHA256 under a server-side pepper (``API_KEY_PEPPER``, else derived from
``SECRET_KEY``) means a copy of the database alone cannot even check a guess.
Rotating the pepper invalidates every key (buyers create new ones).
"""

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from django.conf import settings

KEY_RE = re.compile(r"^dxk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@lru_cache(maxsize=4)
def _pepper(secret_key: str, pepper: str) -> bytes:
    if pepper:
        return pepper.encode()
    return hmac.new(secret_key.encode(), b"data-exchange/api-key-pepper/v1", hashlib.sha256).digest()


def key_hash(key: str) -> str:
    """The stored form of a key: hex HMAC-SHA256 of the whole key under the pepper."""
    pepper = _pepper(settings.SECRET_KEY, settings.API_KEY_PEPPER)
    return hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()


def key_generate() -> tuple[str, str]:
    """A new key: ``(prefix, full key)``. The full key is shown once and never stored."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(12))
    return prefix, f"dxk_{prefix}_{secrets.token_urlsafe(32)}"


def key_parse(value: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    match = KEY_RE.match(value or "")
    return match.group(1) if match else None


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)
