"""Request bodies of the surface endpoints (built from the registry by ``builders``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    create_model,
)

from ... import limits
from ...numerics.optimizers import OPTIMIZERS
from ...numerics.specs import OptimizerSpec, ParamSpec
from .builders import (
    MAX_USER_MINIMA,
    MOMENTUM_NAMES,
    OPTIMIZER_NAMES,
    SURFACE_NAMES,
    SURFACE_VARIANTS,
    WEB_MAX_BASIN_RESOLUTION,
    Arrows,
    BatchSize,
    GridResolution,
    Noise,
    Point,
    Precision,
    RunRef,
    ScheduleRef,
    Seed,
    Steps,
    Strict,
    SurfaceRef,
    Tol,
    View,
    _lr_field,
    _optimizer_tag,
    _tagged_union,
    _with_examples,
    bounded_int,
    optimizer_variants,
)

# --------------------------------------------------------------------------- requests


_SURFACE_EXAMPLE = {"name": "rosenbrock", "params": {"a": 1, "b": 100}}
if "rosenbrock" not in SURFACE_VARIANTS:  # pragma: no cover - the registry always has it
    _SURFACE_EXAMPLE = {"name": SURFACE_NAMES[0]}


class TrajectoriesRequest(Strict):
    """Up to 16 optimizer runs on one surface with one step budget, schedule and noise."""

    surface: SurfaceRef
    steps: Steps = 200
    schedule: ScheduleRef | None = None
    noise: Noise = 0.0
    batch_size: BatchSize | None = None
    seed: Seed = 0
    tol: Tol = 1e-10
    precision: Precision = "float32"
    runs: Annotated[list[RunRef], Field(min_length=1, max_length=limits.MAX_RUNS)]
    # bounded_int: an integral float (12245.0) is an integer, as JSON Schema says.
    points: (
        bounded_int(
            2,
            limits.MAX_PATH_POINTS,
            "keep at most this many evenly spread points of each path (first and last "
            "included; an `index` array gives each point's step); default: every step",
        )
        | None
    ) = None
    fields: Annotated[
        list[Literal["x", "y", "loss", "avg_x", "avg_y", "avg_loss", "lrs"]] | None,
        Field(description="only these arrays of each run (default: all)", max_length=7),
    ] = None
    record_state: Annotated[
        bool,
        Field(
            description="also return each run's optimizer state at every kept point "
            "(`state`: velocity, moments, per-axis step scales, named per optimizer); at most "
            f"{limits.MAX_STATE_VALUES:,} numbers in all (runs x points x 2 x "
            f"{limits.MAX_STATE_QUANTITIES})"
        ),
    ] = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "surface": _SURFACE_EXAMPLE,
                    "steps": 300,
                    "runs": [
                        {"optimizer": name, "start": [-1.5, 2.0]} for name in OPTIMIZER_NAMES[:2]
                    ],
                }
            ]
        }
    )


class GridRequest(Strict):
    """Surface values on a square grid, and optionally a gradient-arrow field."""

    surface: SurfaceRef
    view: View | None = None
    resolution: GridResolution = 200
    arrows: Arrows = 0
    precision: Precision = "float32"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"surface": _SURFACE_EXAMPLE, "resolution": 50}]}
    )


class HessianRequest(Strict):
    """Curvature at one point."""

    surface: SurfaceRef
    point: Point

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"surface": _SURFACE_EXAMPLE, "point": [1.0, 1.0]}]}
    )


def _common_fields() -> dict[str, Any]:
    return {
        "surface": (SurfaceRef, ...),
        "schedule": (ScheduleRef | None, None),
        "noise": (Noise, 0.0),
        "batch_size": (BatchSize | None, None),
        "seed": (Seed, 0),
        "precision": (Precision, "float32"),
    }


def _optimizer_union(
    prefix: str,
    doc: str,
    fields: Any,
    specs: tuple[OptimizerSpec, ...],
    example: Any,
    hint: str = "",
) -> Any:
    variants = optimizer_variants(prefix, doc, fields, specs, example)
    if not variants:
        return _no_optimizer_model(prefix, doc, hint)
    error_type = "unknown_momentum_optimizer" if hint else None
    return _tagged_union(
        variants, _optimizer_tag, "optimizer", hint, key="optimizer", error_type=error_type
    )


def _no_optimizer_model(prefix: str, doc: str, hint: str) -> type[Strict]:
    """Stand-in while the registry has no optimizer for this request: every body is refused."""

    def refuse(value: str) -> str:
        raise ValueError(f"no optimizer in this build supports this request{hint}")

    model = create_model(
        f"{prefix}Request",
        __base__=Strict,
        __doc__=f"{doc}.",
        optimizer=(Annotated[str, AfterValidator(refuse)], ...),
    )
    return _with_examples(model, [{"optimizer": "momentum"}])


def _lr_sweep_fields(o: OptimizerSpec) -> dict[str, Any]:
    return {
        **_common_fields(),
        "start": (Point | None, None),
        "steps": (Steps, 200),
        "tol": (Tol, 1e-10),
        "lr_min": _lr_field(o, 1e-4, "smallest learning rate (log-spaced sweep)"),
        "lr_max": _lr_field(o, 1.0, "largest learning rate; must exceed lr_min"),
        "count": (bounded_int(2, limits.MAX_LR_COUNT), 50),
        "curves": (bool, Field(default=False, description="return every loss curve")),
    }


LRSweepRequest = _optimizer_union(
    "LRSweep",
    "Final and best loss over log-spaced learning rates",
    _lr_sweep_fields,
    OPTIMIZERS,
    lambda o: {"surface": _SURFACE_EXAMPLE, "optimizer": o.name, "steps": 100, "count": 20},
)


def _basin_fields(o: OptimizerSpec) -> dict[str, Any]:
    return {
        **_common_fields(),
        "lr": _lr_field(o, o.lr_default, "learning rate"),
        "steps": (Steps, 500),
        "tol": (Tol, 1e-8),
        "resolution": (bounded_int(2, WEB_MAX_BASIN_RESOLUTION), 64),
        "view": (View | None, None),
        "minima": (
            Annotated[list[Point], Field(max_length=MAX_USER_MINIMA)] | None,
            Field(default=None, description="the surface's known minima if omitted"),
        ),
        "radius": (
            Annotated[float, Field(ge=0.0)] | None,
            Field(
                default=None,
                description="how close counts as reaching a minimum (2% of the view's "
                "diagonal if omitted; at most the diagonal)",
            ),
        ),
    }


BasinsRequest = _optimizer_union(
    "Basins",
    "Which minimum each start of a grid ends in",
    _basin_fields,
    OPTIMIZERS,
    lambda o: {
        "surface": _SURFACE_EXAMPLE,
        "optimizer": o.name,
        "lr": o.lr_default,
        "steps": 100,
        "resolution": 16,
    },
)

MOMENTUM_OPTIMIZERS = tuple(
    o for o in OPTIMIZERS if any(p.name in MOMENTUM_NAMES for p in o.hyperparams)
)


def _momentum_param(o: OptimizerSpec) -> ParamSpec:
    names = [p.name for p in o.hyperparams]
    return o.hyperparams[names.index(next(n for n in MOMENTUM_NAMES if n in names))]


def _lr_momentum_fields(o: OptimizerSpec) -> dict[str, Any]:
    m = _momentum_param(o)
    mrange = Annotated[float, Field(ge=m.min, le=m.max)]
    return {
        "surface": (SurfaceRef, ...),
        "start": (Point | None, None),
        "steps": (Steps, 200),
        "tol": (Tol, 1e-10),
        "precision": (Precision, "float32"),
        "lr_min": _lr_field(o, 1e-4, "smallest learning rate (log-spaced)"),
        "lr_max": _lr_field(o, 1.0, "largest learning rate; must exceed lr_min"),
        "lr_count": (bounded_int(2, limits.MAX_MAP_SIDE), 40),
        "momentum_min": (mrange, Field(default=max(m.min, 0.0), description=f"smallest {m.name}")),
        "momentum_max": (
            mrange,
            Field(default=min(m.max, 0.99), description=f"largest {m.name} (linear spacing)"),
        ),
        "momentum_count": (bounded_int(2, limits.MAX_MAP_SIDE), 40),
    }


LRMomentumRequest = _optimizer_union(
    "LRMomentum",
    "Final loss over a grid of learning rates x momentum values",
    _lr_momentum_fields,
    MOMENTUM_OPTIMIZERS,
    lambda o: {
        "surface": _SURFACE_EXAMPLE,
        "optimizer": o.name,
        "steps": 100,
        "lr_count": 10,
        "momentum_count": 10,
    },
    " (optimizers with momentum or beta1)",
)
