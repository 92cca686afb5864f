"""Small seeded data sets generated in code, the train/validation split, and a CSV reader.

Every set has two input features and one target per point: a real number
(regression), a 0/1 label (binary) or a class index 0..K-1 (multiclass).
Generators take a numpy Generator and their parameters and return (X (N, 2),
t (N,)); the same parameters and seed always give the same points.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..numerics.specs import ParamSpec, param_dict

MAX_POINTS = 5_000
MAX_CLASSES = 5
MAX_ABS_FEATURE = 1e6
MAX_CSV_CHARS = 1_000_000

TASKS = ("regression", "binary", "multiclass")


@dataclass(frozen=True)
class Dataset:
    """Points, targets and the split.

    ``X`` (N, 2) raw features, ``t`` (N,) targets (float; labels are 0.0, 1.0,
    ...), ``train`` / ``validation`` index arrays into them. ``classes`` is 1
    for regression, 2 for binary, K for multiclass.
    """

    name: str
    task: str
    X: np.ndarray
    t: np.ndarray
    classes: int
    train: np.ndarray
    validation: np.ndarray
    feature_names: tuple[str, str] = ("x1", "x2")
    params: dict[str, float] = field(default_factory=dict)

    @property
    def X_train(self) -> np.ndarray:
        return np.ascontiguousarray(self.X[self.train])

    @property
    def t_train(self) -> np.ndarray:
        return np.ascontiguousarray(self.t[self.train])

    @property
    def X_validation(self) -> np.ndarray:
        return np.ascontiguousarray(self.X[self.validation]).reshape(-1, self.X.shape[1])

    @property
    def t_validation(self) -> np.ndarray:
        return np.ascontiguousarray(self.t[self.validation])


@dataclass(frozen=True)
class DatasetSpec:
    """A generated data set: catalogue entry plus generator."""

    name: str
    title: str
    task: str
    description: str
    generate: Callable[[np.random.Generator, dict[str, float]], tuple[np.ndarray, np.ndarray]]
    params: tuple[ParamSpec, ...]
    classes: int | None = None  # None: read from the "classes" parameter
    default_model: str = "mlp"
    lecture: str = ""
    feature_names: tuple[str, str] = ("x1", "x2")


def _n(default: int, lo: int = 4) -> ParamSpec:
    return ParamSpec("n", default, lo, MAX_POINTS, "number of points", kind="int")


def _noise(default: float, hi: float = 1.0) -> ParamSpec:
    return ParamSpec("noise", default, 0.0, hi, "standard deviation of the added noise")


_SEED = ParamSpec("seed", 0, 0, 2**31 - 1, "seed of the generator", kind="int")


# --------------------------------------------------------------------------- generators


def _ravine(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's ravine: x1 in the hundreds, x2 ~ 0.002-0.003, t ~ 3-5.

    t = 0.001 x1 + 1500 x2 + noise, with no intercept, so a 2-weight linear
    regression fits it and its loss over (w1, w2) is a needle-thin ravine.
    """
    n = int(p["n"])
    x1 = rng.uniform(50.0, 400.0, n)
    x2 = rng.uniform(0.0018, 0.0033, n)
    t = 0.001 * x1 + 1500.0 * x2 + p["noise"] * rng.standard_normal(n)
    return np.column_stack([x1, x2]), t


def _uncentred(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's second table: x1, x2 around 1000, t ~ 3-5.

    t = 0.3 x1 - 0.29453 x2 + noise (mean 4 at (1000, 1005)); the loss over
    (w1, w2) is a ravine along the diagonal.
    """
    n = int(p["n"])
    x1 = 1000.0 + 2.5 * rng.standard_normal(n)
    x2 = 1005.0 + 2.5 * rng.standard_normal(n)
    t = 0.3 * x1 - 0.29453 * x2 + p["noise"] * rng.standard_normal(n)
    return np.column_stack([x1, x2]), t


def _xor(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Uniform on [-1, 1]^2, label 1 where x1 x2 > 0, then features jittered by noise."""
    n = int(p["n"])
    X = rng.uniform(-1.0, 1.0, (n, 2))
    t = (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    return X + p["noise"] * rng.standard_normal((n, 2)), t


def _moons(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (as scikit-learn's make_moons)."""
    n = int(p["n"])
    n0 = n // 2
    a0 = rng.uniform(0.0, math.pi, n0)
    a1 = rng.uniform(0.0, math.pi, n - n0)
    outer = np.column_stack([np.cos(a0), np.sin(a0)])
    inner = np.column_stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)])
    X = np.vstack([outer, inner]) + p["noise"] * rng.standard_normal((n, 2))
    t = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    return X, t


def _circles(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """An inner circle (label 1, radius ``factor``) inside an outer one (label 0, radius 1)."""
    n = int(p["n"])
    n0 = n // 2
    a = rng.uniform(0.0, 2.0 * math.pi, n)
    r = np.concatenate([np.ones(n0), np.full(n - n0, p["factor"])])
    X = np.column_stack([r * np.cos(a), r * np.sin(a)]) + p["noise"] * rng.standard_normal((n, 2))
    t = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    return X, t


def _spirals(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of ``turns`` turns, radius growing to 1."""
    n = int(p["n"])
    n0 = n // 2
    s = np.sqrt(rng.uniform(0.05, 1.0, n))
    angle = 2.0 * math.pi * p["turns"] * s
    label = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    angle = angle + math.pi * label
    X = np.column_stack([s * np.cos(angle), s * np.sin(angle)])
    return X + p["noise"] * rng.standard_normal((n, 2)), label


def _screening(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs, exactly round(rate n) positives (at least one).

    Negatives ~ N(0, I); positives ~ N(mu, I) with |mu| = ``separation`` along
    the diagonal: the lecture's screening test with 1% sick patients.
    """
    n = int(p["n"])
    n_pos = min(n - 1, max(1, round(p["positive_rate"] * n)))
    mu = p["separation"] / math.sqrt(2.0)
    X = rng.standard_normal((n, 2))
    t = np.zeros(n)
    pos = rng.choice(n, n_pos, replace=False)
    t[pos] = 1.0
    X[pos] += mu
    return X, t


def _blobs(rng: np.random.Generator, p: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """K Gaussian blobs (std ``spread``) with centres evenly spaced on a circle of radius 3."""
    n = int(p["n"])
    k = int(p["classes"])
    t = np.arange(n) % k
    angle = 2.0 * math.pi * t / k + math.pi / 2
    centres = 3.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = centres + p["spread"] * rng.standard_normal((n, 2))
    return X, t.astype(np.float64)


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "ravine", "Ravine (lecture's regression data)", "regression",
        "x1 in the hundreds, x2 around 0.003, t around 3-5: unnormalised inputs make the "
        "loss over (w1, w2) a needle-thin ravine; normalising turns it round.",
        _ravine, (_n(100), _noise(0.2), _SEED),
        default_model="linear_regression", lecture="Ravines",
        feature_names=("x1", "x2"),
    ),
    DatasetSpec(
        "uncentred", "Uncentred inputs (x ~ 1000)", "regression",
        "x1 and x2 both around 1000: the loss over (w1, w2) is a diagonal ravine until the "
        "inputs are centred.",
        _uncentred, (_n(100), _noise(0.2), _SEED),
        default_model="linear_regression", lecture="Ravines",
    ),
    DatasetSpec(
        "xor", "XOR", "binary", "Label 1 in the first and third quadrants: not linearly separable.",
        _xor, (_n(200), _noise(0.05), _SEED), lecture="Local minima",
    ),
    DatasetSpec(
        "moons", "Two moons", "binary", "Two interleaved half circles.",
        _moons, (_n(200), _noise(0.1), _SEED),
    ),
    DatasetSpec(
        "circles", "Circles", "binary", "A small circle inside a large one.",
        _circles,
        (_n(200), _noise(0.05), ParamSpec("factor", 0.5, 0.1, 0.9, "inner radius"), _SEED),
    ),
    DatasetSpec(
        "spirals", "Spirals", "binary", "Two interleaved spirals.",
        _spirals,
        (_n(300), _noise(0.05), ParamSpec("turns", 1.0, 0.25, 3.0, "turns of each spiral"), _SEED),
    ),
    DatasetSpec(
        "screening", "Screening (imbalanced blobs)", "binary",
        "Two Gaussian blobs with a small positive rate (default 1%, the lecture's disease "
        "screening): always answering 'negative' scores 99% accuracy and 0 sensitivity.",
        _screening,
        (
            _n(1000, lo=10),
            ParamSpec("positive_rate", 0.01, 0.001, 0.5, "share of positives", log=True),
            ParamSpec("separation", 2.0, 0.0, 10.0, "distance between the blob centres"),
            _SEED,
        ),
        default_model="logistic_regression", lecture="Metrics for Binary classification",
    ),
    DatasetSpec(
        "blobs", "Gaussian blobs (K classes)", "multiclass",
        "K Gaussian blobs around a circle, for the K x K confusion matrix.",
        _blobs,
        (
            _n(300),
            ParamSpec("classes", 3, 3, MAX_CLASSES, "number of classes K", kind="int"),
            ParamSpec("spread", 1.0, 0.1, 5.0, "standard deviation of each blob"),
            _SEED,
        ),
        default_model="softmax_regression", lecture="Metrics for Multi-Class classification",
    ),
)  # fmt: skip
DATASET_BY_NAME: dict[str, DatasetSpec] = {d.name: d for d in DATASETS}


# --------------------------------------------------------------------------- split


def split(t: np.ndarray, task: str, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, validation) index arrays; stratified by class for classification.

    Each class sends round(fraction * count) of its points to validation
    (at least one when fraction > 0 and the class has two or more), so a 1%
    class appears in both parts. Indices come back sorted.
    """
    rng = np.random.default_rng([seed, 7])
    n = t.shape[0]
    if fraction <= 0.0:
        return np.arange(n), np.zeros(0, dtype=np.int64)
    groups = (
        [np.arange(n)] if task == "regression" else [np.flatnonzero(t == c) for c in np.unique(t)]
    )
    val: list[np.ndarray] = []
    for g in groups:
        k = round(fraction * g.shape[0])
        k = min(max(k, 1), g.shape[0] - 1) if g.shape[0] >= 2 else 0
        val.append(rng.permutation(g)[:k])
    v = np.sort(np.concatenate(val)).astype(np.int64)
    mask = np.ones(n, dtype=bool)
    mask[v] = False
    return np.flatnonzero(mask).astype(np.int64), v


# --------------------------------------------------------------------------- CSV


def _task_of(labels: np.ndarray, task: str) -> tuple[str, int]:
    """The task and class count of CSV labels; ValueError when they cannot be that task."""
    integral = bool(np.all(labels == np.round(labels)))
    k = int(labels.max()) + 1 if integral and labels.min() >= 0 else 0
    if task == "auto":
        if integral and labels.min() >= 0 and 2 <= k <= MAX_CLASSES:
            task = "binary" if k == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        return task, 1
    if not integral or labels.min() < 0:
        raise ValueError(
            f"a {task} label must be a whole number 0..{MAX_CLASSES - 1}; "
            "use task='regression' for real-valued targets"
        )
    if task == "binary" and k > 2:
        raise ValueError("binary labels must be 0 or 1")
    if task == "multiclass" and not 2 <= k <= MAX_CLASSES:
        raise ValueError(f"multiclass labels must be 0..K-1 with K from 2 to {MAX_CLASSES}")
    if task == "binary":
        k = 2
    return task, k


def parse_csv(
    text: str, *, task: str = "auto", max_rows: int = MAX_POINTS
) -> tuple[np.ndarray, np.ndarray, str, int, tuple[str, str]]:
    """Read "x1,x2,label" rows: returns (X (N, 2), t (N,), task, classes, feature names).

    A first row that is not all numbers is a header and names the features.
    Blank lines and lines starting with '#' are skipped. Fields are separated
    by commas (or semicolons or tabs, consistently). Every value must be a
    finite number with |value| <= 1e6. Errors name the line and column.
    ``task`` is "auto" (whole labels 0..K-1 with 2 <= K <= 5: classification,
    otherwise regression) or one of regression, binary, multiclass.
    """
    if not isinstance(text, str):
        raise ValueError("csv must be text")
    if task != "auto" and task not in TASKS:
        raise ValueError(f"unknown task {task!r}; valid tasks: auto, {', '.join(TASKS)}")
    if len(text) > MAX_CSV_CHARS:
        raise ValueError(f"csv too long: more than {MAX_CSV_CHARS:,} characters")
    # A UTF-8 byte-order mark (Excel's "CSV UTF-8") is not part of the first name.
    text = text.removeprefix("\ufeff")
    lines = [(k + 1, line.strip()) for k, line in enumerate(text.splitlines())]
    lines = [(k, s) for k, s in lines if s and not s.startswith("#")]
    if not lines:
        raise ValueError("csv is empty: expected rows of x1,x2,label")
    first = lines[0][1]
    sep = next((c for c in (",", ";", "\t") if c in first), ",")
    names = ("x1", "x2")
    # Rows through the csv module: quoted fields ("1.5", "a, b") and doubled quotes.
    rows = [(k, [p.strip() for p in next(csv.reader([s], delimiter=sep))]) for k, s in lines]
    head = rows[0][1]
    has_header = not all(_is_number(p) for p in head)
    # pandas' to_csv writes its index first: a header ",x1,x2,label" (or "Unnamed: 0",
    # "index") and rows "0,...", "1,...". Drop that column.
    counted = all(len(r) == 4 and r[0] == str(i) for i, (_, r) in enumerate(rows))
    named = head[0].lower() in ("", "unnamed: 0", "index")
    if len(head) == 4 and ((has_header and named) or (not has_header and counted)):
        rows = [(k, r[1:]) for k, r in rows]

    def fields(lineno: int, parts: list[str]) -> list[str]:
        if len(parts) != 3:
            raise ValueError(
                f"line {lineno}: expected 3 columns (x1, x2, label), found {len(parts)}"
            )
        return parts

    head = fields(*rows[0])
    if has_header:
        names = (head[0] or "x1", head[1] or "x2")
        rows = rows[1:]
    lines = rows
    if len(lines) > max_rows:
        raise ValueError(f"csv has {len(lines)} rows; at most {max_rows:,} are allowed")
    if len(lines) < 4:
        raise ValueError(f"csv has {len(lines)} data rows; at least 4 are needed")
    values = np.empty((len(lines), 3))
    for r, (lineno, parts) in enumerate(lines):
        for c, p in enumerate(fields(lineno, parts)):
            try:
                v = float(p)
            except ValueError:
                raise ValueError(
                    f"line {lineno}, column {c + 1}: {p[:20]!r} is not a number"
                ) from None
            if not math.isfinite(v):
                raise ValueError(f"line {lineno}, column {c + 1}: {p[:20]!r} is not finite")
            if abs(v) > MAX_ABS_FEATURE:
                raise ValueError(
                    f"line {lineno}, column {c + 1}: {v:g} is beyond +-{MAX_ABS_FEATURE:g}"
                )
            values[r, c] = v
    found_task, classes = _task_of(values[:, 2], task)
    if found_task != "regression":
        counts = np.bincount(values[:, 2].astype(np.int64), minlength=classes)
        if np.any(counts == 0):
            missing = ", ".join(str(k) for k in np.flatnonzero(counts == 0))
            raise ValueError(f"class(es) {missing} have no rows; labels must be 0..K-1")
    return values[:, :2].copy(), values[:, 2].copy(), found_task, classes, names


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- building


def generate(
    spec: DatasetSpec, params: Mapping[str, float], *, validation: float = 0.2, split_seed: int = 0
) -> Dataset:
    """Points of a generated set with already-validated ``params`` (names as in its spec)."""
    p = dict(params)
    rng = np.random.default_rng(int(p.get("seed", 0)))
    X, t = spec.generate(rng, p)
    classes = spec.classes or (int(p["classes"]) if "classes" in p else None)
    if classes is None:
        classes = 1 if spec.task == "regression" else 2
    train, val = split(t, spec.task, validation, split_seed)
    return Dataset(
        name=spec.name,
        task=spec.task,
        X=np.ascontiguousarray(X, dtype=np.float64),
        t=np.ascontiguousarray(t, dtype=np.float64),
        classes=classes,
        train=train,
        validation=val,
        feature_names=spec.feature_names,
        params=p,
    )


def from_csv(
    text: str, *, task: str = "auto", validation: float = 0.2, split_seed: int = 0
) -> Dataset:
    """A user's data set from CSV text (see ``parse_csv``)."""
    X, t, found, classes, names = parse_csv(text, task=task)
    train, val = split(t, found, validation, split_seed)
    return Dataset("csv", found, X, t, classes, train, val, names, {"n": float(X.shape[0])})


def catalogue_entry(spec: DatasetSpec) -> dict[str, Any]:
    """JSON-ready description of a generated set (params as in the core catalogue)."""
    return {
        "name": spec.name,
        "title": spec.title,
        "task": spec.task,
        "description": spec.description,
        "lecture": spec.lecture,
        "default_model": spec.default_model,
        "feature_names": list(spec.feature_names),
        "classes": spec.classes
        or (None if spec.task == "multiclass" else (1 if spec.task == "regression" else 2)),
        "params": [param_dict(p) for p in spec.params],
    }
