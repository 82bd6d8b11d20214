"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015)."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(body: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def uscc_problem(code: str) -> str | None:
    """Return why ``code`` is not a valid USCC, or None when it is valid."""
    if len(code) != LENGTH:
        return "length"
    bad = [char for char in code if char not in ALPHABET]
    if bad:
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None
