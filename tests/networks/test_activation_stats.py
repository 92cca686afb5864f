"""Hidden-activation statistics: histograms, dead and saturated units, and records with them."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.networks import activation_stats as st
from losscape.networks import mlp


def run_stats(arch, theta, X, bins=4, lo=-1.0, hi=1.0):
    n_hidden = len(arch.hidden)
    hist = np.zeros((n_hidden, bins))
    dead = np.zeros(n_hidden)
    sat = np.zeros(n_hidden)
    acts, _ = mlp.scratch(arch, X.shape[0])  # batch normalisation: all the points in one chunk
    counts = np.zeros(arch.units, dtype=np.int64)
    idx = np.arange(X.shape[0], dtype=np.int64)
    stats = mlp.norm_stats(arch)
    st.hidden_stats(arch.layout, theta, X, idx, acts, lo, hi, hist, dead, sat, counts, stats)
    return hist, dead, sat


def test_hidden_stats_find_dead_relus_and_saturated_units():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, (300, 2))
    relu = mlp.Architecture(2, (4, 2), 1, mlp.ACT_RELU, mlp.LOSS_SQUARED)
    theta = rng.uniform(0.1, 1.0, relu.n_params)
    relu.bias_of(theta, 0)[[1, 3]] = -10.0  # two of four first-layer units never fire
    relu.bias_of(theta, 1)[0] = -100.0  # one of two second-layer units never fires
    hist, dead, sat = run_stats(relu, theta, X, bins=5, lo=0.0, hi=2.0)
    assert dead.tolist() == [0.5, 0.5] and sat.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(hist.sum(axis=1), 1.0)
    assert hist[0, 0] >= 0.5  # the dead units' zeros fill the first bin

    tanh = mlp.Architecture(2, (3,), 1, mlp.ACT_TANH, mlp.LOSS_SQUARED)
    th = np.zeros(tanh.n_params)
    tanh.weight(th, 0)[:] = [[50.0, 50.0], [0.1, 0.1], [-40.0, -60.0]]
    hist, dead, sat = run_stats(tanh, th, X + 0.1, bins=4)
    assert sat.tolist() == [pytest.approx(2 / 3)] and dead.tolist() == [0.0]
    assert hist[0, 0] == pytest.approx(1 / 3) and hist[0, 3] == pytest.approx(1 / 3)


def test_large_init_saturates_logistic_units():
    kw = {"steps": 5, "lr": 0.1}
    big = ns.train("moons", {"name": "mlp", "params": {"activation": "logistic"}}, "gd",
                   init="large_random", init_scale=20.0, **kw)  # fmt: skip
    small = ns.train("moons", {"name": "mlp", "params": {"activation": "logistic"}}, "gd", **kw)
    assert big.saturated_fraction[0, 0] > 0.5
    assert small.saturated_fraction[0, 0] < 0.05
    edges = big.histogram_edges
    assert edges[0] == 0.0 and edges[-1] == 1.0
    # Saturated logistic units pile their activations into the end bins.
    assert big.histograms[0, 0, [0, -1]].sum() > 0.5


def test_record_statistics_equal_hidden_stats_at_that_records_weights():
    """Fused into the record's loss pass, the statistics are those of a separate pass.

    The reference recomputes them with ``hidden_stats`` from the weight snapshot of
    the record (mini-batch and full batch; batch normalisation over all the points).
    """
    cases = [
        ({"hidden": [6, 5], "activation": "relu"}, 16),
        ({"hidden": [6], "activation": "tanh"}, None),
        ({"hidden": [5], "activation": "logistic", "batch_norm": True}, 16),
    ]
    for params, batch in cases:
        h = ns.train("moons", {"name": "mlp", "params": params}, "adam", lr=0.05, steps=60,
                     batch_size=batch, record_every=3, histogram_records=5)  # fmt: skip
        arch = h.problem.model.arch
        lo, hi = h.histogram_edges[0], h.histogram_edges[-1]
        rows = np.searchsorted(h.record_steps, h.histogram_steps)
        assert np.array_equal(h.record_steps[rows], h.histogram_steps)
        for s, r in enumerate(rows):
            hist, dead, sat = run_stats(arch, h.snapshots[r], h.problem.X, 20, lo, hi)
            np.testing.assert_allclose(h.histograms[s], hist, rtol=0, atol=1e-15)
            np.testing.assert_array_equal(h.dead_fraction[s], dead)
            np.testing.assert_array_equal(h.saturated_fraction[s], sat)


def test_statistics_at_a_few_records_leave_the_records_unchanged():
    """Statistics at 5 records: the same losses, weights and statistics as at every record."""
    kw = {"lr": 0.05, "steps": 200, "batch_size": 16, "seed": 2}
    model = {"name": "mlp", "params": {"hidden": [8], "activation": "relu"}}
    few = ns.train("moons", model, "adam", histogram_records=5, **kw)
    every = ns.train("moons", model, "adam", histogram_records=1000, **kw)
    assert few.histogram_steps.tolist() == [0, 50, 100, 150, 200]
    assert np.array_equal(every.histogram_steps, every.record_steps)
    np.testing.assert_array_equal(few.train_loss, every.train_loss)
    np.testing.assert_array_equal(few.theta, every.theta)
    rows = np.searchsorted(every.record_steps, few.histogram_steps)
    np.testing.assert_array_equal(few.histograms, every.histograms[rows])
    np.testing.assert_array_equal(few.dead_fraction, every.dead_fraction[rows])


def test_a_run_that_reaches_its_target_has_statistics_at_its_last_record():
    h = ns.train("moons", "mlp", "gd", lr=1.0, steps=2000, target_loss=0.2, histogram_records=3)
    assert h.status == "reached"
    assert h.histogram_steps[0] == 0 and h.histogram_steps[-1] == h.stopped_at
    assert h.histograms.shape[0] == h.histogram_steps.shape[0] <= 3
    np.testing.assert_allclose(h.histograms.sum(axis=2), 1.0)
