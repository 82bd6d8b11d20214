"""Unified Social Credit Code validation (DESIGN §3.1)."""

import pytest

from accounts.uscc import uscc_problem
from tests.factories import make_uscc


def test_design_example_is_valid():
    assert uscc_problem("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y44", "check"),
        ("91350100M000100I43", "characters"),
        ("91350100m000100Y43", "characters"),
    ],
)
def test_invalid_codes_name_their_problem(code, problem):
    assert uscc_problem(code) == problem


def test_factory_codes_are_valid():
    codes = {make_uscc() for _ in range(50)}

    assert len(codes) == 50
    assert all(uscc_problem(code) is None for code in codes)
