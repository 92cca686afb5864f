"""Metrics against hand-computed cases and brute-force definitions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from losscape.networks import datasets as ds
from losscape.networks import metrics as mt


def test_hand_computed_binary_case():
    labels = [1, 1, 1, 0, 0, 0, 0, 0]
    scores = [0.9, 0.6, 0.3, 0.7, 0.4, 0.2, 0.1, 0.05]
    c = mt.counts(labels, scores, 0.5)  # predicted positive: 0.9, 0.6, 0.7
    assert (int(c.tp), int(c.fp), int(c.tn), int(c.fn)) == (2, 1, 4, 1)
    assert mt.accuracy(labels, scores) == pytest.approx(6 / 8)
    assert mt.error_rate(labels, scores) == pytest.approx(2 / 8)
    assert mt.sensitivity(labels, scores) == pytest.approx(2 / 3)
    assert mt.specificity(labels, scores) == pytest.approx(4 / 5)
    assert mt.precision(labels, scores) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(mt.binary_confusion(labels, scores), [[4, 1], [1, 2]])
    # Pairs: positives 0.9 > all 5 negatives, 0.6 beats 4, 0.3 beats 3 -> 12 of 15.
    assert mt.auc(labels, scores) == pytest.approx(12 / 15)
    # A score equal to the threshold counts as positive.
    assert mt.sensitivity([1], [0.5], 0.5) == 1.0


def test_always_negative_classifier_on_the_screening_set():
    spec = ds.DATASET_BY_NAME["screening"]
    d = ds.generate(spec, {p.name: p.default for p in spec.params})
    scores = np.zeros(d.t.shape[0])  # "nobody is sick"
    assert mt.accuracy(d.t, scores, 0.5) == pytest.approx(0.99)
    assert mt.sensitivity(d.t, scores, 0.5) == 0.0
    assert mt.specificity(d.t, scores, 0.5) == 1.0
    assert np.isnan(mt.precision(d.t, scores, 0.5))  # no positive predictions: undefined
    assert mt.auc(d.t, scores) == 0.5  # every pair tied


def brute_auc(y: np.ndarray, s: np.ndarray) -> float:
    pos = s[y == 1]
    neg = s[y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


@pytest.mark.parametrize("seed", range(8))
def test_auc_is_the_fraction_of_correctly_ordered_pairs(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1
    s = np.round(rng.normal(y * 0.8, 1.0), 1)  # rounding makes ties common
    assert mt.auc(y, s) == pytest.approx(brute_auc(y, s), abs=1e-12)
    roc = mt.roc_curve(y, s)
    assert roc.auc == pytest.approx(np.trapezoid(roc.tpr, roc.fpr), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_counts_match_their_definitions_at_every_threshold(seed):
    rng = np.random.default_rng(100 + seed)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.random(60), 2)
    thresholds = np.concatenate([np.unique(s), [-1.0, 0.5, 2.0]])
    curves = mt.threshold_curves(y, s, thresholds)
    for k, thr in enumerate(thresholds):
        pred = s >= thr
        tp = np.sum(pred & (y == 1))
        fp = np.sum(pred & (y == 0))
        tn = np.sum(~pred & (y == 0))
        fn = np.sum(~pred & (y == 1))
        assert (curves.tp[k], curves.fp[k], curves.tn[k], curves.fn[k]) == (tp, fp, tn, fn)
        assert curves.accuracy[k] == pytest.approx((tp + tn) / 60)
        assert curves.sensitivity[k] == pytest.approx(tp / (tp + fn))
        assert curves.specificity[k] == pytest.approx(tn / (tn + fp))
        if tp + fp:
            assert curves.precision[k] == pytest.approx(tp / (tp + fp))
        else:
            assert np.isnan(curves.precision[k])


def test_roc_curve_runs_from_origin_to_one_one_with_ties_as_single_points():
    y = [0, 1, 0, 1, 1]
    s = [0.2, 0.8, 0.8, 0.5, 0.1]
    roc = mt.roc_curve(y, s)
    assert roc.thresholds[0] == np.inf
    np.testing.assert_allclose(roc.fpr, [0, 0.5, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(roc.tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1.0])
    assert np.all(np.diff(roc.fpr) >= 0) and np.all(np.diff(roc.tpr) >= 0)


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    labels = [0, 0, 1, 2, 2, 2]
    pred = [0, 1, 1, 2, 0, 2]
    cm = mt.confusion_matrix(labels, pred, 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 200)
    b = rng.integers(0, 4, 200)
    brute = np.array([[np.sum((a == i) & (b == j)) for j in range(4)] for i in range(4)])
    np.testing.assert_array_equal(mt.confusion_matrix(a, b, 4), brute)
    # A perfect classifier's matrix is diagonal.
    assert np.count_nonzero(mt.confusion_matrix(a, a, 4) - np.diag(np.bincount(a))) == 0
    with pytest.raises(ValueError, match=r"class indices 0\.\.2"):
        mt.confusion_matrix([0, 3], [0, 1], 3)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="0 or 1"):
        mt.auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="differ in length"):
        mt.counts([0, 1], [0.1], 0.5)
    with pytest.raises(ValueError, match="finite"):
        mt.counts([0, 1], [0.1, np.nan], 0.5)
    assert np.isnan(mt.auc([1, 1], [0.1, 0.2]))
