"""Service results -> JSON bytes: the one place in the web layer that touches numpy.

orjson writes numpy arrays directly (``OPT_SERIALIZE_NUMPY``); the stdlib
encoder costs ~60x the compute here. NaN and +-inf become ``null`` (orjson does
that for Python floats and for float arrays alike), so nothing non-finite ever
reaches a response.

Float arrays go out at float32 precision unless a request asks for
``"precision": "float64"``: orjson prints a float32 with the shortest repr that
round-trips it (``-1.4999516`` instead of ``-1.4999516010284424``), about half
the bytes. An array with a finite value outside float32's normal range (|v| >
3.4e38, or 0 < |v| < 1.2e-38) stays float64 rather than becoming inf or losing
its digits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson
from starlette.responses import JSONResponse

from .. import service

OPTIONS = orjson.OPT_SERIALIZE_NUMPY
_F32 = np.finfo(np.float32)


def dumps(content: Any) -> bytes:
    """JSON bytes; numpy arrays and scalars included, NaN/inf as null."""
    return orjson.dumps(content, option=OPTIONS)


class ORJSONResponse(JSONResponse):
    """A JSON response rendered by orjson (numpy arrays allowed).

    A JSONResponse subclass so that FastAPI documents routes using it as JSON.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):  # already encoded (off the event loop)
            return content
        return dumps(content)


def compact(values: Any, precision: str = "float32") -> np.ndarray:
    """A C-contiguous float array ready for orjson, rounded to ``precision``.

    Shape is kept (1-D or 2-D); NaN and inf stay and are written as null.
    """
    a = np.ascontiguousarray(values, dtype=np.float64)
    if precision == "float64" or a.size == 0:
        return a
    mag = np.abs(a)
    finite = np.isfinite(a)
    if np.any(finite & ((mag > _F32.max) | ((mag < _F32.smallest_normal) & (mag > 0)))):
        return a  # float32 would overflow or drop digits: keep float64
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return a.astype(np.float32)


def finite_or_none(value: float) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _ints(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int64)


# --------------------------------------------------------------------------- results


def surface_info(surface: service.ResolvedSurface) -> dict[str, Any]:
    return {
        "name": surface.name,
        "view": [float(v) for v in surface.view],
        "critical_points": [
            {"x": c.x, "y": c.y, "f": finite_or_none(c.f), "kind": c.kind}
            for c in surface.critical_points
        ],
    }


_PATH_KEYS = ("x", "y", "loss", "avg_x", "avg_y", "avg_loss")


def trajectory_run(run: service.Trajectory, precision: str) -> dict[str, Any]:
    """One run of ``POST /api/trajectories``: per-axis arrays, status and stop step."""
    # One (6, n + 1) block rounded at once (rows of a C array are contiguous views):
    # a third of the per-array numpy calls, the same numbers.
    block = np.empty((6, run.loss.shape[0]))
    block[0:2] = run.path.T
    block[2] = run.loss
    block[3:5] = run.averaged_path.T
    block[5] = run.averaged_loss
    rows = compact(block, precision)
    return {
        "optimizer": run.optimizer,
        "lr": run.lr,
        "hyperparams": run.hyperparams,
        **dict(zip(_PATH_KEYS, rows, strict=True)),
        "lrs": compact(run.lrs, precision),
        "status": run.status,
        "stopped_at": run.stopped_at,
        "steps_taken": run.steps_taken,
    }


def grid(result: service.Grid, precision: str) -> dict[str, Any]:
    """``POST /api/grid``: z rows over y; z_min / z_max over the finite values."""
    finite = result.values[np.isfinite(result.values)]
    return {
        "x": compact(result.xs, precision),
        "y": compact(result.ys, precision),
        "z": compact(result.values, precision),
        "z_min": float(finite.min()) if finite.size else None,
        "z_max": float(finite.max()) if finite.size else None,
        "log_scale": bool(result.log_scale_suggested),
        "arrows": {
            "x": compact(result.arrow_x, precision),
            "y": compact(result.arrow_y, precision),
            "gx": compact(result.arrow_gx, precision),
            "gy": compact(result.arrow_gy, precision),
        },
    }


def hessian(info: service.HessianInfo) -> dict[str, Any]:
    """``POST /api/hessian``: eigenvectors as rows (one per eigenvalue), float64."""
    return {
        "point": [float(info.point[0]), float(info.point[1])],
        "value": float(info.value),
        "gradient": compact(info.gradient, "float64"),
        "hessian": compact(info.matrix, "float64"),
        "eigenvalues": compact(info.eigenvalues, "float64"),
        "eigenvectors": compact(info.eigenvectors.T, "float64"),
        "kind": info.kind,
    }


def _stopped(stopped_at: np.ndarray) -> list[int | None]:
    return [None if s < 0 else int(s) for s in stopped_at]


def lr_sweep(result: service.LRSweep, precision: str) -> dict[str, Any]:
    """``POST /api/sweeps/lr``; ``curves`` only when they were asked for."""
    out: dict[str, Any] = {
        "lrs": compact(result.lrs, "float64"),
        "final_loss": compact(result.final_loss, precision),
        "best_loss": compact(result.best_loss, precision),
        "status": result.status,
        "stopped_at": _stopped(result.stopped_at),
        "edge_lr": None if result.edge_lr is None else finite_or_none(result.edge_lr),
        "optimal_lr": None if result.optimal_lr is None else finite_or_none(result.optimal_lr),
    }
    if result.curves is not None:
        out["curves"] = compact(result.curves, precision)
    return out


def basins(result: service.BasinMap, precision: str) -> dict[str, Any]:
    """``POST /api/sweeps/basins``: label / final_loss / steps have one row per y."""
    return {
        "x": compact(result.xs, "float64"),
        "y": compact(result.ys, "float64"),
        "label": _ints(result.label),
        "final_loss": compact(result.final_loss, precision),
        "steps": _ints(result.steps),
        "minima": [{"x": m.x, "y": m.y, "f": finite_or_none(m.f)} for m in result.minima],
        "radius": float(result.radius),
    }


def lr_momentum(result: service.LRMomentumMap, precision: str) -> dict[str, Any]:
    """``POST /api/sweeps/lr-momentum``: one row per momentum value."""
    return {
        "lrs": compact(result.lrs, "float64"),
        "momenta": compact(result.momenta, "float64"),
        "hyperparam": result.hyperparam,
        "final_loss": compact(result.final_loss, precision),
        "status": result.status,
    }


# --------------------------------------------------------------------------- partial results


def _final_loss(partial: service.BatchResult, lo: int, hi: int) -> np.ndarray:
    loss = partial.finals[lo:hi, 2].copy()
    loss[partial.status[lo:hi] == service.STATUS_DIVERGED] = np.nan
    return loss


def _status_names(codes: np.ndarray) -> list[str]:
    return [service.STATUS_NAMES[int(c)] for c in codes]


def lr_sweep_rows(partial: service.BatchResult, lo: int, hi: int, precision: str) -> dict[str, Any]:
    """Runs [lo, hi) of an lr sweep in progress (one run per learning rate)."""
    return {
        "rows": [lo, hi],
        "final_loss": compact(_final_loss(partial, lo, hi), precision),
        "best_loss": compact(partial.best[lo:hi], precision),
        "status": _status_names(partial.status[lo:hi]),
    }


def basin_rows(
    partial: service.BatchResult,
    lo: int,
    hi: int,
    width: int,
    minima: Sequence[Any],
    radius: float,
    precision: str,
) -> dict[str, Any]:
    """Rows [lo, hi) of a basin map in progress (``width`` starts per row, row-major over y)."""
    a, b = lo * width, hi * width
    label = service.label_minima(partial.finals[a:b], partial.status[a:b], minima, radius)
    return {
        "rows": [lo, hi],
        "label": _ints(label.reshape(hi - lo, width)),
        "final_loss": compact(_final_loss(partial, a, b).reshape(hi - lo, width), precision),
    }


def lr_momentum_rows(
    partial: service.BatchResult, lo: int, hi: int, width: int, precision: str
) -> dict[str, Any]:
    """Rows [lo, hi) (momentum values) of an (lr x momentum) map in progress."""
    a, b = lo * width, hi * width
    names = _status_names(partial.status[a:b])
    return {
        "rows": [lo, hi],
        "final_loss": compact(_final_loss(partial, a, b).reshape(hi - lo, width), precision),
        "status": [names[i * width : (i + 1) * width] for i in range(hi - lo)],
    }


def frame(head: Mapping[str, Any], body: bytes | None = None) -> bytes:
    """A live-channel frame: ``head`` plus, if given, an already-encoded ``body``."""
    encoded = dumps(head)
    if body is None:
        return encoded
    return encoded[:-1] + b',"body":' + body + b"}"
