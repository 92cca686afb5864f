"""Request models of the networks' endpoints (``/api/networks/...``).

Built from the networks' catalogue like ``schemas`` is from the surfaces'
registry: every generated data set is a variant of a tagged union with its
parameters' bounds, every model a variant with its settings, every optimizer
that runs on networks a variant with its hyperparameters. Strict, no extra
fields, finite floats, sizes bounded by ``network_service.limits()``. Rules
that JSON Schema cannot state (a model that does not fit the data set's task,
the work budget, a CSV's content) are checked by the service: 422 as well.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ... import network_service as ns
from ...limits import DEFAULT_HISTOGRAM_RECORDS, DEFAULT_RECORDS
from ...networks import datasets as ds
from ...networks import mlp
from ...numerics.optimizers import OPTIMIZERS
from ...numerics.specs import OptimizerSpec
from . import builders as schemas
from .builders import Strict, bounded_int

# The text must fit the body limit even when every character is sent as a JSON
# \uXXXX escape (6 bytes): about 170,000 characters, 34 per row for 5,000 rows
# of "x1,x2,label" (e.g. 123.4567,0.0023456,1).
MAX_CSV_CHARS = schemas.MAX_BODY_BYTES // 6 - 4_096

NETWORK_OPTIMIZERS = tuple(o for o in OPTIMIZERS if not o.surfaces_only)
INITS = tuple(mlp.INITS)
ACTIVATIONS = tuple(mlp.ACTIVATIONS)
LOSSES = tuple(sorted({loss for losses in ns.TASK_LOSSES.values() for loss in losses}))


# --------------------------------------------------------------------------- data sets


class CsvDataset(Strict):
    """A user's own points: rows of x1,x2,label (an optional header names the features)."""

    csv: Annotated[str, Field(min_length=1, max_length=MAX_CSV_CHARS)]
    task: Literal["auto", "regression", "binary", "multiclass"] = "auto"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"csv": "x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n"}]}
    )


def _dataset_variant(spec: ds.DatasetSpec) -> type[Strict]:
    cls = schemas._camel(spec.name)
    docs = (spec.description or spec.title, f"Settings of {spec.title}.")
    return schemas.named_variant(
        f"{cls}Dataset", f"{cls}DatasetParams", spec.name, spec.params, docs, spec.name
    )


def _dataset_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return "csv" if "csv" in value else schemas._str_or_none(value.get("name"))
    if isinstance(value, CsvDataset):
        return "csv"
    return getattr(value, "name", None)


DATASET_VARIANTS: dict[str, type[BaseModel]] = {
    **{s.name: _dataset_variant(s) for s in ds.DATASETS},
    "csv": CsvDataset,
}
DatasetRef = schemas._tagged_union(
    DATASET_VARIANTS, _dataset_tag, "dataset", ' ({"csv": "..."} for your own points)'
)


def dataset_arg(dataset: BaseModel) -> dict[str, Any]:
    """The service's dataset argument for a validated reference."""
    if isinstance(dataset, CsvDataset):
        return dataset.model_dump()
    return {"name": dataset.name, "params": schemas.dump_params(dataset.params)}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- models

Width = bounded_int(1, mlp.MAX_WIDTH)


def _model_variant(spec: ns.ModelSpec) -> type[Strict]:
    cls = schemas._camel(spec.name)
    losses = tuple(sorted({loss for t in spec.tasks for loss in ns.TASK_LOSSES[t]}))
    fields: dict[str, Any] = {
        "bias": (bool, Field(default=True, description="add a bias to every unit")),
        "loss": (
            Literal[losses] | None,  # type: ignore[valid-type]
            Field(default=None, description="default: the first valid one for the task"),
        ),
    }
    if spec.hidden_layers:
        fields["hidden"] = (
            Annotated[list[Width], Field(min_length=1, max_length=mlp.MAX_HIDDEN_LAYERS)],
            Field(default_factory=lambda: [16], description="width of each hidden layer"),
        )
        fields["activation"] = (
            Literal[ACTIVATIONS],  # type: ignore[valid-type]
            Field(default="tanh", description="hidden-unit nonlinearity"),
        )
        fields["batch_norm"] = (
            bool,
            Field(default=False, description=ns.catalogue.BATCH_NORM_PARAM.description),
        )
    params = create_model(
        f"{cls}ModelParams", __base__=Strict, __doc__=f"Settings of {spec.title}.", **fields
    )
    schemas._with_examples(params, [{"bias": True}])
    model = create_model(
        f"{cls}Model",
        __base__=Strict,
        __doc__=spec.description,
        name=(Literal[spec.name], ...),  # type: ignore[valid-type]
        params=(params, Field(default_factory=params)),
    )
    return schemas._with_examples(model, [{"name": spec.name}])


MODEL_VARIANTS = {m.name: _model_variant(m) for m in ns.MODELS}
ModelRef = schemas._tagged_union(
    MODEL_VARIANTS,
    lambda v: (
        schemas._str_or_none(v.get("name")) if isinstance(v, dict) else getattr(v, "name", None)
    ),
    "model",
)


def model_arg(model: BaseModel) -> dict[str, Any]:
    params = model.params.model_dump(exclude_none=True)  # type: ignore[attr-defined]
    return {"name": model.name, "params": params}  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- shared fields

Seed = bounded_int(0, ns.MAX_SEED, "seeds the initialisation and the batch order")
InitScale = Annotated[float, Field(ge=0.0, le=ns.MAX_INIT_SCALE)]
Validation = Annotated[float, Field(ge=0.0, le=0.5, description="share of points held out")]


def _setup_fields() -> dict[str, Any]:
    """Data, model, initialisation and inputs: what every network request starts from."""
    return {
        "dataset": (DatasetRef, ...),
        "model": (ModelRef, Field(default_factory=lambda: MODEL_VARIANTS["mlp"](name="mlp"))),
        "init": (Literal[INITS], "xavier"),  # type: ignore[valid-type]
        "init_scale": (InitScale | None, None),
        "normalize": (bool, Field(default=True, description="feed (x - mu) / sigma")),
        "seed": (Seed, 0),
    }


def _network_lr(o: OptimizerSpec, description: str) -> tuple[Any, Any]:
    lo = min(ns.MIN_NETWORK_LR, o.lr_min)
    return float | None, Field(default=None, ge=lo, le=o.lr_max, description=description)


def _train_fields(o: OptimizerSpec) -> dict[str, Any]:
    return {
        **_setup_fields(),
        "lr": _network_lr(o, "learning rate (the optimizer's default if omitted)"),
        "steps": (bounded_int(1, ns.MAX_TRAIN_STEPS) | None, None),
        "epochs": (bounded_int(1, ns.MAX_EPOCHS) | None, None),
        "batch_size": (
            bounded_int(1, ds.MAX_POINTS, "points per step (omit: full batch; 1: SGD)") | None,
            None,
        ),
        "schedule": (schemas.ScheduleRef | None, None),
        "validation": (Validation, 0.2),
        "record_every": (
            bounded_int(
                1,
                ns.MAX_TRAIN_STEPS,
                f"steps between recorded evaluations (omit: about {DEFAULT_RECORDS} records; "
                f"1: every step, while there are at most {ns.MAX_RECORDS} records)",
            )
            | None,
            None,
        ),
        "histogram_bins": (bounded_int(2, ns.MAX_HISTOGRAM_BINS), 20),
        "histogram_records": (
            bounded_int(
                0,
                ns.MAX_RECORDS + 1,
                "records with activation histograms and dead / saturated fractions (first, "
                "last, evenly between; 0: none)",
            ),
            DEFAULT_HISTOGRAM_RECORDS,
        ),
        "relu_range": (Annotated[float, Field(ge=1e-6, le=ns.MAX_RELU_RANGE)], 4.0),
        "snapshots": (bool, Field(default=True, description="weights at every record")),
        "target_loss": (Annotated[float, Field(ge=-1e12, le=1e12)] | None, None),
    }


def _network_union(prefix: str, doc: str, fields: Any, example: Any) -> Any:
    """One request variant per network optimizer; its own error type, so an unknown
    name lists the networks' optimizers (newton is for surfaces only)."""
    variants = schemas.optimizer_variants(prefix, doc, fields, NETWORK_OPTIMIZERS, example)
    return schemas._tagged_union(
        variants,
        schemas._optimizer_tag,
        "optimizer",
        key="optimizer",
        error_type="unknown_network_optimizer",
    )


def _example(o: OptimizerSpec, **extra: Any) -> dict[str, Any]:
    return {"dataset": {"name": "xor"}, "optimizer": o.name, "steps": 100, **extra}


TrainRequest = _network_union("Train", "Train a model on a data set", _train_fields, _example)
MetricsRequest = _network_union(
    "Metrics",
    "Train, then score the classifier at a decision threshold",
    lambda o: {
        **_train_fields(o),
        "threshold": (Annotated[float, Field(ge=-1e12, le=1e12)], 0.5),
        "split": (Literal["train", "validation"], "validation"),
        "curve_points": (bounded_int(2, ns.MAX_CURVE_POINTS), 101),
    },
    lambda o: _example(o, threshold=0.5),
)
BoundaryRequest = _network_union(
    "Boundary",
    "Train, then the model's output over the input plane",
    lambda o: {**_train_fields(o), "resolution": (bounded_int(2, ns.MAX_BOUNDARY_RESOLUTION), 80)},
    _example,
)


def _study_fields(o: OptimizerSpec) -> dict[str, Any]:
    lr = Annotated[float, Field(ge=min(ns.MIN_NETWORK_LR, o.lr_min), le=o.lr_max)]
    return {
        **_setup_fields(),
        "lr": _network_lr(o, "learning rate when lrs is omitted"),
        "lrs": (Annotated[list[lr], Field(min_length=1, max_length=ns.MAX_STUDY_LRS)] | None, None),
        "target_loss": (Annotated[float, Field(ge=-1e12, le=1e12)] | None, None),
        "sizes": (
            Annotated[
                list[bounded_int(1, ds.MAX_POINTS)],
                Field(min_length=1, max_length=ns.MAX_STUDY_SIZES),
            ]
            | None,
            None,
        ),
        "count": (bounded_int(2, ns.MAX_STUDY_SIZES), 10),
        "max_steps": (bounded_int(1, ns.MAX_TRAIN_STEPS), 2_000),
    }


BatchSizeRequest = _network_union(
    "BatchSize",
    "Steps to reach a target loss for each batch size",
    _study_fields,
    lambda o: {"dataset": {"name": "moons"}, "optimizer": o.name, "max_steps": 200, "count": 5},
)


class LandscapeRun(Strict):
    """One optimizer drawn on the slice."""

    optimizer: Literal[tuple(o.name for o in NETWORK_OPTIMIZERS)]  # type: ignore[valid-type]
    lr: Annotated[float, Field(ge=ns.MIN_NETWORK_LR, le=10.0)] | None = None
    hyperparams: dict[str, Annotated[float, Field(ge=-1e6, le=1e6)]] | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"optimizer": "adam"}]})


def _landscape_fields() -> dict[str, Any]:
    return {
        **_setup_fields(),
        "optimizers": (
            Annotated[list[LandscapeRun], Field(min_length=1, max_length=ns.MAX_LANDSCAPE_RUNS)],
            Field(default_factory=lambda: [LandscapeRun(optimizer="gd")]),
        ),
        "directions": (Literal["axes", "pca", "random"] | None, None),
        "resolution": (bounded_int(2, ns.MAX_LANDSCAPE_RESOLUTION), 41),
        "span": (Annotated[float, Field(gt=0.0, le=1e6)] | None, None),
        "steps": (bounded_int(1, ns.MAX_TRAIN_STEPS), 200),
        "batch_size": (bounded_int(1, ds.MAX_POINTS) | None, None),
        "schedule": (schemas.ScheduleRef | None, None),
        "view": (schemas.View | None, None),
        "records": (bounded_int(2, ns.MAX_RECORDS), 200),
    }


LandscapeRequest = schemas._with_examples(
    create_model(
        "LandscapeRequest",
        __base__=Strict,
        __doc__="Loss over a 2-D slice with each optimizer's trajectory on it.",
        **_landscape_fields(),
    ),
    [{"dataset": {"name": "ravine"}, "model": {"name": "linear_regression"}, "steps": 50}],
)
GradientCheckRequest = schemas._with_examples(
    create_model(
        "GradientCheckRequest",
        __base__=Strict,
        __doc__="Backprop against central finite differences.",
        **_setup_fields(),
        broken=(bool, Field(default=False, description="plant the deliberate backprop bug")),
        eps=(Annotated[float, Field(ge=1e-10, le=1e-2)], 1e-5),
    ),
    [{"dataset": {"name": "xor"}, "broken": True}],
)
GradientNoiseRequest = schemas._with_examples(
    create_model(
        "GradientNoiseRequest",
        __base__=Strict,
        __doc__="Mini-batch gradient variance for each batch size S.",
        **_setup_fields(),
        sizes=(
            Annotated[
                list[bounded_int(1, ds.MAX_POINTS)],
                Field(min_length=1, max_length=ns.MAX_NOISE_SIZES),
            ]
            | None,
            None,
        ),
        draws=(bounded_int(2, ns.MAX_NOISE_DRAWS), 200),
    ),
    [{"dataset": {"name": "moons"}, "draws": 50}],
)
DatasetRequest = schemas._with_examples(
    create_model(
        "DatasetRequest",
        __base__=Strict,
        __doc__="A data set's points and split (a CSV is parsed and validated).",
        dataset=(DatasetRef, ...),
        validation=(Validation, 0.2),
    ),
    [{"dataset": {"csv": "x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n"}}],
)
