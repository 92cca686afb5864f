"""The networks' catalogue: limits, data sets and models, and the argument helpers they share."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..catalogue import param_dict

# --------------------------------------------------------------------------- limits
# Every MAX_* is in the one table of limits (losscape.limits); imported here so that
# limits() below, and callers of network_service.MAX_*, see them as before.
from ..limits import (  # noqa: F401  (limits() below reads them from globals())
    JSON_SNAPSHOT_VALUES,
    MAX_BOUNDARY_RESOLUTION,
    MAX_CURVE_POINTS,
    MAX_EPOCHS,
    MAX_GRADCHECK_PARAMS,
    MAX_HISTOGRAM_BINS,
    MAX_INIT_SCALE,
    MAX_LANDSCAPE_RESOLUTION,
    MAX_LANDSCAPE_RUNS,
    MAX_LANDSCAPE_WORK,
    MAX_NOISE_DRAWS,
    MAX_NOISE_SIZES,
    MAX_RECORDS,
    MAX_RELU_RANGE,
    MAX_SEED,
    MAX_SNAPSHOT_VALUES,
    MAX_STUDY_LRS,
    MAX_STUDY_SIZES,
    MAX_STUDY_WORK,
    MAX_TRAIN_STEPS,
    MAX_TRAIN_WORK,
)
from ..networks import datasets as ds
from ..networks import mlp
from ..numerics.registry import check_number, param_vector
from ..numerics.specs import ParamSpec
from ..validation import boolean as _bool
from ..validation import choice as _choice
from ..validation import integer as _int

MIN_NETWORK_LR = 1e-10


def limits() -> dict[str, float | int]:
    """The networks' limits as a JSON-ready dict (lower-case names)."""
    return {k.lower(): v for k, v in globals().items() if k.startswith("MAX_")}


DatasetArg = str | Mapping[str, Any]
ModelArg = str | Mapping[str, Any]
Progress = Callable[[int, int, Any], None]


# --------------------------------------------------------------------------- small helpers


def _finite_list(a: np.ndarray | Sequence[float] | None) -> list | None:
    """A nested list with non-finite entries as None (JSON has no NaN)."""
    if a is None:
        return None
    arr = np.asarray(a, dtype=np.float64)
    obj = arr.astype(object)
    obj[~np.isfinite(arr)] = None
    return obj.tolist()


def _num(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


# --------------------------------------------------------------------------- data sets


def datasets() -> list[dict[str, Any]]:
    """The data-set catalogue: generated sets with their parameters, plus the CSV upload."""
    entries = [ds.catalogue_entry(s) for s in ds.DATASETS]
    entries.append(
        {
            "name": "csv",
            "title": "Your own CSV",
            "task": "auto",
            "description": (
                "Rows of x1,x2,label (an optional header names the features); at most "
                f"{ds.MAX_POINTS:,} rows. Whole labels 0..K-1 (K <= {ds.MAX_CLASSES}) make a "
                "classification task, other numbers a regression."
            ),
            "lecture": "",
            "default_model": "mlp",
            "feature_names": ["x1", "x2"],
            "classes": None,
            "params": [],
            "max_rows": ds.MAX_POINTS,
            "tasks": ["auto", *ds.TASKS],
        }
    )
    return entries


def resolve_dataset(dataset: DatasetArg, *, validation: object = 0.2) -> ds.Dataset:
    """A name, ``{"name", "params"}`` or ``{"csv": text, "task": "auto"}`` -> a split data set.

    ``validation`` is the share of points held out (0 to 0.5), stratified by
    class; the split is seeded by the data set's own seed.
    """
    frac = check_number(validation, "validation", 0.0, 0.5)
    if isinstance(dataset, ds.Dataset):
        return dataset
    if isinstance(dataset, Mapping):
        if "csv" in dataset:
            extra = sorted(set(dataset) - {"csv", "task", "name"})
            if extra:
                raise ValueError(f"unknown dataset field(s) {', '.join(extra)}; valid: csv, task")
            return ds.from_csv(dataset["csv"], task=dataset.get("task", "auto"), validation=frac)
        extra = sorted(set(dataset) - {"name", "params"})
        if extra:
            raise ValueError(
                f"unknown dataset field(s) {', '.join(extra)}; valid: name, params, csv"
            )
        name, params = dataset.get("name"), dataset.get("params")
    else:
        name, params = dataset, None
    if not isinstance(name, str) or name not in ds.DATASET_BY_NAME:
        valid = ", ".join([*ds.DATASET_BY_NAME, "csv"])
        raise ValueError(f"unknown dataset {name!r}; valid datasets: {valid}")
    spec = ds.DATASET_BY_NAME[name]
    if params is not None and not isinstance(params, Mapping):
        raise ValueError("dataset params must be an object of name: value")
    vec = param_vector(spec.params, params, f"dataset {name}")
    values = {p.name: float(vec[i]) for i, p in enumerate(spec.params)}
    return _generated(spec, values, frac)


# Generating a set and its stratified split costs ~0.3 ms, as much as a tenth of a
# small training run, and a page or a notebook asks for the same few sets again and
# again. The points are a pure function of (name, parameters, split share), so the
# newest few are kept (up to 5,000 points each: < 3 MB in all) and every caller gets
# its own copies: nothing a caller does to its arrays can reach the cache.
DATASET_CACHE_SIZE = 16
_dataset_cache: OrderedDict[tuple[object, ...], ds.Dataset] = OrderedDict()
_dataset_lock = threading.Lock()  # the web server resolves data sets from worker threads


def _generated(spec: ds.DatasetSpec, values: dict[str, float], frac: float) -> ds.Dataset:
    """``ds.generate`` of validated ``values``, through the bounded cache; the caller's copy."""
    key = (spec.name, tuple(values.items()), frac)
    with _dataset_lock:
        kept = _dataset_cache.get(key)
        if kept is not None:
            _dataset_cache.move_to_end(key)
    if kept is None:
        kept = ds.generate(spec, values, validation=frac, split_seed=int(values.get("seed", 0)))
        for a in (kept.X, kept.t, kept.train, kept.validation):
            a.flags.writeable = False  # the cache's own arrays: a bug writing to them raises
        with _dataset_lock:
            _dataset_cache[key] = kept
            _dataset_cache.move_to_end(key)
            while len(_dataset_cache) > DATASET_CACHE_SIZE:
                _dataset_cache.popitem(last=False)
    return dataclasses.replace(
        kept, X=kept.X.copy(), t=kept.t.copy(), train=kept.train.copy(),
        validation=kept.validation.copy(), params=dict(kept.params),
    )  # fmt: skip


# --------------------------------------------------------------------------- models

TASK_LOSSES: dict[str, tuple[str, ...]] = {
    "regression": ("squared_error",),
    "binary": ("binary_cross_entropy", "logistic_squared_error"),
    "multiclass": ("softmax_cross_entropy",),
}


@dataclass(frozen=True)
class ModelSpec:
    """A catalogue model: the tasks it fits and whether it has hidden layers."""

    name: str
    title: str
    description: str
    tasks: tuple[str, ...]
    hidden_layers: bool


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "linear_regression", "Linear regression",
        "y = w1 x1 + w2 x2 (+ b), squared error. Without bias it has exactly two weights, "
        "and the landscape is the exact loss over (w1, w2).",
        ("regression",), False,
    ),
    ModelSpec(
        "logistic_regression", "Logistic regression",
        "y = sigma(w1 x1 + w2 x2 + b), cross-entropy (or squared error on sigma).",
        ("binary",), False,
    ),
    ModelSpec(
        "softmax_regression", "Softmax regression",
        "K linear scores and a softmax, cross-entropy.", ("multiclass",), False,
    ),
    ModelSpec(
        "mlp", "Multilayer perceptron",
        f"1 or {mlp.MAX_HIDDEN_LAYERS} hidden layers of up to {mlp.MAX_WIDTH} tanh, logistic "
        "or ReLU units; the output and loss follow the task.",
        ds.TASKS, True,
    ),
)  # fmt: skip
MODEL_BY_NAME = {m.name: m for m in MODELS}

_BIAS = ParamSpec("bias", 1, 0, 1, "add a bias to every unit", kind="bool")
BATCH_NORM_PARAM = ParamSpec(
    "batch_norm", 0, 0, 1,
    "batch normalisation: centre and scale each hidden unit over the batch, then a learned "
    "gamma and beta",
    kind="bool",
)  # fmt: skip


def models() -> list[dict[str, Any]]:
    """The model catalogue: names, tasks, losses per task and parameters with bounds."""
    out = []
    for m in MODELS:
        params: list[dict[str, Any]] = []
        if m.hidden_layers:
            params.append(
                {
                    "name": "hidden",
                    "default": [16],
                    "min": 1,
                    "max": mlp.MAX_WIDTH,
                    "min_length": 1,
                    "max_length": mlp.MAX_HIDDEN_LAYERS,
                    "kind": "int_list",
                    "log": False,
                    "description": "width of each hidden layer",
                }
            )
            params.append(
                {
                    "name": "activation",
                    "default": "tanh",
                    "choices": list(mlp.ACTIVATIONS),
                    "kind": "choice",
                    "description": "hidden-unit nonlinearity",
                }
            )
            params.append(param_dict(BATCH_NORM_PARAM))
        params.append(param_dict(_BIAS))
        params.append(
            {
                "name": "loss",
                "default": None,
                "choices": sorted({loss for t in m.tasks for loss in TASK_LOSSES[t]}),
                "kind": "choice",
                "description": "loss (default: the first valid one for the task)",
            }
        )
        out.append(
            {
                "name": m.name,
                "title": m.title,
                "description": m.description,
                "tasks": list(m.tasks),
                "losses": {t: list(TASK_LOSSES[t]) for t in m.tasks},
                "params": params,
                "inits": list(mlp.INITS),
                "init_scale_defaults": dict(mlp.INIT_SCALE_DEFAULTS),
            }
        )
    return out


@dataclass(frozen=True)
class ResolvedModel:
    """A model fitted to a data set: its name, settings and kernel architecture."""

    name: str
    arch: mlp.Architecture
    hidden: tuple[int, ...]
    activation: str
    loss: str
    bias: bool
    batch_norm: bool = False

    @property
    def params(self) -> dict[str, Any]:
        return {
            "hidden": list(self.hidden),
            "activation": self.activation,
            "loss": self.loss,
            "bias": self.bias,
            "batch_norm": self.batch_norm,
        }


def resolve_model(model: ModelArg, data: ds.Dataset) -> ResolvedModel:
    """A name or ``{"name", "params": {hidden, activation, batch_norm, loss, bias}}``, checked.

    The model must fit the data set's task; ``hidden``, ``activation`` and
    ``batch_norm`` exist for models with hidden layers only.
    """
    if isinstance(model, Mapping):
        extra = sorted(set(model) - {"name", "params"})
        if extra:
            raise ValueError(f"unknown model field(s) {', '.join(extra)}; valid: name, params")
        name, params = model.get("name"), dict(model.get("params") or {})
    else:
        name, params = model, {}
    if not isinstance(name, str) or name not in MODEL_BY_NAME:
        raise ValueError(f"unknown model {name!r}; valid models: {', '.join(MODEL_BY_NAME)}")
    spec = MODEL_BY_NAME[name]
    hidden_only = {"hidden", "activation", "batch_norm"}
    allowed = {"bias", "loss"} | (hidden_only if spec.hidden_layers else set())
    extra = sorted(set(params) - allowed)
    if extra:
        raise ValueError(
            f"unknown parameter(s) {', '.join(extra)} for model {name}; valid: "
            f"{', '.join(sorted(allowed))}"
        )
    if data.task not in spec.tasks:
        fits = [m.name for m in MODELS if data.task in m.tasks]
        raise ValueError(
            f"model {name} does not fit a {data.task} task; valid models: {', '.join(fits)}"
        )
    hidden: tuple[int, ...] = ()
    activation = "tanh"
    if spec.hidden_layers:
        h = params.get("hidden", [16])
        if isinstance(h, int | float) and not isinstance(h, bool):
            h = [h]
        if not isinstance(h, Sequence) or isinstance(h, str) or not 1 <= len(h) <= 2:
            raise ValueError(
                f"hidden must be a list of 1 to {mlp.MAX_HIDDEN_LAYERS} widths, got {h!r}"
            )
        hidden = tuple(_int(w, f"hidden[{i}]", 1, mlp.MAX_WIDTH) for i, w in enumerate(h))
        activation = _choice(params.get("activation", "tanh"), "activation", list(mlp.ACTIVATIONS))
    losses = TASK_LOSSES[data.task]
    loss = params.get("loss") or losses[0]
    if loss not in losses:
        raise ValueError(
            f"unknown loss {loss!r} for a {data.task} task; valid losses: {', '.join(losses)}"
        )
    bias = _bool(params.get("bias", True), "bias")
    batch_norm = _bool(params.get("batch_norm", False), "batch_norm")
    n_out = data.classes if data.task == "multiclass" else 1
    arch = mlp.Architecture(
        n_in=data.X.shape[1],
        hidden=hidden,
        n_out=n_out,
        activation=mlp.ACTIVATIONS[activation],
        loss=mlp.LOSSES[loss],
        bias=bias,
        batch_norm=batch_norm,
    )
    return ResolvedModel(name, arch, hidden, activation if hidden else "", loss, bias, batch_norm)
