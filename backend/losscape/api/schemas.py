"""Request and response models of the REST API and the live channel.

The request models are built from the one registry: every catalogue surface,
optimizer and schedule becomes a variant of a tagged union whose parameters
carry the registry's bounds and defaults, so the OpenAPI document at ``/docs``
states exactly which bodies are valid (it is fuzzed with schemathesis) and an
unknown name is refused with the valid names in the message.

Every request model forbids extra fields, uses strict types (no "3" for 3, no
true for 1) and refuses non-finite floats. Cross-field rules that JSON Schema
cannot state (xmin < xmax, lr_min < lr_max, the sweep work budget) are checked
by the service and come back as 422 too.
"""

from __future__ import annotations

import importlib.util
import keyword
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
)

from .. import limits
from ..numerics.optimizers import OPTIMIZERS
from ..numerics.schedules import SCHEDULES
from ..numerics.specs import OptimizerSpec, ParamSpec, ScheduleSpec, SurfaceSpec
from ..numerics.surfaces import SURFACES

# The web app caps basin maps below the library's limit: 256^2 starts is
# already 65,536 runs, about a second of one core at a few hundred steps.
WEB_MAX_BASIN_RESOLUTION = min(256, limits.MAX_BASIN_RESOLUTION)
MAX_EXPRESSION_LENGTH = 200  # issue 6: typed-in formulas are at most 200 characters
MAX_USER_MINIMA = 64  # service._minima_arg's bound
MAX_BODY_BYTES = 1 << 20  # request bodies and live-channel messages
MOMENTUM_NAMES = ("momentum", "beta1")  # the hyperparameter an (lr x momentum) map sweeps


class Strict(BaseModel):
    """Base of every request model: no extra fields, strict types, finite floats."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Out(BaseModel):
    """Base of the response models (documentation only: responses are encoded by orjson)."""

    model_config = ConfigDict(allow_inf_nan=False)


# --------------------------------------------------------------------------- scalars


def _integral(value: Any) -> Any:
    """JSON has one number type and JSON Schema's "integer" means integral: 524.0 is 524."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def bounded_int(lo: int, hi: int, description: str | None = None) -> Any:
    """An integer in [lo, hi]: integral numbers only (3.0 passes as 3), no strings or booleans.

    The bounds sit inside the integral-float conversion so the JSON Schema shows them.
    """
    return Annotated[int, Field(ge=lo, le=hi, description=description), BeforeValidator(_integral)]


Coordinate = Annotated[float, Field(ge=-limits.MAX_COORDINATE, le=limits.MAX_COORDINATE)]
Point = Annotated[
    list[Coordinate],
    Field(min_length=2, max_length=2, description="(x, y)", examples=[[-1.5, 2.0]]),
]
View = Annotated[
    list[Coordinate],
    Field(
        min_length=4,
        max_length=4,
        description="(xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax",
        examples=[[-2.0, 2.0, -1.0, 3.0]],
    ),
]
Steps = bounded_int(1, limits.MAX_STEPS, "step budget per run")
Noise = Annotated[
    float,
    Field(ge=0.0, le=limits.MAX_NOISE, description="gradient noise sigma (0: exact gradients)"),
]
BatchSize = bounded_int(1, limits.MAX_BATCH_SIZE, "mini-batch size S: noise std sigma / sqrt(S)")
Seed = bounded_int(0, limits.MAX_SEED, "seeds the gradient noise")
GridResolution = bounded_int(2, limits.MAX_GRID, "grid points per axis")
Arrows = bounded_int(0, limits.MAX_ARROWS, "gradient arrows per axis (0: none)")
Tol = Annotated[float, Field(ge=0.0, le=1e3, description="stop as converged when |gradient| < tol")]
Precision = Annotated[
    Literal["float32", "float64"],
    Field(description="float arrays rounded to float32 precision (compact) or kept as float64"),
]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


def _field_name(name: str) -> tuple[str, dict[str, Any]]:
    """A Python-safe field name for a registry parameter (aliased when it is not)."""
    safe = (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and not hasattr(BaseModel, name)
    )
    return (name, {}) if safe else (f"p_{name}", {"alias": name})


def _param_field(p: ParamSpec) -> tuple[Any, Any]:
    """(type, Field) for one registry parameter with its bounds and default."""
    _, extra = _field_name(p.name)
    desc = p.description or None
    if p.kind == "bool":
        return bool, Field(default=bool(p.default), description=desc, **extra)
    if p.kind == "int":
        return bounded_int(int(p.min), int(p.max)), Field(
            default=int(p.default), description=desc, **extra
        )
    return float, Field(default=float(p.default), ge=p.min, le=p.max, description=desc, **extra)


def params_model(name: str, params: tuple[ParamSpec, ...], doc: str) -> type[Strict]:
    """A model with one optional field per parameter (defaults and bounds from the registry)."""
    fields = {_field_name(p.name)[0]: _param_field(p) for p in params}
    example = {p.name: (bool(p.default) if p.kind == "bool" else p.default) for p in params}
    return _with_examples(create_model(name, __base__=Strict, __doc__=doc, **fields), [example])


def _with_examples(model: type[BaseModel], examples: list[Any]) -> type[BaseModel]:
    model.model_config["json_schema_extra"] = {"examples": examples}
    model.model_rebuild(force=True)
    return model


def dump_params(model: BaseModel | None) -> dict[str, Any]:
    """Registry names -> values of a params model (aliases resolved)."""
    return {} if model is None else model.model_dump(by_alias=True)


# --------------------------------------------------------------------------- surfaces


class ExpressionSurface(Strict):
    """A typed-in formula in x and y (issue 6's grammar), with optional view and minima."""

    expression: Annotated[str, Field(min_length=1, max_length=MAX_EXPRESSION_LENGTH)]
    view: View | None = None
    minima: Annotated[list[Point], Field(max_length=MAX_USER_MINIMA)] | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"expression": "x**2 + 3*y**2"}]},
    )


def _surface_variant(s: SurfaceSpec) -> type[Strict]:
    params = params_model(f"{_camel(s.name)}Params", s.params, f"Parameters of {s.title}.")
    model = create_model(
        f"{_camel(s.name)}Surface",
        __base__=Strict,
        __doc__=f"{s.title}: {s.concept}" if s.concept else s.title,
        name=(Literal[s.name], ...),  # type: ignore[valid-type]
        params=(params, Field(default_factory=params)),
    )
    example: dict[str, Any] = {"name": s.name}
    if s.params:
        example["params"] = {p.name: p.default for p in s.params}
    return _with_examples(model, [example])


SURFACE_NAMES = tuple(s.name for s in SURFACES)
SURFACE_VARIANTS = {s.name: _surface_variant(s) for s in SURFACES}


def _surface_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return "expression" if "expression" in value else _str_or_none(value.get("name"))
    if isinstance(value, ExpressionSurface):
        return "expression"
    return getattr(value, "name", None)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# error type -> (what, key holding the name, valid names): the error handler builds
# "unknown optimizer 'adamx'; valid optimizers: ..." from the value that was given.
UNKNOWN_NAME_ERRORS: dict[str, tuple[str, str, str]] = {}


def _tagged_union(
    variants: dict[str, type[BaseModel]],
    tag_fn: Any,
    what: str,
    extra_hint: str = "",
    names: tuple[str, ...] | None = None,
    key: str = "name",
    error_type: str | None = None,
) -> Any:
    """A union of models told apart by ``tag_fn``; an unknown tag lists the valid ones."""
    members = tuple(Annotated[m, Tag(t)] for t, m in variants.items())
    valid = ", ".join(names if names is not None else variants)
    error_type = error_type or f"unknown_{what}"
    UNKNOWN_NAME_ERRORS[error_type] = (what, key, valid + extra_hint)
    return Annotated[
        Union[members],  # type: ignore[valid-type]  # noqa: UP007
        Discriminator(
            tag_fn,
            custom_error_type=error_type,
            custom_error_message=f"unknown {what}; valid {what}s: {valid}{extra_hint}",
        ),
    ]


# Typed-in formulas are offered (and documented) only where the expressions module exists.
EXPRESSIONS_AVAILABLE = importlib.util.find_spec("losscape.expressions") is not None
SurfaceRef = _tagged_union(
    {**SURFACE_VARIANTS, **({"expression": ExpressionSurface} if EXPRESSIONS_AVAILABLE else {})},
    _surface_tag,
    "surface",
    ' (or {"expression": "..."} for a typed-in formula)',
    SURFACE_NAMES,
)


def surface_arg(surface: BaseModel) -> dict[str, Any]:
    """The service's surface argument for a validated surface reference."""
    if isinstance(surface, ExpressionSurface):
        return surface.model_dump(exclude_none=True)
    return {"name": surface.name, "params": dump_params(surface.params)}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- schedules


def _schedule_variant(s: ScheduleSpec) -> type[Strict]:
    params = params_model(f"{_camel(s.name)}ScheduleParams", s.params, f"Settings of {s.title}.")
    model = create_model(
        f"{_camel(s.name)}Schedule",
        __base__=Strict,
        __doc__=s.description or s.title,
        name=(Literal[s.name], ...),  # type: ignore[valid-type]
        params=(params, Field(default_factory=params)),
    )
    return _with_examples(model, [{"name": s.name}])


SCHEDULE_VARIANTS = {s.name: _schedule_variant(s) for s in SCHEDULES}
ScheduleRef = _tagged_union(
    SCHEDULE_VARIANTS,
    lambda v: _str_or_none(v.get("name")) if isinstance(v, dict) else getattr(v, "name", None),
    "schedule",
)


def schedule_args(schedule: BaseModel | None) -> dict[str, Any]:
    """``schedule`` and ``schedule_params`` keyword arguments for the service."""
    if schedule is None:
        return {"schedule": None, "schedule_params": None}
    return {"schedule": schedule.name, "schedule_params": dump_params(schedule.params)}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- optimizers


def _lr_field(o: OptimizerSpec, default: float, description: str) -> tuple[Any, Any]:
    d = min(max(default, o.lr_min), o.lr_max)
    return float, Field(default=d, ge=o.lr_min, le=o.lr_max, description=description)


HYPERPARAM_MODELS = {
    o.name: params_model(
        f"{_camel(o.name)}Hyperparams", o.hyperparams, f"Hyperparameters of {o.title}."
    )
    for o in OPTIMIZERS
}


def _optimizer_fields(o: OptimizerSpec) -> dict[str, Any]:
    hp = HYPERPARAM_MODELS[o.name]
    return {
        "optimizer": (Literal[o.name], ...),  # type: ignore[valid-type]
        "hyperparams": (hp, Field(default_factory=hp, description="defaults from the catalog")),
    }


def _optimizer_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return _str_or_none(value.get("optimizer"))
    return getattr(value, "optimizer", None)


def _run_variant(o: OptimizerSpec) -> type[Strict]:
    model = create_model(
        f"{_camel(o.name)}Run",
        __base__=Strict,
        __doc__=f"One {o.title} run.",
        **_optimizer_fields(o),
        lr=_lr_field(o, o.lr_default, "learning rate (the optimizer's default if omitted)"),
        start=(Point | None, Field(default=None, description="the surface's default start")),
    )
    return _with_examples(model, [{"optimizer": o.name, "lr": o.lr_default, "start": [-1.5, 2]}])


OPTIMIZER_NAMES = tuple(o.name for o in OPTIMIZERS)
RunRef = _tagged_union(
    {o.name: _run_variant(o) for o in OPTIMIZERS}, _optimizer_tag, "optimizer", key="optimizer"
)


def hyperparams_of(body: BaseModel) -> dict[str, Any]:
    return dump_params(body.hyperparams)  # type: ignore[attr-defined]


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
    variants: dict[str, type[BaseModel]] = {}
    for o in specs:
        model = create_model(
            f"{prefix}{_camel(o.name)}Request",
            __base__=Strict,
            __doc__=f"{doc} ({o.title}).",
            **_optimizer_fields(o),
            **fields(o),
        )
        variants[o.name] = _with_examples(model, [example(o)])
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
    x: list[Num]
    y: list[Num]
    loss: list[Num]
    lrs: list[Num]
    avg_x: list[Num]
    avg_y: list[Num]
    avg_loss: list[Num]
    status: Literal["done", "converged", "stuck", "diverged", "escaped"]
    stopped_at: int | None
    steps_taken: int

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
