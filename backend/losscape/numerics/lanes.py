"""The lockstep pass of a sweep over a block of up to ``BLOCK`` independent 2-D runs ("lanes").

A block's numbers live in one float64 array of ``N_ROWS * BLOCK``, one row of ``BLOCK``
per quantity, lane r at ``row * BLOCK + r``: the shared rows first, then two point
buffers. The rows are a compile-time constant apart, so every loop over lanes indexes
with a constant offset plus the loop variable: LLVM proves the rows of one array apart
without runtime checks and vectorises the loops, however many rows a loop touches (with
the rows a runtime ``n`` apart it ran out of its budget of overlap checks once a loop
touched a dozen rows, which kept the stop rules and the step in separate passes). The
fused pass takes three views (shared rows, the buffer it reads, the buffer it writes),
which LLVM checks for overlap once per call. A block always has ``BLOCK`` lanes; a
sweep's last block fills its spare lanes with copies of its first run, never active.

Two point buffers (rows ``PX, PY, PF, PGX, PGY`` each: a point, its loss and gradient;
PX/PY and PGX/PGY adjacent, so a buffer's first two rows flattened are the (x's, y's)
vector ``surface_eval_block`` reads and its last two the gradient it writes) take turns:
step t reads p_t from one and writes p_{t+1} into the other, which still holds p_{t-1}.
``lanes_check_step`` applies ``run.run_single``'s stop rules to p_t and, in the same
loop, steps every lane from p_t to p_{t+1}, except that a lane whose p_t stops it keeps
p_{t-1} (its last accepted point, which a diverged run reports): no step copies the
previous point. Shared rows (the first ``N_SHARED``): LOW the best accepted loss; ACT 1.0
while the lane runs; LR its rate; C0..C4 its hyperparameter row (``lanes_setup``);
S0X..S2Y the optimizer state; BC1, BC2 Adam's bias corrections when lanes have their own
betas. The optimizer is dispatched once per pass, one loop per optimizer family, and
every coordinate goes through the same scalar update (``*_coord``) as
``optimizer_step``, so a lane rounds exactly like a single run with its settings (and
like torch.optim). Damped Newton needs a Hessian per lane and is not stepped here.
For a catalogue surface with plain SGD, ``lanes_eval_check_step`` also evaluates the
surface at p_t in the same loop (one loop per surface, ``switch.make_lane_loop``) and
keeps only the loss in the buffer; every other pair evaluates with
``surface_eval_block`` first. Either way the pass is bound by its floating-point work,
most of it the stop rules (finiteness, box, gradient norm, best loss), which the
hand-written floor in ``benchmarks/bench_core.py`` does not apply.
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
from .surfaces import EXPRESSION_ID, catalogue_table
from .switch import make_lane_loop

# Lanes per block: 26 rows x 128 float64 = 26 KiB, inside a 32 KiB L1 (256 lanes measured
# no faster here: basin map, lr sweep and lr x momentum map within the noise).
BLOCK = 128

# The shared rows first (a view of rows 0..N_SHARED-1 indexes them as the whole array does).
(LOW, ACT, LR, C0, C1, C2, C3, C4, S0X, S0Y, S1X, S1Y, S2X, S2Y, BC1, BC2) = range(16)
N_SHARED = 16
# One point buffer: x, y, loss, gradient (rows of BLOCK, relative to the buffer).
PX, PY, PF, PGX, PGY = range(5)
N_BUF = 5
BUF_A = N_SHARED  # the buffers' first rows
BUF_B = N_SHARED + N_BUF
N_ROWS = N_SHARED + 2 * N_BUF
N_COLS = 5  # the most hyperparameters an optimizer has (Adam, RMSprop)

# knobs: a pass's scalars, read into locals once (never reloaded per lane).
K_X_LO, K_X_HI, K_Y_LO, K_Y_HI, K_ESCAPE, K_LIMIT, K_NX, K_NY, K_BC1, K_BC2, K_PLAIN = range(11)
N_KNOBS = 11


@njit(cache=True, nogil=True, error_model="numpy")
def has_lanes(oid: int) -> bool:
    """Whether ``lanes_check_step`` steps optimizer ``oid`` (every one but Newton, id 8).

    An optimizer added to ``optimizer_step`` without a branch here still sweeps
    correctly: its runs go one by one.
    """
    return 0 <= oid <= 7 or oid == 9


@njit(cache=True, nogil=True, error_model="numpy")
def lanes_setup(
    oid: int, hps: np.ndarray, lrs: np.ndarray, starts: np.ndarray, lo: int, n: int, L: np.ndarray
) -> bool:
    """Fill buffer A's point, LR and C0..C4 from rows lo..lo+n-1 of ``starts``, ``lrs`` and
    ``hps`` (lanes n..BLOCK-1 copy row lo); zero everything else (buffer B's point too: a
    lane stopped at its start reports it as the accepted point, as ``run_single`` would).

    Gradient descent's one column (weight decay) is laid out as SGD's four
    (momentum 0, dampening 0, weight decay, nesterov off) so both share a loop;
    Adagrad's sums start at each lane's initial_accumulator_value. Returns whether
    the block shares Adam's betas (then bias corrections are computed once per step).
    """
    L[:] = 0.0
    for r in range(BLOCK):
        i = lo + (r if r < n else 0)
        L[(BUF_A + PX) * BLOCK + r] = starts[i, 0]
        L[(BUF_A + PY) * BLOCK + r] = starts[i, 1]
        L[LR * BLOCK + r] = lrs[i]
        for k in range(min(hps.shape[1], N_COLS)):
            L[(C0 + k) * BLOCK + r] = hps[i, k]
    if oid == 0:
        for r in range(BLOCK):
            L[C2 * BLOCK + r] = L[C0 * BLOCK + r]
            L[C0 * BLOCK + r] = 0.0
    elif oid == 4:
        for r in range(BLOCK):
            L[S0X * BLOCK + r] = L[C2 * BLOCK + r]
            L[S0Y * BLOCK + r] = L[C2 * BLOCK + r]
    shared = True
    for r in range(1, BLOCK):
        shared = (
            shared and L[C0 * BLOCK + r] == L[C0 * BLOCK] and L[C1 * BLOCK + r] == L[C1 * BLOCK]
        )
    return shared


@njit(cache=True, nogil=True, error_model="numpy")
def plain_sgd(L: np.ndarray) -> bool:
    """Whether every lane of an SGD block has dampening 0, weight decay 0 and no nesterov
    (gradient descent, heavy-ball sweeps, basin maps, lr x momentum maps): then its pass
    runs ``sgd_coord`` with those three as constants, and LLVM drops their selects."""
    plain = True
    for r in range(BLOCK):
        plain = plain and L[C1 * BLOCK + r] == 0.0 and L[C2 * BLOCK + r] == 0.0
        plain = plain and L[C3 * BLOCK + r] == 0.0
    return plain


@njit(cache=True, nogil=True, error_model="numpy")
def adam_corrections(L: np.ndarray, t: int) -> None:
    """BC1 = 1 - b1^t and BC2 = sqrt(1 - b2^t) per lane, for lanes with their own betas."""
    for r in range(BLOCK):
        L[BC1 * BLOCK + r] = bias_correction(L[C0 * BLOCK + r], t)
        L[BC2 * BLOCK + r] = math.sqrt(bias_correction(L[C1 * BLOCK + r], t))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _verdict(
    x: float,
    y: float,
    f: float,
    gx: float,
    gy: float,
    x_lo: float,
    x_hi: float,
    y_lo: float,
    y_hi: float,
    limit: float,
) -> tuple[bool, bool]:
    """(stop, counts) for a lane's point: ``run.run_single``'s stop rules without branches.

    A point counts when it is finite with |f| <= LOSS_BOUND and inside the box: then it
    is accepted and may lower LOW. It stops the lane when it does not count, or its
    squared gradient norm is at most ``limit`` (see ``batch.converge_limit``). The box
    is finite (``_rules`` clamps an open side to the largest float), so the box test
    also fails a NaN or infinite x or y, and only f and the gradient need a finiteness
    test. A finite point outside the box of a surface that lets runs escape also counts
    (``run_single``): it stops its lane, and ``batch._stop_lanes`` lowers LOW with it.
    """
    # v - v is +0.0 for a finite v and NaN otherwise, and abs(f) + 0.0 is abs(f): one
    # comparison tests f and the gradient, with no constant but the bound (fewer live
    # vector registers than abs(v) < inf tests, which made Adam's loop spill). The
    # stop rules are most of a fused pass's floating-point work (it is bound by it):
    # folding x's and y's test into the box's saved 4 of ~40 vector operations a lane.
    finite = abs(f) + ((gx - gx) + (gy - gy)) <= LOSS_BOUND
    counts = finite & (x >= x_lo) & (x <= x_hi) & (y >= y_lo) & (y <= y_hi)
    stop = (not counts) | (gx * gx + gy * gy <= limit)
    return stop, counts


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _rules(knobs: np.ndarray) -> tuple[float, float, float, float, float, float, float, bool]:
    """A pass's stop rules and noise read into locals once: (x_lo, x_hi, y_lo, y_hi, limit,
    nx, ny, noisy), the box's open sides clamped to the largest float (see ``_verdict``);
    see ``lanes_check_step``."""
    big = np.finfo(np.float64).max
    noisy = knobs[K_NX] != 0.0 or knobs[K_NY] != 0.0  # adding 0.0 turns a -0.0 gradient +0.0
    return (
        max(knobs[K_X_LO], -big), min(knobs[K_X_HI], big), max(knobs[K_Y_LO], -big),
        min(knobs[K_Y_HI], big), knobs[K_LIMIT], knobs[K_NX], knobs[K_NY], noisy,
    )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _check(
    S: np.ndarray, r: int, x: float, y: float, f: float, gx: float, gy: float, rules: tuple
) -> tuple[bool, int, float, float]:
    """Lane r's stop rules at its point: (stop, event, gx, gy) with LOW lowered when the point
    counts, event 1 when the point stops a running lane, and the gradient plus the step's
    noise (the gradient the optimizer takes). Every family's pass starts with this."""
    x_lo, x_hi, y_lo, y_hi, limit, nx, ny, noisy = rules
    stop, counts = _verdict(x, y, f, gx, gy, x_lo, x_hi, y_lo, y_hi, limit)
    low, act = S[LOW * BLOCK + r], S[ACT * BLOCK + r] != 0.0
    S[LOW * BLOCK + r] = f if counts & (f < low) else low
    gx, gy = (gx + nx, gy + ny) if noisy else (gx, gy)
    return stop, 1 if act & stop else 0, gx, gy


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _advance(Q: np.ndarray, r: int, stop: bool, x1: float, y1: float) -> None:
    """p_{t+1} of lane r into ``Q`` unless p_t stopped it (then Q keeps p_{t-1})."""
    if not stop:  # a masked store: no load of p_{t-1}
        Q[r] = x1
        Q[BLOCK + r] = y1


# One step of lane r from (x, y) with gradient (gx, gy) per optimizer family, its state in
# the shared rows ``S``: returns p_{t+1}. ``lanes_check_step`` and the fused passes
# (``lanes_eval_check_step``) both call these, so both round alike.


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_sgd_plain(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float, t: int
) -> tuple[float, float]:
    """SGD with dampening, weight decay and nesterov 0 (the same bits: sgd_coord's selects
    pick what they pick with those rows at 0): gradient descent and heavy-ball momentum."""
    B = BLOCK
    lr, mu = S[LR * B + r], S[C0 * B + r]
    x1, S[S0X * B + r] = sgd_coord(x, gx, S[S0X * B + r], t, lr, mu, 0.0, 0.0, False)
    y1, S[S0Y * B + r] = sgd_coord(y, gy, S[S0Y * B + r], t, lr, mu, 0.0, 0.0, False)
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_sgd(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float, t: int
) -> tuple[float, float]:
    """torch.optim.SGD with each lane's momentum, dampening, weight decay and nesterov."""
    B = BLOCK
    lr, mu, damp = S[LR * B + r], S[C0 * B + r], S[C1 * B + r]
    wd, nest = S[C2 * B + r], S[C3 * B + r] != 0.0
    x1, S[S0X * B + r] = sgd_coord(x, gx, S[S0X * B + r], t, lr, mu, damp, wd, nest)
    y1, S[S0Y * B + r] = sgd_coord(y, gy, S[S0Y * B + r], t, lr, mu, damp, wd, nest)
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_heavy_ball(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float
) -> tuple[float, float]:
    """Polyak's heavy ball."""
    B = BLOCK
    lr, mu = S[LR * B + r], S[C0 * B + r]
    x1, S[S0X * B + r] = heavy_ball_coord(x, gx, S[S0X * B + r], lr, mu)
    y1, S[S0Y * B + r] = heavy_ball_coord(y, gy, S[S0Y * B + r], lr, mu)
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_adagrad(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float, t: int
) -> tuple[float, float]:
    """Adagrad with each lane's lr decay, weight decay and eps."""
    B = BLOCK
    clr = adagrad_lr(S[LR * B + r], t, S[C0 * B + r])
    wd, eps = S[C1 * B + r], S[C3 * B + r]
    x1, S[S0X * B + r] = adagrad_coord(x, gx, S[S0X * B + r], clr, wd, eps)
    y1, S[S0Y * B + r] = adagrad_coord(y, gy, S[S0Y * B + r], clr, wd, eps)
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_rmsprop(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float
) -> tuple[float, float]:
    """torch.optim.RMSprop (momentum, centered) with each lane's settings."""
    B = BLOCK
    lr, alpha, eps, wd, mu = (
        S[LR * B + r], S[C0 * B + r], S[C1 * B + r], S[C2 * B + r], S[C3 * B + r]
    )  # fmt: skip
    cen = S[C4 * B + r] != 0.0
    x1, S[S0X * B + r], S[S1X * B + r], S[S2X * B + r] = rmsprop_coord(
        x, gx, S[S0X * B + r], S[S1X * B + r], S[S2X * B + r], lr, alpha, eps, wd, mu, cen
    )
    y1, S[S0Y * B + r], S[S1Y * B + r], S[S2Y * B + r] = rmsprop_coord(
        y, gy, S[S0Y * B + r], S[S1Y * B + r], S[S2Y * B + r], lr, alpha, eps, wd, mu, cen
    )
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_rmsprop_lecture(
    S: np.ndarray, r: int, x: float, y: float, gx: float, gy: float
) -> tuple[float, float]:
    """The lecture's RMSprop (gamma, eps)."""
    B = BLOCK
    lr, gamma, eps = S[LR * B + r], S[C0 * B + r], S[C1 * B + r]
    x1, S[S0X * B + r] = rmsprop_lecture_coord(x, gx, S[S0X * B + r], lr, gamma, eps)
    y1, S[S0Y * B + r] = rmsprop_lecture_coord(y, gy, S[S0Y * B + r], lr, gamma, eps)
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _step_adam(
    S: np.ndarray,
    r: int,
    x: float,
    y: float,
    gx: float,
    gy: float,
    bc1: float,
    bc2: float,
    decoupled: bool,
) -> tuple[float, float]:
    """Adam (AdamW when ``decoupled``) with the step's shared bias corrections (bc1, bc2)
    when bc1 > 0 (a correction is never 0), else each lane's BC1, BC2."""
    B = BLOCK
    shared = bc1 > 0.0
    lr, b1, b2, eps, wd = (
        S[LR * B + r], S[C0 * B + r], S[C1 * B + r], S[C2 * B + r], S[C3 * B + r]
    )  # fmt: skip
    ams = S[C4 * B + r] != 0.0
    own1, own2 = S[BC1 * B + r], S[BC2 * B + r]
    step_size = lr / (bc1 if shared else own1)
    bc2_sqrt = bc2 if shared else own2
    x1, S[S0X * B + r], S[S1X * B + r], S[S2X * B + r] = adam_coord(
        x, gx, S[S0X * B + r], S[S1X * B + r], S[S2X * B + r], lr, step_size, bc2_sqrt,
        b1, b2, eps, wd, ams, decoupled,
    )  # fmt: skip
    y1, S[S0Y * B + r], S[S1Y * B + r], S[S2Y * B + r] = adam_coord(
        y, gy, S[S0Y * B + r], S[S1Y * B + r], S[S2Y * B + r], lr, step_size, bc2_sqrt,
        b1, b2, eps, wd, ams, decoupled,
    )  # fmt: skip
    return x1, y1


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def lanes_check_step(
    oid: int, P: np.ndarray, Q: np.ndarray, S: np.ndarray, t: int, knobs: np.ndarray
) -> int:
    """Stop rules at p_t and step ``t`` (from 1) of optimizer ``oid`` for every lane, in one
    pass; returns how many running lanes p_t stops.

    ``P`` and ``Q`` are the two point buffers (views of N_BUF rows), ``S`` the shared rows
    (the view of the first N_SHARED rows). p_t with its loss and gradient is read from ``P``;
    p_{t+1} = p_t stepped with the gradient plus the step's noise (K_NX, K_NY) is
    written to ``Q``, except for lanes that p_t stops, whose ``Q`` keeps p_{t-1}.
    ``knobs`` gives the box (K_X_LO..K_Y_HI; leaving it stops a lane, as an escape or a
    divergence by K_ESCAPE, which ``batch._stop_lanes`` reads), and the largest squared gradient
    norm that counts as converged (K_LIMIT). Three views rather than one array and the
    buffers' offsets: within a view every row is a constant offset, so LLVM checks each
    pair of views for overlap once per call and compiles the loops once (inlining one
    copy per direction, with constant offsets, doubled the sweeps' compile time).

    Lanes that stopped are stepped too (their results are stored; stepping them costs
    less than a branch). Adam and AdamW use the step's shared bias corrections
    (K_BC1, K_BC2) when K_BC1 > 0 (a correction is never 0), else each lane's BC1,
    BC2. Unknown ids, and Newton, step nothing and report no stop.
    """
    # A load inside a conditional expression is a branch LLVM cannot turn into a
    # select (the load might fault), which keeps a loop scalar: every row is loaded first
    # (``_check`` and the ``_step_*`` helpers load before they select).
    rules = _rules(knobs)
    events = 0
    if (oid == 0 or oid == 1 or oid == 2) and knobs[K_PLAIN] != 0.0:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_sgd_plain(S, r, x, y, gx, gy, t)
            _advance(Q, r, stop, x1, y1)
    elif oid == 0 or oid == 1 or oid == 2:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_sgd(S, r, x, y, gx, gy, t)
            _advance(Q, r, stop, x1, y1)
    elif oid == 3:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_heavy_ball(S, r, x, y, gx, gy)
            _advance(Q, r, stop, x1, y1)
    elif oid == 4:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_adagrad(S, r, x, y, gx, gy, t)
            _advance(Q, r, stop, x1, y1)
    elif oid == 5:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_rmsprop(S, r, x, y, gx, gy)
            _advance(Q, r, stop, x1, y1)
    elif oid == 6:
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_rmsprop_lecture(S, r, x, y, gx, gy)
            _advance(Q, r, stop, x1, y1)
    elif oid == 7 or oid == 9:
        bc1, bc2 = knobs[K_BC1], knobs[K_BC2]
        decoupled = oid == 9
        for r in range(BLOCK):
            x, y, f, gx, gy = _point(P, r)
            stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
            events += hit
            x1, y1 = _step_adam(S, r, x, y, gx, gy, bc1, bc2, decoupled)
            _advance(Q, r, stop, x1, y1)
    return events


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _keep(P: np.ndarray, r: int, f: float) -> None:
    """Lane r's loss at p_t into its point buffer ``P``: what curves record and a diverged
    run reports a pass later. Not the gradient, which only ``batch._stop_lanes`` reads:
    the rare pass that stops a lane evaluates its block again first (two stores fewer
    per lane-step measured ~1.4 -> ~1.15 ns a lane on Himmelblau with momentum)."""
    P[PF * BLOCK + r] = f


# The fused pass: per lane, the surface's value and gradient at p_t (the switch's loop
# calls the row's function), then ``_check`` and the step, in one loop per surface.
# Only plain SGD gets one: it is what both maps and a GD lr sweep run, and each family
# costs a loop per catalogue surface to compile (twice: numba optimises a callee again
# inside each caller). A fused Adam measured no faster on the lr sweep (3.4-3.9 ms
# either way, its two passes are bound by Adam's arithmetic) for ~2.3 CPU-s more of a
# first sweep's compile; the rest take the two passes.


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def _lane_sgd_plain(
    r: int, x: float, y: float, f: float, gx: float, gy: float, extra: tuple
) -> int:
    """Lane r of a fused plain-SGD pass (gradient descent, momentum); extra = (P, Q, S, t,
    rules). Returns 1 when p_t stops the running lane."""
    P, Q, S, t, rules = extra
    _keep(P, r, f)
    stop, hit, gx, gy = _check(S, r, x, y, f, gx, gy, rules)
    x1, y1 = _step_sgd_plain(S, r, x, y, gx, gy, t)
    _advance(Q, r, stop, x1, y1)
    return hit


_fused_sgd_plain = make_lane_loop(catalogue_table(), _lane_sgd_plain)


@njit(cache=True, nogil=True, error_model="numpy")
def has_fused(sid: int, oid: int, plain: bool) -> bool:
    """Whether ``lanes_eval_check_step`` runs surface ``sid`` with optimizer ``oid``: a
    catalogue surface with plain SGD (``plain_sgd``: GD, heavy-ball momentum)."""
    return sid != EXPRESSION_ID and (0 <= oid <= 2) and plain


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def lanes_eval_check_step(
    sid: int,
    oid: int,
    P: np.ndarray,
    Q: np.ndarray,
    S: np.ndarray,
    p: np.ndarray,
    t: int,
    knobs: np.ndarray,
) -> int:
    """``catalogue_eval_block`` at p_t into ``P`` and then ``lanes_check_step`` (plain SGD,
    ``oid`` 0..2), in one pass:
    the same numbers, without writing the gradients in one loop and reading them back in
    the next (only the losses are kept in ``P``). Only where ``has_fused(sid, oid,
    plain)``; returns the number of running lanes p_t stops (-1 for an unknown surface
    id: nothing evaluated or stepped)."""
    rules = _rules(knobs)
    return _fused_sgd_plain(sid, P, BLOCK, p, (P, Q, S, t, rules))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _point(P: np.ndarray, r: int) -> tuple[float, float, float, float, float]:
    """Lane r's (x, y, f, gx, gy) in the point buffer ``P``."""
    B = BLOCK
    return P[PX * B + r], P[PY * B + r], P[PF * B + r], P[PGX * B + r], P[PGY * B + r]
