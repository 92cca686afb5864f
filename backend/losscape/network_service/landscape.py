"""The loss over a 2-D slice of parameter space, with trajectories on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..networks import landscape as ls
from ..networks import mlp
from ..networks import train as tr
from ..numerics.registry import check_number
from .catalogue import (
    MAX_LANDSCAPE_RESOLUTION,
    MAX_LANDSCAPE_RUNS,
    MAX_LANDSCAPE_WORK,
    MAX_RECORDS,
    MAX_SEED,
    MAX_TRAIN_STEPS,
    DatasetArg,
    ModelArg,
    Progress,
    _choice,
    _finite_list,
    _int,
    _num,
)
from .problem import Problem, RunSettings, _initial, _settings, prepare
from .training import _batch_arg, _check_work, _record_at, _run, _tick

# --------------------------------------------------------------------------- landscape


@dataclass(frozen=True)
class LandscapeRun:
    """One optimizer's trajectory on the slice.

    ``steps`` (R,) the recorded steps, ``coords`` (R, 2) their (a, b) on the
    slice, ``slice_loss`` (R,) the loss at those points of the slice (what the
    contours show there), ``loss`` (R,) the training loss at the trajectory's
    own theta (equal to slice_loss when theta lies in the slice).
    """

    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    status: str
    stopped_at: int | None
    steps: np.ndarray
    coords: np.ndarray
    slice_loss: np.ndarray
    loss: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "hyperparams": self.hyperparams,
            "status": self.status,
            "stopped_at": self.stopped_at,
            "steps": self.steps.tolist(),
            "a": _finite_list(self.coords[:, 0]),
            "b": _finite_list(self.coords[:, 1]),
            "slice_loss": _finite_list(self.slice_loss),
            "loss": _finite_list(self.loss),
        }


@dataclass(frozen=True)
class Landscape:
    """Training loss over the slice centre + a d1 + b d2.

    ``directions`` is "axes" (a linear or logistic regression: a = w1,
    b = w2, the bias, if any, held at the first run's final value), "pca" or
    "random" (filter-normalised). ``a`` (nx,), ``b`` (ny,),
    ``values`` (ny, nx) rows over b; ``runs`` one per optimizer, trained from
    the same initial theta; ``centre`` / ``d1`` / ``d2`` (P,) the slice;
    ``explained`` the PCA variance shares; ``minimum`` the exact least-squares
    weights (a linear regression with 2 parameters), else None.
    """

    dataset: str
    model: str
    normalize: bool
    directions: str
    a: np.ndarray
    b: np.ndarray
    values: np.ndarray
    runs: list[LandscapeRun]
    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    explained: np.ndarray | None
    minimum: tuple[float, float] | None
    param_names: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "normalize": self.normalize,
            "directions": self.directions,
            "a": _finite_list(self.a),
            "b": _finite_list(self.b),
            "values": _finite_list(self.values),
            "z_min": _num(float(np.nanmin(self.values)))
            if np.isfinite(self.values).any()
            else None,
            "z_max": _num(float(np.nanmax(self.values)))
            if np.isfinite(self.values).any()
            else None,
            "runs": [r.to_dict() for r in self.runs],
            "explained": _finite_list(self.explained),
            "minimum": list(self.minimum) if self.minimum is not None else None,
            "axis_names": self.param_names[:2] if self.directions == "axes" else ["a", "b"],
        }


def _run_specs(optimizers: object) -> list[Mapping[str, Any]]:
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if not isinstance(optimizers, Sequence) or not 1 <= len(optimizers) <= MAX_LANDSCAPE_RUNS:
        raise ValueError(f"optimizers must be a list of 1 to {MAX_LANDSCAPE_RUNS} runs")
    runs = []
    for i, o in enumerate(optimizers):
        if isinstance(o, str):
            runs.append({"optimizer": o})
        elif isinstance(o, Mapping):
            extra = sorted(set(o) - {"optimizer", "lr", "hyperparams"})
            if extra:
                raise ValueError(
                    f"unknown field(s) {', '.join(extra)} in optimizers[{i}]; "
                    "valid: optimizer, lr, hyperparams"
                )
            runs.append(o)
        else:
            raise ValueError(f"optimizers[{i}] must be a name or {{optimizer, lr, hyperparams}}")
    return runs


def _least_squares_minimum(problem: Problem) -> tuple[float, float] | None:
    """(w1, w2) of the least-squares fit of a linear regression (with its bias, if any)."""
    arch = problem.model.arch
    if arch.hidden or arch.n_out != 1 or problem.model.loss != "squared_error":
        return None
    A = problem.X if not arch.bias else np.column_stack([problem.X, np.ones(problem.X.shape[0])])
    w, *_ = np.linalg.lstsq(A, problem.T, rcond=None)
    return float(w[0]), float(w[1])


def square_window(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The window (lo, hi) (2,) widened about its centre to a square of its longer side.

    With normalised inputs both slice axes are in the same parameter units
    (the page draws them with a 1:1 aspect ratio), so a square window shows a
    round bowl as round contours and leaves no blank band beside the plot.
    """
    mid = 0.5 * (lo + hi)
    half = 0.5 * float(np.max(hi - lo))
    return mid - half, mid + half


def landscape(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizers: Sequence[str | Mapping[str, Any]] | str = ("gd",),
    *,
    directions: str | None = None,
    resolution: int = 41,
    span: float | None = None,
    steps: int = 200,
    batch_size: int | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    view: Sequence[float] | None = None,
    records: int = 200,
    progress: Progress | None = None,
    cancel: Callable[[], None] | None = None,
) -> Landscape:
    """Loss over a 2-D slice with every optimizer's trajectory projected onto it.

    Every optimizer trains from the same seeded initial theta. ``directions``:
    "axes" (default for linear and logistic regression: the exact loss over
    the two weights (w1, w2), any bias held at the first run's final value; a
    model without bias is exactly 2-D), "pca" (default otherwise: the top two
    principal directions of all the trajectories around the first run's final
    theta) or "random"
    (filter-normalised around the first run's final theta). The view covers
    the trajectories (and for "random" at least [-span, span]^2, span
    default 1), or is given as (a_min, a_max, b_min, b_max).
    ``progress(done, total, None)`` after each run and each tenth of the
    grid; it may raise ``Cancelled``. ``cancel()`` is called within each run's
    chunks too (it may raise ``Cancelled``).
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    arch = problem.model.arch
    p = arch.n_params
    kinds = ("axes", "pca", "random")
    two_weights = not arch.hidden and arch.n_out == 1 and arch.n_in == 2
    kind = (
        ("axes" if two_weights else "pca")
        if directions is None
        else _choice(directions, "direction", kinds)
    )
    if kind == "axes" and not two_weights:
        raise ValueError(
            "directions 'axes' needs a model with two weights (linear or logistic regression); "
            "valid: pca, random"
        )
    res = _int(resolution, "resolution", 2, MAX_LANDSCAPE_RESOLUTION)
    n = problem.X.shape[0]
    batch = _batch_arg(batch_size, n, arch.batch_norm)
    n_steps = _int(steps, "steps", 1, MAX_TRAIN_STEPS)
    s = _int(seed, "seed", 0, MAX_SEED)
    n_rec = _int(records, "records", 2, MAX_RECORDS)
    every = max(1, -(-n_steps // n_rec))
    record_at = _record_at(n_steps, every)
    grid_work = res * res * n * p
    if grid_work > MAX_LANDSCAPE_WORK:
        raise ValueError(
            f"landscape too large: {res}^2 points x {n} data points x {p} parameters exceeds "
            f"{MAX_LANDSCAPE_WORK:.2g}; lower the resolution"
        )
    specs = _run_specs(optimizers)
    # The budget counts every run of the request, not each alone.
    runs_n = len(specs)
    records_n = (record_at.shape[0] + 1) * runs_n
    _check_work(problem, n_steps * runs_n, batch, records_n, "the landscape's runs together")
    theta0 = _initial(problem, init, init_scale, s)
    outs: list[tuple[RunSettings, tr.RunOutput]] = []
    for o in specs:
        hyper = o.get("hyperparams") or {}
        if not isinstance(hyper, Mapping):
            raise ValueError("hyperparams must be an object of name: value")
        st = _settings(o.get("optimizer"), o.get("lr"), hyper, schedule, schedule_params)
        out = _run(
            problem, st, theta0, steps=n_steps, batch_size=batch, seed=s, record_at=record_at,
            stats=False, snapshots=True, progress=_tick(cancel),
        )  # fmt: skip
        outs.append((st, out))
        if progress is not None:
            progress(len(outs), len(specs) + 10, None)
    rng = np.random.default_rng([s, 5])
    explained = None
    if kind == "axes":
        # theta = (w1, w2[, b]): the slice varies the weights from 0, the bias stays.
        centre = outs[0][1].theta.copy()
        centre[:2] = 0.0
        d1, d2 = np.eye(p)[0], np.eye(p)[1]
    else:
        centre = outs[0][1].theta.copy()
        if kind == "pca":
            traj = np.vstack(
                [o.snapshots for _, o in outs if o.snapshots is not None and o.snapshots.size]
            )
            d1, d2, explained = ls.pca_directions(traj, centre, rng)
        else:
            d1 = ls.filter_normalized(arch, centre, rng)
            d2 = ls.filter_normalized(arch, centre, rng)
            if not (np.any(d1) and np.any(d2)):
                raise ValueError(
                    "random filter-normalised directions need non-zero trained weights"
                )
    coords = [ls.project(o.snapshots, centre, d1, d2) for _, o in outs]
    minimum = _least_squares_minimum(problem)
    if view is not None:
        if not isinstance(view, Sequence) or isinstance(view, str) or len(view) != 4:
            raise ValueError("view must be four numbers (a_min, a_max, b_min, b_max)")
        v = [check_number(x, f"view[{i}]", -1e9, 1e9) for i, x in enumerate(view)]
        if not (v[0] < v[1] and v[2] < v[3]):
            raise ValueError("view must have a_min < a_max and b_min < b_max")
        a0, a1, b0, b1 = v
    else:
        pts = np.vstack([*coords, [[0.0, 0.0]] if kind != "axes" else np.empty((0, 2))])
        if minimum is not None:
            pts = np.vstack([pts, [minimum]])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        ext = hi - lo
        if kind == "random":
            sp = 1.0 if span is None else check_number(span, "span", 1e-6, 1e6)
            lo = np.minimum(lo, -sp)
            hi = np.maximum(hi, sp)
            ext = hi - lo
        base = np.maximum(ext, 1e-3 * max(float(np.abs(pts).max()), 1.0))
        lo, hi = lo - 0.15 * base, hi + 0.15 * base
        if problem.normalize:
            lo, hi = square_window(lo, hi)
        a0, a1, b0, b1 = float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
    a = np.linspace(a0, a1, res)
    b = np.linspace(b0, b1, res)
    acts, _ = mlp.scratch(arch, n)
    stats = mlp.norm_stats(arch)
    values = np.empty((res, res))
    rows = max(1, -(-res // 10))
    for j0 in range(0, res, rows):
        j1 = min(j0 + rows, res)
        ls.slice_grid(
            problem.layout, problem.loss_id, problem.X, problem.T, centre, d1, d2, a, b[j0:j1],
            acts, stats, values[j0:j1],
        )  # fmt: skip
        if progress is not None:
            progress(len(specs) + 10 * j1 // res, len(specs) + 10, None)
    values[~np.isfinite(values)] = np.nan
    runs = []
    for (st, out), c in zip(outs, coords, strict=True):
        on_slice = np.ascontiguousarray(ls.points_on_slice(c, centre, d1, d2))
        slice_loss = np.empty(c.shape[0])
        ls.losses_at(
            problem.layout, problem.loss_id, problem.X, problem.T, on_slice, acts, stats,
            slice_loss,
        )  # fmt: skip
        runs.append(
            LandscapeRun(
                optimizer=st.spec.name,
                lr=st.lr,
                hyperparams=st.hyperparams,
                status=out.status,
                stopped_at=out.stopped_at,
                steps=out.record_steps,
                coords=c,
                slice_loss=slice_loss,
                loss=out.train_loss,
            )
        )
    return Landscape(
        dataset=problem.data.name, model=problem.model.name, normalize=problem.normalize,
        directions=kind, a=a, b=b, values=values, runs=runs, centre=centre, d1=d1, d2=d2,
        explained=explained, minimum=minimum, param_names=arch.param_names(),
    )  # fmt: skip
