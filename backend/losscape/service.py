"""The Python API: validated arguments -> contiguous float64 arrays -> kernels -> results.

Everything public here is re-exported from ``losscape``; the web layer calls the
same functions. Unknown names, wrong types, non-finite or out-of-bound values
raise ``ValueError`` naming the valid choices or bounds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import limits
from .numerics import kernels
from .numerics.kernels import STATUS_DIVERGED, STATUS_ESCAPED, STATUS_NAMES
from .numerics.optimizers import OPTIMIZERS
from .numerics.registry import (
    check_number,
    optimizer_spec,
    param_vector,
)
from .numerics.registry import surface_spec as _surface_spec
from .numerics.schedules import SCHEDULES
from .numerics.specs import CriticalPoint, OptimizerSpec, ParamSpec, SurfaceSpec
from .numerics.surfaces import SURFACES
from .resolved import ResolvedSurface, classify
from .saddles import run_status
from .validation import check_point as _point
from .validation import check_view as _check_view
from .validation import hyperparams as _hyperparams
from .validation import lr as _lr
from .validation import schedule as validate_schedule

_EMPTY_CODE = np.zeros(1, dtype=np.int64)
_EMPTY_CONSTS = np.zeros(1, dtype=np.float64)

SurfaceArg = str | Mapping[str, Any]


# --------------------------------------------------------------------------- surfaces


def resolve_surface(
    surface: SurfaceArg, surface_params: Mapping[str, object] | None = None
) -> ResolvedSurface:
    """Resolve a catalogue name, ``{"name": ..., "params": ...}`` or ``{"expression": ...}``."""
    if isinstance(surface, Mapping):
        if "expression" in surface:
            from .expressions import resolve_expression

            return resolve_expression(surface)
        allowed = {"name", "params"}
        extra = sorted(set(surface) - allowed)
        if extra:
            raise ValueError(
                f"unknown surface field(s) {', '.join(extra)}; valid: expression, name, params"
            )
        if surface_params is None:
            surface_params = surface.get("params")
        surface = surface.get("name")  # type: ignore[assignment]
    spec = _surface_spec(surface)
    params = param_vector(spec.params, surface_params, spec.name)
    values = {p.name: float(params[i]) for i, p in enumerate(spec.params)}
    points = spec.critical_points_fn(values) if spec.critical_points_fn else spec.critical_points
    return ResolvedSurface(
        name=spec.name,
        sid=spec.id,
        params=params,
        code=_EMPTY_CODE,
        consts=_EMPTY_CONSTS,
        view=spec.view,
        critical_points=tuple(points),
        unbounded_below=spec.unbounded_below,
        quadratic=spec.quadratic,
        dims=spec.dims,
        default_start=spec.default_start,
        param_values=values,
    )


# --------------------------------------------------------------------------- arguments


def _schedule(name: str | None, params: Mapping[str, object] | None) -> tuple[int, np.ndarray]:
    spec, vector = validate_schedule(name, params)
    return spec.id, vector


def _steps(steps: object, hi: int = limits.MAX_STEPS) -> int:
    return int(check_number(steps, "steps", 1, hi, kind="int"))


def _noise_std(noise: object, batch_size: object) -> float:
    sigma = check_number(noise, "noise", 0.0, limits.MAX_NOISE)
    if batch_size is None:
        return sigma
    s = check_number(batch_size, "batch_size", 1, limits.MAX_BATCH_SIZE, kind="int")
    return sigma / math.sqrt(s)


def _seed(seed: object) -> int:
    return int(check_number(seed, "seed", 0, limits.MAX_SEED, kind="int"))


def _tol(tol: object) -> float:
    return check_number(tol, "tol", 0.0, 1e3)


def _work(runs: int, steps: int) -> None:
    if runs * steps > limits.MAX_SWEEP_WORK:
        raise ValueError(
            f"sweep too large: {runs} runs x {steps} steps exceeds {limits.MAX_SWEEP_WORK:,}"
        )


def _log_range(
    lo: object, hi: object, count: object, name: str, bounds: tuple[float, float], max_count: int
) -> np.ndarray:
    a = check_number(lo, f"{name}_min", *bounds)
    b = check_number(hi, f"{name}_max", *bounds)
    if not a < b:
        raise ValueError(f"{name}_min must be below {name}_max")
    n = int(check_number(count, f"{name}_count", 2, max_count, kind="int"))
    return np.geomspace(a, b, n)


# --------------------------------------------------------------------------- trajectory


@dataclass(frozen=True)
class Trajectory:
    """One optimizer run on one surface.

    ``path`` (n + 1, 2) and ``loss`` (n + 1,) hold the n steps actually taken;
    ``lrs`` (n,) the learning rate of each step; ``averaged_path`` /
    ``averaged_loss`` the Polyak average of the iterates, mean(theta_0..theta_k).
    ``status`` is "done" (budget spent), "converged" (gradient norm below tol),
    "diverged" (non-finite or beyond the bound) or "escaped" (left the view of
    a surface unbounded below); ``stopped_at`` the step where it stopped early.
    """

    surface: str
    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    path: np.ndarray
    loss: np.ndarray
    lrs: np.ndarray
    averaged_path: np.ndarray
    averaged_loss: np.ndarray
    status: str
    stopped_at: int | None

    @property
    def steps_taken(self) -> int:
        return int(self.loss.shape[0] - 1)

    @property
    def final(self) -> tuple[float, float, float]:
        return float(self.path[-1, 0]), float(self.path[-1, 1]), float(self.loss[-1])


def _stopped_at(n: int, status: int) -> int | None:
    if status == STATUS_DIVERGED:
        return n + 1
    return None if STATUS_NAMES[status] == "done" else n


def trajectory(
    surface: SurfaceArg,
    optimizer: str,
    *,
    start: Sequence[float] | None = None,
    steps: int = 200,
    lr: float | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-10,
    surface_params: Mapping[str, object] | None = None,
    **hyperparams: object,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start``.

    Args:
        surface: a catalogue name (``losscape.surfaces()``), ``{"name", "params"}``
            or ``{"expression": "x**2 + 3*y**2"}``.
        optimizer: a name from ``losscape.optimizers()``.
        start: (x, y); the surface's default start when None.
        steps: step budget, 1 to ``limits.MAX_STEPS``.
        lr: base learning rate (the optimizer's default when None).
        schedule, schedule_params: a name from ``losscape.schedules()`` and its settings.
        noise, batch_size: mini-batch gradient noise, std ``noise / sqrt(batch_size)``.
        seed: seeds the noise.
        tol: stop as converged when the gradient norm falls below it.
        surface_params: the surface's parameters (defaults otherwise).
        **hyperparams: the optimizer's hyperparameters, named as in torch.optim.

    Returns:
        A ``Trajectory``.
    """
    surf = resolve_surface(surface, surface_params)
    spec = optimizer_spec(optimizer)
    hp = _hyperparams(spec, hyperparams)
    lr0 = _lr(spec, lr)
    n_steps = _steps(steps)
    x0, y0 = _point(start if start is not None else surf.default_start, "start")
    kid, schp = _schedule(schedule, schedule_params)
    noise_std = _noise_std(noise, batch_size)
    box, box_status = surf.stop_box()
    path = np.empty((n_steps + 1, 3))
    lrs = np.empty(n_steps)
    avg = np.empty((n_steps + 1, 3))
    end = np.empty(3)
    n, status = kernels.trajectory(
        *surf.kernel_args(), spec.id, hp, kid, schp, lr0, x0, y0, n_steps, noise_std,
        _seed(seed), _tol(tol), box, box_status, path, lrs, avg, end,
    )  # fmt: skip
    if n == 0:  # the kernel's first evaluation is the start's: ``end`` holds it
        _check_start(x0, y0, end)
    # Copies: the results own C-contiguous arrays (what the JSON encoder serialises).
    xy = path[: n + 1, :2].copy()
    loss = path[: n + 1, 2].copy()
    averaged = avg[: n + 1, :2].copy()
    averaged_loss = avg[: n + 1, 2].copy()
    status_name = run_status(STATUS_NAMES[status], surf.kernel_args(), end[1:], xy[-1])
    return Trajectory(
        surface=surf.name,
        optimizer=spec.name,
        lr=lr0,
        hyperparams={p.name: float(hp[i]) for i, p in enumerate(spec.hyperparams)},
        path=xy,
        loss=loss,
        lrs=lrs[:n].copy(),
        averaged_path=averaged,
        averaged_loss=averaged_loss,
        status=status_name,
        stopped_at=_stopped_at(n, status),
    )


def _check_start(x0: float, y0: float, values: np.ndarray) -> None:
    """ValueError when the surface or its gradient, ``values`` = (f, gx, gy), is undefined
    at the start."""
    f, gx, gy = values
    if not (abs(f) <= kernels.LOSS_BOUND and math.isfinite(gx) and math.isfinite(gy)):
        raise ValueError(f"the surface or its gradient is undefined at the start ({x0:g}, {y0:g})")


def evaluate(surface: SurfaceArg | ResolvedSurface, points: np.ndarray) -> np.ndarray:
    """(K, 3) rows (f, df/dx, df/dy) at ``points`` (K, 2)."""
    surf = surface if isinstance(surface, ResolvedSurface) else resolve_surface(surface)
    pts = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2)
    out = np.empty((pts.shape[0], 3))
    kernels.evaluate_points(*surf.kernel_args(), pts, out)
    return out


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
    spec = optimizer_spec(optimizer)
    hp = _hyperparams(spec, hyperparams)
    lrs = _log_range(lr_min, lr_max, count, "lr", (spec.lr_min, spec.lr_max), limits.MAX_LR_COUNT)
    n_steps = _steps(steps)
    x0, y0 = _point(start if start is not None else surf.default_start, "start")
    kid, schp = _schedule(schedule, schedule_params)
    starts = np.tile(np.array([x0, y0]), (lrs.shape[0], 1))
    hps = np.tile(hp, (lrs.shape[0], 1))
    res = run_batch(
        surf, spec, hps, lrs, starts, n_steps, kid=kid, schp=schp,
        noise_std=_noise_std(noise, batch_size), seed=_seed(seed), tol=_tol(tol),
        curves=curves, parallel=parallel, on_chunk=progress,
    )  # fmt: skip
    edge = optimal = None
    if surf.quadratic:
        lam = np.linalg.eigvalsh(hessian(surf, (x0, y0)).matrix)
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
        mins = np.array([[m.x, m.y] for m in minima])
        d = np.hypot(finals[:, None, 0] - mins[None, :, 0], finals[:, None, 1] - mins[None, :, 1])
        nearest = np.argmin(d, axis=1)
        close = d[np.arange(d.shape[0]), nearest] <= radius
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
    spec = optimizer_spec(optimizer)
    hp = _hyperparams(spec, hyperparams)
    lr0 = _lr(spec, lr)
    n_steps = _steps(steps)
    g = int(check_number(resolution, "resolution", 2, limits.MAX_BASIN_RESOLUTION, kind="int"))
    x0, x1, y0, y1 = _check_view(view) if view is not None else surf.view
    mins, rad = basin_targets(surf, view=view, minima=minima, radius=radius)
    kid, schp = _schedule(schedule, schedule_params)
    xs = np.linspace(x0, x1, g)
    ys = np.linspace(y0, y1, g) if surf.dims == 2 else np.zeros(1)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    r = starts.shape[0]
    res = run_batch(
        surf, spec, np.tile(hp, (r, 1)), np.full(r, lr0), starts, n_steps, kid=kid, schp=schp,
        noise_std=_noise_std(noise, batch_size), seed=_seed(seed), tol=_tol(tol),
        parallel=parallel, on_chunk=progress,
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
    hp = _hyperparams(spec, hyperparams)
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
    n_steps = _steps(steps)
    x0, y0 = _point(start if start is not None else surf.default_start, "start")
    mm, ll = np.meshgrid(momenta, lrs, indexing="ij")
    r = mm.size
    hps = np.tile(hp, (r, 1))
    hps[:, k] = mm.ravel()
    starts = np.tile(np.array([x0, y0]), (r, 1))
    res = run_batch(
        surf, spec, hps, ll.ravel().copy(), starts, n_steps, tol=_tol(tol), parallel=parallel,
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


# --------------------------------------------------------------------------- grid, Hessian


@dataclass(frozen=True)
class Grid:
    """Surface values for contour and 3-D plots.

    ``xs`` (nx,), ``ys`` (ny,), ``values`` (ny, nx) rows over y, NaN where the
    surface is undefined; the arrow field (when asked for) is ``arrow_x``,
    ``arrow_y`` (k,) and the gradient ``arrow_gx``, ``arrow_gy`` (k,) there.
    """

    surface: str
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    arrow_x: np.ndarray
    arrow_y: np.ndarray
    arrow_gx: np.ndarray
    arrow_gy: np.ndarray

    @property
    def log_scale_suggested(self) -> bool:
        """True when the range above the minimum is over 15x the median height.

        Then most of the view sits low and linear levels bunch up on the steep
        walls (Rosenbrock's valley floor, at 17x, vanishes); log levels show it.
        """
        v = self.values[np.isfinite(self.values)]
        if v.size == 0:
            return False
        lo, hi = float(v.min()), float(v.max())
        spread = hi - lo
        q = float(np.quantile(v - lo, 0.5))
        return spread > 0 and q > 0 and spread / q > 15.0


def grid(
    surface: SurfaceArg,
    *,
    view: Sequence[float] | None = None,
    resolution: int = 200,
    arrows: int = 0,
    surface_params: Mapping[str, object] | None = None,
) -> Grid:
    """Values on a ``resolution``-square grid over ``view``; an ``arrows``-square gradient field."""
    surf = resolve_surface(surface, surface_params)
    n = int(check_number(resolution, "resolution", 2, limits.MAX_GRID, kind="int"))
    k = int(check_number(arrows, "arrows", 0, limits.MAX_ARROWS, kind="int"))
    x0, x1, y0, y1 = _check_view(view) if view is not None else surf.view
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    values = np.empty((n, n))
    kernels.grid_values(*surf.kernel_args(), xs, ys, values)
    values[~np.isfinite(values)] = np.nan
    if k >= 2:
        # Arrows sit at cell centres so none lands on the view's edge.
        ax = x0 + (np.arange(k) + 0.5) * (x1 - x0) / k
        ay = y0 + (np.arange(k) + 0.5) * (y1 - y0) / k if surf.dims == 2 else np.zeros(1)
        mx, my = np.meshgrid(ax, ay)
        pts = evaluate(surf, np.column_stack([mx.ravel(), my.ravel()]))
        ok = np.all(np.isfinite(pts), axis=1)
        arrow = (mx.ravel()[ok], my.ravel()[ok], pts[ok, 1], pts[ok, 2])
    else:
        arrow = (np.empty(0),) * 4
    return Grid(surf.name, xs, ys, values, *arrow)


@dataclass(frozen=True)
class HessianInfo:
    """Curvature at a point: value, gradient (2,), Hessian (2, 2), eigenvalues
    (2,) ascending, eigenvectors (2, 2) as columns, and the point's kind:
    "minimum", "maximum", "saddle", "degenerate" (critical, a zero eigenvalue)
    or "regular" (the gradient is not zero)."""

    point: tuple[float, float]
    value: float
    gradient: np.ndarray
    matrix: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    kind: str


def hessian(
    surface: SurfaceArg | ResolvedSurface,
    point: Sequence[float],
    *,
    surface_params: Mapping[str, object] | None = None,
) -> HessianInfo:
    """Hessian, its eigen-pairs and the kind of critical point at ``point``."""
    surf = (
        surface
        if isinstance(surface, ResolvedSurface)
        else resolve_surface(surface, surface_params)
    )
    x, y = _point(point, "point")
    f, gx, gy = evaluate(surf, np.array([[x, y]]))[0]
    if not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)):
        raise ValueError(f"the surface is undefined at ({x:g}, {y:g})")
    h = np.empty((2, 2))
    kernels.hessian_at(*surf.kernel_args(), x, y, h)
    if not np.all(np.isfinite(h)):
        raise ValueError(f"the Hessian is undefined at ({x:g}, {y:g})")
    w, v = np.linalg.eigh(h)
    g = np.array([gx, gy])
    return HessianInfo((x, y), float(f), g, h, w, v, classify(g, w, dims=surf.dims))


# --------------------------------------------------------------------------- catalogue


def param_dict(p: ParamSpec) -> dict[str, Any]:
    return {
        "name": p.name,
        "default": p.default,
        "min": p.min,
        "max": p.max,
        "kind": p.kind,
        "log": p.log,
        "description": p.description,
    }


def _point_dict(c: CriticalPoint) -> dict[str, Any]:
    return {"x": c.x, "y": c.y, "f": c.f, "kind": c.kind}


def _surface_dict(s: SurfaceSpec) -> dict[str, Any]:
    return {
        "name": s.name,
        "title": s.title,
        "formula": s.formula,
        "dims": s.dims,
        "view": list(s.view),
        "default_start": list(s.default_start),
        "params": [param_dict(p) for p in s.params],
        "critical_points": [_point_dict(c) for c in s.critical_points],
        "concept": s.concept,
        "unbounded_below": s.unbounded_below,
        "quadratic": s.quadratic,
    }


def surfaces() -> list[dict[str, Any]]:
    """The surface catalogue: names, formulas, views, parameters and critical points."""
    return [_surface_dict(s) for s in SURFACES]


def optimizers() -> list[dict[str, Any]]:
    """The optimizer catalogue: names, update rules, hyperparameters with bounds."""
    return [
        {
            "name": o.name,
            "title": o.title,
            "update": o.update,
            "description": o.description,
            "hyperparams": [param_dict(p) for p in o.hyperparams],
            "lr": {"default": o.lr_default, "min": o.lr_min, "max": o.lr_max},
            "torch_name": o.torch_name,
            "surfaces_only": o.surfaces_only,
        }
        for o in OPTIMIZERS
    ]


def schedules() -> list[dict[str, Any]]:
    """The learning-rate schedule catalogue."""
    return [
        {
            "name": s.name,
            "title": s.title,
            "formula": s.formula,
            "description": s.description,
            "params": [param_dict(p) for p in s.params],
            "torch_name": s.torch_name,
        }
        for s in SCHEDULES
    ]
