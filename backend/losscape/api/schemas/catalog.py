"""Response models of ``GET /api/catalog``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    ConfigDict,
)

from .builders import Out
from .responses import CriticalPointOut

_PARAM_EXAMPLE = {
    "name": "b",
    "default": 100.0,
    "min": 1.0,
    "max": 1000.0,
    "kind": "float",
    "log": True,
    "description": "steepness of the valley walls",
}


class ParamOut(Out):
    name: str
    default: float
    min: float
    max: float
    kind: Literal["float", "int", "bool"]
    log: bool
    description: str

    model_config = ConfigDict(json_schema_extra={"examples": [_PARAM_EXAMPLE]})


class SurfaceInfo(Out):
    name: str
    title: str
    formula: str
    dims: int
    view: list[float]
    default_start: list[float]
    params: list[ParamOut]
    critical_points: list[CriticalPointOut]
    concept: str
    unbounded_below: bool
    quadratic: bool

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "rosenbrock",
                    "title": "Rosenbrock",
                    "formula": "(a - x)^2 + b\\,(y - x^2)^2",
                    "dims": 2,
                    "view": [-2, 2, -1, 3],
                    "default_start": [-1.5, 2],
                    "params": [_PARAM_EXAMPLE],
                    "critical_points": [{"x": 1, "y": 1, "f": 0, "kind": "minimum"}],
                    "concept": "a curved ravine",
                    "unbounded_below": False,
                    "quadratic": False,
                }
            ]
        }
    )


class LRRange(Out):
    default: float
    min: float
    max: float

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"default": 0.01, "min": 1e-6, "max": 10.0}]}
    )


class OptimizerInfo(Out):
    name: str
    title: str
    update: str
    description: str
    hyperparams: list[ParamOut]
    lr: LRRange
    torch_name: str | None
    surfaces_only: bool

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "gd",
                    "title": "Gradient descent",
                    "update": "\\theta \\leftarrow \\theta - \\alpha \\nabla E",
                    "description": "",
                    "hyperparams": [],
                    "lr": {"default": 0.01, "min": 1e-6, "max": 10.0},
                    "torch_name": "SGD",
                    "surfaces_only": False,
                }
            ]
        }
    )


class ScheduleInfo(Out):
    name: str
    title: str
    formula: str
    description: str
    params: list[ParamOut]
    torch_name: str | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "constant",
                    "title": "Constant",
                    "formula": "\\alpha_t = \\alpha_0",
                    "description": "",
                    "params": [],
                    "torch_name": None,
                }
            ]
        }
    )


class CatalogResponse(Out):
    """Everything the page needs to build its controls, and the server's limits."""

    surfaces: list[SurfaceInfo]
    optimizers: list[OptimizerInfo]
    schedules: list[ScheduleInfo]
    scenes: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    models: list[dict[str, Any]]
    limits: dict[str, float]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "surfaces": [],
                    "optimizers": [],
                    "schedules": [],
                    "scenes": [],
                    "datasets": [],
                    "models": [],
                    "limits": {"max_steps": 20000, "max_basin_resolution": 256},
                }
            ]
        }
    )
