"""The training loop in numba: any optimizer and schedule of the core, full or mini-batch.

``train_steps`` runs steps [t0, t1) of one run and can be called again to go
on (the Python side calls it in chunks to report progress); everything that
must survive between calls lives in arrays the caller owns: theta, the
optimizer state, the shuffled order ``perm`` and the counters ``ctx``.

Step t (from 0) evaluates the loss and gradient at theta_t on its batch,
records theta_t when t is a record point, then applies the optimizer with
the scheduled learning rate to get theta_{t+1}. Mini-batches walk through a
seeded shuffle of the training points, reshuffled every epoch (the last batch
of an epoch is the remainder, like torch's DataLoader with drop_last=False).
A non-finite or huge loss or gradient at theta_t stops the run as
"diverged" at step t, with theta put back to theta_{t-1} (``prev`` keeps it);
nothing non-finite is ever recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..numerics.optimizers import MAX_STATE_SLOTS, optimizer_init, optimizer_step
from ..numerics.schedules import schedule_lr
from .activation_stats import hidden_stats, loss_and_stats
from .mlp import Architecture, loss_grad, loss_only, norm_stats, scratch

STATUS_DONE = 0
STATUS_DIVERGED = 1
STATUS_REACHED = 2
STATUS_NAMES = ("done", "diverged", "reached")
LOSS_BOUND = 1e100

# ctx slots
CTX_POS = 0  # next position in perm
CTX_EPOCH = 1  # epochs started
CTX_RECORDS = 2  # records written
CTX_STATS = 3  # records with hidden-layer statistics written
CTX_SLOTS = 4


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_STREAM = np.uint64(0xD1B54A32D192ED03)
_INDEX = np.uint64(0x8CB92BA72F3D8DD7)


@njit(cache=True, nogil=True)
def uniform(seed: int, stream: int, k: int) -> float:
    """Uniform on [0, 1) for (seed, stream, k): SplitMix64 of a counter, no state."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(stream) * _STREAM + np.uint64(k) * _INDEX
    z = _mix(_mix(z))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _mix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (Steele, Lea and Flood 2014)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def shuffle(perm: np.ndarray, seed: int, stream: int) -> None:
    """Fisher-Yates shuffle of perm in place with the counter-based uniforms."""
    for i in range(perm.shape[0] - 1, 0, -1):
        j = int(uniform(seed, stream, i) * (i + 1))
        if j > i:
            j = i
        tmp = perm[i]
        perm[i] = perm[j]
        perm[j] = tmp


@njit(cache=True, nogil=True)
def next_batch(perm: np.ndarray, ctx: np.ndarray, size: int, seed: int, out: np.ndarray) -> int:
    """Fill out[:m] with the next batch of indices and return m (<= size)."""
    n = perm.shape[0]
    if ctx[CTX_POS] == 0:
        shuffle(perm, seed, ctx[CTX_EPOCH])
        ctx[CTX_EPOCH] += 1
    pos = ctx[CTX_POS]
    m = min(size, n - pos)
    for k in range(m):
        out[k] = perm[pos + k]
    ctx[CTX_POS] = 0 if pos + m >= n else pos + m
    return m


@njit(cache=True, nogil=True)
def _finite_norm(grad: np.ndarray) -> float:
    """Euclidean norm of grad (inf when any entry is not finite)."""
    s = 0.0
    for i in range(grad.shape[0]):
        g = grad[i]
        if not math.isfinite(g):
            return math.inf
        s += g * g
    return math.sqrt(s)


@njit(cache=True, nogil=True)
def _diverged(theta: np.ndarray, prev: np.ndarray, t: int) -> tuple[int, int]:
    """Put back the last theta before the step that blew up (at t = 0: theta_0 itself)."""
    if t > 0:
        theta[:] = prev
    return STATUS_DIVERGED, t


@njit(cache=True, nogil=True, error_model="numpy")
def train_steps(
    layout: np.ndarray,
    loss_id: int,
    theta: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    Xv: np.ndarray,
    Tv: np.ndarray,
    oid: int,
    hp: np.ndarray,
    state: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lr0: float,
    total_steps: int,
    t0: int,
    t1: int,
    batch_size: int,
    seed: int,
    perm: np.ndarray,
    ctx: np.ndarray,
    record_at: np.ndarray,
    stats_at: np.ndarray,
    target: float,
    broken: bool,
    hist_lo: float,
    hist_hi: float,
    acts: np.ndarray,
    deltas: np.ndarray,
    grad: np.ndarray,
    prev: np.ndarray,
    counts: np.ndarray,
    stats: np.ndarray,
    batch_loss: np.ndarray,
    grad_norm: np.ndarray,
    lrs: np.ndarray,
    rec_step: np.ndarray,
    rec_train: np.ndarray,
    rec_val: np.ndarray,
    rec_train_acc: np.ndarray,
    rec_val_acc: np.ndarray,
    rec_stats_step: np.ndarray,
    rec_hist: np.ndarray,
    rec_dead: np.ndarray,
    rec_sat: np.ndarray,
    rec_theta: np.ndarray,
) -> tuple[int, int]:
    """Steps t0 .. t1 - 1 of a run of ``total_steps``; returns (status, steps done).

    Per step (arrays of length total_steps): ``batch_loss`` the loss of the
    batch at theta_t, ``grad_norm`` its gradient's norm, ``lrs`` the learning
    rate. Per record r (theta_t at the steps t listed in ``record_at``, sorted,
    and at the last step): ``rec_step`` t, ``rec_train`` / ``rec_val`` the mean
    loss over the training / validation points, ``rec_*_acc`` the share of
    correct class predictions, ``rec_theta`` a snapshot of theta (when
    non-empty). The hidden-layer statistics cost a pass over the training
    points' activations, so only the records listed in ``stats_at`` (sorted
    record indices) and a record that ends the run as "reached" get them:
    their s-th such record writes ``rec_stats_step[s]`` (its step) and
    ``rec_hist[s]`` / ``rec_dead[s]`` / ``rec_sat[s]`` (when their first axis
    is non-empty; capacity len(stats_at) + 1). A record whose training loss
    is <= ``target`` ends the run as "reached". At t1 == total_steps the
    final theta is recorded too. With batch normalisation a
    step normalises over its batch and a record evaluates with the whole
    training set's statistics at theta_t (``stats`` (2, U), ``passes``).
    """
    n = X.shape[0]
    full = batch_size >= n
    idx_all = np.arange(n)
    idx_val = np.arange(Xv.shape[0])
    batch = np.empty(min(batch_size, n), dtype=np.int64)
    want_stats = rec_hist.shape[0] > 0
    want_theta = rec_theta.shape[0] > 0
    for t in range(t0, t1 + 1):
        last = t == total_steps
        if t == t1 and not last:
            break
        r = ctx[CTX_RECORDS]
        is_record = last or (r < record_at.shape[0] and t == record_at[r])
        s = ctx[CTX_STATS]
        stats_here = is_record and want_stats and s < stats_at.shape[0] and stats_at[s] == r
        if last:
            if stats_here:
                loss, correct = loss_and_stats(
                    layout, loss_id, theta, X, T, idx_all, acts, stats, hist_lo, hist_hi,
                    rec_hist[s], rec_dead[s], rec_sat[s], counts,
                )  # fmt: skip
            else:
                loss, correct = loss_only(layout, loss_id, theta, X, T, idx_all, acts, stats, True)
            gnorm = 0.0
        else:
            if full:
                m = n
                idx = idx_all
            else:
                m = next_batch(perm, ctx, batch_size, seed, batch)
                idx = batch[:m]
            loss, correct = loss_grad(
                layout, loss_id, theta, X, T, idx, acts, deltas, grad, broken, stats
            )
            gnorm = _finite_norm(grad)
        if not (math.isfinite(loss) and abs(loss) <= LOSS_BOUND and math.isfinite(gnorm)):
            return _diverged(theta, prev, t)
        if not last:
            batch_loss[t] = loss
            grad_norm[t] = gnorm
        if is_record:
            if not (full or last):
                # the record's pass over all the training points (the step saw one batch)
                if stats_here:
                    loss, correct = loss_and_stats(
                        layout, loss_id, theta, X, T, idx_all, acts, stats, hist_lo, hist_hi,
                        rec_hist[s], rec_dead[s], rec_sat[s], counts,
                    )  # fmt: skip
                else:
                    loss, correct = loss_only(
                        layout, loss_id, theta, X, T, idx_all, acts, stats, True
                    )
                if not (math.isfinite(loss) and abs(loss) <= LOSS_BOUND):
                    return _diverged(theta, prev, t)
            elif stats_here and not last:
                # full batch: the step's pass kept only its last chunk's activations
                hidden_stats(
                    layout, theta, X, idx_all, acts, hist_lo, hist_hi,
                    rec_hist[s], rec_dead[s], rec_sat[s], counts, stats,
                )  # fmt: skip
            if want_stats and not stats_here and loss <= target:
                # the record that ends the run as "reached" shows its activations too
                hidden_stats(
                    layout, theta, X, idx_all, acts, hist_lo, hist_hi,
                    rec_hist[s], rec_dead[s], rec_sat[s], counts, stats,
                )  # fmt: skip
                stats_here = True
            if stats_here:
                rec_stats_step[s] = t
                ctx[CTX_STATS] = s + 1
            rec_step[r] = t
            rec_train[r] = loss
            rec_train_acc[r] = correct / n
            if Xv.shape[0] > 0:
                # stats hold the training points' statistics at theta (just computed)
                vl, vc = loss_only(layout, loss_id, theta, Xv, Tv, idx_val, acts, stats, False)
                if not (math.isfinite(vl) and abs(vl) <= LOSS_BOUND):
                    return _diverged(theta, prev, t)
                rec_val[r] = vl
                rec_val_acc[r] = vc / Xv.shape[0]
            if want_theta:
                rec_theta[r, :] = theta
            ctx[CTX_RECORDS] = r + 1
            if loss <= target:
                return STATUS_REACHED, t
        if last:
            return STATUS_DONE, t
        lr = schedule_lr(kid, t, lr0, schp, total_steps)
        lrs[t] = lr
        prev[:] = theta
        optimizer_step(oid, theta, grad, state, t + 1, lr, hp)
    return STATUS_DONE, t1


@dataclass
class RunOutput:
    """What ``run`` returns: the arrays of ``train_steps`` cut to what was filled."""

    status: str
    stopped_at: int | None
    steps_taken: int
    theta: np.ndarray
    batch_loss: np.ndarray
    grad_norm: np.ndarray
    lrs: np.ndarray
    record_steps: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    hist: np.ndarray | None
    dead: np.ndarray | None
    sat: np.ndarray | None
    stats_steps: np.ndarray | None
    snapshots: np.ndarray | None


def run(
    arch: Architecture,
    X: np.ndarray,
    T: np.ndarray,
    Xv: np.ndarray,
    Tv: np.ndarray,
    oid: int,
    hp: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lr: float,
    theta0: np.ndarray,
    *,
    steps: int,
    batch_size: int,
    seed: int,
    record_at: np.ndarray,
    target: float = -math.inf,
    broken: bool = False,
    stats: bool = True,
    stats_at: np.ndarray | None = None,
    snapshots: bool = True,
    bins: int = 20,
    hist_range: tuple[float, float] = (-1.0, 1.0),
    progress: Callable[[int, int, RunOutput], None] | None = None,
) -> RunOutput:
    """One training run from theta0 through ``train_steps``, all state allocated here.

    With ``progress`` the steps go in about 20 chunks and ``progress(done,
    total, partial)`` is called between them (it may raise to stop the run);
    chunking does not change the result. ``stats_at``: the record indices
    (sorted) that get the hidden-layer statistics (None: every record; a
    run that stops as "reached" gets them at its last record too).
    """
    p = arch.n_params
    layout = arch.layout
    n_hidden = len(arch.hidden)
    r_cap = record_at.shape[0] + 1
    theta = theta0.copy()
    state = np.zeros((MAX_STATE_SLOTS, p))
    optimizer_init(oid, state, hp)
    acts, deltas = scratch(arch, X.shape[0])
    norm = norm_stats(arch)
    grad = np.zeros(p)
    prev = theta.copy()
    counts = np.zeros(arch.units, dtype=np.int64)
    perm = np.arange(X.shape[0], dtype=np.int64)
    ctx = np.zeros(CTX_SLOTS, dtype=np.int64)
    batch_loss = np.zeros(steps)
    grad_norm = np.zeros(steps)
    lrs = np.zeros(steps)
    rec_step = np.zeros(r_cap, dtype=np.int64)
    rec_train = np.zeros(r_cap)
    rec_val = np.zeros(r_cap)
    rec_tacc = np.zeros(r_cap)
    rec_vacc = np.zeros(r_cap)
    want_stats = stats and n_hidden > 0
    plan = np.arange(r_cap, dtype=np.int64) if stats_at is None else stats_at.astype(np.int64)
    s_cap = min(plan.shape[0] + 1, r_cap) if want_stats else 0
    rec_stats_step = np.zeros(s_cap, dtype=np.int64)
    rec_hist = np.zeros((s_cap, max(n_hidden, 1), bins))
    rec_dead = np.zeros((s_cap, max(n_hidden, 1)))
    rec_sat = np.zeros((s_cap, max(n_hidden, 1)))
    rec_theta = np.zeros((r_cap if snapshots else 0, p))
    lo, hi = hist_range
    chunk = steps if progress is None else max(1, -(-steps // 20))
    status = STATUS_DONE
    done = 0

    def output() -> RunOutput:
        r = int(ctx[CTX_RECORDS])
        s = int(ctx[CTX_STATS])
        n = done
        name = STATUS_NAMES[status]
        return RunOutput(
            status=name,
            stopped_at=done if name != "done" else None,
            steps_taken=n,
            theta=theta.copy(),
            batch_loss=batch_loss[:n].copy(),
            grad_norm=grad_norm[:n].copy(),
            lrs=lrs[:n].copy(),
            record_steps=rec_step[:r].copy(),
            train_loss=rec_train[:r].copy(),
            val_loss=rec_val[:r].copy(),
            train_acc=rec_tacc[:r].copy(),
            val_acc=rec_vacc[:r].copy(),
            hist=rec_hist[:s].copy() if want_stats else None,
            dead=rec_dead[:s].copy() if want_stats else None,
            sat=rec_sat[:s].copy() if want_stats else None,
            stats_steps=rec_stats_step[:s].copy() if want_stats else None,
            snapshots=rec_theta[:r].copy() if snapshots else None,
        )

    t0 = 0
    while True:
        t1 = min(t0 + chunk, steps)
        code, reached = train_steps(
            layout, arch.loss, theta, X, T, Xv, Tv, oid, hp, state, kid, schp, lr, steps,
            t0, t1, batch_size, seed, perm, ctx, record_at, plan, target, broken, lo, hi, acts,
            deltas, grad, prev, counts, norm, batch_loss, grad_norm, lrs, rec_step, rec_train,
            rec_val, rec_tacc, rec_vacc, rec_stats_step, rec_hist, rec_dead, rec_sat, rec_theta,
        )  # fmt: skip
        status = code
        done = int(reached)
        if code != STATUS_DONE or t1 >= steps:
            break
        if progress is not None:
            progress(t1, steps, output())
        t0 = t1
    return output()
