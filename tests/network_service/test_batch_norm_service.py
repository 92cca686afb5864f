"""Batch normalisation through the service's diagnostics: gradient check, landscape, errors."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns

BN = {"name": "mlp", "params": {"hidden": [5, 4], "activation": "tanh", "batch_norm": True}}


def test_gradient_check_passes_with_batch_norm_and_catches_the_planted_bug():
    good = ns.gradient_check("moons", BN, seed=1)
    assert good.passed
    assert not ns.gradient_check("moons", BN, seed=1, broken=True).passed


def test_landscape_of_a_batch_norm_net_agrees_with_its_own_training_loss():
    L = ns.landscape("moons", BN, [{"optimizer": "gd", "lr": 0.5}], steps=20, resolution=5)
    run = L.runs[0]
    # the first run ends at the slice's centre: the contour's loss there is its training loss
    np.testing.assert_allclose(run.coords[-1], 0.0, atol=1e-9)
    assert run.slice_loss[-1] == pytest.approx(run.loss[-1], rel=1e-12)
    assert np.isfinite(L.values).all()


def test_batch_norm_refuses_one_point_batches_and_the_gradient_noise_study():
    with pytest.raises(ValueError, match=r"batch_size \(with batch_norm\)"):
        ns.train("moons", BN, "gd", steps=2, batch_size=1)
    with pytest.raises(ValueError, match="gradient noise needs a model without batch_norm"):
        ns.gradient_noise("moons", BN, sizes=[2], draws=2)
    with pytest.raises(ValueError, match="batch_norm"):
        ns.train("ravine", {"name": "linear_regression", "params": {"batch_norm": True}}, "gd")
