"""network_service.training: which records carry the hidden-activation statistics."""

from __future__ import annotations

import json

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.limits import DEFAULT_HISTOGRAM_RECORDS
from losscape.network_service import training
from losscape.network_service.training import stats_plan

NET = {"name": "mlp", "params": {"hidden": [8]}}


@pytest.mark.parametrize(
    ("records", "wanted", "plan"),
    [
        (101, 21, list(range(0, 101, 5))),
        (11, 3, [0, 5, 10]),
        (10, 4, [0, 3, 6, 9]),
        (7, 4, [0, 2, 4, 6]),
        (5, 50, [0, 1, 2, 3, 4]),
        (5, 2, [0, 4]),
        (5, 1, [4]),
        (5, 0, []),
        (1, 3, [0]),
    ],
)
def test_plan_takes_first_last_and_evenly_between(records, wanted, plan):
    assert stats_plan(records, wanted).tolist() == plan


def test_the_kept_plan_is_a_fresh_array_each_call():
    training._stats_plan.cache_clear()
    a = stats_plan(101, 21)
    assert a.dtype == np.int64 and a.flags.writeable
    a[:] = -1
    b = stats_plan(101, 21)
    assert b.tolist() == list(range(0, 101, 5)) and not np.shares_memory(a, b)
    info = training._stats_plan.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    for records in range(2, info.maxsize + 10):
        stats_plan(records, 21)
    assert training._stats_plan.cache_info().currsize == info.maxsize


def test_default_history_has_statistics_at_every_fifth_record():
    h = ns.train("moons", NET, "adam", steps=500, batch_size=32)
    assert DEFAULT_HISTOGRAM_RECORDS == 21
    assert h.histogram_steps.tolist() == list(range(0, 501, 25))
    assert h.histograms.shape == (21, 1, 20)
    assert h.dead_fraction.shape == h.saturated_fraction.shape == (21, 1)
    d = h.to_dict()
    assert d["histogram_steps"] == list(range(0, 501, 25))
    assert len(d["histograms"]) == len(d["dead_fraction"]) == 21
    json.dumps(d, allow_nan=False)


def test_zero_statistics_records_turn_them_off():
    h = ns.train("moons", NET, "adam", steps=50, batch_size=32, histogram_records=0)
    assert h.histograms is None and h.histogram_steps is None and h.dead_fraction is None
    d = h.to_dict()
    assert d["histograms"] is None and d["histogram_steps"] is None
    ref = ns.train("moons", NET, "adam", steps=50, batch_size=32)
    np.testing.assert_array_equal(h.train_loss, ref.train_loss)


def test_a_diverged_run_keeps_the_statistics_before_it():
    relu = {"name": "mlp", "params": {"hidden": [8], "activation": "relu"}}
    h = ns.train("ravine", relu, "gd", lr=5.0, steps=200, normalize=False, histogram_records=50)
    assert h.status == "diverged"
    assert h.histogram_steps.shape[0] == h.histograms.shape[0] >= 1
    assert np.all(h.histogram_steps <= h.record_steps[-1])
    assert np.all(np.isfinite(h.histograms)) and np.all(np.isfinite(h.dead_fraction))
