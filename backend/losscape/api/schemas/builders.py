"""Model builders: scalars, parameter models and the tagged unions of the registry.

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
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
)

from ... import limits
from ...numerics.optimizers import OPTIMIZERS
from ...numerics.schedules import SCHEDULES
from ...numerics.specs import OptimizerSpec, ParamSpec, ScheduleSpec, SurfaceSpec
from ...numerics.surfaces import SURFACES

# The web app caps basin maps below the library's limit: 256^2 starts is
# already 65,536 runs, about a second of one core at a few hundred steps.
WEB_MAX_BASIN_RESOLUTION = min(256, limits.MAX_BASIN_RESOLUTION)
MAX_EXPRESSION_LENGTH = 200  # issue 6: typed-in formulas are at most 200 characters
MAX_FORMULA_PARAMS = 8  # = expressions.lexer.MAX_PARAMS (a test checks they agree)
MAX_FORMULA_PARAM_NAME = 16
MAX_FORMULA_PARAM_VALUE = 1e6
MAX_USER_MINIMA = 64  # service._minima_arg's bound
MAX_BODY_BYTES = limits.MAX_BODY_BYTES  # request bodies and live-channel messages
MOMENTUM_NAMES = ("momentum", "beta1")  # the hyperparameter an (lr x momentum) map sweeps


class Strict(BaseModel):
    """Base of every request model: no extra fields, strict types, finite floats.

    An unknown field is refused by pydantic-core itself (``extra="forbid"``: no Python
    runs per model instance); the error handlers (``api.errors.validation_detail``)
    reword that refusal with ``unknown_field_message``, which names the valid fields
    (pydantic's own message, "Extra inputs are not permitted", does not say what
    would have been right).
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    # What the fields are and whose, for that message ("parameter", " for adam").
    unknown_what: ClassVar[str] = "field"
    unknown_owner: ClassVar[str] = ""


def unknown_field_message(model: type[BaseModel], key: Any) -> str:
    """The refusal of field ``key`` of ``model``, naming the valid fields:
    "unknown parameter 'c' for rosenbrock; valid: a, b" (a ``Strict`` model says what
    its fields are and whose; any other model's are "field"s)."""
    valid = ", ".join(f.alias or name for name, f in model.model_fields.items()) or "none"
    shown = repr(key) if isinstance(key, str) and len(key) <= 40 else "(a long name)"
    what = getattr(model, "unknown_what", "field")
    owner = getattr(model, "unknown_owner", "")
    return f"unknown {what} {shown}{owner}; valid: {valid}"


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


def params_model(
    name: str, params: tuple[ParamSpec, ...], doc: str, owner: str = ""
) -> type[Strict]:
    """A model with one optional field per parameter (defaults and bounds from the registry).

    ``owner`` names whose parameters they are in the refusal of an unknown one, as
    the Python API does: "unknown parameter 'mu' for momentum; valid: ...".
    """
    fields = {_field_name(p.name)[0]: _param_field(p) for p in params}
    example = {p.name: (bool(p.default) if p.kind == "bool" else p.default) for p in params}
    model = create_model(name, __base__=Strict, __doc__=doc, **fields)
    model.unknown_what = "parameter"
    model.unknown_owner = f" for {owner}" if owner else ""
    return _with_examples(model, [example])


def _with_examples(model: type[BaseModel], examples: list[Any]) -> type[BaseModel]:
    model.model_config["json_schema_extra"] = {"examples": examples}
    model.model_rebuild(force=True)
    return model


_PARAM_KEYS: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {}


def dump_params(model: BaseModel | None) -> dict[str, Any]:
    """Registry names -> values of a params model (aliases resolved).

    The same dict as ``model.model_dump(by_alias=True)``: a params model's fields are
    plain bools, ints and floats (``_param_field``), so their values are read as they
    are, under names worked out once per model class. A drag's request dumps five of
    these models; ``model_dump`` costs a few microseconds each, this a fraction of one.
    """
    if model is None:
        return {}
    cls = type(model)
    keys = _PARAM_KEYS.get(cls)
    if keys is None:
        keys = tuple((name, f.alias or name) for name, f in cls.model_fields.items())
        _PARAM_KEYS[cls] = keys
    values = model.__dict__
    return {alias: values[name] for name, alias in keys}


# --------------------------------------------------------------------------- surfaces


class ExpressionSurface(Strict):
    """A typed-in formula in x and y (issue 6's grammar), with optional view and minima."""

    expression: Annotated[str, Field(min_length=1, max_length=MAX_EXPRESSION_LENGTH)]
    view: View | None = None
    minima: Annotated[list[Point], Field(max_length=MAX_USER_MINIMA)] | None = None
    params: (
        Annotated[
            dict[
                Annotated[str, Field(max_length=MAX_FORMULA_PARAM_NAME)],
                Annotated[float, Field(ge=-MAX_FORMULA_PARAM_VALUE, le=MAX_FORMULA_PARAM_VALUE)],
            ],
            Field(
                max_length=MAX_FORMULA_PARAMS,
                description="values of the formula's named parameters (a name in the formula "
                "that is not x, y, a constant or a function, such as a and b in a*x**2 + "
                "b*y**2); each defaults to 1",
            ),
        ]
        | None
    ) = None

    model_config = ConfigDict(
        # One example only: a fuzzer mixing the fields of two would pair a formula with
        # parameters it does not have.
        json_schema_extra={
            "examples": [{"expression": "a*x**2 + b*y**2", "params": {"a": 1, "b": 10}}]
        },
    )


def named_variant(
    model_name: str,
    params_name: str,
    name: str,
    params: tuple[ParamSpec, ...],
    docs: tuple[str, str],
    owner: str,
    example: dict[str, Any] | None = None,
) -> type[Strict]:
    """The request variant ``{"name": name, "params": {...}}`` of one registry entry
    (a surface, a schedule, a data set); ``docs`` = (the model's, its params').
    """
    params_cls = params_model(params_name, params, docs[1], owner)
    model = create_model(
        model_name,
        __base__=Strict,
        __doc__=docs[0],
        name=(Literal[name], ...),  # type: ignore[valid-type]
        params=(params_cls, Field(default_factory=params_cls)),
    )
    return _with_examples(model, [example or {"name": name}])


def _surface_variant(s: SurfaceSpec) -> type[Strict]:
    example: dict[str, Any] = {"name": s.name}
    if s.params:
        example["params"] = {p.name: p.default for p in s.params}
    doc = f"{s.title}: {s.concept}" if s.concept else s.title
    cls = _camel(s.name)
    docs = (doc, f"Parameters of {s.title}.")
    return named_variant(f"{cls}Surface", f"{cls}Params", s.name, s.params, docs, s.name, example)


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


class OpenApiDiscriminator:
    """Annotated metadata: states a tagged union's discriminator in the JSON schema.

    The unions are told apart by a function (so an unknown name gets a message
    listing the valid ones), which pydantic cannot describe; where every
    variant carries its tag in the same field, this adds OpenAPI's
    ``discriminator`` (property and mapping to each variant's schema), so
    generated clients build the right class.
    """

    def __init__(self, key: str, tags: tuple[str, ...]) -> None:
        self.key = key
        self.tags = tags

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        options = schema.get("oneOf") or schema.get("anyOf") or []
        if len(options) != len(self.tags) or not all("$ref" in o for o in options):
            return schema
        mapping = {t: o["$ref"] for t, o in zip(self.tags, options, strict=True)}
        return {**schema, "discriminator": {"propertyName": self.key, "mapping": mapping}}


def _tagged_by(model: type[BaseModel], key: str, tag: str) -> bool:
    """True when ``model`` has a required field ``key`` that is exactly Literal[tag]."""
    f = model.model_fields.get(key)
    return f is not None and f.is_required() and get_args(f.annotation) == (tag,)


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
    discriminator = Discriminator(
        tag_fn,
        custom_error_type=error_type,
        custom_error_message=f"unknown {what}; valid {what}s: {valid}{extra_hint}",
    )
    union = Union[members]  # type: ignore[valid-type]  # noqa: UP007
    if all(_tagged_by(m, key, t) for t, m in variants.items()):
        return Annotated[union, discriminator, OpenApiDiscriminator(key, tuple(variants))]
    return Annotated[union, discriminator]


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
    cls = _camel(s.name)
    docs = (s.description or s.title, f"Settings of {s.title}.")
    return named_variant(
        f"{cls}Schedule", f"{cls}ScheduleParams", s.name, s.params, docs, f"schedule {s.name}"
    )


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
        f"{_camel(o.name)}Hyperparams", o.hyperparams, f"Hyperparameters of {o.title}.", o.name
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


def optimizer_variants(
    prefix: str, doc: str, fields: Any, specs: tuple[OptimizerSpec, ...], example: Any
) -> dict[str, type[BaseModel]]:
    """One request model per optimizer: its lr and hyperparameters plus ``fields(o)``."""
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
    return variants


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


def fields_of(body: BaseModel, *names: str) -> dict[str, Any]:
    """``{name: body.name}`` for fields the service takes under the request's own names."""
    return {name: getattr(body, name) for name in names}
