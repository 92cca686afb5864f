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

This loop does that and nothing more (not even the best loss, which an lr sweep
returns and the maps do not, and which losscape's lanes keep for every sweep), for
Rosenbrock or Himmelblau with torch's SGD momentum: blocks of lanes, branch-free
selects and every per-lane number in one array (see the loop) so that LLVM
vectorises it. Its outputs are checked against losscape's in ``bench_core`` before
it is timed, so the two do the same work.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

FLOOR_BLOCK = 256
# The rows of the work array.
X, Y, PX, PY, PF, BX, BY, ACT, TK, LR, MU = range(11)
N_W = 11


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
                gn = gx * gx + gy * gy
                finite = abs(f) + ((gx - gx) + (gy - gy)) <= 1e100
                counts = finite & (xi >= x_lo) & (xi <= x_hi) & (yi >= y_lo) & (yi <= y_hi)
                stop = (not counts) | (gn <= lim)
                act, tk = W[ACT * B + i], W[TK * B + i]
                running = act != 0.0
                newly = running & stop
                W[TK * B + i] = (t if counts else t - 1) if newly else tk
                W[ACT * B + i] = 0.0 if newly else act
                bxi, byi, mu, lr = W[BX * B + i], W[BY * B + i], W[MU * B + i], W[LR * B + i]
                nbx = gx if first else mu * bxi + gx
                nby = gy if first else mu * byi + gy
                W[BX * B + i], W[BY * B + i] = nbx, nby
                # A running lane moves on; the point it leaves is its last accepted one.
                # A stopped lane stays put (its outputs were fixed when it stopped).
                go = running & (not stop)
                keep = go | (newly & counts)  # converged here: this point is its answer
                ppx, ppy, ppf = W[PX * B + i], W[PY * B + i], W[PF * B + i]
                W[PX * B + i] = xi if keep else ppx
                W[PY * B + i] = yi if keep else ppy
                W[PF * B + i] = f if keep else ppf
                W[X * B + i] = xi - lr * nbx if go else xi
                W[Y * B + i] = yi - lr * nby if go else yi
        for i in range(n):
            finals[lo + i, 0], finals[lo + i, 1] = W[PX * B + i], W[PY * B + i]
            finals[lo + i, 2] = W[PF * B + i]
            taken[lo + i] = W[TK * B + i]


# The rows of the Adam floor's work array.
AX, AY, APX, APY, APF, ABF, AMX, AMY, AVX, AVY, AACT, ATK, ALR = range(13)
N_WA = 13


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
            W[AX * B + i], W[AY * B + i] = x0, y0
            W[APX * B + i], W[APY * B + i], W[APF * B + i] = x0, y0, math.nan
            W[ABF * B + i] = math.inf
            W[AMX * B + i], W[AMY * B + i], W[AVX * B + i], W[AVY * B + i] = 0.0, 0.0, 0.0, 0.0
            W[AACT * B + i], W[ATK * B + i], W[ALR * B + i] = 1.0, steps, lrs[lo + i]
        x_lo, x_hi, y_lo, y_hi, lim = -big, big, -big, big, limit
        for t in range(steps + 1):
            if t == 1:
                x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
            if t == steps:
                lim = -1.0
            c1 = 1.0 - b1 ** float(t + 1)
            c2 = math.sqrt(1.0 - b2 ** float(t + 1))
            for i in range(n):
                xi, yi = W[AX * B + i], W[AY * B + i]
                r = yi - xi * xi
                f = (1.0 - xi) ** 2 + 100.0 * r * r
                gx = -2.0 * (1.0 - xi) - 400.0 * xi * r
                gy = 200.0 * r
                gn = gx * gx + gy * gy
                finite = abs(f) + ((gx - gx) + (gy - gy)) <= 1e100
                counts = finite & (xi >= x_lo) & (xi <= x_hi) & (yi >= y_lo) & (yi <= y_hi)
                stop = (not counts) | (gn <= lim)
                act, tk = W[AACT * B + i], W[ATK * B + i]
                running = act != 0.0
                newly = running & stop
                W[ATK * B + i] = (t if counts else t - 1) if newly else tk
                W[AACT * B + i] = 0.0 if newly else act
                go = running & (not stop)
                keep = go | (newly & counts)
                ppx, ppy, ppf, bf = W[APX * B + i], W[APY * B + i], W[APF * B + i], W[ABF * B + i]
                W[APX * B + i] = xi if keep else ppx
                W[APY * B + i] = yi if keep else ppy
                W[APF * B + i] = f if keep else ppf
                W[ABF * B + i] = min(f, bf) if keep else bf
                a = b1 * W[AMX * B + i] + (1.0 - b1) * gx
                b = b1 * W[AMY * B + i] + (1.0 - b1) * gy
                c = b2 * W[AVX * B + i] + (1.0 - b2) * gx * gx
                d = b2 * W[AVY * B + i] + (1.0 - b2) * gy * gy
                W[AMX * B + i], W[AMY * B + i], W[AVX * B + i], W[AVY * B + i] = a, b, c, d
                s = W[ALR * B + i] / c1
                W[AX * B + i] = xi - s * a / (math.sqrt(c) / c2 + eps) if go else xi
                W[AY * B + i] = yi - s * b / (math.sqrt(d) / c2 + eps) if go else yi
        for i in range(n):
            finals[lo + i, 0], finals[lo + i, 1] = W[APX * B + i], W[APY * B + i]
            finals[lo + i, 2] = W[APF * B + i]
            best[lo + i] = W[ABF * B + i]
            taken[lo + i] = W[ATK * B + i]
