"""Response models of the surface endpoints, errors and health (documentation: orjson encodes)."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    ConfigDict,
    Field,
)

from .builders import Out

# --------------------------------------------------------------------------- responses

Num = float | None  # a finite number, or null where undefined (NaN / inf)


class CriticalPointOut(Out):
    x: float
    y: float
    f: Num
    kind: str = Field(description="minimum, maximum, saddle or degenerate")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"x": 1.0, "y": 1.0, "f": 0.0, "kind": "minimum"}]}
    )


class SurfaceOut(Out):
    name: str
    view: list[float]
    critical_points: list[CriticalPointOut]
    params: dict[str, float] | None = Field(
        None, description="a typed-in formula's named parameters and the values used"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "rosenbrock", "view": [-2, 2, -1, 3], "critical_points": []}]
        }
    )


_RUN_EXAMPLE = {
    "optimizer": "gd",
    "lr": 0.001,
    "hyperparams": {"weight_decay": 0.0},
    "x": [-1.5, -1.49],
    "y": [2.0, 2.001],
    "loss": [6.5, 6.41],
    "lrs": [0.001],
    "avg_x": [-1.5, -1.495],
    "avg_y": [2.0, 2.0005],
    "avg_loss": [6.5, 6.45],
    "status": "done",
    "stopped_at": None,
    "steps_taken": 1,
}


class RunOut(Out):
    """One run: per-axis path arrays of steps_taken + 1 points, lrs of steps_taken steps."""

    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    # Each array is there unless the request's ``fields`` leaves it out.
    x: list[Num] | None = None
    y: list[Num] | None = None
    loss: list[Num] | None = None
    lrs: list[Num] | None = None
    avg_x: list[Num] | None = None
    avg_y: list[Num] | None = None
    avg_loss: list[Num] | None = None
    status: Literal["done", "converged", "stuck", "diverged", "escaped"]
    stopped_at: int | None
    steps_taken: int
    index: list[int] | None = Field(
        None, description="with `points`: the step of each kept point (absent otherwise)"
    )
    state: dict[str, list[list[Num]]] | None = Field(
        None,
        description="with `record_state`: quantity name -> [x values, y values], one per kept "
        "point, the state after that step (velocity, buffer, m, v, m_hat, v_hat, v_max, "
        "square_avg, grad_avg, sum_sq, step_scale; which ones depends on the optimizer; "
        "empty for gd and newton)",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [_RUN_EXAMPLE]})


class TrajectoriesResponse(Out):
    surface: SurfaceOut
    runs: list[RunOut]
    elapsed_ms: float

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "surface": {
                        "name": "rosenbrock",
                        "view": [-2, 2, -1, 3],
                        "critical_points": [{"x": 1, "y": 1, "f": 0, "kind": "minimum"}],
                    },
                    "runs": [_RUN_EXAMPLE],
                    "elapsed_ms": 0.2,
                }
            ]
        }
    )


class ArrowsOut(Out):
    x: list[float]
    y: list[float]
    gx: list[float]
    gy: list[float]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"x": [-1.0], "y": [0.5], "gx": [-2.0], "gy": [1.0]}]}
    )


class GridResponse(Out):
    """``z`` has ny rows of nx values (rows over y); null where the surface is undefined."""

    x: list[float]
    y: list[float]
    z: list[list[Num]]
    z_min: Num
    z_max: Num
    log_scale: bool
    arrows: ArrowsOut

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "x": [-2, 2],
                    "y": [-1, 3],
                    "z": [[2509, 409], [909, 10]],
                    "z_min": 10,
                    "z_max": 2509,
                    "log_scale": True,
                    "arrows": {"x": [], "y": [], "gx": [], "gy": []},
                }
            ]
        }
    )


class HessianResponse(Out):
    """Eigenvalues ascending; ``eigenvectors`` has one row per eigenvalue."""

    point: list[float]
    value: float
    gradient: list[float]
    hessian: list[list[float]]
    eigenvalues: list[float]
    eigenvectors: list[list[float]]
    kind: Literal["minimum", "maximum", "saddle", "degenerate", "regular"]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "point": [1, 1],
                    "value": 0,
                    "gradient": [0, 0],
                    "hessian": [[802, -400], [-400, 200]],
                    "eigenvalues": [0.3994, 1001.6],
                    "eigenvectors": [[0.4472, 0.8944], [-0.8944, 0.4472]],
                    "kind": "minimum",
                }
            ]
        }
    )


Status = Literal["done", "converged", "diverged", "escaped"]


class LRSweepResponse(Out):
    """Per learning rate: final and best loss (null where diverged), status, stop step."""

    lrs: list[float]
    final_loss: list[Num]
    best_loss: list[Num]
    status: list[Status]
    stopped_at: list[int | None]
    curves: list[list[Num]] | None = Field(
        default=None, description="only when the request asked for curves"
    )
    edge_lr: Num
    optimal_lr: Num = Field(
        default=None, description="2 / (lambda_min + lambda_max) on a convex quadratic, else null"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lrs": [0.001, 0.1],
                    "final_loss": [0.5, None],
                    "best_loss": [0.5, 3.2],
                    "status": ["done", "diverged"],
                    "stopped_at": [None, 12],
                    "edge_lr": None,
                }
            ]
        }
    )


class MinimumOut(Out):
    x: float
    y: float
    f: Num

    model_config = ConfigDict(json_schema_extra={"examples": [{"x": 1.0, "y": 1.0, "f": 0.0}]})


class BasinsResponse(Out):
    """``label`` indexes ``minima``; -1 none, -2 diverged, -3 escaped. Rows over y."""

    x: list[float]
    y: list[float]
    label: list[list[int]]
    final_loss: list[list[Num]]
    steps: list[list[int]]
    minima: list[MinimumOut]
    radius: float

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "x": [-2, 2],
                    "y": [-1, 3],
                    "label": [[0, -2], [0, 0]],
                    "final_loss": [[0.0, None], [0.01, 0.0]],
                    "steps": [[100, 7], [100, 100]],
                    "minima": [{"x": 1, "y": 1, "f": 0}],
                    "radius": 0.113,
                }
            ]
        }
    )


class LRMomentumResponse(Out):
    """``final_loss`` and ``status`` have one row per momentum value, one column per lr."""

    lrs: list[float]
    momenta: list[float]
    hyperparam: str
    final_loss: list[list[Num]]
    status: list[list[Status]]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lrs": [0.001, 0.1],
                    "momenta": [0.0, 0.9],
                    "hyperparam": "momentum",
                    "final_loss": [[0.5, None], [0.1, None]],
                    "status": [["done", "diverged"], ["done", "diverged"]],
                }
            ]
        }
    )


class ErrorItem(Out):
    """One problem: where (``loc``), what (``msg``), and a machine-readable ``type``.

    A typed-in formula's error also carries the 1-based ``column`` and the ``token``.
    """

    loc: list[str | int]
    msg: str
    type: str
    column: int | None = None
    token: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "loc": ["body", "steps"],
                    "msg": "Input should be a valid integer",
                    "type": "int_type",
                }
            ]
        }
    )


class ErrorResponse(Out):
    detail: list[ErrorItem]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": [
                        {
                            "loc": ["body", "runs", 0, "optimizer"],
                            "msg": "unknown optimizer 'adamx'; valid optimizers: gd, newton",
                            "type": "unknown_optimizer",
                        }
                    ]
                }
            ]
        }
    )


class HealthResponse(Out):
    status: Literal["ok"]

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
