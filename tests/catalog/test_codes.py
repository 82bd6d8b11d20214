"""Registration codes (interop-v1 §2)."""

import pytest

from catalog.codes import format_code, is_valid_code, mod37_36


def test_format_code_matches_the_protocol_example():
    """The protocol's own example code has check character L."""

    code = format_code("SHDX", 2026, "J", 123)

    assert code == "SHDX-2026-J-000123-L"


def test_is_valid_code_accepts_lower_case():
    assert is_valid_code("shdx-2026-j-000123-l")


@pytest.mark.parametrize("position", range(len("SHDX2026J000123")))
def test_check_character_detects_every_single_substitution(position):
    """Changing any one character of the body changes the check character."""
    body = "SHDX2026J000123"
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    original = mod37_36(body)

    for replacement in alphabet:
        if replacement != body[position]:
            changed = body[:position] + replacement + body[position + 1 :]
            assert mod37_36(changed) != original


@pytest.mark.parametrize(
    "code",
    [
        "SHDX-2026-J-000123-M",
        "SHDX-2026-U-000123-L",
        "S-2026-J-000123-L",
        "SHDX-2026-J-00123-L",
        "",
        "SHDX2026J000123L",
    ],
)
def test_is_valid_code_rejects_malformed_codes(code):
    assert not is_valid_code(code)


def test_sequence_may_grow_past_six_digits():
    code = format_code("BJDX", 2027, "C", 1234567)

    assert code.startswith("BJDX-2027-C-1234567-")
    assert is_valid_code(code)
