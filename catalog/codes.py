"""Registration codes (产品登记编码), interop-v1 §2.

``{EXCHANGE}-{YYYY}-{S}-{NNNNNN}-{C}`` where ``C`` is the ISO/IEC 7064
MOD 37,36 check character over the code without hyphens.
"""

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECTIONS = "ABCDEFGHIJKLMNOPQRST"
CODE_RE = re.compile(r"^([A-Z][A-Z0-9]{1,7})-(\d{4})-([A-T])-(\d{6,})-([0-9A-Z])$")
EXCHANGE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def mod37_36(text: str) -> str:
    """Return the ISO/IEC 7064 MOD 37,36 check character for ``text``."""
    p = 36
    for char in text.upper():
        p = (p + ALPHABET.index(char)) % 36
        if p == 0:
            p = 36
        p = (2 * p) % 37
    return ALPHABET[(37 - p) % 36]


def format_code(exchange: str, year: int, section: str, number: int) -> str:
    """Build a complete code, check character included."""
    body = f"{exchange}-{year:04d}-{section}-{number:06d}"
    return f"{body}-{mod37_36(body.replace('-', ''))}"


def normalize_code(code: str) -> str:
    return code.strip().upper()


def is_valid_code(code: str) -> bool:
    """Whether ``code`` has the right shape and check character (case-insensitive)."""
    code = normalize_code(code)
    match = CODE_RE.match(code)
    if not match:
        return False
    body = code[: code.rindex("-")].replace("-", "")
    return mod37_36(body) == match.group(5)


def issuer_of(code: str) -> str:
    """The exchange code a (valid) registration code starts with."""
    return normalize_code(code).split("-", 1)[0]
