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

The live channel can carry results as binary frames instead (a page asks with
``/api/live?binary=1``): ``binary_body`` takes a result's numpy arrays out as
raw little-endian typed arrays and leaves a JSON skeleton with a reference in
each array's place, ``{"$b": [dtype, offset, length, *shape]}``; see
``binary_frame`` for the layout. The page's transport module rebuilds the same
JSON shapes (NaN -> null) from it, so the views never see the difference; the
server saves the text encoding (most of the serving cost) and half the bytes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
    # The common case in few numpy calls (each costs about a microsecond on arrays this
    # small, more than the arithmetic; the ufuncs' own reduce skips np.max's wrapper):
    # every value finite (a NaN or inf makes the max NaN or inf) and inside float32's
    # normal range, so the cast can neither overflow nor drop digits.
    if np.maximum.reduce(mag, axis=None) <= _F32.max:
        if np.minimum.reduce(mag, axis=None) < _F32.smallest_normal and (
            np.min(mag, where=mag > 0, initial=_F32.max) < _F32.smallest_normal
        ):
            return a  # a tiny value that float32 would flush or blur: keep float64
        return a.astype(np.float32)
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
    out: dict[str, Any] = {
        "name": surface.name,
        "view": [float(v) for v in surface.view],
        "critical_points": [
            {"x": c.x, "y": c.y, "f": finite_or_none(c.f), "kind": c.kind}
            for c in surface.critical_points
        ],
    }
    if surface.expression is not None:
        # The formula's named parameters and the values used (the page makes sliders).
        out["params"] = dict(surface.param_values)
    return out


_PATH_KEYS = ("x", "y", "loss", "avg_x", "avg_y", "avg_loss")
TRAJECTORY_FIELDS = (*_PATH_KEYS, "lrs")


def decimation(n: int, points: int | None) -> np.ndarray | None:
    """Indices of at most ``points`` of ``n`` samples, evenly spread, first and last kept."""
    if points is None or n <= points:
        return None
    return np.unique(np.round(np.linspace(0, n - 1, points)).astype(np.int64))


def trajectory_run(
    run: service.Trajectory,
    precision: str,
    points: int | None = None,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One run of ``POST /api/trajectories``: per-axis arrays, status and stop step.

    ``points`` keeps at most that many evenly spread points of each path (with an
    ``index`` array giving each kept point's step); ``fields`` keeps only the
    named arrays (default: all of ``TRAJECTORY_FIELDS``).
    """
    # One (6, n + 1) block rounded at once (rows of a C array are contiguous views):
    # a third of the per-array numpy calls, the same numbers.
    block = np.empty((6, run.loss.shape[0]))
    block[0:2] = run.path.T
    block[2] = run.loss
    block[3:5] = run.averaged_path.T
    block[5] = run.averaged_loss
    keep = decimation(block.shape[1], points)
    lrs = run.lrs
    if keep is not None:
        block = block[:, keep]
        lrs = lrs[keep[keep < lrs.shape[0]]]
    rows = compact(block, precision)
    arrays = dict(zip(_PATH_KEYS, rows, strict=True))
    arrays["lrs"] = compact(lrs, precision)
    if fields is not None:
        arrays = {k: v for k, v in arrays.items() if k in fields}
    out = {
        "optimizer": run.optimizer,
        "lr": run.lr,
        "hyperparams": run.hyperparams,
        **arrays,
        "status": run.status,
        "stopped_at": run.stopped_at,
        "steps_taken": run.steps_taken,
    }
    if keep is not None:
        out["index"] = keep
    if run.state is not None:
        # quantity -> (2, kept) rows [x values, y values], kept as the path's points.
        out["state"] = {
            name: compact((a if keep is None else a[keep]).T, precision)
            for name, a in run.state.quantities.items()
        }
    return out


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


# --------------------------------------------------------------------------- binary frames

_SCALARS = frozenset({str, int, float, bool, type(None)})
_DTYPES = {"f4": np.dtype("<f4"), "f8": np.dtype("<f8"), "i4": np.dtype("<i4")}
_INT32 = np.iinfo(np.int32)
_PADDING = [b"\0" * n for n in range(8)]


@dataclass(frozen=True)
class BinaryBody:
    """A result as a JSON skeleton and the raw bytes of its arrays (8-byte aligned)."""

    skeleton: bytes
    blob: bytes


def _binary_array(a: np.ndarray) -> tuple[str, np.ndarray]:
    if a.dtype.kind == "f":
        code = "f4" if a.dtype == np.float32 else "f8"
    elif a.dtype.kind in "iub" and (
        a.size == 0 or (a.min() >= _INT32.min and a.max() <= _INT32.max)
    ):
        code = "i4"
    else:
        code = "f8"
    return code, np.ascontiguousarray(a, dtype=_DTYPES[code])


def binary_body(result: Any) -> BinaryBody:
    """``result`` with every numpy array (of 1 or 2 dimensions) moved into a blob."""
    parts: list[bytes | np.ndarray] = []
    offset = 0

    def walk(value: Any) -> Any:
        nonlocal offset
        kind = type(value)
        # Exact-type fast paths first: an ABC isinstance (Mapping) costs ~1 us a call,
        # and a trajectory answer holds about a hundred values.
        # Scalars are kept without a call of their own (most of a skeleton's values).
        if kind is dict:
            return {k: v if type(v) in _SCALARS else walk(v) for k, v in value.items()}
        if kind in _SCALARS:
            return value
        if isinstance(value, np.ndarray) and value.ndim in (1, 2):
            code, a = _binary_array(value)
            # The array itself goes into the join below (a buffer): one copy, not three.
            parts.append(a)
            pad = -a.nbytes % 8
            if pad:
                parts.append(_PADDING[pad])
            ref = {"$b": [code, offset, a.size, *a.shape]}
            offset += a.nbytes + pad
            return ref
        if isinstance(value, Mapping):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [v if type(v) in _SCALARS else walk(v) for v in value]
        return value

    skeleton = walk(result)
    return BinaryBody(dumps(skeleton), b"".join(parts))


_F32_ZEROS = [np.zeros(n, np.float32) for n in range(2)]
# Each trajectory field: the Trajectory attribute it comes from and its column (None: the
# whole 1-D array).
_FIELD_SOURCES = {
    "x": ("path", 0),
    "y": ("path", 1),
    "loss": ("loss", None),
    "avg_x": ("averaged_path", 0),
    "avg_y": ("averaged_path", 1),
    "avg_loss": ("averaged_loss", None),
    "lrs": ("lrs", None),
}


@functools.lru_cache(maxsize=64)  # a page asks for one or two field lists
def _field_plan(fields: tuple[str, ...] | None) -> tuple[tuple[str, str, int | None], ...]:
    """(key, attribute, column) of each field sent, in ``TRAJECTORY_FIELDS`` order."""
    keys = TRAJECTORY_FIELDS if fields is None else [k for k in TRAJECTORY_FIELDS if k in fields]
    return tuple((k, *_FIELD_SOURCES[k]) for k in keys)


def trajectories_binary(
    surface: dict[str, Any],
    runs: Sequence[service.Trajectory],
    fields: Sequence[str] | None,
    elapsed_ms: Callable[[], float],
) -> BinaryBody | None:
    """A trajectories answer's ``BinaryBody`` straight from the runs' own arrays, or None.

    The same bytes as ``binary_body`` of ``{"surface", "runs": [trajectory_run(run,
    "float32", None, fields) ...], "elapsed_ms"}`` whenever every value fits float32's
    normal range; None otherwise (a NaN / inf, or a value float32 would overflow or
    blur), and the caller takes that general path, which decides per block.

    Why: the general path costs 7 numpy calls per run to stage, round and check each
    run's (6, n + 1) block and its lrs, then walks the result and copies every array
    again into the blob (~40 us a run, more than a 300-step kernel). Here the check is
    one concatenation and three reductions over every run at once, and the blob is one
    more concatenation cast straight to float32, with the same zero padding after each
    odd-length array as ``binary_body``.
    """
    every: list[np.ndarray] = []  # every value the general path would check, float64
    out: list[np.ndarray] = []  # the blob's arrays in order, padding included
    skeleton_runs = []
    offset = 0
    keys = _field_plan(None if fields is None else tuple(fields))
    for run in runs:
        path, avg = run.path, run.averaged_path
        # The checked values as whole arrays ((n, 2) paths flattened: views, not columns):
        # the same values as the general path's rows, in 5 arrays a run instead of 7.
        every += (path.reshape(-1), run.loss, avg.reshape(-1), run.averaged_loss, run.lrs)
        entry: dict[str, Any] = {
            "optimizer": run.optimizer,
            "lr": run.lr,
            "hyperparams": run.hyperparams,
        }
        for key, source, column in keys:
            a = getattr(run, source)
            if column is not None:
                a = a[:, column]
            n = a.shape[0]
            if n == 0:  # compact keeps an empty array float64 (a run stopped at its start)
                entry[key] = {"$b": ["f8", offset, 0, 0]}
                continue
            out.append(a)
            entry[key] = {"$b": ["f4", offset, n, n]}
            offset += 4 * n
            if n % 2:  # 8-byte alignment, as binary_body pads
                out.append(_F32_ZEROS[1])
                offset += 4
        entry["status"] = run.status
        entry["stopped_at"] = run.stopped_at
        entry["steps_taken"] = run.steps_taken
        skeleton_runs.append(entry)
    mag = np.concatenate(every)
    np.abs(mag, out=mag)  # in place: the concatenation is a fresh array
    # A NaN makes the max NaN (the comparison fails); inf or a finite overflow exceeds it.
    if not np.maximum.reduce(mag, axis=None) <= _F32.max:
        return None
    if np.minimum.reduce(mag, axis=None) < _F32.smallest_normal and (
        np.min(mag, where=mag > 0, initial=_F32.max) < _F32.smallest_normal
    ):
        return None  # a tiny value that float32 would flush or blur
    blob = np.concatenate(out or _F32_ZEROS[:1], dtype=np.float32, casting="same_kind")
    skeleton = {"surface": surface, "runs": skeleton_runs, "elapsed_ms": elapsed_ms()}
    return BinaryBody(dumps(skeleton), blob.tobytes() if out else b"")


def binary_frame(head: Mapping[str, Any], body: BinaryBody) -> bytes:
    """A binary live-channel frame.

    Layout: a little-endian uint32 ``n``, then ``n`` bytes of UTF-8 JSON (``head``
    with ``"body"`` the skeleton), zero padding to a multiple of 8, then the blob;
    each ``{"$b": [dtype, offset, length, *shape]}`` names ``length`` values of
    ``dtype`` (f4, f8 or i4) at ``offset`` bytes into the blob, one row per first
    dimension when the shape has two.
    """
    text = frame(head, body.skeleton)
    pad = -(4 + len(text)) % 8
    return len(text).to_bytes(4, "little") + text + b" " * pad + body.blob
