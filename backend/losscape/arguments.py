"""Validated arguments shared by the runs and the sweeps: surfaces resolved, numbers
checked against their bounds (``ValueError`` naming them), work bounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import limits
from .numerics.registry import (
    check_number,
    param_vector,
)
from .numerics.registry import surface_spec as _surface_spec
from .resolved import ResolvedSurface
from .validation import schedule as validate_schedule

_EMPTY_CODE = np.zeros(1, dtype=np.int64)
_EMPTY_CONSTS = np.zeros(1, dtype=np.float64)

SurfaceArg = str | Mapping[str, Any]
_DEFAULT_SURFACES: dict[str, ResolvedSurface] = {}  # catalogue name -> at default parameters


# --------------------------------------------------------------------------- surfaces


def resolve_surface(
    surface: SurfaceArg | ResolvedSurface, surface_params: Mapping[str, object] | None = None
) -> ResolvedSurface:
    """Resolve a catalogue name, ``{"name": ..., "params": ...}`` or ``{"expression": ...}``.

    A ``ResolvedSurface`` is returned as it is (its parameters are already in it), so a
    request of several runs resolves its surface once and hands the result to each run.

    A bare catalogue name at its default parameters (most calls) is resolved
    once and then served from a cache, so the result is shared: never modify it
    (nothing does; its arrays stay writable because numba compiles a second
    version of every kernel for read-only arrays).
    """
    if isinstance(surface, ResolvedSurface):
        if surface_params:
            raise ValueError(
                "surface parameters go with the surface's name when it is resolved; "
                "a resolved surface already holds its parameters"
            )
        return surface
    if type(surface) is str and not surface_params:
        cached = _DEFAULT_SURFACES.get(surface)
        if cached is None:
            cached = _resolve_catalogue(surface, None)
            _DEFAULT_SURFACES[surface] = cached  # only valid names get here
        return cached
    if isinstance(surface, Mapping):
        if "expression" in surface:
            from .expressions import resolve_expression

            if surface_params:  # a formula's named parameters, as for catalogue surfaces
                surface = {**surface, "params": {**surface.get("params", {}), **surface_params}}
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
    return _resolve_catalogue(surface, surface_params)


def _resolve_catalogue(
    name: object, surface_params: Mapping[str, object] | None
) -> ResolvedSurface:
    """A catalogue surface at validated parameters (defaults for the missing ones)."""
    spec = _surface_spec(name)
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
