"""Sweep kernels: R independent runs (lr sweep, basin map, lr x momentum map).

Runs go in blocks of ``BLOCK`` stepped in lockstep, each with its own lr and
hyperparameters (``lanes.lanes_step``); per run the operations are exactly
``run.run_single``'s, so a sweep agrees bit for bit with single trajectories.
``batch`` is serial with ``nogil=True`` for the web process; ``batch_parallel``
spreads blocks over threads under its own name (numba's cache key ignores
``parallel``, so one function compiled both ways would reuse the wrong code).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .lanes import has_lanes, lanes_init, lanes_step, shared_betas
from .noise import gaussian
from .optimizers import MAX_STATE_SLOTS
from .program import PROGRAM_STACK
from .run import (
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    run_single,
)
from .schedules import schedule_lr
from .surfaces import surface_eval_block

BLOCK = 256  # runs stepped together: 2 x 256 coordinates and their state fit in L1


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block_lockstep(
    lo: int,
    hi: int,
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """Runs lo..hi-1 stepped together: steps outer, runs inner.

    The block's coordinates form one vector theta = (x_0..x_{n-1}, y_0..y_{n-1})
    so one ``lanes_step`` (each run with its own lr ``lrs[r]`` and hyperparameters
    ``hps[r]``; every optimizer but Newton) and one ``surface_eval_block`` advance
    every run, in loops LLVM vectorises.
    The per-run stop checks are branch-free flag loops over few arrays (so they
    vectorise too); the rare runs that stop are handled after them. Per run
    the operations are exactly ``run_single``'s, so results agree bit for bit. A run
    that has stopped keeps being stepped; its results are already stored.
    """
    n = hi - lo
    stack = np.empty((PROGRAM_STACK, 3))
    theta = np.empty(2 * n)
    grad = np.empty(2 * n)
    values = np.empty(n)
    prev_theta = np.empty(2 * n)
    prev_values = np.empty(n)
    low = np.empty(n)  # best loss so far
    active = np.zeros(n, dtype=np.bool_)
    event = np.zeros(n, dtype=np.bool_)
    state = np.zeros((MAX_STATE_SLOTS, 2 * n))
    record = curves.shape[0] > 0
    x_lo, x_hi, y_lo, y_hi = box[0], box[1], box[2], box[3]
    lanes_init(oid, state, hps, lo, n)
    betas = shared_betas(hps, lo, hi)
    lane_lr = np.empty(n)  # each run's rate at this step
    for r in range(n):
        lane_lr[r] = lrs[lo + r]
    for r in range(n):
        theta[r] = starts[lo + r, 0]
        theta[n + r] = starts[lo + r, 1]
    surface_eval_block(sid, theta, n, sp, code, consts, stack, values, grad)
    live = 0
    for r in range(n):
        f = values[r]
        if (
            not (math.isfinite(f) and math.isfinite(grad[r]) and math.isfinite(grad[n + r]))
            or abs(f) > LOSS_BOUND
        ):
            _store(lo + r, 0, STATUS_DIVERGED, theta[r], theta[n + r], math.nan, math.nan, steps,
                   curves, finals, best, status, taken, record)  # fmt: skip
            continue
        active[r] = True
        live += 1
        low[r] = f
        if record:
            curves[lo + r, 0] = f
    for t in range(steps):
        # Active runs sit at their last accepted point: theta, values, grad are theirs.
        if tol > 0.0:
            events = 0
            for r in range(n):
                hit = active[r] & (math.sqrt(grad[r] * grad[r] + grad[n + r] * grad[n + r]) < tol)
                event[r] = hit
                events += hit
            if events > 0:
                for r in range(n):
                    if event[r]:
                        active[r] = False
                        live -= 1
                        _store(lo + r, t, STATUS_CONVERGED, theta[r], theta[n + r],
                               values[r], low[r], steps, curves, finals, best, status, taken,
                               record)  # fmt: skip
        if live == 0:
            return
        if kid != 0:  # a constant schedule's rate is lrs[r] itself
            for r in range(n):
                lane_lr[r] = schedule_lr(kid, t, lrs[lo + r], schp, steps)
        if noise_std > 0.0:
            nx = noise_std * gaussian(seed, t, 0)
            ny = noise_std * gaussian(seed, t, 1)
            for r in range(n):
                grad[r] += nx
                grad[n + r] += ny
        prev_theta[:] = theta
        prev_values[:] = values
        lanes_step(oid, theta, grad, state, t + 1, lane_lr, hps, lo, n, betas)
        surface_eval_block(sid, theta, n, sp, code, consts, stack, values, grad)
        events = 0
        for r in range(n):
            x = theta[r]
            y = theta[n + r]
            fn = values[r]
            # abs(v) < inf is isfinite(v) without a branch; abs(fn) <= LOSS_BOUND implies it.
            ok = (
                (abs(x) < math.inf)
                & (abs(y) < math.inf)
                & (abs(fn) <= LOSS_BOUND)
                & (abs(grad[r]) < math.inf)
                & (abs(grad[n + r]) < math.inf)
                & (x >= x_lo)
                & (x <= x_hi)
                & (y >= y_lo)
                & (y <= y_hi)
            )
            a = active[r]
            low[r] = fn if a & ok & (fn < low[r]) else low[r]
            hit = a & (not ok)
            event[r] = hit
            events += hit
        if record:
            for r in range(n):
                if active[r] and not event[r]:
                    curves[lo + r, t + 1] = values[r]
        if events > 0:
            for r in range(n):
                if event[r]:
                    active[r] = False
                    live -= 1
                    _stop_block_run(r, lo, t, theta, values, grad, prev_theta, prev_values, low,
                                    n, box_status, steps, curves, finals, best, status, taken,
                                    record)  # fmt: skip
    for r in range(n):
        if active[r]:
            _store(lo + r, steps, STATUS_DONE, theta[r], theta[n + r], values[r], low[r], steps,
                   curves, finals, best, status, taken, record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _stop_block_run(
    r: int,
    lo: int,
    t: int,
    theta: np.ndarray,
    values: np.ndarray,
    grad: np.ndarray,
    prev_theta: np.ndarray,
    prev_values: np.ndarray,
    low: np.ndarray,
    n: int,
    box_status: int,
    steps: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
    record: bool,
) -> None:
    """A lockstep run whose step t + 1 failed the checks: diverged, or left the box."""
    x = theta[r]
    y = theta[n + r]
    fn = values[r]
    finite = (
        math.isfinite(x)
        and math.isfinite(y)
        and math.isfinite(fn)
        and math.isfinite(grad[r])
        and math.isfinite(grad[n + r])
        and abs(fn) <= LOSS_BOUND
    )
    if not finite or box_status == STATUS_DIVERGED:
        _store(lo + r, t, STATUS_DIVERGED, prev_theta[r], prev_theta[n + r], prev_values[r],
               low[r], steps, curves, finals, best, status, taken, record)  # fmt: skip
        return
    # Finite but outside the box of a surface unbounded below: the point counts.
    b = fn if fn < low[r] else low[r]
    if record:
        curves[lo + r, t + 1] = fn
    _store(lo + r, t + 1, box_status, x, y, fn, b, steps, curves, finals, best, status, taken,
           record)  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _store(
    r: int,
    n_steps: int,
    st: int,
    x: float,
    y: float,
    f: float,
    b: float,
    steps: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
    record: bool,
) -> None:
    """Store run r's outcome; pad its curve with the last loss so plots stay flat, not ragged.

    A run whose start is already non-finite has no loss at all: its curve is all NaN.
    """
    if record:
        first = n_steps + 1 if math.isfinite(f) else 0
        for k in range(first, steps + 1):
            curves[r, k] = f
    finals[r, 0] = x
    finals[r, 1] = y
    finals[r, 2] = f
    best[r] = b
    status[r] = st
    taken[r] = n_steps


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block(
    lo: int,
    hi: int,
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """Runs lo..hi-1 of a batch (see ``batch``).

    In lockstep, each with its own lr and hyperparameters; optimizers ``lanes_step``
    does not know (Newton: a Hessian per run) one by one.
    """
    if has_lanes(oid):
        _run_block_lockstep(
            lo, hi, sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
            noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
        )  # fmt: skip
        return
    no_path = np.empty((0, 3))
    no_lrs = np.empty(0)
    no_curve = np.empty(0)
    record = curves.shape[0] > 0
    for r in range(lo, hi):
        curve = curves[r] if record else no_curve
        n, st, x, y, f, b = run_single(
            sid, sp, code, consts, oid, hps[r], kid, schp, lrs[r], starts[r, 0], starts[r, 1],
            steps, noise_std, seed, tol, box, box_status, no_path, no_lrs, curve,
        )  # fmt: skip
        _store(r, n, st, x, y, f, b, steps, curves, finals, best, status, taken, record)


@njit(cache=True, nogil=True, error_model="numpy")
def batch(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """R independent runs: the engine of the lr sweep, basin map and (lr x momentum) map.

    Inputs per run r: ``hps`` (R, H) hyperparameters, ``lrs`` (R,), ``starts`` (R, 2).
    Outputs: ``curves`` (R, steps + 1) losses (or shape (0, 0) to skip),
    ``finals`` (R, 3) last (x, y, loss), ``best`` (R,), ``status`` (R,) int64,
    ``taken`` (R,) int64 steps. A diverged run's final loss is NaN only when
    its start was already non-finite; callers map it by status.
    """
    _run_block(
        0, lrs.shape[0], sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
        noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
    )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def batch_parallel(
    sid: int,
    sp: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    oid: int,
    hps: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: np.ndarray,
    box_status: int,
    curves: np.ndarray,
    finals: np.ndarray,
    best: np.ndarray,
    status: np.ndarray,
    taken: np.ndarray,
) -> None:
    """``batch`` with blocks of runs spread over threads (CLI and benchmarks only)."""
    n_runs = lrs.shape[0]
    n_blocks = (n_runs + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n_runs)
        _run_block(
            lo, hi, sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps,
            noise_std, seed, tol, box, box_status, curves, finals, best, status, taken,
        )  # fmt: skip
