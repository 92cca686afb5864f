"""The lockstep passes of a sweep over a block of n independent 2-D runs ("lanes").

Every per-lane quantity lives in one C-contiguous array ``L`` (N_ROWS, n), one row per
quantity and lane r in column r, and every loop reads and writes ``L[ROW, r]`` with
constant rows. With one array LLVM proves the rows apart (they are at least n apart,
the loop's length) and vectorises the loops; with a dozen separate arrays it cannot
rule out overlaps within its budget of runtime checks and keeps them scalar (measured:
a momentum step 3x slower).

Rows: X, Y, V the lane's last accepted point and loss; NX, NY, NV, GX, GY the newest
point, its loss and gradient (NX/NY and GX/GY are adjacent, so ``L[NX:NX + 2]``
flattened is the (x's, y's) vector ``surface_eval_block`` reads); LOW the best
accepted loss; ACT 1.0 while the lane runs; LR its rate; C0..C4 its hyperparameter
row (``lanes_setup``); S0X..S2Y the optimizer state; BC1, BC2 Adam's bias
corrections when lanes have their own betas.

``lanes_check`` applies ``run.run_single``'s stop rules to the newest point without
branches and accepts it (X, Y, V) where it counts, so a lane that diverged still
holds its last finite point: no step copies the previous state. ``lanes_step`` then
steps every lane from its accepted point; the optimizer is dispatched once per pass.
Every coordinate goes through the same scalar update (``*_coord``) as
``optimizer_step``, so a lane rounds exactly like a single run with its settings (and
like torch.optim). Damped Newton needs a Hessian per lane and is not stepped here.
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
from .run import LOSS_BOUND

(X, Y, V, NX, NY, NV, GX, GY, LOW, ACT, LR, C0, C1, C2, C3, C4,
 S0X, S0Y, S1X, S1Y, S2X, S2Y, BC1, BC2) = range(24)  # fmt: skip
N_ROWS = 24
N_COLS = 5  # the most hyperparameters an optimizer has (Adam, RMSprop)

# knobs: a pass's scalars, read into locals once (never reloaded per lane).
K_X_LO, K_X_HI, K_Y_LO, K_Y_HI, K_ESCAPE, K_LIMIT, K_NX, K_NY, K_BC1, K_BC2 = range(10)
N_KNOBS = 10


@njit(cache=True, nogil=True, error_model="numpy")
def has_lanes(oid: int) -> bool:
    """Whether ``lanes_step`` steps optimizer ``oid`` (every one but Newton, id 8).

    An optimizer added to ``optimizer_step`` without a branch here still sweeps
    correctly: its runs go one by one.
    """
    return 0 <= oid <= 7 or oid == 9


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_setup(oid: int, hps: np.ndarray, lrs: np.ndarray, lo: int, L: np.ndarray) -> bool:
    """Fill LR and C0..C4 from rows lo..lo+n-1 of ``lrs`` and ``hps``; zero the state.

    Gradient descent's one column (weight decay) is laid out as SGD's four
    (momentum 0, dampening 0, weight decay, nesterov off) so both share a loop;
    Adagrad's sums start at each lane's initial_accumulator_value. Returns whether
    the block shares Adam's betas (then bias corrections are computed once per step).
    """
    n = L.shape[1]
    L[:] = 0.0
    for r in range(n):
        L[LR, r] = lrs[lo + r]
        for k in range(min(hps.shape[1], N_COLS)):
            L[C0 + k, r] = hps[lo + r, k]
    if oid == 0:
        for r in range(n):
            L[C2, r] = L[C0, r]
            L[C0, r] = 0.0
    elif oid == 4:
        for r in range(n):
            L[S0X, r] = L[C2, r]
            L[S0Y, r] = L[C2, r]
    shared = True
    for r in range(1, n):
        shared = shared and L[C0, r] == L[C0, 0] and L[C1, r] == L[C1, 0]
    return shared


@njit(cache=True, nogil=True, error_model="numpy")
def adam_corrections(L: np.ndarray, t: int) -> None:
    """BC1 = 1 - b1^t and BC2 = sqrt(1 - b2^t) per lane, for lanes with their own betas."""
    for r in range(L.shape[1]):
        L[BC1, r] = bias_correction(L[C0, r], t)
        L[BC2, r] = math.sqrt(bias_correction(L[C1, r], t))


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_check(L: np.ndarray, knobs: np.ndarray) -> int:
    """Each lane's stop rules at its newest point; returns how many running lanes stop.

    ``knobs`` gives the box (K_X_LO..K_Y_HI), whether leaving it is an escape (the
    point still counts) rather than divergence (K_ESCAPE), and the largest squared
    gradient norm that counts as converged (K_LIMIT, see ``batch.converge_limit``).
    A point counts when it is finite with |f| <= LOSS_BOUND and inside the box (or
    escaping); then it becomes the lane's accepted point and may lower LOW.
    abs(v) < inf is isfinite(v) without a branch; abs(f) <= LOSS_BOUND implies it.
    """
    x_lo, x_hi, y_lo, y_hi = knobs[K_X_LO], knobs[K_X_HI], knobs[K_Y_LO], knobs[K_Y_HI]
    escape = knobs[K_ESCAPE] != 0.0
    limit = knobs[K_LIMIT]
    events = 0
    for r in range(L.shape[1]):
        x = L[NX, r]
        y = L[NY, r]
        f = L[NV, r]
        gx = L[GX, r]
        gy = L[GY, r]
        finite = (
            (abs(x) < math.inf)
            & (abs(y) < math.inf)
            & (abs(f) <= LOSS_BOUND)
            & (abs(gx) < math.inf)
            & (abs(gy) < math.inf)
        )
        inside = (x >= x_lo) & (x <= x_hi) & (y >= y_lo) & (y <= y_hi)
        counts = finite & (inside | escape)
        # Every load before any select (see lanes_step).
        low, ox, oy, of, running = L[LOW, r], L[X, r], L[Y, r], L[V, r], L[ACT, r] != 0.0
        L[LOW, r] = f if counts & (f < low) else low
        L[X, r] = x if counts else ox
        L[Y, r] = y if counts else oy
        L[V, r] = f if counts else of
        events += running & ((not (finite & inside)) | (gx * gx + gy * gy <= limit))
    return events


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_step(oid: int, L: np.ndarray, t: int, knobs: np.ndarray) -> None:
    """Step ``t`` (from 1) of optimizer ``oid`` for every lane: from (X, Y) with gradient
    (GX, GY) plus the step's noise (K_NX, K_NY) to (NX, NY).

    Lanes that stopped are stepped too (their results are stored; stepping them costs
    less than a branch). Adam and AdamW use the step's shared bias corrections
    (K_BC1, K_BC2) when K_BC1 > 0 (a correction is never 0), else each lane's BC1,
    BC2. Unknown ids, and Newton, do nothing.
    """
    # A load inside a conditional expression is a branch LLVM cannot turn into a
    # select (the load might fault), which keeps a loop scalar: every row is loaded first.
    nx = knobs[K_NX]
    ny = knobs[K_NY]
    noisy = nx != 0.0 or ny != 0.0  # adding 0.0 would turn a -0.0 gradient into +0.0
    if oid == 0 or oid == 1 or oid == 2:
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            lr, mu, damp, wd, nest = L[LR, r], L[C0, r], L[C1, r], L[C2, r], L[C3, r] != 0.0
            L[NX, r], L[S0X, r] = sgd_coord(L[X, r], gx, L[S0X, r], t, lr, mu, damp, wd, nest)
            L[NY, r], L[S0Y, r] = sgd_coord(L[Y, r], gy, L[S0Y, r], t, lr, mu, damp, wd, nest)
    elif oid == 3:
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            L[NX, r], L[S0X, r] = heavy_ball_coord(L[X, r], gx, L[S0X, r], L[LR, r], L[C0, r])
            L[NY, r], L[S0Y, r] = heavy_ball_coord(L[Y, r], gy, L[S0Y, r], L[LR, r], L[C0, r])
    elif oid == 4:
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            clr = adagrad_lr(L[LR, r], t, L[C0, r])
            L[NX, r], L[S0X, r] = adagrad_coord(L[X, r], gx, L[S0X, r], clr, L[C1, r], L[C3, r])
            L[NY, r], L[S0Y, r] = adagrad_coord(L[Y, r], gy, L[S0Y, r], clr, L[C1, r], L[C3, r])
    elif oid == 5:
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            lr, alpha, eps, wd, mu = L[LR, r], L[C0, r], L[C1, r], L[C2, r], L[C3, r]
            cen = L[C4, r] != 0.0
            L[NX, r], L[S0X, r], L[S1X, r], L[S2X, r] = rmsprop_coord(
                L[X, r], gx, L[S0X, r], L[S1X, r], L[S2X, r], lr, alpha, eps, wd, mu, cen
            )
            L[NY, r], L[S0Y, r], L[S1Y, r], L[S2Y, r] = rmsprop_coord(
                L[Y, r], gy, L[S0Y, r], L[S1Y, r], L[S2Y, r], lr, alpha, eps, wd, mu, cen
            )
    elif oid == 6:
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            lr, gamma, eps = L[LR, r], L[C0, r], L[C1, r]
            L[NX, r], L[S0X, r] = rmsprop_lecture_coord(L[X, r], gx, L[S0X, r], lr, gamma, eps)
            L[NY, r], L[S0Y, r] = rmsprop_lecture_coord(L[Y, r], gy, L[S0Y, r], lr, gamma, eps)
    elif oid == 7 or oid == 9:
        bc1, bc2 = knobs[K_BC1], knobs[K_BC2]
        shared = bc1 > 0.0
        decoupled = oid == 9
        for r in range(L.shape[1]):
            gx, gy = L[GX, r], L[GY, r]  # loads stay out of conditional expressions
            gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
            lr, b1, b2, eps, wd = L[LR, r], L[C0, r], L[C1, r], L[C2, r], L[C3, r]
            ams = L[C4, r] != 0.0
            own1, own2 = L[BC1, r], L[BC2, r]
            step_size = lr / (bc1 if shared else own1)
            bc2_sqrt = bc2 if shared else own2
            L[NX, r], L[S0X, r], L[S1X, r], L[S2X, r] = adam_coord(
                L[X, r], gx, L[S0X, r], L[S1X, r], L[S2X, r], lr, step_size, bc2_sqrt, b1, b2,
                eps, wd, ams, decoupled,
            )  # fmt: skip
            L[NY, r], L[S0Y, r], L[S1Y, r], L[S2Y, r] = adam_coord(
                L[Y, r], gy, L[S0Y, r], L[S1Y, r], L[S2Y, r], lr, step_size, bc2_sqrt, b1, b2,
                eps, wd, ams, decoupled,
            )  # fmt: skip
