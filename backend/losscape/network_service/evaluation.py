"""A trained network evaluated: decision boundary and metrics at a threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..networks import datasets as ds
from ..networks import metrics as mt
from ..numerics.registry import check_number
from .catalogue import MAX_BOUNDARY_RESOLUTION, MAX_CURVE_POINTS, _finite_list, _int, _num
from .problem import Problem
from .training import TrainingHistory, _outputs, _probabilities

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
