"""The sweep kernel's helpers: the sqrt-free convergence test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from losscape.numerics.batch import converge_limit, shared_adam_bias
from losscape.numerics.optimizers import bias_correction


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


def test_shared_adam_bias_is_each_steps_correction_once_per_sweep():
    """The sweep's table holds what a block computed at every pass (the same function,
    so the same bits), and only when every run shares Adam's betas."""
    hps = np.tile([0.9, 0.999, 1e-8, 0.0, 0.0], (5, 1))
    bias = shared_adam_bias(7, hps, 500)
    assert bias.shape == (2, 501)
    for t in (1, 2, 10, 380, 381, 500):
        assert bias[0, t] == bias_correction(0.9, t)
        assert bias[1, t] == math.sqrt(bias_correction(0.999, t))
    assert shared_adam_bias(9, hps, 10).shape == (2, 11)  # AdamW too
    own = hps.copy()
    own[3, 1] = 0.99  # one run with its own beta2: each block computes its own
    assert shared_adam_bias(7, own, 10).shape == (2, 0)
    assert shared_adam_bias(1, hps, 10).shape == (2, 0)  # not Adam
