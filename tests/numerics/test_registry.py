"""check_number: plain in-bound numbers pass (the fast path), everything else gets the
full check's message naming the argument and its bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from losscape.numerics.registry import check_number


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [(0.5, "float", 0.5), (2, "float", 2.0), (3, "int", 3.0), (np.float64(0.25), "float", 0.25),
     (4.0, "int", 4.0), (1, "bool", 1.0), (True, "bool", 1.0)],
)  # fmt: skip
def test_numbers_in_bounds_come_back_as_floats(value, kind, expected):
    got = check_number(value, "a", 0, 10, kind=kind)
    assert got == expected and type(got) is float


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [(math.nan, "float", "finite"), (math.inf, "float", "finite"), (-math.inf, "float", "finite"),
     (11.0, "float", "between 0 and 10"), (-1, "int", "between 0 and 10"),
     (2.5, "int", "whole number"), (True, "float", "must be a number"),
     ("3", "float", "must be a number"), (2, "bool", "true or false")],
)  # fmt: skip
def test_everything_else_is_refused_with_the_reason(value, kind, message):
    with pytest.raises(ValueError, match=message) as err:
        check_number(value, "steps", 0, 10, kind=kind)
    assert "steps" in str(err.value)


def test_infinite_bounds_still_refuse_infinite_values():
    with pytest.raises(ValueError, match="finite"):
        check_number(math.inf, "x", -math.inf, math.inf)
