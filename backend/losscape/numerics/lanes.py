"""One optimizer step for a block of independent 2-D runs ("lanes"), each with its own lr
and hyperparameters.

Layout: lane r of a block of n owns coordinates r (its x) and n + r (its y) of
``theta`` and ``grad`` (2n,) and the same columns of ``state`` (MAX_STATE_SLOTS, 2n);
``lr`` (n,) is each lane's rate for this step and ``hps[lo + r]`` its hyperparameter
row. Every coordinate goes through the same scalar update (``*_coord``) as
``optimizer_step``, so a lane rounds exactly like a single run with its settings
(and like torch.optim). Adam's bias corrections are computed once per step when the
block shares its betas (an lr sweep), otherwise once per lane; either way with the
same ``bias_correction`` arithmetic.

One loop per optimizer over lanes, written without branches on per-lane settings
where the scalar updates allow it, so LLVM can vectorise it. Damped Newton needs a
Hessian per lane and is not stepped here (the batch runs it one run at a time).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .optimizers import (
    adagrad_coord,
    adagrad_lr,
    adam_coord,
    bias_correction,
    heavy_ball_coord,
    rmsprop_coord,
    rmsprop_lecture_coord,
    sgd_coord,
)


@njit(cache=True, nogil=True, error_model="numpy")
def has_lanes(oid: int) -> bool:
    """Whether ``lanes_step`` steps optimizer ``oid`` (every one but Newton, id 8).

    An optimizer added to ``optimizer_step`` without a branch here still sweeps
    correctly: its runs go one by one.
    """
    return 0 <= oid <= 7 or oid == 9


@njit(cache=True, nogil=True, error_model="numpy")
def shared_betas(hps: np.ndarray, lo: int, hi: int) -> bool:
    """True when rows lo..hi-1 of ``hps`` share columns 0 and 1 (Adam's betas)."""
    same = True
    if hps.shape[1] >= 2:
        for r in range(lo + 1, hi):
            same = same and hps[r, 0] == hps[lo, 0] and hps[r, 1] == hps[lo, 1]
    return same


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_init(oid: int, state: np.ndarray, hps: np.ndarray, lo: int, n: int) -> None:
    """Zero state, except Adagrad's sum at each lane's initial_accumulator_value."""
    state[:] = 0.0
    if oid == 4:
        for r in range(n):
            state[0, r] = hps[lo + r, 2]
            state[0, n + r] = hps[lo + r, 2]


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_step(
    oid: int,
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: np.ndarray,
    hps: np.ndarray,
    lo: int,
    n: int,
    betas_shared: bool,
) -> None:
    """One step of optimizer ``oid`` for every lane of the block (see the module docstring).

    ``t`` counts steps from 1. ``betas_shared``: every lane has the same (beta1, beta2)
    (only read by Adam and AdamW). Unknown ids, and Newton, do nothing.
    """
    if oid == 0 or oid == 1 or oid == 2:
        for k in range(2):
            for r in range(n):
                i = k * n + r
                h = lo + r
                if oid == 0:
                    mu, damp, wd, nest = 0.0, 0.0, hps[h, 0], False
                else:
                    mu, damp, wd, nest = hps[h, 0], hps[h, 1], hps[h, 2], hps[h, 3] != 0.0
                theta[i], state[0, i] = sgd_coord(
                    theta[i], grad[i], state[0, i], t, lr[r], mu, damp, wd, nest
                )
    elif oid == 3:
        for k in range(2):
            for r in range(n):
                i = k * n + r
                theta[i], state[0, i] = heavy_ball_coord(
                    theta[i], grad[i], state[0, i], lr[r], hps[lo + r, 0]
                )
    elif oid == 4:
        for k in range(2):
            for r in range(n):
                i = k * n + r
                h = lo + r
                clr = adagrad_lr(lr[r], t, hps[h, 0])
                theta[i], state[0, i] = adagrad_coord(
                    theta[i], grad[i], state[0, i], clr, hps[h, 1], hps[h, 3]
                )
    elif oid == 5:
        for k in range(2):
            for r in range(n):
                i = k * n + r
                h = lo + r
                theta[i], state[0, i], state[1, i], state[2, i] = rmsprop_coord(
                    theta[i], grad[i], state[0, i], state[1, i], state[2, i], lr[r], hps[h, 0],
                    hps[h, 1], hps[h, 2], hps[h, 3], hps[h, 4] != 0.0,
                )  # fmt: skip
    elif oid == 6:
        for k in range(2):
            for r in range(n):
                i = k * n + r
                theta[i], state[0, i] = rmsprop_lecture_coord(
                    theta[i], grad[i], state[0, i], lr[r], hps[lo + r, 0], hps[lo + r, 1]
                )
    elif oid == 7 or oid == 9:
        _adam_lanes(theta, grad, state, t, lr, hps, lo, n, betas_shared, oid == 9)


@njit(cache=True, nogil=True, error_model="numpy")
def _adam_lanes(
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: np.ndarray,
    hps: np.ndarray,
    lo: int,
    n: int,
    betas_shared: bool,
    decoupled: bool,
) -> None:
    """Adam / AdamW per lane: step_size = lr / (1 - b1^t), bc2_sqrt = sqrt(1 - b2^t)."""
    bc1 = bias_correction(hps[lo, 0], t)
    bc2_sqrt = math.sqrt(bias_correction(hps[lo, 1], t))
    for r in range(n):
        h = lo + r
        b1 = hps[h, 0]
        b2 = hps[h, 1]
        if not betas_shared:
            bc1 = bias_correction(b1, t)
            bc2_sqrt = math.sqrt(bias_correction(b2, t))
        step_size = lr[r] / bc1
        eps = hps[h, 2]
        wd = hps[h, 3]
        ams = hps[h, 4] != 0.0
        for i in (r, n + r):
            theta[i], state[0, i], state[1, i], state[2, i] = adam_coord(
                theta[i], grad[i], state[0, i], state[1, i], state[2, i], lr[r], step_size,
                bc2_sqrt, b1, b2, eps, wd, ams, decoupled,
            )  # fmt: skip
