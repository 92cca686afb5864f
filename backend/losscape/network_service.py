"""The Python API for small networks: validated arguments -> arrays -> kernels -> results.

``losscape.train`` trains a model on a data set with any optimizer and
schedule of the core and returns a ``TrainingHistory``; ``landscape`` draws
the loss over a 2-D slice with the trajectories of several optimizers on it;
``gradient_check``, ``gradient_noise``, ``batch_size_study`` and
``metrics_at`` serve the lecture's diagnostics. ``datasets()`` and
``models()`` are the catalogue entries. Every size is bounded by the
constants below; bad names, types or values raise ``ValueError`` naming the
valid choices or bounds. Results carry ``to_dict()`` giving JSON-ready dicts
(lists, finite floats, ``None`` where a value is undefined).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .networks import datasets as ds
from .networks import landscape as ls
from .networks import metrics as mt
from .networks import mlp
from .networks import train as tr
from .numerics.optimizers import OPTIMIZERS
from .numerics.registry import check_number, optimizer_spec, param_vector, schedule_spec
from .numerics.specs import OptimizerSpec, ParamSpec
from .service import Cancelled, param_dict

__all__ = [
    "BatchSizeStudy",
    "Cancelled",
    "GradientCheck",
    "GradientNoise",
    "Landscape",
    "MetricsReport",
    "TrainingHistory",
    "batch_size_study",
    "datasets",
    "decision_boundary",
    "gradient_check",
    "gradient_noise",
    "landscape",
    "metrics_at",
    "models",
    "train",
    "warm_up",
]

# --------------------------------------------------------------------------- limits

MAX_TRAIN_STEPS = 20_000
MAX_EPOCHS = 2_000
MAX_RECORDS = 1_000  # recorded evaluations per run
DEFAULT_RECORDS = 100  # records by default: each costs a pass over every point
MAX_HISTOGRAM_BINS = 60
MAX_SNAPSHOT_VALUES = 2_000_000  # records x parameters kept as weight snapshots
JSON_SNAPSHOT_VALUES = 100_000  # of which to_dict() sends at most this many
MAX_TRAIN_WORK = 6e9  # multiply-adds of one training run (about a second)
MAX_LANDSCAPE_RESOLUTION = 121
MAX_LANDSCAPE_RUNS = 6
MAX_LANDSCAPE_WORK = 4e9  # multiply-adds of one slice's grid
MAX_GRADCHECK_PARAMS = 400  # parameters checked by finite differences
MAX_NOISE_DRAWS = 2_000
MAX_NOISE_SIZES = 24
MAX_STUDY_SIZES = 24
MAX_STUDY_LRS = 12
MAX_STUDY_WORK = 2e10
MAX_BOUNDARY_RESOLUTION = 200
MAX_CURVE_POINTS = 1_001
MAX_SEED = 2**31 - 1
MAX_INIT_SCALE = 100.0
MAX_RELU_RANGE = 1e3
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


def _int(value: object, name: str, lo: int, hi: int) -> int:
    return int(check_number(value, name, lo, hi, kind="int"))


def _bool(value: object, name: str) -> bool:
    return bool(check_number(value, name, 0, 1, kind="bool"))


def _choice(value: object, name: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid {name}s: {', '.join(choices)}")
    return value


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
    return ds.generate(spec, values, validation=frac, split_seed=int(values.get("seed", 0)))


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

    @property
    def params(self) -> dict[str, Any]:
        return {
            "hidden": list(self.hidden),
            "activation": self.activation,
            "loss": self.loss,
            "bias": self.bias,
        }


def resolve_model(model: ModelArg, data: ds.Dataset) -> ResolvedModel:
    """A name or ``{"name", "params": {hidden, activation, loss, bias}}``, checked for the task."""
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
    allowed = {"bias", "loss"} | ({"hidden", "activation"} if spec.hidden_layers else set())
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
    n_out = data.classes if data.task == "multiclass" else 1
    arch = mlp.Architecture(
        n_in=data.X.shape[1],
        hidden=hidden,
        n_out=n_out,
        activation=mlp.ACTIVATIONS[activation],
        loss=mlp.LOSSES[loss],
        bias=bias,
    )
    return ResolvedModel(name, arch, hidden, activation if hidden else "", loss, bias)


# --------------------------------------------------------------------------- prepared problem


@dataclass(frozen=True)
class Problem:
    """Everything the kernels need for one (data set, model, preprocessing)."""

    data: ds.Dataset
    model: ResolvedModel
    normalize: bool
    mu: np.ndarray  # (2,) feature means of the training points (0 when raw)
    sigma: np.ndarray  # (2,) feature standard deviations (1 when raw)
    X: np.ndarray  # (N, 2) training inputs as the model sees them
    T: np.ndarray  # (N,)
    Xv: np.ndarray  # (M, 2) validation inputs
    Tv: np.ndarray  # (M,)

    @property
    def layout(self) -> np.ndarray:
        return self.model.arch.layout

    @property
    def loss_id(self) -> int:
        return self.model.arch.loss

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """Raw features -> model inputs: (x - mu) / sigma (the identity when raw)."""
        return np.ascontiguousarray((X - self.mu) / self.sigma)


def prepare(
    dataset: DatasetArg | ds.Dataset,
    model: ModelArg,
    *,
    normalize: object = True,
    validation: object = 0.2,
) -> Problem:
    """Resolve the data set and model and apply the lecture's tilde x = (x - mu) / sigma."""
    data = resolve_dataset(dataset, validation=validation)
    m = resolve_model(model, data)
    norm = _bool(normalize, "normalize")
    Xt = data.X_train
    if norm:
        mu = Xt.mean(axis=0)
        sd = Xt.std(axis=0)
        sigma = np.where(sd > 0, sd, 1.0)
    else:
        mu = np.zeros(Xt.shape[1])
        sigma = np.ones(Xt.shape[1])
    Xv = data.X_validation
    return Problem(
        data, m, norm, mu, sigma, np.ascontiguousarray((Xt - mu) / sigma), data.t_train,
        np.ascontiguousarray((Xv - mu) / sigma), data.t_validation,
    )  # fmt: skip


def _initial(problem: Problem, init: object, init_scale: object, seed: int) -> np.ndarray:
    name = _choice(init, "init", mlp.INITS)
    scale = None
    if init_scale is not None:
        scale = check_number(init_scale, "init_scale", -MAX_INIT_SCALE, MAX_INIT_SCALE)
    return mlp.initial_theta(problem.model.arch, name, seed, scale)


# --------------------------------------------------------------------------- optimizer arguments


def _network_optimizer(optimizer: object) -> OptimizerSpec:
    spec = optimizer_spec(optimizer)
    if spec.surfaces_only:
        valid = ", ".join(o.name for o in OPTIMIZERS if not o.surfaces_only)
        raise ValueError(
            f"optimizer {spec.name!r} needs the Hessian and runs on 2-D surfaces only; "
            f"valid optimizers for networks: {valid}"
        )
    return spec


def _hyperparams(spec: OptimizerSpec, given: Mapping[str, object]) -> np.ndarray:
    given = dict(given)
    if "betas" in given:  # torch spells Adam's pair as one tuple
        betas = given.pop("betas")
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError("betas must be a pair (beta1, beta2)")
        given.setdefault("beta1", betas[0])
        given.setdefault("beta2", betas[1])
    return param_vector(spec.hyperparams, given, spec.name)


def _lr(spec: OptimizerSpec, lr: object) -> float:
    if lr is None:
        return spec.lr_default
    # Raw inputs near 1000 (the lecture's uncentred table) put 2 / lambda_max near
    # 1e-6, so networks accept smaller rates than the surfaces' lr_min.
    return check_number(lr, "lr", min(MIN_NETWORK_LR, spec.lr_min), spec.lr_max)


@dataclass(frozen=True)
class RunSettings:
    """A validated optimizer run: spec, hyperparameters, lr, schedule."""

    spec: OptimizerSpec
    hp: np.ndarray
    lr: float
    schedule: str
    kid: int
    schp: np.ndarray

    @property
    def hyperparams(self) -> dict[str, float]:
        return {p.name: float(self.hp[i]) for i, p in enumerate(self.spec.hyperparams)}


def _settings(
    optimizer: object,
    lr: object,
    hyperparams: Mapping[str, object],
    schedule: object = None,
    schedule_params: Mapping[str, object] | None = None,
) -> RunSettings:
    spec = _network_optimizer(optimizer)
    hp = _hyperparams(spec, hyperparams)
    sspec = schedule_spec(schedule or "constant")
    schp = param_vector(sspec.params, schedule_params, f"schedule {sspec.name}")
    return RunSettings(spec, hp, _lr(spec, lr), sspec.name, sspec.id, schp)


# --------------------------------------------------------------------------- training


def _hist_range(problem: Problem, relu_range: float) -> tuple[float, float]:
    act = problem.model.arch.activation
    if act == mlp.ACT_TANH:
        return -1.0, 1.0
    if act == mlp.ACT_LOGISTIC:
        return 0.0, 1.0
    return 0.0, relu_range


def _run(
    problem: Problem,
    settings: RunSettings,
    theta0: np.ndarray,
    *,
    relu_range: float = 4.0,
    **kwargs: Any,
) -> tr.RunOutput:
    """One training run of ``problem`` with ``settings`` (see ``train.run``)."""
    return tr.run(
        problem.model.arch, problem.X, problem.T, problem.Xv, problem.Tv, settings.spec.id,
        settings.hp, settings.kid, settings.schp, settings.lr, theta0,
        hist_range=_hist_range(problem, relu_range), **kwargs,
    )  # fmt: skip


def _record_at(steps: int, every: int) -> np.ndarray:
    return np.arange(0, steps, every, dtype=np.int64)


@dataclass(frozen=True)
class TrainingHistory:
    """One training run, per step and per record.

    Per step k = 0..n-1 (n = ``steps_taken``): ``batch_loss`` the loss of the
    batch used at theta_k, ``grad_norm`` its gradient's norm, ``lrs`` the
    learning rate. Per record r (theta_t at t = ``record_steps[r]``, every
    ``record_every`` steps and at the end): ``train_loss``,
    ``validation_loss`` over all training / validation points,
    ``train_accuracy`` / ``validation_accuracy`` (None for regression),
    hidden-layer ``histograms`` (R, H, bins) over ``histogram_edges``,
    ``dead_fraction`` (R, H) the share of ReLU units silent on every
    training point, ``saturated_fraction`` (R, H) the share of logistic /
    tanh activations where phi' is below 1% of its peak, and weight
    ``snapshots`` (R, P) for small nets. ``status`` is "done", "diverged"
    (a non-finite or huge loss at step ``stopped_at``; records stop before
    it) or "reached" (training loss <= target at ``stopped_at``).
    """

    dataset: str
    task: str
    model: str
    model_params: dict[str, Any]
    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    schedule: str
    batch_size: int
    steps: int
    init: str
    normalize: bool
    seed: int
    status: str
    stopped_at: int | None
    steps_taken: int
    batch_loss: np.ndarray
    grad_norm: np.ndarray
    lrs: np.ndarray
    record_every: int
    record_steps: np.ndarray
    train_loss: np.ndarray
    validation_loss: np.ndarray | None
    train_accuracy: np.ndarray | None
    validation_accuracy: np.ndarray | None
    histograms: np.ndarray | None
    histogram_edges: np.ndarray | None
    dead_fraction: np.ndarray | None
    saturated_fraction: np.ndarray | None
    snapshots: np.ndarray | None
    initial_theta: np.ndarray
    theta: np.ndarray
    param_names: list[str]
    layer_shapes: list[tuple[int, int]]
    problem: Problem = field(repr=False, compare=False)

    @property
    def epochs(self) -> float:
        """Passes over the training points made by the steps taken."""
        return self.steps_taken * min(self.batch_size, self.n_train) / max(self.n_train, 1)

    @property
    def n_train(self) -> int:
        return int(self.problem.X.shape[0])

    def weights(self, layer: int, theta: np.ndarray | None = None) -> np.ndarray:
        """W of layer ``layer`` (0-based) as (n_out, n_in), from theta (default: final)."""
        return self.problem.model.arch.weight(self.theta if theta is None else theta, layer).copy()

    def outputs(self, X: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
        """Model outputs (N, K) at raw features X (N, 2): predictions or logits."""
        return _outputs(self.problem, self.theta if theta is None else theta, X)

    def scores(self, split: str = "validation") -> tuple[np.ndarray, np.ndarray]:
        """(labels or targets (N,), scores) on a split ("train" or "validation").

        Scores are probabilities: (N,) of the positive class (binary), (N, K)
        of each class (multiclass), or the predictions (regression).
        """
        split = _choice(split, "split", ("train", "validation"))
        data = self.problem.data
        idx = data.train if split == "train" else data.validation
        z = self.outputs(data.X[idx])
        return data.t[idx].copy(), _probabilities(self.problem, z)

    def snapshot_rows(self, max_values: int = JSON_SNAPSHOT_VALUES) -> np.ndarray:
        """Indices of records whose snapshots fit in ``max_values`` numbers (evenly, last kept)."""
        if self.snapshots is None or self.snapshots.size == 0:
            return np.zeros(0, dtype=np.int64)
        r, p = self.snapshots.shape
        stride = max(1, -(-r * p // max(max_values, p)))
        rows = np.arange(0, r, stride)
        return rows if rows[-1] == r - 1 else np.append(rows, r - 1)

    def to_dict(self, *, snapshots: bool = True, histograms: bool = True) -> dict[str, Any]:
        """JSON-ready dict (see the class docstring for the fields).

        Snapshots are thinned to at most ``JSON_SNAPSHOT_VALUES`` numbers;
        ``snapshot_steps`` gives the step of each one kept.
        """
        rows = self.snapshot_rows() if snapshots else np.zeros(0, dtype=np.int64)
        return {
            "dataset": self.dataset,
            "task": self.task,
            "model": self.model,
            "model_params": self.model_params,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "hyperparams": self.hyperparams,
            "schedule": self.schedule,
            "batch_size": self.batch_size,
            "steps": self.steps,
            "epochs": self.epochs,
            "init": self.init,
            "normalize": self.normalize,
            "seed": self.seed,
            "status": self.status,
            "stopped_at": self.stopped_at,
            "steps_taken": self.steps_taken,
            "batch_loss": _finite_list(self.batch_loss),
            "grad_norm": _finite_list(self.grad_norm),
            "lrs": _finite_list(self.lrs),
            "record_every": self.record_every,
            "record_steps": self.record_steps.tolist(),
            "train_loss": _finite_list(self.train_loss),
            "validation_loss": _finite_list(self.validation_loss),
            "train_accuracy": _finite_list(self.train_accuracy),
            "validation_accuracy": _finite_list(self.validation_accuracy),
            "histograms": _finite_list(self.histograms) if histograms else None,
            "histogram_edges": _finite_list(self.histogram_edges),
            "dead_fraction": _finite_list(self.dead_fraction),
            "saturated_fraction": _finite_list(self.saturated_fraction),
            "snapshots": _finite_list(self.snapshots[rows]) if rows.size else None,
            "snapshot_steps": self.record_steps[rows].tolist() if rows.size else None,
            "initial_theta": _finite_list(self.initial_theta),
            "theta": _finite_list(self.theta),
            "param_names": self.param_names,
            "layer_shapes": [list(s) for s in self.layer_shapes],
            "normalization": {
                "mu": _finite_list(self.problem.mu),
                "sigma": _finite_list(self.problem.sigma),
            },
        }


def _outputs(problem: Problem, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    arch = problem.model.arch
    Xi = problem.inputs(np.asarray(X, dtype=np.float64).reshape(-1, arch.n_in))
    acts, _ = mlp.scratch(arch)
    out = np.empty((Xi.shape[0], arch.n_out))
    mlp.outputs(problem.layout, np.ascontiguousarray(theta, dtype=np.float64), Xi, acts, out)
    return out


def _probabilities(problem: Problem, z: np.ndarray) -> np.ndarray:
    task = problem.data.task
    if task == "regression":
        return z[:, 0].copy()
    if task == "binary":
        return 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -745.0, 745.0)))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _steps_arg(steps: object, epochs: object, batch: int, n: int) -> int:
    if steps is not None and epochs is not None:
        raise ValueError("give steps or epochs, not both")
    if epochs is not None:
        e = check_number(epochs, "epochs", 1, MAX_EPOCHS, kind="int")
        total = int(e) * -(-n // batch)
        if total > MAX_TRAIN_STEPS:
            raise ValueError(
                f"{int(e)} epochs of batch {batch} are {total:,} steps; at most "
                f"{MAX_TRAIN_STEPS:,} are allowed"
            )
        return total
    return _int(500 if steps is None else steps, "steps", 1, MAX_TRAIN_STEPS)


def _batch_arg(batch_size: object, n: int) -> int:
    if batch_size is None:
        return n
    return _int(batch_size, "batch_size", 1, n)


def _check_work(
    problem: Problem, steps: int, batch: int, records: int, what: str = "training"
) -> None:
    p = problem.model.arch.n_params
    # Each record evaluates the training and validation points, and once more
    # the training points for the hidden-layer statistics.
    evals = 2 * problem.X.shape[0] + problem.Xv.shape[0]
    work = p * (steps * batch + records * evals)
    if work > MAX_TRAIN_WORK:
        raise ValueError(
            f"{what} too large: about {work:.2g} multiply-adds exceeds {MAX_TRAIN_WORK:.2g}; "
            "lower steps, batch_size, the record rate or the model's width"
        )


def train(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizer: str = "gd",
    *,
    lr: float | None = None,
    steps: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    validation: float = 0.2,
    record_every: int | None = None,
    histogram_bins: int = 20,
    relu_range: float = 4.0,
    snapshots: bool = True,
    target_loss: float | None = None,
    progress: Progress | None = None,
    **hyperparams: object,
) -> TrainingHistory:
    """Train ``model`` on ``dataset`` with ``optimizer``.

    Args:
        dataset: a name from ``datasets()``, ``{"name", "params"}`` or
            ``{"csv": text, "task": "auto"}``.
        model: a name from ``models()`` or ``{"name", "params": {"hidden": [16, 16],
            "activation": "tanh", "loss": ..., "bias": True}}``.
        optimizer: any optimizer of ``losscape.optimizers()`` except the
            surfaces-only ones (newton); hyperparameters as keyword arguments,
            named as in torch.optim.
        lr, schedule, schedule_params: base learning rate and its schedule.
        steps / epochs: the budget (default 500 steps); an epoch is
            ceil(N / batch_size) steps.
        batch_size: points per step (None: all, full batch; 1: SGD); batches
            walk a seeded shuffle, reshuffled every epoch.
        init, init_scale: zeros, constant, small_random, large_random, xavier, he.
        normalize: feed (x - mu) / sigma (training-set statistics) instead of raw x.
        seed: seeds the initialisation and the batch order.
        validation: share of points held out (stratified by class).
        record_every: steps between recorded evaluations (default: about
            ``DEFAULT_RECORDS`` records; down to 1 while there are at most ``MAX_RECORDS``).
        histogram_bins, relu_range: hidden-activation histograms (ReLU
            values over [0, relu_range], larger ones in the last bin).
        snapshots: keep theta at every record (when records x parameters <=
            ``MAX_SNAPSHOT_VALUES``).
        target_loss: stop as "reached" once the training loss is at or below it.
        progress: ``progress(done, total, partial_history)`` after each of
            about 20 chunks; it may raise ``Cancelled``.

    Returns:
        A ``TrainingHistory``.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=validation)
    settings = _settings(optimizer, lr, hyperparams, schedule, schedule_params)
    n = problem.X.shape[0]
    batch = _batch_arg(batch_size, n)
    n_steps = _steps_arg(steps, epochs, batch, n)
    s = _int(seed, "seed", 0, MAX_SEED)
    every = (
        max(1, -(-n_steps // DEFAULT_RECORDS))
        if record_every is None
        else _int(record_every, "record_every", max(1, -(-n_steps // MAX_RECORDS)), MAX_TRAIN_STEPS)
    )
    bins = _int(histogram_bins, "histogram_bins", 2, MAX_HISTOGRAM_BINS)
    rr = check_number(relu_range, "relu_range", 1e-6, MAX_RELU_RANGE)
    target = (
        -math.inf if target_loss is None else check_number(target_loss, "target_loss", -1e12, 1e12)
    )
    record_at = _record_at(n_steps, every)
    _check_work(problem, n_steps, batch, record_at.shape[0] + 1)
    init_name = _choice(init, "init", mlp.INITS)
    theta0 = _initial(problem, init_name, init_scale, s)
    keep = _bool(snapshots, "snapshots") and (
        (record_at.shape[0] + 1) * problem.model.arch.n_params <= MAX_SNAPSHOT_VALUES
    )

    def build(out: tr.RunOutput) -> TrainingHistory:
        return _history(
            problem, settings, out, theta0, batch, n_steps, init_name, s, every, bins, rr
        )

    cb = None
    if progress is not None:

        def cb(done: int, total: int, out: tr.RunOutput) -> None:
            progress(done, total, build(out))

    out = _run(
        problem, settings, theta0, steps=n_steps, batch_size=batch, seed=s, record_at=record_at,
        target=target, bins=bins, relu_range=rr, snapshots=keep, progress=cb,
    )  # fmt: skip
    return build(out)


def _history(
    problem: Problem,
    settings: RunSettings,
    out: tr.RunOutput,
    theta0: np.ndarray,
    batch: int,
    steps: int,
    init: str,
    seed: int,
    every: int,
    bins: int,
    relu_range: float,
) -> TrainingHistory:
    arch = problem.model.arch
    classify = problem.data.task != "regression"
    has_val = problem.Xv.shape[0] > 0
    lo, hi = _hist_range(problem, relu_range)
    return TrainingHistory(
        dataset=problem.data.name,
        task=problem.data.task,
        model=problem.model.name,
        model_params=problem.model.params,
        optimizer=settings.spec.name,
        lr=settings.lr,
        hyperparams=settings.hyperparams,
        schedule=settings.schedule,
        batch_size=batch,
        steps=steps,
        init=init,
        normalize=problem.normalize,
        seed=seed,
        status=out.status,
        stopped_at=out.stopped_at,
        steps_taken=out.steps_taken,
        batch_loss=out.batch_loss,
        grad_norm=out.grad_norm,
        lrs=out.lrs,
        record_every=every,
        record_steps=out.record_steps,
        train_loss=out.train_loss,
        validation_loss=out.val_loss if has_val else None,
        train_accuracy=out.train_acc if classify else None,
        validation_accuracy=out.val_acc if classify and has_val else None,
        histograms=out.hist,
        histogram_edges=np.linspace(lo, hi, bins + 1) if out.hist is not None else None,
        dead_fraction=out.dead,
        saturated_fraction=out.sat,
        snapshots=out.snapshots,
        initial_theta=theta0.copy(),
        theta=out.theta,
        param_names=arch.param_names(),
        layer_shapes=[(arch.widths[k + 1], arch.widths[k]) for k in range(len(arch.widths) - 1)],
        problem=problem,
    )


# --------------------------------------------------------------------------- decision boundary


@dataclass(frozen=True)
class Boundary:
    """Model output over a grid of the raw input plane.

    ``xs`` (nx,), ``ys`` (ny,), ``values`` (ny, nx): the probability of the
    positive class (binary), the prediction (regression) or the largest class
    probability (multiclass, with ``classes`` (ny, nx) the predicted class).
    """

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    classes: np.ndarray | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": _finite_list(self.xs),
            "y": _finite_list(self.ys),
            "values": _finite_list(self.values),
            "classes": None if self.classes is None else self.classes.tolist(),
        }


def decision_boundary(
    history: TrainingHistory, *, resolution: int = 80, theta: Sequence[float] | None = None
) -> Boundary:
    """The model's output over the data's bounding box (plus 10%) in raw feature units."""
    res = _int(resolution, "resolution", 2, MAX_BOUNDARY_RESOLUTION)
    X = history.problem.data.X
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.where(hi > lo, hi - lo, 1.0)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], res)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], res)
    gx, gy = np.meshgrid(xs, ys)
    th = history.theta if theta is None else _theta_arg(theta, history.problem)
    z = _outputs(history.problem, th, np.column_stack([gx.ravel(), gy.ravel()]))
    prob = _probabilities(history.problem, z)
    if prob.ndim == 2:
        return Boundary(
            xs, ys, prob.max(axis=1).reshape(res, res), prob.argmax(axis=1).reshape(res, res)
        )
    return Boundary(xs, ys, prob.reshape(res, res), None)


def _theta_arg(theta: object, problem: Problem) -> np.ndarray:
    p = problem.model.arch.n_params
    arr = np.asarray(theta, dtype=np.float64).ravel()
    if arr.shape[0] != p or not np.all(np.isfinite(arr)):
        raise ValueError(f"theta must be {p} finite numbers")
    return arr


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class MetricsReport:
    """Classification metrics at one threshold, and as functions of the threshold.

    Binary: ``counts`` {tp, fp, tn, fn}, ``accuracy``, ``error_rate``,
    ``sensitivity``, ``specificity``, ``precision`` (NaN where undefined),
    ``confusion`` [[TN, FP], [FN, TP]], the ROC curve (``roc_fpr``,
    ``roc_tpr``, ``roc_thresholds``, first +inf), ``auc``, and ``curves``
    (every metric over ``curve_thresholds``). Multiclass: ``confusion`` K x K,
    ``accuracy``, ``error_rate``, per-class ``recall`` and ``class_precision``.
    """

    task: str
    threshold: float | None
    n: int
    accuracy: float
    error_rate: float
    confusion: np.ndarray
    sensitivity: float | None = None
    specificity: float | None = None
    precision: float | None = None
    counts: dict[str, int] | None = None
    auc: float | None = None
    roc_fpr: np.ndarray | None = None
    roc_tpr: np.ndarray | None = None
    roc_thresholds: np.ndarray | None = None
    curves: mt.ThresholdCurves | None = None
    recall: np.ndarray | None = None
    class_precision: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "task": self.task,
            "threshold": self.threshold,
            "n": self.n,
            "accuracy": _num(self.accuracy),
            "error_rate": _num(self.error_rate),
            "confusion": self.confusion.tolist(),
        }
        if self.task == "binary":
            c = self.curves
            assert c is not None
            out.update(
                {
                    "sensitivity": _num(self.sensitivity),
                    "specificity": _num(self.specificity),
                    "precision": _num(self.precision),
                    "counts": self.counts,
                    "auc": _num(self.auc),
                    "roc": {
                        "fpr": _finite_list(self.roc_fpr),
                        "tpr": _finite_list(self.roc_tpr),
                        "thresholds": _finite_list(self.roc_thresholds),
                    },
                    "curves": {
                        "thresholds": _finite_list(c.thresholds),
                        "accuracy": _finite_list(c.accuracy),
                        "error_rate": _finite_list(c.error_rate),
                        "sensitivity": _finite_list(c.sensitivity),
                        "specificity": _finite_list(c.specificity),
                        "precision": _finite_list(c.precision),
                    },
                }
            )
        else:
            out["recall"] = _finite_list(self.recall)
            out["class_precision"] = _finite_list(self.class_precision)
        return out


def metrics_at(
    source: TrainingHistory | Mapping[str, Any],
    threshold: float = 0.5,
    *,
    split: str = "validation",
    curve_points: int = 101,
) -> MetricsReport:
    """Metrics of a trained classifier (or of given labels and scores) at ``threshold``.

    ``source`` is a ``TrainingHistory`` (its final model scored on ``split``)
    or ``{"labels": [...], "scores": [...]}`` (binary, larger = more
    positive) or ``{"labels": [...], "probabilities": [[...K...], ...]}``
    (multiclass). Binary curves run over ``curve_points`` thresholds evenly
    spaced from 0 to 1 (scores are probabilities) or over the scores' range.
    """
    thr = check_number(threshold, "threshold", -1e12, 1e12)
    k_points = _int(curve_points, "curve_points", 2, MAX_CURVE_POINTS)
    if isinstance(source, TrainingHistory):
        if source.task == "regression":
            raise ValueError("metrics need a classification task; this run is a regression")
        labels, scores = source.scores(split)
        probabilistic = True
        if labels.size == 0:
            raise ValueError(f"the {split} split is empty; use split='train' or validation > 0")
    elif isinstance(source, Mapping):
        extra = sorted(set(source) - {"labels", "scores", "probabilities"})
        if extra:
            raise ValueError(
                f"unknown field(s) {', '.join(extra)}; valid: labels, scores, probabilities"
            )
        labels = _array_arg(source.get("labels"), "labels", 1)
        if "probabilities" in source:
            scores = _array_arg(source["probabilities"], "probabilities", 2)
        else:
            scores = _array_arg(source.get("scores"), "scores", 1)
        if scores.shape[0] != labels.shape[0]:
            raise ValueError("labels and scores differ in length")
        probabilistic = bool(np.all((scores >= 0) & (scores <= 1)))
    else:
        raise ValueError("source must be a TrainingHistory or {labels, scores | probabilities}")
    if scores.ndim == 2:
        k = scores.shape[1]
        if not 2 <= k <= ds.MAX_CLASSES:
            raise ValueError(f"probabilities must have 2 to {ds.MAX_CLASSES} columns")
        predicted = scores.argmax(axis=1)
        cm = mt.confusion_matrix(labels, predicted, k)
        acc = mt.multiclass_accuracy(labels, predicted)
        rows = cm.sum(axis=1)
        cols = cm.sum(axis=0)
        diag = np.diag(cm).astype(np.float64)
        recall = np.where(rows > 0, diag / np.maximum(rows, 1), np.nan)
        prec = np.where(cols > 0, diag / np.maximum(cols, 1), np.nan)
        return MetricsReport(
            "multiclass",
            None,
            int(labels.size),
            acc,
            1.0 - acc,
            cm,
            recall=recall,
            class_precision=prec,
        )
    c = mt.counts(labels, scores, thr)
    roc = mt.roc_curve(labels, scores)
    if probabilistic:
        grid = np.linspace(0.0, 1.0, k_points)
    else:
        grid = np.linspace(float(scores.min()), float(scores.max()), k_points)
    return MetricsReport(
        task="binary",
        threshold=thr,
        n=int(labels.size),
        accuracy=float(c.accuracy),
        error_rate=float(c.error_rate),
        confusion=mt.binary_confusion(labels, scores, thr),
        sensitivity=float(c.sensitivity),
        specificity=float(c.specificity),
        precision=float(c.precision),
        counts={"tp": int(c.tp), "fp": int(c.fp), "tn": int(c.tn), "fn": int(c.fn)},
        auc=roc.auc,
        roc_fpr=roc.fpr,
        roc_tpr=roc.tpr,
        roc_thresholds=roc.thresholds,
        curves=mt.threshold_curves(labels, scores, grid),
    )


def _array_arg(value: object, name: str, ndim: int) -> np.ndarray:
    if value is None:
        raise ValueError(f"{name} is required")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if arr.ndim != ndim or arr.shape[0] == 0 or arr.shape[0] > ds.MAX_POINTS * 4:
        raise ValueError(
            f"{name} must be a non-empty {ndim}-D array of at most {ds.MAX_POINTS * 4:,} rows"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite numbers")
    return arr


# --------------------------------------------------------------------------- gradient check


@dataclass(frozen=True)
class GradientCheck:
    """Backprop against central finite differences at one theta.

    ``indices`` (C,) the checked parameters (all, or a seeded sample of
    ``MAX_GRADCHECK_PARAMS``), ``names`` theirs, ``analytic`` / ``numeric``
    (C,) the two gradients, ``relative_error`` (C,) = |a - n| / max(|a|, |n|,
    1e-4 max|a|, 1e-8); ``passed`` when the largest is below ``tolerance``.
    """

    model: str
    broken: bool
    loss: float
    indices: np.ndarray
    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray
    max_relative_error: float
    tolerance: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "broken": self.broken,
            "loss": _num(self.loss),
            "indices": self.indices.tolist(),
            "names": self.names,
            "analytic": _finite_list(self.analytic),
            "numeric": _finite_list(self.numeric),
            "relative_error": _finite_list(self.relative_error),
            "max_relative_error": _num(self.max_relative_error),
            "tolerance": self.tolerance,
            "passed": self.passed,
        }


GRADCHECK_TOLERANCE = 1e-5


def gradient_check(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    *,
    broken: bool = False,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    theta: Sequence[float] | None = None,
    eps: float = 1e-5,
) -> GradientCheck:
    """Compare the backward pass with (E(theta + h e_k) - E(theta - h e_k)) / 2h.

    ``broken`` plants the deliberate bug of ``mlp.backward_chunk`` (a missing
    phi'(z), or a weight gradient without its input) so the check can be seen
    to catch it. h = eps (1 + |theta_k|). ReLU kinks crossed by the
    difference can show a genuine mismatch on a few parameters.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    bk = _bool(broken, "broken")
    s = _int(seed, "seed", 0, MAX_SEED)
    h0 = check_number(eps, "eps", 1e-10, 1e-2)
    th = _initial(problem, init, init_scale, s) if theta is None else _theta_arg(theta, problem)
    arch = problem.model.arch
    acts, deltas = mlp.scratch(arch)
    grad = np.zeros(arch.n_params)
    idx = np.arange(problem.X.shape[0], dtype=np.int64)
    loss, _ = mlp.loss_grad(
        problem.layout, problem.loss_id, th, problem.X, problem.T, idx, acts, deltas, grad, bk
    )
    p = arch.n_params
    if p <= MAX_GRADCHECK_PARAMS:
        chosen = np.arange(p)
    else:
        chosen = np.sort(np.random.default_rng(s).choice(p, MAX_GRADCHECK_PARAMS, replace=False))
    thetas = np.repeat(th[None, :], 2 * chosen.shape[0], axis=0)
    steps = h0 * (1.0 + np.abs(th[chosen]))
    rows = np.arange(chosen.shape[0])
    thetas[2 * rows, chosen] += steps
    thetas[2 * rows + 1, chosen] -= steps
    # h is rounded to what theta can represent so the difference quotient divides by the true step.
    true_steps = thetas[2 * rows, chosen] - thetas[2 * rows + 1, chosen]
    values = np.empty(thetas.shape[0])
    ls.losses_at(problem.layout, problem.loss_id, problem.X, problem.T, thetas, acts, values)
    numeric = (values[0::2] - values[1::2]) / true_steps
    analytic = grad[chosen]
    # Floor the denominator at 1e-4 of the largest component: a tiny component's
    # difference quotient is mostly rounding (about 1e-16 |E| / h), not a bug.
    floor = max(1e-8, 1e-4 * float(np.abs(analytic).max(initial=0.0)))
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    rel = np.abs(analytic - numeric) / denom
    worst = float(rel.max()) if rel.size else 0.0
    names = arch.param_names()
    return GradientCheck(
        model=problem.model.name, broken=bk, loss=float(loss), indices=chosen,
        names=[names[k] for k in chosen], analytic=analytic, numeric=numeric,
        relative_error=rel, max_relative_error=worst, tolerance=GRADCHECK_TOLERANCE,
        passed=bool(np.isfinite(worst) and worst < GRADCHECK_TOLERANCE),
    )  # fmt: skip


# --------------------------------------------------------------------------- gradient noise


@dataclass(frozen=True)
class GradientNoise:
    """Variance of the mini-batch gradient against the batch size S, at one theta.

    ``sizes`` (M,), ``variance`` (M,): the mean over parameters of the
    variance over ``draws`` batches (sampled with replacement, as the
    lecture's Var = Var_1 / S assumes); ``per_example`` the same for S = 1
    computed exactly over all points, so ``per_example / sizes`` is the
    lecture's prediction.
    """

    sizes: np.ndarray
    variance: np.ndarray
    per_example: float
    draws: int

    @property
    def predicted(self) -> np.ndarray:
        return self.per_example / self.sizes

    def to_dict(self) -> dict[str, Any]:
        return {
            "sizes": self.sizes.tolist(),
            "variance": _finite_list(self.variance),
            "predicted": _finite_list(self.predicted),
            "per_example": _num(self.per_example),
            "draws": self.draws,
        }


def _sizes_arg(sizes: object, n: int, count: int, name: str) -> np.ndarray:
    if sizes is None:
        return np.unique(np.round(np.geomspace(1, n, count)).astype(np.int64))
    if not isinstance(sizes, Sequence) or isinstance(sizes, str) or not 1 <= len(sizes) <= count:
        raise ValueError(f"{name} must be a list of 1 to {count} batch sizes")
    vals = sorted({_int(s, f"{name}[{i}]", 1, n) for i, s in enumerate(sizes)})
    return np.array(vals, dtype=np.int64)


def gradient_noise(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    *,
    sizes: Sequence[int] | None = None,
    draws: int = 200,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
) -> GradientNoise:
    """Mini-batch gradient variance for each batch size at the seeded initial theta."""
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    n = problem.X.shape[0]
    sz = _sizes_arg(sizes, n, MAX_NOISE_SIZES, "sizes")
    d = _int(draws, "draws", 2, MAX_NOISE_DRAWS)
    s = _int(seed, "seed", 0, MAX_SEED)
    theta = _initial(problem, init, init_scale, s)
    arch = problem.model.arch
    work = arch.n_params * (d * int(sz.sum()) + n)
    if work > MAX_TRAIN_WORK:
        raise ValueError(f"too much work ({work:.2g} multiply-adds); lower draws or sizes")
    acts, deltas = mlp.scratch(arch)
    grad = np.zeros(arch.n_params)
    per = np.empty((n, arch.n_params))
    for i in range(n):
        mlp.loss_grad(
            problem.layout,
            problem.loss_id,
            theta,
            problem.X,
            problem.T,
            np.array([i]),
            acts,
            deltas,
            grad,
            False,
        )
        per[i] = grad
    per_example = float(per.var(axis=0).mean())
    rng = np.random.default_rng([s, 11])
    variance = np.empty(sz.shape[0])
    g = np.empty((d, arch.n_params))
    for k, size in enumerate(sz):
        for r in range(d):
            idx = rng.integers(0, n, int(size)).astype(np.int64)
            mlp.loss_grad(
                problem.layout,
                problem.loss_id,
                theta,
                problem.X,
                problem.T,
                idx,
                acts,
                deltas,
                grad,
                False,
            )
            g[r] = grad
        variance[k] = float(g.var(axis=0, ddof=1).mean())
    return GradientNoise(sz, variance, per_example, d)


# --------------------------------------------------------------------------- landscape


@dataclass(frozen=True)
class LandscapeRun:
    """One optimizer's trajectory on the slice.

    ``steps`` (R,) the recorded steps, ``coords`` (R, 2) their (a, b) on the
    slice, ``slice_loss`` (R,) the loss at those points of the slice (what the
    contours show there), ``loss`` (R,) the training loss at the trajectory's
    own theta (equal to slice_loss when theta lies in the slice).
    """

    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    status: str
    stopped_at: int | None
    steps: np.ndarray
    coords: np.ndarray
    slice_loss: np.ndarray
    loss: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            "hyperparams": self.hyperparams,
            "status": self.status,
            "stopped_at": self.stopped_at,
            "steps": self.steps.tolist(),
            "a": _finite_list(self.coords[:, 0]),
            "b": _finite_list(self.coords[:, 1]),
            "slice_loss": _finite_list(self.slice_loss),
            "loss": _finite_list(self.loss),
        }


@dataclass(frozen=True)
class Landscape:
    """Training loss over the slice centre + a d1 + b d2.

    ``directions`` is "axes" (a linear or logistic regression: a = w1,
    b = w2, the bias, if any, held at the first run's final value), "pca" or
    "random" (filter-normalised). ``a`` (nx,), ``b`` (ny,),
    ``values`` (ny, nx) rows over b; ``runs`` one per optimizer, trained from
    the same initial theta; ``centre`` / ``d1`` / ``d2`` (P,) the slice;
    ``explained`` the PCA variance shares; ``minimum`` the exact least-squares
    weights (a linear regression with 2 parameters), else None.
    """

    dataset: str
    model: str
    normalize: bool
    directions: str
    a: np.ndarray
    b: np.ndarray
    values: np.ndarray
    runs: list[LandscapeRun]
    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    explained: np.ndarray | None
    minimum: tuple[float, float] | None
    param_names: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "normalize": self.normalize,
            "directions": self.directions,
            "a": _finite_list(self.a),
            "b": _finite_list(self.b),
            "values": _finite_list(self.values),
            "z_min": _num(float(np.nanmin(self.values)))
            if np.isfinite(self.values).any()
            else None,
            "z_max": _num(float(np.nanmax(self.values)))
            if np.isfinite(self.values).any()
            else None,
            "runs": [r.to_dict() for r in self.runs],
            "explained": _finite_list(self.explained),
            "minimum": list(self.minimum) if self.minimum is not None else None,
            "axis_names": self.param_names[:2] if self.directions == "axes" else ["a", "b"],
        }


def _run_specs(optimizers: object) -> list[Mapping[str, Any]]:
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if not isinstance(optimizers, Sequence) or not 1 <= len(optimizers) <= MAX_LANDSCAPE_RUNS:
        raise ValueError(f"optimizers must be a list of 1 to {MAX_LANDSCAPE_RUNS} runs")
    runs = []
    for i, o in enumerate(optimizers):
        if isinstance(o, str):
            runs.append({"optimizer": o})
        elif isinstance(o, Mapping):
            extra = sorted(set(o) - {"optimizer", "lr", "hyperparams"})
            if extra:
                raise ValueError(
                    f"unknown field(s) {', '.join(extra)} in optimizers[{i}]; "
                    "valid: optimizer, lr, hyperparams"
                )
            runs.append(o)
        else:
            raise ValueError(f"optimizers[{i}] must be a name or {{optimizer, lr, hyperparams}}")
    return runs


def _least_squares_minimum(problem: Problem) -> tuple[float, float] | None:
    """(w1, w2) of the least-squares fit of a linear regression (with its bias, if any)."""
    arch = problem.model.arch
    if arch.hidden or arch.n_out != 1 or problem.model.loss != "squared_error":
        return None
    A = problem.X if not arch.bias else np.column_stack([problem.X, np.ones(problem.X.shape[0])])
    w, *_ = np.linalg.lstsq(A, problem.T, rcond=None)
    return float(w[0]), float(w[1])


def landscape(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizers: Sequence[str | Mapping[str, Any]] | str = ("gd",),
    *,
    directions: str | None = None,
    resolution: int = 41,
    span: float | None = None,
    steps: int = 200,
    batch_size: int | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    view: Sequence[float] | None = None,
    records: int = 200,
    progress: Progress | None = None,
) -> Landscape:
    """Loss over a 2-D slice with every optimizer's trajectory projected onto it.

    Every optimizer trains from the same seeded initial theta. ``directions``:
    "axes" (default for linear and logistic regression: the exact loss over
    the two weights (w1, w2), any bias held at the first run's final value; a
    model without bias is exactly 2-D), "pca" (default otherwise: the top two
    principal directions of all the trajectories around the first run's final
    theta) or "random"
    (filter-normalised around the first run's final theta). The view covers
    the trajectories (and for "random" at least [-span, span]^2, span
    default 1), or is given as (a_min, a_max, b_min, b_max).
    ``progress(done, total, None)`` after each run and each tenth of the
    grid; it may raise ``Cancelled``.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    arch = problem.model.arch
    p = arch.n_params
    kinds = ("axes", "pca", "random")
    two_weights = not arch.hidden and arch.n_out == 1 and arch.n_in == 2
    kind = (
        ("axes" if two_weights else "pca")
        if directions is None
        else _choice(directions, "direction", kinds)
    )
    if kind == "axes" and not two_weights:
        raise ValueError(
            "directions 'axes' needs a model with two weights (linear or logistic regression); "
            "valid: pca, random"
        )
    res = _int(resolution, "resolution", 2, MAX_LANDSCAPE_RESOLUTION)
    n = problem.X.shape[0]
    batch = _batch_arg(batch_size, n)
    n_steps = _int(steps, "steps", 1, MAX_TRAIN_STEPS)
    s = _int(seed, "seed", 0, MAX_SEED)
    n_rec = _int(records, "records", 2, MAX_RECORDS)
    every = max(1, -(-n_steps // n_rec))
    record_at = _record_at(n_steps, every)
    grid_work = res * res * n * p
    if grid_work > MAX_LANDSCAPE_WORK:
        raise ValueError(
            f"landscape too large: {res}^2 points x {n} data points x {p} parameters exceeds "
            f"{MAX_LANDSCAPE_WORK:.2g}; lower the resolution"
        )
    specs = _run_specs(optimizers)
    _check_work(problem, n_steps, batch, record_at.shape[0] + 1, "each landscape run")
    theta0 = _initial(problem, init, init_scale, s)
    outs: list[tuple[RunSettings, tr.RunOutput]] = []
    for o in specs:
        hyper = o.get("hyperparams") or {}
        if not isinstance(hyper, Mapping):
            raise ValueError("hyperparams must be an object of name: value")
        st = _settings(o.get("optimizer"), o.get("lr"), hyper, schedule, schedule_params)
        out = _run(
            problem, st, theta0, steps=n_steps, batch_size=batch, seed=s, record_at=record_at,
            stats=False, snapshots=True,
        )  # fmt: skip
        outs.append((st, out))
        if progress is not None:
            progress(len(outs), len(specs) + 10, None)
    rng = np.random.default_rng([s, 5])
    explained = None
    if kind == "axes":
        # theta = (w1, w2[, b]): the slice varies the weights from 0, the bias stays.
        centre = outs[0][1].theta.copy()
        centre[:2] = 0.0
        d1, d2 = np.eye(p)[0], np.eye(p)[1]
    else:
        centre = outs[0][1].theta.copy()
        if kind == "pca":
            traj = np.vstack(
                [o.snapshots for _, o in outs if o.snapshots is not None and o.snapshots.size]
            )
            d1, d2, explained = ls.pca_directions(traj, centre, rng)
        else:
            d1 = ls.filter_normalized(arch, centre, rng)
            d2 = ls.filter_normalized(arch, centre, rng)
            if not (np.any(d1) and np.any(d2)):
                raise ValueError(
                    "random filter-normalised directions need non-zero trained weights"
                )
    coords = [ls.project(o.snapshots, centre, d1, d2) for _, o in outs]
    minimum = _least_squares_minimum(problem)
    if view is not None:
        if not isinstance(view, Sequence) or isinstance(view, str) or len(view) != 4:
            raise ValueError("view must be four numbers (a_min, a_max, b_min, b_max)")
        v = [check_number(x, f"view[{i}]", -1e9, 1e9) for i, x in enumerate(view)]
        if not (v[0] < v[1] and v[2] < v[3]):
            raise ValueError("view must have a_min < a_max and b_min < b_max")
        a0, a1, b0, b1 = v
    else:
        pts = np.vstack([*coords, [[0.0, 0.0]] if kind != "axes" else np.empty((0, 2))])
        if minimum is not None:
            pts = np.vstack([pts, [minimum]])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        ext = hi - lo
        if kind == "random":
            sp = 1.0 if span is None else check_number(span, "span", 1e-6, 1e6)
            lo = np.minimum(lo, -sp)
            hi = np.maximum(hi, sp)
            ext = hi - lo
        base = np.maximum(ext, 1e-3 * max(float(np.abs(pts).max()), 1.0))
        lo, hi = lo - 0.15 * base, hi + 0.15 * base
        a0, a1, b0, b1 = float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])
    a = np.linspace(a0, a1, res)
    b = np.linspace(b0, b1, res)
    acts, _ = mlp.scratch(arch)
    values = np.empty((res, res))
    rows = max(1, -(-res // 10))
    for j0 in range(0, res, rows):
        j1 = min(j0 + rows, res)
        ls.slice_grid(
            problem.layout, problem.loss_id, problem.X, problem.T, centre, d1, d2, a, b[j0:j1],
            acts, values[j0:j1],
        )  # fmt: skip
        if progress is not None:
            progress(len(specs) + 10 * j1 // res, len(specs) + 10, None)
    values[~np.isfinite(values)] = np.nan
    runs = []
    for (st, out), c in zip(outs, coords, strict=True):
        on_slice = np.ascontiguousarray(ls.points_on_slice(c, centre, d1, d2))
        slice_loss = np.empty(c.shape[0])
        ls.losses_at(
            problem.layout, problem.loss_id, problem.X, problem.T, on_slice, acts, slice_loss
        )
        runs.append(
            LandscapeRun(
                optimizer=st.spec.name,
                lr=st.lr,
                hyperparams=st.hyperparams,
                status=out.status,
                stopped_at=out.stopped_at,
                steps=out.record_steps,
                coords=c,
                slice_loss=slice_loss,
                loss=out.train_loss,
            )
        )
    return Landscape(
        dataset=problem.data.name, model=problem.model.name, normalize=problem.normalize,
        directions=kind, a=a, b=b, values=values, runs=runs, centre=centre, d1=d1, d2=d2,
        explained=explained, minimum=minimum, param_names=arch.param_names(),
    )  # fmt: skip


# --------------------------------------------------------------------------- batch-size study


@dataclass(frozen=True)
class BatchSizeStudy:
    """Steps to reach a target training loss as a function of the batch size S.

    ``sizes`` (M,); ``steps`` (M,) the fewest steps over the tried learning
    rates (NaN where no lr reached the target within ``max_steps``);
    ``best_lr`` (M,) the lr that did it; ``tried`` (M, L) steps per (S, lr)
    with NaN where not reached; ``epochs`` (M,) = steps x S / N.
    """

    dataset: str
    model: str
    optimizer: str
    target_loss: float
    max_steps: int
    n_train: int
    sizes: np.ndarray
    lrs: np.ndarray
    steps: np.ndarray
    best_lr: np.ndarray
    tried: np.ndarray

    @property
    def epochs(self) -> np.ndarray:
        return self.steps * self.sizes / self.n_train

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "optimizer": self.optimizer,
            "target_loss": self.target_loss,
            "max_steps": self.max_steps,
            "n_train": self.n_train,
            "sizes": self.sizes.tolist(),
            "lrs": _finite_list(self.lrs),
            "steps": _finite_list(self.steps),
            "epochs": _finite_list(self.epochs),
            "best_lr": _finite_list(self.best_lr),
            "tried": _finite_list(self.tried),
        }


def _study_checks(max_steps: int) -> np.ndarray:
    """Steps at which the training loss is checked: every step to 20, then ~5% apart."""
    pts = list(range(min(20, max_steps)))
    t = 20
    while t < max_steps:
        pts.append(t)
        t = max(t + 1, int(t * 1.05))
    return np.array(pts, dtype=np.int64)


def batch_size_study(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizer: str = "gd",
    *,
    target_loss: float | None = None,
    sizes: Sequence[int] | None = None,
    count: int = 10,
    lrs: Sequence[float] | None = None,
    lr: float | None = None,
    max_steps: int = 2_000,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
    **hyperparams: object,
) -> BatchSizeStudy:
    """Steps to reach ``target_loss`` for each batch size S (Shallue et al. 2018's plot).

    Sizes are ``sizes`` or ``count`` log-spaced values from 1 to N. For each
    S every learning rate of ``lrs`` (default: just ``lr``) trains from the
    same initial theta, and the fewest steps count (the paper tunes the lr
    per batch size). The training loss is checked at every step up to 20,
    then at steps about 5% apart. ``target_loss`` defaults to 1.1 x the loss
    full-batch training reaches in ``max_steps`` with the first lr.
    ``progress(done, total, None)`` after each batch size.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    n = problem.X.shape[0]
    sz = _sizes_arg(sizes, n, MAX_STUDY_SIZES, "sizes")
    if sizes is None:
        sz = _sizes_arg(None, n, _int(count, "count", 2, MAX_STUDY_SIZES), "sizes")
    n_steps = _int(max_steps, "max_steps", 1, MAX_TRAIN_STEPS)
    s = _int(seed, "seed", 0, MAX_SEED)
    spec = _network_optimizer(optimizer)
    if lrs is None:
        lr_list = [_lr(spec, lr)]
    else:
        if (
            not isinstance(lrs, Sequence)
            or isinstance(lrs, str)
            or not 1 <= len(lrs) <= MAX_STUDY_LRS
        ):
            raise ValueError(f"lrs must be a list of 1 to {MAX_STUDY_LRS} learning rates")
        lr_list = [_lr(spec, v) for v in lrs]
    settings = [_settings(spec.name, v, hyperparams) for v in lr_list]
    checks = _study_checks(n_steps)
    p = problem.model.arch.n_params
    work = p * len(lr_list) * (n_steps * int(sz.sum()) + checks.shape[0] * n * sz.shape[0])
    if work > MAX_STUDY_WORK:
        raise ValueError(
            f"study too large: about {work:.2g} multiply-adds exceeds {MAX_STUDY_WORK:.2g}; "
            "lower max_steps, the sizes or the number of lrs"
        )
    theta0 = _initial(problem, init, init_scale, s)
    if target_loss is None:
        ref = _run(problem, settings[0], theta0, steps=n_steps, batch_size=n, seed=s,
                   record_at=np.zeros(0, dtype=np.int64), stats=False, snapshots=False)  # fmt: skip
        if ref.status == "diverged":
            raise ValueError("full-batch training diverged; give a smaller lr or a target_loss")
        target = 1.1 * float(ref.train_loss[-1])
    else:
        target = check_number(target_loss, "target_loss", -1e12, 1e12)
    tried = np.full((sz.shape[0], len(lr_list)), np.nan)
    for i, size in enumerate(sz):
        for j, st in enumerate(settings):
            out = _run(problem, st, theta0, steps=n_steps, batch_size=int(size), seed=s,
                       record_at=checks, target=target, stats=False, snapshots=False)  # fmt: skip
            if out.status == "reached":
                tried[i, j] = out.stopped_at
        if progress is not None:
            progress(i + 1, sz.shape[0], None)
    reached = np.isfinite(tried)
    best = np.where(
        reached.any(axis=1), np.nanmin(np.where(reached, tried, np.inf), axis=1), np.nan
    )
    best_lr = np.full(sz.shape[0], np.nan)
    for i in range(sz.shape[0]):
        if reached[i].any():
            best_lr[i] = lr_list[int(np.argmin(np.where(reached[i], tried[i], np.inf)))]
    return BatchSizeStudy(
        dataset=problem.data.name, model=problem.model.name, optimizer=spec.name,
        target_loss=target, max_steps=n_steps, n_train=n, sizes=sz, lrs=np.array(lr_list),
        steps=best, best_lr=best_lr, tried=tried,
    )  # fmt: skip


# --------------------------------------------------------------------------- warm-up


def warm_up() -> None:
    """Compile (or load from numba's cache) every networks kernel with tiny inputs.

    For the web app's start-up, so no request pays the compile time.
    """
    tiny = {"name": "xor", "params": {"n": 24}}
    net = {"name": "mlp", "params": {"hidden": [3]}}
    h = train(tiny, net, "gd", steps=3)
    train(tiny, net, "gd", steps=3, batch_size=4, validation=0.0)
    decision_boundary(h, resolution=3)
    metrics_at(h, split="train")
    gradient_check(tiny, net)
    landscape(tiny, net, steps=3, resolution=3)
