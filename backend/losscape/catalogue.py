"""The core catalogue as JSON-ready dicts: surfaces, optimizers, schedules and their parameters.

One owner for how a registry row is serialised: ``GET /api/catalog``, the page's
controls, the lecture validator, the notebook widget and the networks'
catalogue all read these functions (a parameter's row, ``param_dict``, lives
beside ``ParamSpec`` in ``numerics.specs`` so the networks' data sets share it).
The rows themselves live in the registries (``numerics.surfaces``,
``numerics.optimizers``, ``numerics.schedules``); nothing here validates or runs
anything.
"""

from __future__ import annotations

from typing import Any

from .numerics.optimizers import OPTIMIZERS
from .numerics.schedules import SCHEDULES
from .numerics.specs import CriticalPoint, SurfaceSpec, param_dict
from .numerics.surfaces import SURFACES


def point_dict(c: CriticalPoint) -> dict[str, Any]:
    """A critical point (x, y), its value f and kind ("minimum", "saddle", ...)."""
    return {"x": c.x, "y": c.y, "f": c.f, "kind": c.kind}


def surface_dict(s: SurfaceSpec) -> dict[str, Any]:
    """A surface row: formula, view, default start, parameters and critical points."""
    return {
        "name": s.name,
        "title": s.title,
        "formula": s.formula,
        "dims": s.dims,
        "view": list(s.view),
        "default_start": list(s.default_start),
        "params": [param_dict(p) for p in s.params],
        "critical_points": [point_dict(c) for c in s.critical_points],
        "concept": s.concept,
        "unbounded_below": s.unbounded_below,
        "quadratic": s.quadratic,
    }


def surfaces() -> list[dict[str, Any]]:
    """The surface catalogue: names, formulas, views, parameters and critical points."""
    return [surface_dict(s) for s in SURFACES]


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
