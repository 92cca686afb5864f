"""Your own function as a surface: ``losscape.trajectory(f, "adam", start=(1, 1))``.

A Python callable ``f(x, y) -> float`` cannot enter the compiled kernels, so runs on
it take this separate, slower path: a Python loop around the *same* compiled
optimizer steps, schedules and noise as the kernels (``optimizer_step``,
``schedule_lr``, ``gaussian``), with the gradient by central differences

    df/dx ~ (f(x + h, y) - f(x - h, y)) / 2h,   h = 1e-6 * max(1, |x|)

(error O(h^2) for smooth f; Newton's Hessian by central differences of that
gradient). It costs 5 calls of ``f`` per step (more for Newton) and a Python
loop: about 10^4 steps a second, a few hundred times slower than the kernels
(adam on Rosenbrock, 2,000 steps, a loaded 2-core machine: 9 k steps/s against
3.3 M for the catalogue surface and 1.8 M for the same formula as a string). Use
a formula string (``{"expression": "..."}``) when speed matters.

A callable has no catalogue view: ``view=(xmin, xmax, ymin, ymax)`` (default the
square of half-side max(2, 1.5 |start|) around the origin) sets where a run counts
as diverged (10x the view, as for the catalogue) and what figures show. Basin maps
on a callable need ``minima=[(x, y), ...]`` to label the starts by.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import limits
from . import service as sv
from .arguments import _log_range
from .numerics.kernels import (
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    STATUS_NAMES,
)
from .numerics.noise import gaussian
from .numerics.optimizers import (
    MAX_STATE_SLOTS,
    NEWTON_ID,
    newton_step,
    optimizer_init,
    optimizer_step,
)
from .numerics.registry import check_number
from .numerics.schedules import schedule_lr
from .resolved import DIVERGE_BOX_FACTOR
from .run_arguments import RunArguments, run_arguments
from .sweeps import (
    BasinMap,
    BatchResult,
    LRSweep,
    _minima_arg,
    _nan_where_diverged,
    _stopped_array,
    label_minima,
)
from .validation import check_view

Box = tuple[float, float, float, float]

SurfaceFn = Callable[[float, float], float]


def is_callable_surface(surface: object) -> bool:
    """True for a plain Python function (a catalogue name or a dict is not one)."""
    return callable(surface) and not isinstance(surface, str | Mapping)


def _name(f: SurfaceFn) -> str:
    return getattr(f, "__name__", type(f).__name__)


def value(f: SurfaceFn, x: float, y: float) -> float:
    """f(x, y) as a float; a non-number is a ValueError that names the function."""
    try:
        v = f(x, y)
        return float(v)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"surface function {_name(f)}({x:g}, {y:g}) is not a number: {exc}"
        ) from None
    except ArithmeticError:
        return math.nan


def _h(v: float) -> float:
    return 1e-6 * max(1.0, abs(v))


def evaluate(f: SurfaceFn, x: float, y: float) -> tuple[float, float, float]:
    """(f, df/dx, df/dy) with central differences."""
    hx, hy = _h(x), _h(y)
    fx = (value(f, x + hx, y) - value(f, x - hx, y)) / (2 * hx)
    fy = (value(f, x, y + hy) - value(f, x, y - hy)) / (2 * hy)
    return value(f, x, y), fx, fy


def hessian_fd(f: SurfaceFn, x: float, y: float) -> np.ndarray:
    """The Hessian by central differences of the central-difference gradient (symmetrised)."""
    hx, hy = 1e-4 * max(1.0, abs(x)), 1e-4 * max(1.0, abs(y))
    _, ax, ay = evaluate(f, x + hx, y)
    _, bx, by = evaluate(f, x - hx, y)
    _, cx, cy = evaluate(f, x, y + hy)
    _, dx, dy = evaluate(f, x, y - hy)
    hxx, hyx = (ax - bx) / (2 * hx), (ay - by) / (2 * hx)
    hxy, hyy = (cx - dx) / (2 * hy), (cy - dy) / (2 * hy)
    off = 0.5 * (hyx + hxy)
    return np.array([[hxx, off], [off, hyy]])


def grid_values(f: SurfaceFn, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """f over the grid (rows over y), NaN where undefined; one vectorised call when f takes
    arrays (numpy ufuncs), else one call per point."""
    gx, gy = np.meshgrid(xs, ys)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(f(gx, gy), dtype=np.float64)
        if out.shape != gx.shape:
            raise TypeError
    except Exception:  # not vectorisable: point by point
        out = np.array([[value(f, float(x), float(y)) for x in xs] for y in ys])
    out = out.copy()
    out[~np.isfinite(out)] = np.nan
    return out


def default_view(start: tuple[float, float]) -> tuple[float, float, float, float]:
    r = max(2.0, 1.5 * max(abs(start[0]), abs(start[1])))
    return (-r, r, -r, r)


@dataclass(frozen=True)
class CallableTrajectory(sv.Trajectory):
    """A ``Trajectory`` on a Python function; keeps the function and view for its figures."""

    function: SurfaceFn | None = field(default=None, repr=False, compare=False)
    view: tuple[float, float, float, float] | None = None

    def figure(self, kind: str = "contour", **kwargs: Any) -> Any:
        kwargs.setdefault("surface", self.function)
        if kind != "curves":
            kwargs.setdefault("view", self.view)
        return super().figure(kind, **kwargs)


def _stop_box(view: Box) -> Box:
    """Where a run counts as diverged: the view scaled by the catalogue's factor (10x)
    about its centre. A function is taken as bounded below: leaving is divergence."""
    a, b, c, d = view
    k = DIVERGE_BOX_FACTOR
    cx, cy, hx, hy = (a + b) / 2, (c + d) / 2, (b - a) / 2 * k, (d - c) / 2 * k
    return (cx - hx, cx + hx, cy - hy, cy + hy)


def _defined(values: tuple[float, float, float]) -> bool:
    f, gx, gy = values
    return abs(f) <= LOSS_BOUND and math.isfinite(gx) and math.isfinite(gy)


def _run(f: SurfaceFn, a: RunArguments, box: Box) -> tuple[np.ndarray, np.ndarray, int]:
    """The kernels' ``_run`` loop in Python: rows (n + 1, 3) of (x, y, loss), the n lrs
    and the status. A start where f or its gradient is undefined is a diverged run of no
    steps (the catalogue's batch kernels treat it so too)."""
    x0, y0 = a.start
    fv, gx, gy = evaluate(f, x0, y0)
    path = [(x0, y0, fv)]
    lrs: list[float] = []
    if not _defined((fv, gx, gy)):
        return np.array(path), np.empty(0), STATUS_DIVERGED
    theta = np.array([x0, y0], dtype=np.float64)
    grad = np.empty(2)
    state = np.zeros((MAX_STATE_SLOTS, 2))
    optimizer_init(a.spec.id, state, a.hp)
    status = STATUS_DONE
    for t in range(a.steps):
        if math.sqrt(gx * gx + gy * gy) < a.tol:
            status = STATUS_CONVERGED
            break
        lr = float(schedule_lr(a.kid, t, a.lr, a.schp, a.steps))
        if a.noise_std > 0.0:
            gx += a.noise_std * gaussian(a.seed, t, 0)
            gy += a.noise_std * gaussian(a.seed, t, 1)
        grad[0], grad[1] = gx, gy
        if a.spec.id == NEWTON_ID:
            hessian = hessian_fd(f, float(theta[0]), float(theta[1]))
            newton_step(theta, grad, hessian, lr, a.hp)
        else:
            optimizer_step(a.spec.id, theta, grad, state, t + 1, lr, a.hp)
        x, y = float(theta[0]), float(theta[1])
        ok = math.isfinite(x) and math.isfinite(y)
        fn, gxn, gyn = evaluate(f, x, y) if ok else (math.nan, math.nan, math.nan)
        outside = x < box[0] or x > box[1] or y < box[2] or y > box[3]
        finite = ok and math.isfinite(fn) and math.isfinite(gxn) and math.isfinite(gyn)
        if not finite or abs(fn) > LOSS_BOUND or outside:
            status = STATUS_DIVERGED
            break
        lrs.append(lr)
        fv, gx, gy = fn, gxn, gyn
        path.append((x, y, fv))
    return np.array(path, dtype=np.float64), np.array(lrs, dtype=np.float64), status


def _run_batch(
    f: SurfaceFn,
    a: RunArguments,
    lrs: np.ndarray,
    starts: np.ndarray,
    box: Box,
    *,
    curves: bool = False,
    progress: Callable[[int, int, BatchResult], None] | None = None,
) -> BatchResult:
    """``sweeps.run_batch`` for a Python function: R runs of ``a`` at ``lrs`` (R,) from
    ``starts`` (R, 2), one Python loop each, into the same ``BatchResult`` the sweeps read
    (curves padded with each run's last loss). ``progress(done, R, partial)`` after each run."""
    r = lrs.shape[0]
    res = BatchResult(
        finals=np.empty((r, 3)),
        best=np.empty(r),
        status=np.empty(r, dtype=np.int64),
        taken=np.empty(r, dtype=np.int64),
        curves=np.empty((r, a.steps + 1)) if curves else None,
    )
    for i in range(r):
        one = a._replace(lr=float(lrs[i]), start=(float(starts[i, 0]), float(starts[i, 1])))
        rows, _, status = _run(f, one, box)
        res.finals[i] = rows[-1]
        res.best[i] = np.nanmin(rows[:, 2]) if np.any(np.isfinite(rows[:, 2])) else np.nan
        res.status[i] = status
        res.taken[i] = rows.shape[0] - 1
        if res.curves is not None:
            res.curves[i, : rows.shape[0]] = rows[:, 2]
            res.curves[i, rows.shape[0] :] = rows[-1, 2]
        if progress is not None:
            progress(i + 1, r, res)
    return res


def _view_from_start(f: SurfaceFn, start: tuple[float, float], view: object) -> Box:
    """The run's view (the given one, else ``default_view``) once f and its gradient are
    checked at the start: an undefined start is a ValueError, as on the catalogue path."""
    box_view = check_view(view) if view is not None else default_view(start)
    if not _defined(evaluate(f, *start)):
        x0, y0 = start
        raise ValueError(f"the surface or its gradient is undefined at the start ({x0:g}, {y0:g})")
    return box_view


def _callable_only(
    start: object, surface_params: object = None, record_state: bool = False
) -> Sequence[float]:
    """What a Python function cannot do, checked before the shared run arguments."""
    if record_state:
        raise ValueError(
            "record_state needs a catalogue surface or a typed-in formula, not a Python function"
        )
    if surface_params:
        raise ValueError("a callable surface takes no surface_params: bind them in the function")
    if start is None:
        raise ValueError("a callable surface needs start=(x, y)")
    return start  # type: ignore[return-value]


def trajectory(
    f: SurfaceFn,
    optimizer: str,
    *,
    start: Sequence[float] | None = None,
    view: Sequence[float] | None = None,
    surface_params: Mapping[str, object] | None = None,
    record_state: bool = False,
    **kwargs: Any,
) -> CallableTrajectory:
    """``losscape.trajectory`` on a Python function (central differences; slower).

    ``kwargs`` are ``service.trajectory``'s run arguments (steps, lr, schedule, noise,
    batch_size, seed, tol, hyperparameters), checked by ``run_arguments`` as there."""
    a = run_arguments(optimizer, _callable_only(start, surface_params, record_state), **kwargs)
    box_view = _view_from_start(f, a.start, view)
    rows, lrs, status = _run(f, a, _stop_box(box_view))
    n = rows.shape[0] - 1
    xy = rows[:, :2].copy()
    averaged = np.cumsum(xy, axis=0) / np.arange(1, n + 2)[:, None]
    return CallableTrajectory(
        surface=_name(f),
        optimizer=a.spec.name,
        lr=a.lr,
        hyperparams=a.hyperparams,
        path=xy,
        loss=rows[:, 2].copy(),
        lrs=lrs,
        averaged_path=averaged,
        averaged_loss=np.array([value(f, float(p[0]), float(p[1])) for p in averaged]),
        status=STATUS_NAMES[status],
        stopped_at=sv._stopped_at(n, status),
        function=f,
        view=box_view,
    )


def lr_sweep(
    f: SurfaceFn,
    optimizer: str,
    *,
    start: Sequence[float] | None = None,
    lr_min: float = 1e-4,
    lr_max: float = 1.0,
    count: int = 50,
    curves: bool = False,
    view: Sequence[float] | None = None,
    progress: Callable[[int, int, Any], None] | None = None,
    parallel: bool = False,
    surface_params: Mapping[str, object] | None = None,
    **kwargs: Any,
) -> LRSweep:
    """``losscape.lr_sweep`` on a Python function: one slow run per lr (``parallel`` ignored:
    the function runs under the GIL)."""
    a = run_arguments(optimizer, _callable_only(start, surface_params), **kwargs)
    lrs = _log_range(
        lr_min, lr_max, count, "lr", (a.spec.lr_min, a.spec.lr_max), limits.MAX_LR_COUNT
    )
    box_view = _view_from_start(f, a.start, view)
    starts = np.tile(np.array(a.start), (lrs.shape[0], 1))
    res = _run_batch(f, a, lrs, starts, _stop_box(box_view), curves=curves, progress=progress)
    return LRSweep(
        surface=_name(f),
        optimizer=a.spec.name,
        lrs=lrs,
        final_loss=_nan_where_diverged(res.finals[:, 2], res.status),
        best_loss=res.best,
        status=[STATUS_NAMES[s] for s in res.status],
        stopped_at=_stopped_array(res),
        curves=res.curves,
        edge_lr=None,
    )


def basins(
    f: SurfaceFn,
    optimizer: str = "gd",
    *,
    view: Sequence[float] | None = None,
    resolution: int = 24,
    minima: Sequence[Sequence[float]] | None = None,
    radius: float | None = None,
    steps: int = 500,
    progress: Callable[[int, int, Any], None] | None = None,
    parallel: bool = False,
    tol: float = 1e-8,
    surface_params: Mapping[str, object] | None = None,
    **kwargs: Any,
) -> BasinMap:
    """``losscape.basins`` on a Python function: ``view`` and ``minima`` are required (a
    function has no catalogue of either); one slow run per start."""
    if view is None or minima is None:
        raise ValueError(
            "basins on a callable surface need view=(xmin, xmax, ymin, ymax) and "
            "minima=[(x, y), ...]"
        )
    x0, x1, y0, y1 = check_view(view)
    a = run_arguments(
        optimizer, _callable_only((x0, y0), surface_params), steps=steps, tol=tol, **kwargs
    )
    g = int(check_number(resolution, "resolution", 2, limits.MAX_BASIN_RESOLUTION, kind="int"))
    mins = _minima_arg(minima) or ()
    diag = math.hypot(x1 - x0, y1 - y0)
    rad = 0.02 * diag if radius is None else check_number(radius, "radius", 0.0, diag)
    xs, ys = np.linspace(x0, x1, g), np.linspace(y0, y1, g)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    lrs = np.full(g * g, a.lr)
    res = _run_batch(f, a, lrs, starts, _stop_box((x0, x1, y0, y1)), progress=progress)
    return BasinMap(
        surface=_name(f),
        optimizer=a.spec.name,
        xs=xs,
        ys=ys,
        label=label_minima(res.finals, res.status, mins, rad).reshape(g, g),
        final_loss=_nan_where_diverged(res.finals[:, 2], res.status).reshape(g, g),
        steps=res.taken.reshape(g, g),
        minima=tuple(mins),
        radius=rad,
    )


def accepting_callables(fast: Callable[..., Any], slow: Callable[..., Any]) -> Callable[..., Any]:
    """``fast`` for catalogue names and formulas, ``slow`` for a Python function."""

    @functools.wraps(fast)
    def dispatch(surface: Any, *args: Any, **kwargs: Any) -> Any:
        if is_callable_surface(surface):
            return slow(surface, *args, **kwargs)
        return fast(surface, *args, **kwargs)

    dispatch.__doc__ = (fast.__doc__ or "") + (
        "\n\n    ``surface`` may also be a Python function f(x, y) -> float: gradients by central"
        "\n    differences on a slower path, see ``losscape.callables``.\n"
    )
    return dispatch
