"""The one registry: names -> specs, and validation of user-supplied values.

Dispatch ids, request validation, the catalog endpoint, the frontend controls
and the parametrized tests all read these tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES
from .specs import OptimizerSpec, ParamSpec, ScheduleSpec, SurfaceSpec
from .surfaces import EXPRESSION_ID, SURFACES


def _index(specs: tuple, what: str) -> dict:
    by_name = {s.name: s for s in specs}
    ids = [s.id for s in specs]
    if len(by_name) != len(specs) or len(set(ids)) != len(ids):
        raise RuntimeError(f"duplicate {what} name or id in the registry")
    return by_name


SURFACE_BY_NAME: dict[str, SurfaceSpec] = _index(SURFACES, "surface")
OPTIMIZER_BY_NAME: dict[str, OptimizerSpec] = _index(OPTIMIZERS, "optimizer")
SCHEDULE_BY_NAME: dict[str, ScheduleSpec] = _index(SCHEDULES, "schedule")
assert EXPRESSION_ID not in {s.id for s in SURFACES}


def _lookup(table: Mapping, name: object, what: str):
    if not isinstance(name, str) or name not in table:
        choices = ", ".join(sorted(table))
        raise ValueError(f"unknown {what} {name!r}; valid {what}s: {choices}")
    return table[name]


def surface_spec(name: object) -> SurfaceSpec:
    """The spec of a catalogue surface; ValueError naming the valid ones otherwise."""
    return _lookup(SURFACE_BY_NAME, name, "surface")


def optimizer_spec(name: object) -> OptimizerSpec:
    """The spec of an optimizer; ValueError naming the valid ones otherwise."""
    return _lookup(OPTIMIZER_BY_NAME, name, "optimizer")


def schedule_spec(name: object) -> ScheduleSpec:
    """The spec of a learning-rate schedule; ValueError naming the valid ones otherwise."""
    return _lookup(SCHEDULE_BY_NAME, name, "schedule")


def check_number(value: object, name: str, lo: float, hi: float, *, kind: str = "float") -> float:
    """``value`` as a float after checking type, finiteness and lo <= value <= hi."""
    # Fast path for the common plain float / int in bounds (every API call checks a
    # dozen numbers); NaN fails the comparison and gets the full check's message.
    tp = type(value)
    if (tp is float or (tp is int and kind != "bool")) and lo <= value <= hi:  # type: ignore[operator]
        if tp is float and kind == "float" and value - value == 0.0:  # finite: inf - inf is NaN
            return value  # type: ignore[return-value]
        if tp is int:
            return float(value)  # type: ignore[arg-type]
    if kind == "bool":
        if isinstance(value, bool) or value in (0, 1):
            return float(value)
        raise ValueError(f"{name} must be true or false, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if kind == "int" and v != int(v):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not lo <= v <= hi:
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {v:g}")
    return v


# Per (specs, owner): the names, and each parameter's (name, label, bounds, kind,
# default) with its error label formatted once, not on every call (the page sends
# every hyperparameter and schedule parameter with every drag).
_PLANS: dict[tuple[int, str], tuple[tuple[ParamSpec, ...], frozenset, tuple]] = {}


def _plan(specs: tuple[ParamSpec, ...], owner: str) -> tuple[frozenset, tuple]:
    key = (id(specs), owner)
    plan = _PLANS.get(key)
    if plan is None or plan[0] is not specs:  # `is`: an id reused by another tuple
        rows = tuple((p.name, f"{owner}.{p.name}", p.min, p.max, p.kind, p.default) for p in specs)
        plan = _PLANS[key] = (specs, frozenset(p.name for p in specs), rows)
    return plan[1], plan[2]


def param_vector(
    specs: tuple[ParamSpec, ...], given: Mapping[str, object] | None, owner: str
) -> np.ndarray:
    """Validated parameters as a float64 array in spec order, defaults filled in.

    Unknown names, wrong types, non-finite or out-of-bound values raise
    ValueError naming the valid names or the bounds.
    """
    names, rows = _plan(specs, owner)
    if given is None:
        given = {}
    if not names.issuperset(given):
        unknown = sorted(set(given) - names)
        valid = ", ".join(p.name for p in specs) if specs else "none"
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for {owner}; valid: {valid}")
    out = np.empty(max(len(rows), 1), dtype=np.float64)
    out[0] = 0.0
    for i, (name, label, lo, hi, kind, default) in enumerate(rows):
        out[i] = check_number(given.get(name, default), label, lo, hi, kind=kind)
    return out
