"""An independent RFC 6238 implementation, so the tests check the site's codes against the standard, not itself."""

import base64
import hashlib
import hmac
import struct
import time


def totp(secret: str | bytes, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """The code for ``secret`` (base32 text as shown to people, or raw bytes) at Unix time ``at`` (now)."""
    if isinstance(secret, str):
        text = secret.replace(" ", "").upper()
        secret = base64.b32decode(text + "=" * (-len(text) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{number:0{digits}d}"
