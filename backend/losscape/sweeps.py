"""Sweeps: many runs of one optimizer on one surface through the batch kernels.

The lr sweep (one run per learning rate), the basin map (one run per start) and the
lr x momentum map (one run per pair) all go through ``run_batch``, in chunks that
report progress and can be cancelled.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import limits
from .arguments import (
    SurfaceArg,
    _log_range,
    _work,
    resolve_surface,
)
from .numerics import kernels
from .numerics.kernels import STATUS_DIVERGED, STATUS_ESCAPED, STATUS_NAMES
from .numerics.optimizers import OPTIMIZERS
from .numerics.registry import (
    check_number,
    optimizer_spec,
)
from .numerics.specs import CriticalPoint, OptimizerSpec
from .resolved import ResolvedSurface
from .run_arguments import run_arguments
from .validation import check_point as _point
from .validation import check_view as _check_view

# --------------------------------------------------------------------------- sweeps


class Cancelled(Exception):
    """Raised by a progress callback to stop a sweep (the client went away or cancelled)."""


@dataclass(frozen=True)
class BatchResult:
    """Raw per-run results of one ``kernels.batch`` call, shapes (R, ...)."""

    finals: np.ndarray  # (R, 3) last (x, y, loss)
    best: np.ndarray  # (R,)
    status: np.ndarray  # (R,) int codes, see STATUS_NAMES
    taken: np.ndarray  # (R,) steps taken
    curves: np.ndarray | None  # (R, steps + 1) losses, padded with the last value


def run_batch(
    surf: ResolvedSurface,
    spec: OptimizerSpec,
    hps: np.ndarray,
    lrs: np.ndarray,
    starts: np.ndarray,
    steps: int,
    *,
    kid: int = 0,
    schp: np.ndarray | None = None,
    noise_std: float = 0.0,
    seed: int = 0,
    tol: float = 1e-10,
    curves: bool = False,
    parallel: bool = False,
    on_chunk: Callable[[int, int, BatchResult], None] | None = None,
) -> BatchResult:
    """Run R already-validated runs through one batch kernel.

    With ``on_chunk`` the runs go in chunks sized to take about
    ``limits.MAX_CHUNK_S`` each (at most about 20 chunks when that is longer)
    and ``on_chunk(done, total, partial)`` is called after each (rows past
    ``done`` are not yet filled); it may raise (for instance ``Cancelled``) to
    stop the sweep within a chunk's time.
    """
    r = lrs.shape[0]
    _work(r, steps)
    if curves and r * (steps + 1) > limits.MAX_CURVE_VALUES:
        raise ValueError(
            f"too many loss values requested ({r} x {steps + 1}); ask for curves=False"
        )
    box, box_status = surf.stop_box()
    curve_arr = np.empty((r, steps + 1)) if curves else np.empty((0, 0))
    finals = np.empty((r, 3))
    best = np.empty(r)
    status = np.empty(r, dtype=np.int64)
    taken = np.empty(r, dtype=np.int64)
    kernel = kernels.batch_parallel if parallel else kernels.batch
    hps = np.ascontiguousarray(hps)
    lrs = np.ascontiguousarray(lrs)
    starts = np.ascontiguousarray(starts)
    schp = schp if schp is not None else np.zeros(1)
    result = BatchResult(finals, best, status, taken, curve_arr if curves else None)
    chunk = r if on_chunk is None else max(kernels.BLOCK, -(-r // 20))
    if on_chunk is not None:
        chunk = 16  # a small first chunk measures the time per run
    lo = 0
    while lo < r:
        hi = min(lo + chunk, r)
        t0 = time.perf_counter()
        # Slices of C-contiguous arrays along axis 0 stay contiguous: one signature.
        kernel(
            *surf.kernel_args(), spec.id, hps[lo:hi], kid, schp, lrs[lo:hi], starts[lo:hi],
            steps, noise_std, seed, tol, box, box_status, curve_arr[lo:hi] if curves else curve_arr,
            finals[lo:hi], best[lo:hi], status[lo:hi], taken[lo:hi],
        )  # fmt: skip
        if on_chunk is not None:
            per_run = (time.perf_counter() - t0) / (hi - lo)
            fit = int(limits.MAX_CHUNK_S / max(per_run, 1e-9))
            if fit >= kernels.BLOCK:  # whole blocks, up to a twentieth of the sweep
                fit = min(fit - fit % kernels.BLOCK, max(kernels.BLOCK, -(-r // 20)))
            chunk = max(4, fit)
            on_chunk(hi, r, result)
        lo = hi
    return result


def _nan_where_diverged(values: np.ndarray, status: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[status == STATUS_DIVERGED] = np.nan
    return out


@dataclass(frozen=True)
class LRSweep:
    """Final and best loss of one optimizer over log-spaced learning rates.

    ``lrs`` (N,), ``final_loss`` / ``best_loss`` (N,) with NaN for diverged runs,
    ``status`` (N,) names, ``stopped_at`` (N,) (-1 where the run used its budget),
    ``curves`` (N, steps + 1) when asked for; ``edge_lr`` = 2 / lambda_max on a
    quadratic surface (above it GD diverges), else None; ``optimal_lr`` =
    2 / (lambda_min + lambda_max), GD's fastest rate on a convex quadratic, else None.
    """

    surface: str
    optimizer: str
    lrs: np.ndarray
    final_loss: np.ndarray
    best_loss: np.ndarray
    status: list[str]
    stopped_at: np.ndarray
    curves: np.ndarray | None
    edge_lr: float | None
    optimal_lr: float | None = None


def _stopped_array(result: BatchResult) -> np.ndarray:
    stopped = result.taken.copy()
    stopped[result.status == STATUS_DIVERGED] += 1
    stopped[result.status == 0] = -1
    return stopped


def lr_sweep(
    surface: SurfaceArg,
    optimizer: str,
    *,
    start: Sequence[float] | None = None,
    steps: int = 200,
    lr_min: float = 1e-4,
    lr_max: float = 1.0,
    count: int = 50,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-10,
    curves: bool = False,
    surface_params: Mapping[str, object] | None = None,
    parallel: bool = False,
    progress: Callable[[int, int, BatchResult], None] | None = None,
    **hyperparams: object,
) -> LRSweep:
    """Run ``optimizer`` from one start at ``count`` log-spaced lrs in [lr_min, lr_max]."""
    surf = resolve_surface(surface, surface_params)
    a = run_arguments(
        optimizer, start if start is not None else surf.default_start, steps=steps,
        schedule=schedule, schedule_params=schedule_params, noise=noise, batch_size=batch_size,
        seed=seed, tol=tol, **hyperparams,
    )  # fmt: skip
    spec = a.spec
    lrs = _log_range(lr_min, lr_max, count, "lr", (spec.lr_min, spec.lr_max), limits.MAX_LR_COUNT)
    x0, y0 = a.start
    starts = np.tile(np.array([x0, y0]), (lrs.shape[0], 1))
    hps = np.tile(a.hp, (lrs.shape[0], 1))
    res = run_batch(
        surf, spec, hps, lrs, starts, a.steps, kid=a.kid, schp=a.schp, noise_std=a.noise_std,
        seed=a.seed, tol=a.tol, curves=curves, parallel=parallel, on_chunk=progress,
    )  # fmt: skip
    edge = optimal = None
    if surf.quadratic:
        h = np.empty((2, 2))  # a quadratic's Hessian: defined everywhere, constant
        kernels.hessian_at(*surf.kernel_args(), x0, y0, h)
        lam = np.linalg.eigvalsh(h)
        edge = float(2.0 / lam[-1]) if lam[-1] > 0 else None
        optimal = float(2.0 / (lam[0] + lam[-1])) if lam[0] > 0 else None
    return LRSweep(
        surface=surf.name,
        optimizer=spec.name,
        lrs=lrs,
        final_loss=_nan_where_diverged(res.finals[:, 2], res.status),
        best_loss=res.best,
        status=[STATUS_NAMES[s] for s in res.status],
        stopped_at=_stopped_array(res),
        curves=res.curves,
        edge_lr=edge,
        optimal_lr=optimal,
    )


LABEL_NONE = -1  # ended near no known minimum
LABEL_DIVERGED = -2
LABEL_ESCAPED = -3


@dataclass(frozen=True)
class BasinMap:
    """Which known minimum each start of a G x G grid ends in.

    ``xs`` (G,), ``ys`` (G,); ``label`` (G, G) rows over y: an index into
    ``minima``, or LABEL_NONE (-1), LABEL_DIVERGED (-2), LABEL_ESCAPED (-3);
    ``final_loss`` (G, G) NaN where diverged; ``steps`` (G, G) steps taken.
    """

    surface: str
    optimizer: str
    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray
    final_loss: np.ndarray
    steps: np.ndarray
    minima: tuple[CriticalPoint, ...]
    radius: float


def label_minima(
    finals: np.ndarray, status: np.ndarray, minima: Sequence[CriticalPoint], radius: float
) -> np.ndarray:
    """Label each final point by the nearest minimum within ``radius``; see ``BasinMap``."""
    label = np.full(finals.shape[0], LABEL_NONE, dtype=np.int64)
    if minima:
        # One minimum at a time over (R,) columns: the first nearest wins ties, as an argmin
        # over an (R, M) table of distances would, at a fraction of its time (a 256 x 256
        # map: ~6 -> ~2 ms). A row's distances are all NaN or none (x or y NaN), and a
        # NaN is never "closer", so such a row keeps minimum 0 as argmin's first NaN would.
        fx, fy = finals[:, 0], finals[:, 1]
        best = np.hypot(fx - minima[0].x, fy - minima[0].y)
        nearest = np.zeros(finals.shape[0], dtype=np.int64)
        for k in range(1, len(minima)):
            d = np.hypot(fx - minima[k].x, fy - minima[k].y)
            closer = d < best
            best = np.where(closer, d, best)
            nearest[closer] = k
        close = best <= radius
        label[close] = nearest[close]
    label[status == STATUS_DIVERGED] = LABEL_DIVERGED
    label[status == STATUS_ESCAPED] = LABEL_ESCAPED
    return label


def _minima_arg(minima: object) -> tuple[CriticalPoint, ...] | None:
    if minima is None:
        return None
    if not isinstance(minima, Sequence) or isinstance(minima, str) or len(minima) > 64:
        raise ValueError("minima must be a list of at most 64 (x, y) points")
    pts = [_point(m, f"minima[{i}]") for i, m in enumerate(minima)]
    return tuple(CriticalPoint(x, y, math.nan, "minimum") for x, y in pts)


def basin_targets(
    surf: ResolvedSurface,
    *,
    view: Sequence[float] | None = None,
    minima: Sequence[Sequence[float]] | None = None,
    radius: float | None = None,
) -> tuple[tuple[CriticalPoint, ...], float]:
    """The minima a basin map labels by, and how close counts as reaching one.

    The given minima, else the surface's; ``radius`` defaults to 2% of the
    view's diagonal. Shared with the live channel, which labels partial rows.
    """
    x0, x1, y0, y1 = _check_view(view) if view is not None else surf.view
    mins = _minima_arg(minima) or surf.minima
    diag = math.hypot(x1 - x0, y1 - y0)
    rad = 0.02 * diag if radius is None else check_number(radius, "radius", 0.0, diag)
    return tuple(mins), rad


def basins(
    surface: SurfaceArg,
    optimizer: str = "gd",
    *,
    lr: float | None = None,
    steps: int = 500,
    resolution: int = 64,
    view: Sequence[float] | None = None,
    minima: Sequence[Sequence[float]] | None = None,
    radius: float | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-8,
    surface_params: Mapping[str, object] | None = None,
    parallel: bool = False,
    progress: Callable[[int, int, BatchResult], None] | None = None,
    **hyperparams: object,
) -> BasinMap:
    """Basin-of-attraction map: a ``resolution`` x ``resolution`` grid of starts over ``view``.

    ``radius`` (default 2% of the view's diagonal) is how close a final point
    must be to a minimum to count as having reached it.
    """
    surf = resolve_surface(surface, surface_params)
    x0, x1, y0, y1 = _check_view(view) if view is not None else surf.view
    # The view's corner stands in for the start, as on the callable path: each grid
    # point is a start of its own.
    a = run_arguments(
        optimizer, (x0, y0), steps=steps, lr=lr, schedule=schedule,
        schedule_params=schedule_params, noise=noise, batch_size=batch_size, seed=seed,
        tol=tol, **hyperparams,
    )  # fmt: skip
    spec = a.spec
    g = int(check_number(resolution, "resolution", 2, limits.MAX_BASIN_RESOLUTION, kind="int"))
    mins, rad = basin_targets(surf, view=view, minima=minima, radius=radius)
    xs = np.linspace(x0, x1, g)
    ys = np.linspace(y0, y1, g) if surf.dims == 2 else np.zeros(1)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    r = starts.shape[0]
    res = run_batch(
        surf, spec, np.tile(a.hp, (r, 1)), np.full(r, a.lr), starts, a.steps, kid=a.kid,
        schp=a.schp, noise_std=a.noise_std, seed=a.seed, tol=a.tol, parallel=parallel,
        on_chunk=progress,
    )  # fmt: skip
    shape = (ys.shape[0], g)
    return BasinMap(
        surface=surf.name,
        optimizer=spec.name,
        xs=xs,
        ys=ys,
        label=label_minima(res.finals, res.status, mins, rad).reshape(shape),
        final_loss=_nan_where_diverged(res.finals[:, 2], res.status).reshape(shape),
        steps=res.taken.reshape(shape),
        minima=tuple(mins),
        radius=rad,
    )


_MOMENTUM_NAMES = ("momentum", "beta1")


@dataclass(frozen=True)
class LRMomentumMap:
    """Final loss over a grid of learning rates x momentum values.

    ``lrs`` (A,), ``momenta`` (B,); ``final_loss`` (B, A) rows over momentum,
    NaN where diverged; ``status`` (B, A) names; ``hyperparam`` is the
    hyperparameter swept ("momentum" or "beta1").
    """

    surface: str
    optimizer: str
    hyperparam: str
    lrs: np.ndarray
    momenta: np.ndarray
    final_loss: np.ndarray
    status: list[list[str]]


def lr_momentum_map(
    surface: SurfaceArg,
    optimizer: str = "momentum",
    *,
    start: Sequence[float] | None = None,
    steps: int = 200,
    lr_min: float = 1e-4,
    lr_max: float = 1.0,
    lr_count: int = 40,
    momentum_min: float = 0.0,
    momentum_max: float = 0.99,
    momentum_count: int = 40,
    tol: float = 1e-10,
    surface_params: Mapping[str, object] | None = None,
    parallel: bool = False,
    progress: Callable[[int, int, BatchResult], None] | None = None,
    **hyperparams: object,
) -> LRMomentumMap:
    """Final loss for every (lr, momentum) pair; momentum values are linearly spaced."""
    surf = resolve_surface(surface, surface_params)
    spec = optimizer_spec(optimizer)
    names = [p.name for p in spec.hyperparams]
    hname = next((n for n in _MOMENTUM_NAMES if n in names), None)
    if hname is None:
        valid = [
            o.name for o in OPTIMIZERS if any(p.name in _MOMENTUM_NAMES for p in o.hyperparams)
        ]
        raise ValueError(f"optimizer {spec.name!r} has no momentum; valid: {', '.join(valid)}")
    a = run_arguments(
        optimizer, start if start is not None else surf.default_start, steps=steps, tol=tol,
        **hyperparams,
    )  # fmt: skip
    hp = a.hp
    k = names.index(hname)
    pspec = spec.hyperparams[k]
    lrs = _log_range(
        lr_min, lr_max, lr_count, "lr", (spec.lr_min, spec.lr_max), limits.MAX_MAP_SIDE
    )
    m0 = check_number(momentum_min, "momentum_min", pspec.min, pspec.max)
    m1 = check_number(momentum_max, "momentum_max", pspec.min, pspec.max)
    if not m0 < m1:
        raise ValueError("momentum_min must be below momentum_max")
    nm = int(check_number(momentum_count, "momentum_count", 2, limits.MAX_MAP_SIDE, kind="int"))
    momenta = np.linspace(m0, m1, nm)
    x0, y0 = a.start
    mm, ll = np.meshgrid(momenta, lrs, indexing="ij")
    r = mm.size
    hps = np.tile(hp, (r, 1))
    hps[:, k] = mm.ravel()
    starts = np.tile(np.array([x0, y0]), (r, 1))
    res = run_batch(
        surf, spec, hps, ll.ravel().copy(), starts, a.steps, tol=a.tol, parallel=parallel,
        on_chunk=progress,
    )  # fmt: skip
    status = [STATUS_NAMES[s] for s in res.status]
    return LRMomentumMap(
        surface=surf.name,
        optimizer=spec.name,
        hyperparam=hname,
        lrs=lrs,
        momenta=momenta,
        final_loss=_nan_where_diverged(res.finals[:, 2], res.status).reshape(nm, lrs.shape[0]),
        status=[status[i * lrs.shape[0] : (i + 1) * lrs.shape[0]] for i in range(nm)],
    )
