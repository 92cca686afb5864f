"""A second floor for the sweeps: a minimal hand-written loop that returns what a sweep
returns, not just where each run ends.

``bench_core``'s bare lane floors (``floor_momentum_lanes``) step every lane for every
step and return its last point: no loss, no best loss, no stop rule, no steps taken.
A basin map or an lr x momentum map answers with each run's final point and loss, how
many steps it took and why it stopped (converged, diverged, escaped, done), so every
step of every lane has to compute its loss and test the rules that ``run.run_single``
states:

- a point counts when its loss and gradient are finite, |loss| <= 1e100 and, from
  step 1 on, it lies inside the box;
- a point that does not count stops its run (diverged: the run reports the point
  before it), a point whose squared gradient norm is at most ``limit`` stops it too
  (converged), except at the last step.

``floor_momentum_lanes_checked`` does that and nothing more (not even the best loss,
which an lr sweep returns and the maps do not, and which losscape's lanes keep for
every sweep), for Rosenbrock or Himmelblau with torch's SGD momentum;
``floor_adam_lanes_checked`` does it for an lr sweep with torch's Adam on Rosenbrock,
with the best loss. Both run blocks of lanes, branch-free selects and every per-lane
number in one array (see the loops) so that LLVM vectorises them. Their outputs are
checked against losscape's in ``bench_core`` before they are timed, so the two do the
same work.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FLOOR_BLOCK = 256
# The rows of the work array: the point, the last accepted point and loss, whether the lane
# runs, steps taken and its lr; then momentum's buffer and mu, or Adam's best loss and
# moments.
X, Y, PX, PY, PF, ACT, TK, LR = range(8)
BX, BY, MU = 8, 9, 10
N_W = 11
BF, MX, MY, VX, VY = 8, 9, 10, 11, 12
N_WA = 13


@njit(cache=False, nogil=True, error_model="numpy", inline="always")
def _rules(
    W: np.ndarray,
    i: int,
    t: int,
    xi: float,
    yi: float,
    f: float,
    gx: float,
    gy: float,
    lim: float,
    x_lo: float,
    x_hi: float,
    y_lo: float,
    y_hi: float,
) -> tuple[bool, bool]:
    """The stop rules at lane i's point p_t (loss f, gradient (gx, gy)); sets its ACT, TK
    and its last accepted point and loss. Returns (go: it steps on, keep: p_t accepted)."""
    B = FLOOR_BLOCK
    gn = gx * gx + gy * gy
    finite = abs(f) + ((gx - gx) + (gy - gy)) <= 1e100
    counts = finite & (xi >= x_lo) & (xi <= x_hi) & (yi >= y_lo) & (yi <= y_hi)
    stop = (not counts) | (gn <= lim)
    act, tk = W[ACT * B + i], W[TK * B + i]
    running = act != 0.0
    newly = running & stop
    W[TK * B + i] = (t if counts else t - 1) if newly else tk
    W[ACT * B + i] = 0.0 if newly else act
    # A running lane moves on; the point it leaves is its last accepted one.
    # A stopped lane stays put (its outputs were fixed when it stopped).
    go = running & (not stop)
    keep = go | (newly & counts)  # converged here: this point is its answer
    ppx, ppy, ppf = W[PX * B + i], W[PY * B + i], W[PF * B + i]
    W[PX * B + i] = xi if keep else ppx
    W[PY * B + i] = yi if keep else ppy
    W[PF * B + i] = f if keep else ppf
    return go, keep


@njit(cache=False, nogil=True, error_model="numpy")
def floor_momentum_lanes_checked(
    starts: np.ndarray,
    lrs: np.ndarray,
    mus: np.ndarray,
    steps: int,
    himmelblau: bool,
    limit: float,
    box: np.ndarray,
    finals: np.ndarray,
    taken: np.ndarray,
) -> None:
    """Per-lane start (R, 2), lr (R,), momentum (R,); writes ``finals`` (R, 3) the last
    accepted point and its loss and ``taken`` (R,) steps (float64)."""
    n_all = lrs.shape[0]
    big = np.finfo(np.float64).max
    B = FLOOR_BLOCK
    # One array, a row of B per quantity: rows a constant apart, so LLVM sees they do not
    # overlap and vectorises the loop (with a dozen separate arrays it gives up on the
    # overlap checks and runs it scalar, ~1.7x slower: a floor should not be a strawman).
    W = np.empty(N_W * B)
    for lo in range(0, n_all, B):
        n = min(B, n_all - lo)
        for i in range(n):
            W[X * B + i], W[Y * B + i] = starts[lo + i, 0], starts[lo + i, 1]
            W[PX * B + i], W[PY * B + i], W[PF * B + i] = W[X * B + i], W[Y * B + i], math.nan
            W[BX * B + i], W[BY * B + i] = 0.0, 0.0
            W[ACT * B + i], W[TK * B + i] = 1.0, steps
            W[LR * B + i], W[MU * B + i] = lrs[lo + i], mus[lo + i]
        x_lo, x_hi, y_lo, y_hi, lim = -big, big, -big, big, limit
        for t in range(steps + 1):
            if t == 1:
                x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
            if t == steps:
                lim = -1.0
            first = t == 0
            for i in range(n):
                xi, yi = W[X * B + i], W[Y * B + i]
                if himmelblau:  # loop-invariant: LLVM unswitches it
                    a = xi * xi + yi - 11.0
                    b = xi + yi * yi - 7.0
                    f = a * a + b * b
                    gx = 4.0 * xi * a + 2.0 * b
                    gy = 2.0 * a + 4.0 * yi * b
                else:
                    r = yi - xi * xi
                    f = (1.0 - xi) ** 2 + 100.0 * r * r
                    gx = -2.0 * (1.0 - xi) - 400.0 * xi * r
                    gy = 200.0 * r
                go, _ = _rules(W, i, t, xi, yi, f, gx, gy, lim, x_lo, x_hi, y_lo, y_hi)
                bxi, byi, mu, lr = W[BX * B + i], W[BY * B + i], W[MU * B + i], W[LR * B + i]
                nbx = gx if first else mu * bxi + gx
                nby = gy if first else mu * byi + gy
                W[BX * B + i], W[BY * B + i] = nbx, nby
                W[X * B + i] = xi - lr * nbx if go else xi
                W[Y * B + i] = yi - lr * nby if go else yi
        for i in range(n):
            finals[lo + i, 0], finals[lo + i, 1] = W[PX * B + i], W[PY * B + i]
            finals[lo + i, 2] = W[PF * B + i]
            taken[lo + i] = W[TK * B + i]


@njit(cache=False, nogil=True, error_model="numpy")
def floor_adam_lanes_checked(
    x0: float,
    y0: float,
    lrs: np.ndarray,
    steps: int,
    limit: float,
    box: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    taken: np.ndarray,
) -> None:
    """An lr sweep's outputs, torch's Adam (betas 0.9, 0.999, eps 1e-8) on Rosenbrock from
    (x0, y0), one lane per lr (R,): ``finals`` (R, 3) the last accepted point and its loss,
    ``best`` (R,) the lowest accepted loss and ``taken`` (R,) steps (float64); the stop
    rules as in ``floor_momentum_lanes_checked``."""
    n_all = lrs.shape[0]
    big = np.finfo(np.float64).max
    b1, b2, eps = 0.9, 0.999, 1e-8
    B = FLOOR_BLOCK
    W = np.empty(N_WA * B)
    for lo in range(0, n_all, B):
        n = min(B, n_all - lo)
        for i in range(n):
            W[X * B + i], W[Y * B + i] = x0, y0
            W[PX * B + i], W[PY * B + i], W[PF * B + i] = x0, y0, math.nan
            W[BF * B + i] = math.inf
            W[MX * B + i], W[MY * B + i], W[VX * B + i], W[VY * B + i] = 0.0, 0.0, 0.0, 0.0
            W[ACT * B + i], W[TK * B + i], W[LR * B + i] = 1.0, steps, lrs[lo + i]
        x_lo, x_hi, y_lo, y_hi, lim = -big, big, -big, big, limit
        for t in range(steps + 1):
            if t == 1:
                x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
            if t == steps:
                lim = -1.0
            c1 = 1.0 - b1 ** float(t + 1)
            c2 = math.sqrt(1.0 - b2 ** float(t + 1))
            for i in range(n):
                xi, yi = W[X * B + i], W[Y * B + i]
                r = yi - xi * xi
                f = (1.0 - xi) ** 2 + 100.0 * r * r
                gx = -2.0 * (1.0 - xi) - 400.0 * xi * r
                gy = 200.0 * r
                go, keep = _rules(W, i, t, xi, yi, f, gx, gy, lim, x_lo, x_hi, y_lo, y_hi)
                bf = W[BF * B + i]
                W[BF * B + i] = min(f, bf) if keep else bf
                a = b1 * W[MX * B + i] + (1.0 - b1) * gx
                b = b1 * W[MY * B + i] + (1.0 - b1) * gy
                c = b2 * W[VX * B + i] + (1.0 - b2) * gx * gx
                d = b2 * W[VY * B + i] + (1.0 - b2) * gy * gy
                W[MX * B + i], W[MY * B + i], W[VX * B + i], W[VY * B + i] = a, b, c, d
                s = W[LR * B + i] / c1
                W[X * B + i] = xi - s * a / (math.sqrt(c) / c2 + eps) if go else xi
                W[Y * B + i] = yi - s * b / (math.sqrt(d) / c2 + eps) if go else yi
        for i in range(n):
            finals[lo + i, 0], finals[lo + i, 1] = W[PX * B + i], W[PY * B + i]
            finals[lo + i, 2] = W[PF * B + i]
            best[lo + i] = W[BF * B + i]
            taken[lo + i] = W[TK * B + i]
