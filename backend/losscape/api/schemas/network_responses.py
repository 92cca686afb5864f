"""Response models of ``POST /api/networks/*`` (documentation: orjson encodes the results).

They state exactly what the network results' ``to_dict()`` give, field for
field (``extra="forbid"``: a field added there without its line here fails the
API tests), so generated clients get types instead of ``Any``. ``Num`` is a
finite number or null where the value is undefined (NaN / inf never reach JSON).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel

from .builders import Out
from .responses import Num

Task = Literal["regression", "binary", "multiclass"]
RunStatus = Literal["done", "diverged", "reached"]
Directions = Literal["axes", "pca", "random"]
ParamValue = int | float | bool | str | list[int]


class NetOut(Out):
    """Base of the network response models: exactly the fields listed."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _examples(*examples: Any) -> ConfigDict:
    return ConfigDict(
        extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [*examples]}
    )


NORMALIZATION = {"mu": [0.02, -0.01], "sigma": [1.01, 0.99]}
COUNTS = {"tp": 9, "fp": 2, "tn": 7, "fn": 2}
ROC = {"fpr": [0.0, 0.22, 1.0], "tpr": [0.0, 0.82, 1.0], "thresholds": [None, 0.5, 0.0]}
CURVES = {
    "thresholds": [0.0, 0.5, 1.0],
    "accuracy": [0.55, 0.8, 0.45],
    "error_rate": [0.45, 0.2, 0.55],
    "sensitivity": [1.0, 0.82, 0.0],
    "specificity": [0.0, 0.78, 1.0],
    "precision": [0.55, 0.82, None],
}
BINARY = {
    "task": "binary",
    "threshold": 0.5,
    "n": 20,
    "accuracy": 0.8,
    "error_rate": 0.2,
    "confusion": [[7, 2], [2, 9]],
    "sensitivity": 0.82,
    "specificity": 0.78,
    "precision": 0.82,
    "counts": COUNTS,
    "auc": 0.87,
    "roc": ROC,
    "curves": CURVES,
}
MULTICLASS = {
    "task": "multiclass",
    "threshold": None,
    "n": 6,
    "accuracy": 0.83,
    "error_rate": 0.17,
    "confusion": [[2, 0, 0], [0, 2, 0], [1, 0, 1]],
    "recall": [1.0, 1.0, 0.5],
    "class_precision": [0.67, 1.0, 1.0],
}
LANDSCAPE_RUN = {
    "optimizer": "gd",
    "lr": 0.1,
    "hyperparams": {"weight_decay": 0.0},
    "status": "done",
    "stopped_at": None,
    "steps": [0, 1, 2],
    "a": [0.0, 0.4, 0.6],
    "b": [0.0, 0.1, 0.15],
    "slice_loss": [1.0, 0.5, 0.3],
    "loss": [1.0, 0.5, 0.3],
}


class NormalizationOut(NetOut):
    model_config = _examples(NORMALIZATION)

    mu: list[Num] = Field(description="per-feature mean subtracted (2,)")
    sigma: list[Num] = Field(description="per-feature scale divided by (2,)")


class TrainResponse(NetOut):
    """One training run: per step (``batch_loss``, ``grad_norm``, ``lrs``) and per record
    (``record_steps``: train/validation loss and accuracy, snapshots) and per statistics
    record (``histogram_steps``, a few of the records: histograms and fractions)."""

    model_config = _examples(
        {
            "dataset": "xor",
            "task": "binary",
            "model": "mlp",
            "model_params": {
                "hidden": [3],
                "activation": "tanh",
                "loss": "binary_cross_entropy",
                "bias": True,
                "batch_norm": False,
            },
            "optimizer": "adam",
            "lr": 0.01,
            "hyperparams": {
                "beta1": 0.9,
                "beta2": 0.999,
                "eps": 1e-8,
                "weight_decay": 0.0,
                "amsgrad": 0.0,
            },
            "schedule": "constant",
            "batch_size": 160,
            "steps": 2,
            "epochs": 2.0,
            "init": "xavier",
            "normalize": True,
            "seed": 0,
            "status": "done",
            "stopped_at": None,
            "steps_taken": 2,
            "batch_loss": [0.71, 0.70],
            "grad_norm": [0.3, 0.29],
            "lrs": [0.01, 0.01],
            "record_every": 1,
            "record_steps": [0, 1],
            "train_loss": [0.71, 0.70],
            "validation_loss": [0.72, 0.71],
            "train_accuracy": [0.5, 0.52],
            "validation_accuracy": [0.48, 0.5],
            "histograms": [[[1.0, 2.0]], [[2.0, 1.0]]],
            "histogram_edges": [-1.0, 0.0, 1.0],
            "dead_fraction": [[0.0], [0.0]],
            "saturated_fraction": [[0.0], [0.0]],
            "histogram_steps": [0, 1],
            "snapshots": [[0.1, -0.2], [0.11, -0.19]],
            "snapshot_steps": [0, 1],
            "snapshot_norm": None,
            "initial_theta": [0.1, -0.2],
            "theta": [0.11, -0.19],
            "param_names": ["W1[0,0]", "b1[0]"],
            "layer_shapes": [[3, 2], [1, 3]],
            "normalization": NORMALIZATION,
        }
    )

    dataset: str
    task: Task
    model: str
    model_params: dict[str, ParamValue]
    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    schedule: str
    batch_size: int
    steps: int
    epochs: float
    init: str
    normalize: bool
    seed: int
    status: RunStatus
    stopped_at: int | None
    steps_taken: int
    batch_loss: list[Num]
    grad_norm: list[Num]
    lrs: list[Num]
    record_every: int
    record_steps: list[int]
    train_loss: list[Num]
    validation_loss: list[Num] | None
    train_accuracy: list[Num] | None
    validation_accuracy: list[Num] | None
    histograms: list[list[list[Num]]] | None = Field(
        description="(statistics records, hidden layers, bins) shares of activations"
    )
    histogram_edges: list[Num] | None
    dead_fraction: list[list[Num]] | None = Field(description="(statistics records, hidden layers)")
    saturated_fraction: list[list[Num]] | None = Field(
        description="(statistics records, hidden layers)"
    )
    histogram_steps: list[int] | None = Field(
        default=None,
        description="the step of each statistics record: histogram_records of the records "
        "(first, last, evenly between), not every one",
    )
    snapshots: list[list[Num]] | None = Field(description="(kept records, parameters)")
    snapshot_steps: list[int] | None
    snapshot_norm: list[list[list[list[Num]]]] | None = Field(
        default=None,
        description="batch normalisation only: per kept snapshot, per hidden layer, [mean, "
        "variance] of each unit over the training points (what evaluation normalises with)",
    )
    initial_theta: list[Num]
    theta: list[Num]
    param_names: list[str]
    layer_shapes: list[list[int]] = Field(description="(n_out, n_in) of each layer")
    normalization: NormalizationOut


class CountsOut(NetOut):
    model_config = _examples(COUNTS)

    tp: int
    fp: int
    tn: int
    fn: int


class RocOut(NetOut):
    model_config = _examples(ROC)

    fpr: list[Num]
    tpr: list[Num]
    thresholds: list[Num]


class CurvesOut(NetOut):
    model_config = _examples(CURVES)

    thresholds: list[Num]
    accuracy: list[Num]
    error_rate: list[Num]
    sensitivity: list[Num]
    specificity: list[Num]
    precision: list[Num]


class BinaryMetrics(NetOut):
    """A binary classifier at ``threshold``: the confusion matrix, the rates, ROC and AUC,
    and every metric as a curve over thresholds."""

    model_config = _examples(BINARY)

    task: Literal["binary"]
    threshold: float
    n: int
    accuracy: Num
    error_rate: Num
    confusion: list[list[int]] = Field(description="rows: true class, columns: predicted")
    sensitivity: Num
    specificity: Num
    precision: Num
    counts: CountsOut
    auc: Num
    roc: RocOut
    curves: CurvesOut


class MulticlassMetrics(NetOut):
    """A multiclass classifier (arg-max prediction): accuracy, confusion, per-class rates."""

    model_config = _examples(MULTICLASS)

    task: Literal["multiclass"]
    threshold: None = Field(description="null: the prediction is the arg-max class")
    n: int
    accuracy: Num
    error_rate: Num
    confusion: list[list[int]] = Field(description="rows: true class, columns: predicted")
    recall: list[Num]
    class_precision: list[Num]


Metrics = Annotated[
    BinaryMetrics | MulticlassMetrics,
    Field(discriminator="task", json_schema_extra={"examples": [BINARY, MULTICLASS]}),
]


class MetricsResponse(RootModel[Metrics]):
    """Metrics of a trained classifier, told apart by ``task``."""


class BoundaryResponse(NetOut):
    """Model output over the data's bounding box: ``values`` (ny, nx) is the positive
    probability (binary), the prediction (regression) or the largest class probability
    (multiclass, with ``classes`` the predicted class)."""

    model_config = _examples(
        {"x": [-1.0, 1.0], "y": [-1.0, 1.0], "values": [[0.1, 0.9], [0.8, 0.2]], "classes": None}
    )

    x: list[Num]
    y: list[Num]
    values: list[list[Num]]
    classes: list[list[int]] | None


class LandscapeRunOut(NetOut):
    model_config = _examples(LANDSCAPE_RUN)

    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    status: RunStatus
    stopped_at: int | None
    steps: list[int]
    a: list[Num]
    b: list[Num]
    slice_loss: list[Num] = Field(description="the loss on the slice at the projected point")
    loss: list[Num] = Field(description="the true loss of the run")


class LandscapeResponse(NetOut):
    """The loss over a 2-D slice (``values`` (ny, nx) over ``b`` x ``a``) with each run's
    trajectory projected onto it."""

    model_config = _examples(
        {
            "dataset": "ravine",
            "model": "linear_regression",
            "normalize": True,
            "directions": "axes",
            "a": [-1.0, 0.0, 1.0],
            "b": [-1.0, 0.0, 1.0],
            "values": [[2.0, 1.0, 2.0], [1.0, 0.1, 1.0], [2.0, 1.0, 2.0]],
            "z_min": 0.1,
            "z_max": 2.0,
            "runs": [LANDSCAPE_RUN],
            "explained": None,
            "minimum": [0.6, 0.15],
            "axis_names": ["w[0]", "w[1]"],
        }
    )

    dataset: str
    model: str
    normalize: bool
    directions: Directions
    a: list[Num]
    b: list[Num]
    values: list[list[Num]]
    z_min: Num
    z_max: Num
    runs: list[LandscapeRunOut]
    explained: list[Num] | None = Field(description="PCA variance shares (pca only)")
    minimum: list[float] | None = Field(description="exact least-squares weights, if known")
    axis_names: list[str]


class GradientCheckResponse(NetOut):
    """Backprop against central differences, parameter by parameter."""

    model_config = _examples(
        {
            "model": "mlp",
            "broken": False,
            "loss": 0.69,
            "indices": [0, 1],
            "names": ["W1[0,0]", "W1[0,1]"],
            "analytic": [0.012, -0.03],
            "numeric": [0.012, -0.03],
            "relative_error": [2e-10, 1e-10],
            "max_relative_error": 2e-10,
            "tolerance": 1e-5,
            "passed": True,
        }
    )

    model: str
    broken: bool
    loss: Num
    indices: list[int]
    names: list[str]
    analytic: list[Num]
    numeric: list[Num]
    relative_error: list[Num]
    max_relative_error: Num
    tolerance: float
    passed: bool


class GradientNoiseResponse(NetOut):
    """Mini-batch gradient variance per batch size S, and the 1/S prediction."""

    model_config = _examples(
        {
            "sizes": [1, 10, 100],
            "variance": [1.0, 0.1, 0.01],
            "predicted": [1.0, 0.1, 0.01],
            "per_example": 1.0,
            "draws": 200,
        }
    )

    sizes: list[int]
    variance: list[Num]
    predicted: list[Num]
    per_example: Num
    draws: int


class BatchSizeResponse(NetOut):
    """Steps (and epochs) to reach ``target_loss`` per batch size, at the best lr tried;
    null where no lr reached it."""

    model_config = _examples(
        {
            "dataset": "ravine",
            "model": "linear_regression",
            "optimizer": "gd",
            "target_loss": 0.05,
            "max_steps": 2000,
            "n_train": 80,
            "sizes": [1, 8],
            "lrs": [0.01, 0.1],
            "steps": [400.0, 60.0],
            "epochs": [5.0, 6.0],
            "best_lr": [0.01, 0.1],
            "tried": [[400.0, None], [900.0, 60.0]],
        }
    )

    dataset: str
    model: str
    optimizer: str
    target_loss: float
    max_steps: int
    n_train: int
    sizes: list[int]
    lrs: list[Num]
    steps: list[Num]
    epochs: list[Num]
    best_lr: list[Num]
    tried: list[list[Num]] = Field(description="(sizes, lrs) steps to the target, null: never")


class DatasetResponse(NetOut):
    """A split data set: points (N, 2) in raw feature units, targets, split indices."""

    model_config = _examples(
        {
            "name": "csv",
            "task": "binary",
            "classes": 2,
            "feature_names": ["x1", "x2"],
            "x": [[0.0, 0.0], [1.0, 1.0]],
            "t": [0.0, 1.0],
            "train": [0],
            "validation": [1],
        }
    )

    name: str
    task: Task
    classes: int
    feature_names: list[str]
    x: list[list[float]]
    t: list[float]
    train: list[int]
    validation: list[int]
