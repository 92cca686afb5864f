"""Sweep kernels: R independent runs (lr sweep, basin map, lr x momentum map).

Runs go in blocks of ``BLOCK`` stepped in lockstep, each with its own lr and
hyperparameters, all of a block's per-run numbers in one array with rows a constant
``BLOCK`` apart (``lanes``). A catalogue surface with plain SGD (GD, momentum: both
maps, GD lr sweeps) takes one vectorised pass per step, ``lanes_eval_check_step``: per lane
the surface's value and gradient at the newest point, the stop rules and the best
loss, and the optimizer's step into the other point buffer, in one loop per surface.
Other pairs take two: ``lanes_check_step`` (the same minus the surface,
dispatched once per pass) and ``surface_eval_block`` (value and gradient at the new
points). A pass that stops some lane is followed by ``_stop_lanes``. (With rows a
runtime ``n`` apart, checking and stepping in one loop measured slower: LLVM gave up
vectorising a loop with that many rows; with constant offsets it needs no overlap
checks.) Per run the operations are exactly ``run.run_single``'s, so a sweep agrees
bit for bit with single trajectories. ``batch`` is serial with ``nogil=True`` for the
web process; ``batch_parallel`` spreads blocks over threads under its own name
(numba's cache key ignores ``parallel``, so one function compiled both ways would
reuse the wrong code).

Inside, a sweep's inputs travel as one tuple ``job`` = (sid, sp, code, consts, oid,
hps, kid, schp, lrs, starts, steps, noise_std, seed, tol, box, box_status, bias) and
its outputs as ``out`` = (curves, finals, best, status, taken); see ``batch``.
``bias`` is Adam's bias corrections per step when every run shares its betas
(``shared_adam_bias``), made once per sweep instead of once per block and step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .lanes import (
    ACT,
    BLOCK,
    BUF_A,
    BUF_B,
    C0,
    C1,
    K_BC1,
    K_BC2,
    K_ESCAPE,
    K_LIMIT,
    K_NX,
    K_NY,
    K_PLAIN,
    K_X_HI,
    K_X_LO,
    K_Y_HI,
    K_Y_LO,
    LOW,
    LR,
    N_BUF,
    N_KNOBS,
    N_ROWS,
    N_SHARED,
    PF,
    PGX,
    PGY,
    PX,
    PY,
    adam_corrections,
    has_fused,
    has_lanes,
    lanes_check_step,
    lanes_eval_check_step,
    lanes_setup,
    plain_sgd,
)
from .noise import gaussian
from .optimizers import bias_correction
from .program import PROGRAM_STACK
from .run import (
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    run_single,
)
from .schedules import schedule_lr
from .surfaces import catalogue_eval_block, surface_eval_block


@njit(cache=True, nogil=True, error_model="numpy")
def converge_limit(tol: float) -> float:
    """The largest s with sqrt(s) < tol (-1.0 when there is none, as for tol <= 0).

    sqrt is correctly rounded and monotone, so for every s >= 0 (and NaN)
    ``sqrt(s) < tol`` is exactly ``s <= converge_limit(tol)``: the lockstep pass
    tests the squared gradient norm against it and needs no sqrt per run.
    """
    if not tol > 0.0:
        return -1.0
    s = min(tol * tol, np.finfo(np.float64).max)
    while s > 0.0 and math.sqrt(s) >= tol:
        s = np.nextafter(s, -math.inf)
    while math.sqrt(np.nextafter(s, math.inf)) < tol:
        s = np.nextafter(s, math.inf)
    return s


@njit(cache=True, nogil=True, error_model="numpy")
def shared_adam_bias(oid: int, hps: np.ndarray, steps: int) -> np.ndarray:
    """(2, steps + 1): row 0 1 - beta1^t, row 1 sqrt(1 - beta2^t) for t = 0..steps, when
    ``oid`` is Adam or AdamW (7, 9) and every run of ``hps`` (R, H) has the same betas;
    else (2, 0). The same ``bias_correction`` a block would call at each pass, once per
    sweep: an lr sweep's blocks all share their betas, and two ``pow`` per block and
    step (8 blocks for 1000 runs) were ~5% of a 1000-step Adam sweep."""
    if not (oid == 7 or oid == 9) or hps.shape[0] == 0 or hps.shape[1] < 2:
        return np.empty((2, 0))
    b1, b2 = hps[0, 0], hps[0, 1]
    for r in range(hps.shape[0]):
        if hps[r, 0] != b1 or hps[r, 1] != b2:
            return np.empty((2, 0))
    bias = np.empty((2, steps + 1))
    for t in range(steps + 1):
        bias[0, t] = bias_correction(b1, t)
        bias[1, t] = math.sqrt(bias_correction(b2, t))
    return bias


@njit(cache=True, nogil=True, error_model="numpy")
def _run_block_lockstep(lo: int, hi: int, job: tuple, out: tuple) -> None:
    """Runs lo..hi-1 stepped together: steps outer, lanes inner (see the module docstring).

    Pass t checks p_t, the point after t steps (p_0, the start, is not held to the
    box), and steps every lane to p_{t+1} in the other point buffer (a lane that p_t
    stops keeps p_{t-1} there); then it stores the lanes that stop (``_stop_lanes``)
    and, unless t = steps, evaluates the surface at p_{t+1}. A lane that has stopped
    keeps being stepped; its results are already stored.
    """
    sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps = job[:11]
    noise_std, seed, tol, box, box_status, bias = job[11:]
    curves = out[0]
    record = curves.shape[0] > 0
    n = hi - lo
    stack = np.empty((PROGRAM_STACK, 3))
    L = np.empty(N_ROWS * BLOCK)
    betas_shared = lanes_setup(oid, hps, lrs, starts, lo, n, L)
    # Views of each point buffer as the surface reads and writes it: (x's, y's), the
    # losses, (gx's, gy's).
    theta_a = L[(BUF_A + PX) * BLOCK : (BUF_A + PY + 1) * BLOCK]
    values_a = L[(BUF_A + PF) * BLOCK : (BUF_A + PF + 1) * BLOCK]
    grad_a = L[(BUF_A + PGX) * BLOCK : (BUF_A + PGY + 1) * BLOCK]
    theta_b = L[(BUF_B + PX) * BLOCK : (BUF_B + PY + 1) * BLOCK]
    values_b = L[(BUF_B + PF) * BLOCK : (BUF_B + PF + 1) * BLOCK]
    grad_b = L[(BUF_B + PGX) * BLOCK : (BUF_B + PGY + 1) * BLOCK]
    buf_a = L[BUF_A * BLOCK : (BUF_A + N_BUF) * BLOCK]  # the views lanes_check_step takes
    buf_b = L[BUF_B * BLOCK : (BUF_B + N_BUF) * BLOCK]
    shared_rows = L[: N_SHARED * BLOCK]
    knobs = np.zeros(N_KNOBS)
    knobs[K_X_LO] = -math.inf
    knobs[K_X_HI] = math.inf
    knobs[K_Y_LO] = -math.inf
    knobs[K_Y_HI] = math.inf
    knobs[K_ESCAPE] = 1.0 if box_status != STATUS_DIVERGED else 0.0
    knobs[K_LIMIT] = converge_limit(tol)
    knobs[K_PLAIN] = 1.0 if oid <= 2 and plain_sgd(L) else 0.0
    fused = has_fused(sid, oid, knobs[K_PLAIN] != 0.0)
    surface_eval_block(sid, theta_a, BLOCK, sp, code, consts, stack, values_a, grad_a)
    live = 0
    a = BUF_A * BLOCK
    for r in range(n):
        f = L[a + PF * BLOCK + r]
        gx, gy = L[a + PGX * BLOCK + r], L[a + PGY * BLOCK + r]
        if not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)) or (
            abs(f) > LOSS_BOUND
        ):
            x, y = L[a + PX * BLOCK + r], L[a + PY * BLOCK + r]
            _store(lo + r, 0, STATUS_DIVERGED, x, y, math.nan, math.nan, steps, out)
            continue
        L[ACT * BLOCK + r] = 1.0
        L[LOW * BLOCK + r] = f
        live += 1
    for t in range(steps + 1):
        cur = BUF_A if t % 2 == 0 else BUF_B
        nxt = BUF_B if t % 2 == 0 else BUF_A
        if t == 1:  # from p_1 on, points are held to the box (xmin, xmax, ymin, ymax)
            for k in range(4):
                knobs[K_X_LO + k] = box[k]
        if t == steps:  # the last point: no gradient test (run_single stops with "done")
            knobs[K_LIMIT] = -1.0
        else:  # the settings of step t + 1, which this pass takes
            if kid != 0:  # a constant schedule's rate is lrs[r] itself
                for r in range(BLOCK):
                    L[LR * BLOCK + r] = schedule_lr(kid, t, lrs[lo + min(r, n - 1)], schp, steps)
            if noise_std > 0.0:
                knobs[K_NX] = noise_std * gaussian(seed, t, 0)
                knobs[K_NY] = noise_std * gaussian(seed, t, 1)
            if (oid == 7 or oid == 9) and bias.shape[1] > 0:  # the sweep's own table
                knobs[K_BC1] = bias[0, t + 1]
                knobs[K_BC2] = bias[1, t + 1]
            elif oid == 7 or oid == 9:
                knobs[K_BC1] = bias_correction(L[C0 * BLOCK], t + 1) if betas_shared else 0.0
                knobs[K_BC2] = math.sqrt(bias_correction(L[C1 * BLOCK], t + 1))
                if not betas_shared:
                    adam_corrections(L, t + 1)
        p_cur, p_nxt = (buf_a, buf_b) if t % 2 == 0 else (buf_b, buf_a)
        if fused:  # evaluates p_t in the same pass
            events = lanes_eval_check_step(sid, oid, p_cur, p_nxt, shared_rows, sp, t + 1, knobs)
        else:
            events = lanes_check_step(oid, p_cur, p_nxt, shared_rows, t + 1, knobs)
        if events > 0:
            if fused:  # it kept only the losses: _stop_lanes reads the gradients too
                if cur == BUF_A:
                    catalogue_eval_block(sid, theta_a, BLOCK, sp, values_a, grad_a)
                else:
                    catalogue_eval_block(sid, theta_b, BLOCK, sp, values_b, grad_b)
            live -= _stop_lanes(lo, n, t, L, cur, nxt, knobs, box_status, steps, out)
        if record:
            for r in range(n):
                if L[ACT * BLOCK + r] != 0.0:
                    curves[lo + r, t] = L[(cur + PF) * BLOCK + r]
        if live == 0 or t == steps:
            break
        if fused:
            continue
        if nxt == BUF_A:
            surface_eval_block(sid, theta_a, BLOCK, sp, code, consts, stack, values_a, grad_a)
        else:
            surface_eval_block(sid, theta_b, BLOCK, sp, code, consts, stack, values_b, grad_b)
    fin = (BUF_A if steps % 2 == 0 else BUF_B) * BLOCK
    for r in range(n):
        if L[ACT * BLOCK + r] != 0.0:
            x, y, f = L[fin + PX * BLOCK + r], L[fin + PY * BLOCK + r], L[fin + PF * BLOCK + r]
            _store(lo + r, steps, STATUS_DONE, x, y, f, L[LOW * BLOCK + r], steps, out)


@njit(cache=True, nogil=True, error_model="numpy")
def _stop_lanes(
    lo: int,
    n: int,
    t: int,
    L: np.ndarray,
    cur: int,
    nxt: int,
    knobs: np.ndarray,
    box_status: int,
    steps: int,
    out: tuple,
) -> int:
    """Store every running lane whose point p_t (buffer ``cur``) stops it; returns how many.

    Converged (small gradient) or escaped (left the box of a surface unbounded below):
    p_t counts and is reported. Otherwise it diverged (not finite, |f| > LOSS_BOUND,
    or out of a bounded surface's box) and the lane reports p_{t-1}, its accepted
    point, which the pass left in buffer ``nxt``, as ``run_single`` does. The rules
    are ``lanes_check_step``'s, re-evaluated here only for the rare pass in which some
    lane stops.
    """
    curves = out[0]
    record = curves.shape[0] > 0
    x_lo, x_hi, y_lo, y_hi = knobs[K_X_LO], knobs[K_X_HI], knobs[K_Y_LO], knobs[K_Y_HI]
    c = cur * BLOCK
    o = nxt * BLOCK
    stopped = 0
    for r in range(n):
        if L[ACT * BLOCK + r] == 0.0:
            continue
        x, y, f = L[c + PX * BLOCK + r], L[c + PY * BLOCK + r], L[c + PF * BLOCK + r]
        gx, gy = L[c + PGX * BLOCK + r], L[c + PGY * BLOCK + r]
        finite = (
            math.isfinite(x)
            and math.isfinite(y)
            and math.isfinite(gx)
            and math.isfinite(gy)
            and abs(f) <= LOSS_BOUND
        )
        inside = x_lo <= x <= x_hi and y_lo <= y <= y_hi
        if finite and inside:
            if not gx * gx + gy * gy <= knobs[K_LIMIT]:
                continue
            st, n_steps = STATUS_CONVERGED, t
        elif finite and knobs[K_ESCAPE] != 0.0:
            st, n_steps = box_status, t
            # It counts (run_single), which the pass's stop rules leave to here.
            if f < L[LOW * BLOCK + r]:
                L[LOW * BLOCK + r] = f
        else:
            st, n_steps = STATUS_DIVERGED, t - 1
            x, y, f = L[o + PX * BLOCK + r], L[o + PY * BLOCK + r], L[o + PF * BLOCK + r]
        if record and n_steps == t:
            curves[lo + r, t] = f
        _store(lo + r, n_steps, st, x, y, f, L[LOW * BLOCK + r], steps, out)
        L[ACT * BLOCK + r] = 0.0
        stopped += 1
    return stopped


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
    out: tuple,
) -> None:
    """Store run r's outcome; pad its curve with the last loss so plots stay flat, not ragged.

    A run whose start is already non-finite has no loss at all: its curve is all NaN.
    """
    curves, finals, best, status, taken = out
    if curves.shape[0] > 0:
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
def _run_block(lo: int, hi: int, job: tuple, out: tuple) -> None:
    """Runs lo..hi-1 of a batch (see ``batch``).

    In lockstep, each with its own lr and hyperparameters; optimizers the lockstep
    pass does not know (Newton: a Hessian per run) one by one.
    """
    sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps = job[:11]
    noise_std, seed, tol, box, box_status = job[11:16]
    if has_lanes(oid):
        _run_block_lockstep(lo, hi, job, out)
        return
    curves = out[0]
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
        _store(r, n, st, x, y, f, b, steps, out)


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
    job = (sid, sp, code, consts, oid, hps, kid, schp, lrs, starts, steps, noise_std, seed, tol,
           box, box_status, shared_adam_bias(oid, hps, steps))  # fmt: skip
    out = (curves, finals, best, status, taken)
    n_runs = lrs.shape[0]
    for lo in range(0, n_runs, BLOCK):
        _run_block(lo, min(lo + BLOCK, n_runs), job, out)


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def batch_parallel(*args: object) -> None:
    """``batch`` (the same arguments) with blocks of runs spread over threads (CLI and
    benchmarks only)."""
    job = (*args[:16], shared_adam_bias(args[4], args[5], args[10]))
    out = args[16:]
    n_runs = job[8].shape[0]
    n_blocks = (n_runs + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        _run_block(lo, min(lo + BLOCK, n_runs), job, out)
