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
from .numerics.registry import optimizer_spec
from .numerics.schedules import schedule_lr

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


def _run(
    f: SurfaceFn,
    oid: int,
    hp: np.ndarray,
    kid: int,
    schp: np.ndarray,
    lr0: float,
    x0: float,
    y0: float,
    steps: int,
    noise_std: float,
    seed: int,
    tol: float,
    box: Sequence[float],
) -> tuple[np.ndarray, np.ndarray, int]:
    """The kernels' ``_run`` loop in Python: rows (x, y, loss), lrs and the status."""
    path = [(x0, y0, 0.0)]
    lrs: list[float] = []
    theta = np.array([x0, y0], dtype=np.float64)
    grad = np.empty(2)
    state = np.zeros((MAX_STATE_SLOTS, 2))
    optimizer_init(oid, state, hp)
    fv, gx, gy = evaluate(f, x0, y0)
    path[0] = (x0, y0, fv)
    status = STATUS_DONE
    for t in range(steps):
        if math.sqrt(gx * gx + gy * gy) < tol:
            status = STATUS_CONVERGED
            break
        lr = float(schedule_lr(kid, t, lr0, schp, steps))
        lrs.append(lr)
        if noise_std > 0.0:
            gx += noise_std * gaussian(seed, t, 0)
            gy += noise_std * gaussian(seed, t, 1)
        grad[0], grad[1] = gx, gy
        if oid == NEWTON_ID:
            newton_step(theta, grad, hessian_fd(f, float(theta[0]), float(theta[1])), lr, hp)
        else:
            optimizer_step(oid, theta, grad, state, t + 1, lr, hp)
        x, y = float(theta[0]), float(theta[1])
        ok = math.isfinite(x) and math.isfinite(y)
        fn, gxn, gyn = evaluate(f, x, y) if ok else (math.nan, math.nan, math.nan)
        outside = x < box[0] or x > box[1] or y < box[2] or y > box[3]
        finite = ok and math.isfinite(fn) and math.isfinite(gxn) and math.isfinite(gyn)
        if not finite or abs(fn) > LOSS_BOUND or outside:
            lrs.pop()
            status = STATUS_DIVERGED
            break
        fv, gx, gy = fn, gxn, gyn
        path.append((x, y, fv))
    return np.array(path, dtype=np.float64), np.array(lrs, dtype=np.float64), status


def trajectory(
    f: SurfaceFn,
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
    view: Sequence[float] | None = None,
    surface_params: Mapping[str, object] | None = None,
    record_state: bool = False,
    **hyperparams: object,
) -> CallableTrajectory:
    """``losscape.trajectory`` on a Python function (central differences; slower)."""
    if record_state:
        raise ValueError(
            "record_state needs a catalogue surface or a typed-in formula, not a Python function"
        )
    if surface_params:
        raise ValueError("a callable surface takes no surface_params: bind them in the function")
    if start is None:
        raise ValueError("a callable surface needs start=(x, y)")
    spec = optimizer_spec(optimizer)
    hp = sv._hyperparams(spec, hyperparams)
    lr0 = sv._lr(spec, lr)
    n_steps = sv._steps(steps, limits.MAX_STEPS)
    x0, y0 = sv._point(start, "start")
    kid, schp = sv._schedule(schedule, schedule_params)
    noise_std = sv._noise_std(noise, batch_size)
    box_view = sv._check_view(view) if view is not None else default_view((x0, y0))
    f0, gx0, gy0 = evaluate(f, x0, y0)
    if not (abs(f0) <= LOSS_BOUND and math.isfinite(gx0) and math.isfinite(gy0)):
        raise ValueError(f"the surface or its gradient is undefined at the start ({x0:g}, {y0:g})")
    a, b, c, d = box_view
    cx, cy, hx, hy = (a + b) / 2, (c + d) / 2, (b - a) / 2 * 10.0, (d - c) / 2 * 10.0
    rows, lrs, status = _run(
        f,
        spec.id,
        hp,
        kid,
        schp,
        lr0,
        x0,
        y0,
        n_steps,
        noise_std,
        sv._seed(seed),
        sv._tol(tol),
        (cx - hx, cx + hx, cy - hy, cy + hy),
    )
    n = rows.shape[0] - 1
    xy = rows[:, :2].copy()
    loss = rows[:, 2].copy()
    averaged = np.cumsum(xy, axis=0) / np.arange(1, n + 2)[:, None]
    averaged_loss = np.array([value(f, float(p[0]), float(p[1])) for p in averaged])
    return CallableTrajectory(
        surface=_name(f),
        optimizer=spec.name,
        lr=lr0,
        hyperparams={p.name: float(hp[i]) for i, p in enumerate(spec.hyperparams)},
        path=xy,
        loss=loss,
        lrs=lrs,
        averaged_path=averaged,
        averaged_loss=averaged_loss,
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
    steps: int = 200,
    lr_min: float = 1e-4,
    lr_max: float = 1.0,
    count: int = 50,
    curves: bool = False,
    view: Sequence[float] | None = None,
    progress: Callable[[int, int, Any], None] | None = None,
    parallel: bool = False,
    **kwargs: Any,
) -> sv.LRSweep:
    """``losscape.lr_sweep`` on a Python function: one slow run per lr (``parallel`` ignored:
    the function runs under the GIL)."""
    spec = optimizer_spec(optimizer)
    lrs = sv._log_range(
        lr_min, lr_max, count, "lr", (spec.lr_min, spec.lr_max), limits.MAX_LR_COUNT
    )
    n_steps = sv._steps(steps)
    runs = []
    for i, lr in enumerate(lrs):
        runs.append(
            trajectory(f, optimizer, start=start, steps=n_steps, lr=float(lr), view=view, **kwargs)
        )
        if progress is not None:
            progress(i + 1, lrs.shape[0], None)
    status = [r.status for r in runs]
    final = np.array([r.loss[-1] if r.status != "diverged" else np.nan for r in runs])
    best = np.array([np.nanmin(r.loss) for r in runs])
    stopped = np.array([r.stopped_at if r.stopped_at is not None else -1 for r in runs])
    curve_arr = None
    if curves:
        curve_arr = np.empty((lrs.shape[0], n_steps + 1))
        for i, r in enumerate(runs):
            curve_arr[i, : r.loss.shape[0]] = r.loss
            curve_arr[i, r.loss.shape[0] :] = r.loss[-1]
    return sv.LRSweep(
        surface=_name(f),
        optimizer=spec.name,
        lrs=lrs,
        final_loss=final,
        best_loss=best,
        status=status,
        stopped_at=stopped,
        curves=curve_arr,
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
    **kwargs: Any,
) -> sv.BasinMap:
    """``losscape.basins`` on a Python function: ``view`` and ``minima`` are required (a
    function has no catalogue of either); one slow run per start."""
    if view is None or minima is None:
        raise ValueError(
            "basins on a callable surface need view=(xmin, xmax, ymin, ymax) and "
            "minima=[(x, y), ...]"
        )
    x0, x1, y0, y1 = sv._check_view(view)
    g = int(sv.check_number(resolution, "resolution", 2, limits.MAX_BASIN_RESOLUTION, kind="int"))
    mins = sv._minima_arg(minima) or ()
    diag = math.hypot(x1 - x0, y1 - y0)
    rad = 0.02 * diag if radius is None else sv.check_number(radius, "radius", 0.0, diag)
    xs, ys = np.linspace(x0, x1, g), np.linspace(y0, y1, g)
    finals = np.empty((g * g, 3))
    status = np.empty(g * g, dtype=np.int64)
    taken = np.empty(g * g, dtype=np.int64)
    k = 0
    for yv in ys:
        for xv in xs:
            r = trajectory(
                f,
                optimizer,
                start=(float(xv), float(yv)),
                steps=steps,
                view=view,
                tol=tol,
                **kwargs,
            )
            finals[k] = (*r.path[-1], r.loss[-1])
            status[k] = STATUS_NAMES.index(r.status)
            taken[k] = r.steps_taken
            k += 1
        if progress is not None:
            progress(k, g * g, None)
    label = sv.label_minima(finals, status, mins, rad).reshape(g, g)
    final_loss = sv._nan_where_diverged(finals[:, 2], status).reshape(g, g)
    return sv.BasinMap(
        surface=_name(f),
        optimizer=optimizer_spec(optimizer).name,
        xs=xs,
        ys=ys,
        label=label,
        final_loss=final_loss,
        steps=taken.reshape(g, g),
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
