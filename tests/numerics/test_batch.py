"""The sweep kernel's helpers: the sqrt-free convergence test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from losscape.numerics.batch import converge_limit


@pytest.mark.parametrize("tol", [1e-10, 1e-8, 3e-7, 0.1, 1.0, 7.3, 1e150, 1e200])
def test_squared_norm_limit_gives_the_same_answer_as_sqrt(tol):
    """s <= limit must hold exactly when sqrt(s) < tol, also for the floats next to the limit."""
    limit = converge_limit(tol)
    assert math.sqrt(limit) < tol
    with np.errstate(over="ignore"):  # past the largest float, nextafter gives inf
        assert not math.sqrt(np.nextafter(limit, math.inf)) < tol
    rng = np.random.default_rng(0)
    near = tol * tol * (1.0 + rng.uniform(-1e-12, 1e-12, 2000))
    for s in np.concatenate([near, [0.0, tol * tol, math.inf, math.nan]]):
        assert (math.sqrt(s) < tol) == (s <= limit)


@pytest.mark.parametrize("tol", [0.0, -1.0, math.nan])
def test_no_tolerance_never_converges(tol):
    limit = converge_limit(tol)
    assert limit < 0.0  # below every squared norm
