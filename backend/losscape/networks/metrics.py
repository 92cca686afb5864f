"""Classification metrics, from the lecture's definitions (numpy only).

Binary: ``labels`` are 0/1, ``scores`` any real numbers where larger means
"more likely positive" (a probability or a logit). At a ``threshold`` a point
is predicted positive when score >= threshold. With P positives, N
negatives and TP, FP, TN, FN the counts:

    accuracy    = (TP + TN) / (P + N)      error rate = 1 - accuracy
    sensitivity = TP / (TP + FN)  (true-positive rate, recall)
    specificity = TN / (TN + FP)  (true-negative rate)
    precision   = TP / (TP + FP)

A ratio whose denominator is 0 is NaN (undefined), never a made-up 0 or 1.
The ROC curve plots sensitivity against 1 - specificity at every distinct
threshold; its area (AUC) equals the probability that a random positive
scores above a random negative, ties counting 1/2, and is computed exactly
from mid-ranks. Multiclass: a K x K confusion matrix, rows the true classes,
columns the predicted ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _as_binary(labels: object, scores: object) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=np.float64).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"labels and scores differ in length ({y.shape[0]} vs {s.shape[0]})")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("binary labels must be 0 or 1")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite numbers")
    return y.astype(bool), s


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


@dataclass(frozen=True)
class BinaryCounts:
    """Counts at one threshold (arrays when computed over several thresholds)."""

    tp: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    fn: np.ndarray

    @property
    def accuracy(self) -> np.ndarray:
        return _ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn)

    @property
    def error_rate(self) -> np.ndarray:
        return 1.0 - self.accuracy

    @property
    def sensitivity(self) -> np.ndarray:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def specificity(self) -> np.ndarray:
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def precision(self) -> np.ndarray:
        return _ratio(self.tp, self.tp + self.fp)


def counts(labels: object, scores: object, thresholds: object) -> BinaryCounts:
    """TP, FP, TN, FN at each threshold (a number or an array of them), in O((n + m) log n)."""
    y, s = _as_binary(labels, scores)
    thr = np.asarray(thresholds, dtype=np.float64)
    pos_scores = np.sort(s[y])
    neg_scores = np.sort(s[~y])
    # Predicted positive: score >= threshold, i.e. those not strictly below it.
    tp = pos_scores.shape[0] - np.searchsorted(pos_scores, thr, side="left")
    fp = neg_scores.shape[0] - np.searchsorted(neg_scores, thr, side="left")
    fn = pos_scores.shape[0] - tp
    tn = neg_scores.shape[0] - fp
    return BinaryCounts(np.asarray(tp), np.asarray(fp), np.asarray(tn), np.asarray(fn))


def accuracy(labels: object, scores: object, threshold: float = 0.5) -> float:
    return float(counts(labels, scores, threshold).accuracy)


def error_rate(labels: object, scores: object, threshold: float = 0.5) -> float:
    return float(counts(labels, scores, threshold).error_rate)


def sensitivity(labels: object, scores: object, threshold: float = 0.5) -> float:
    return float(counts(labels, scores, threshold).sensitivity)


def specificity(labels: object, scores: object, threshold: float = 0.5) -> float:
    return float(counts(labels, scores, threshold).specificity)


def precision(labels: object, scores: object, threshold: float = 0.5) -> float:
    return float(counts(labels, scores, threshold).precision)


@dataclass(frozen=True)
class ROC:
    """The ROC curve: ``fpr`` (1 - specificity) and ``tpr`` (sensitivity) at ``thresholds``.

    thresholds[0] = +inf (nothing predicted positive, the point (0, 0)), then
    every distinct score in decreasing order; the last point is (1, 1).
    """

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float


def roc_curve(labels: object, scores: object) -> ROC:
    """ROC curve with one point per distinct score: tied scores move both rates at once."""
    y, s = _as_binary(labels, scores)
    p = int(y.sum())
    n = int(y.shape[0] - p)
    distinct = np.unique(s)[::-1]
    thr = np.concatenate([[np.inf], distinct])
    c = counts(y, s, thr)
    return ROC(_ratio(c.fp, n), _ratio(c.tp, p), thr, auc(y, s))


def auc(labels: object, scores: object) -> float:
    """Area under the ROC curve = P(score of a positive > score of a negative) + P(tie) / 2.

    Computed from mid-ranks (the Mann-Whitney statistic): exact, ties
    included; NaN when there are no positives or no negatives.
    """
    y, s = _as_binary(labels, scores)
    p = int(y.sum())
    n = int(y.shape[0] - p)
    if p == 0 or n == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    ranks = np.empty(s.shape[0])
    # Mid-rank of each run of equal scores: the mean of its positions (1-based).
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], s.shape[0]]
    mid = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(mid, ends - starts)
    u = ranks[y].sum() - p * (p + 1) / 2.0
    return float(u / (p * n))


def confusion_matrix(labels: object, predicted: object, classes: int) -> np.ndarray:
    """(K, K) int64 counts: entry [i, j] = points of true class i predicted as class j."""
    y = np.asarray(labels).ravel()
    q = np.asarray(predicted).ravel()
    if y.shape != q.shape:
        raise ValueError("labels and predictions differ in length")
    yi = y.astype(np.int64)
    qi = q.astype(np.int64)
    if np.any(yi != y) or np.any(qi != q):
        raise ValueError("class labels must be whole numbers")
    for name, v in (("labels", yi), ("predictions", qi)):
        if v.size and (v.min() < 0 or v.max() >= classes):
            raise ValueError(f"{name} must be class indices 0..{classes - 1}")
    out = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(out, (yi, qi), 1)
    return out


def binary_confusion(labels: object, scores: object, threshold: float = 0.5) -> np.ndarray:
    """[[TN, FP], [FN, TP]]: the 2 x 2 confusion matrix (rows true 0/1, columns predicted)."""
    c = counts(labels, scores, threshold)
    return np.array([[int(c.tn), int(c.fp)], [int(c.fn), int(c.tp)]], dtype=np.int64)


@dataclass(frozen=True)
class ThresholdCurves:
    """Every binary metric as a function of the decision threshold (arrays over ``thresholds``)."""

    thresholds: np.ndarray
    accuracy: np.ndarray
    error_rate: np.ndarray
    sensitivity: np.ndarray
    specificity: np.ndarray
    precision: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    fn: np.ndarray


def threshold_curves(labels: object, scores: object, thresholds: object) -> ThresholdCurves:
    """Accuracy, error rate, sensitivity, specificity, precision and counts at each threshold."""
    thr = np.asarray(thresholds, dtype=np.float64).ravel()
    c = counts(labels, scores, thr)
    return ThresholdCurves(
        thr, c.accuracy, c.error_rate, c.sensitivity, c.specificity, c.precision,
        c.tp, c.fp, c.tn, c.fn,
    )  # fmt: skip


def multiclass_accuracy(labels: object, predicted: object) -> float:
    y = np.asarray(labels).ravel()
    q = np.asarray(predicted).ravel()
    if y.size == 0:
        return float("nan")
    return float(np.mean(y == q))
