"""Swapping two hidden units keeps the network's function; the line between the twins rises."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.networks.permutation import line_losses, swap_units


@pytest.fixture(scope="module")
def trained():
    return ns.train("xor", {"name": "mlp", "params": {"hidden": [4, 3]}}, "gd", lr=0.5,
                    steps=400, init="small_random", seed=1)  # fmt: skip


@pytest.mark.parametrize(("layer", "a", "b"), [(0, 0, 1), (0, 1, 3), (1, 0, 2)])
def test_swap_keeps_every_output(trained, layer, a, b):
    arch = trained.problem.model.arch
    twin = swap_units(arch, trained.theta, layer, a, b)
    assert not np.array_equal(twin, trained.theta)
    X = trained.problem.data.X
    np.testing.assert_allclose(trained.outputs(X, twin), trained.outputs(X), rtol=0, atol=1e-12)
    # the swapped layer's rows a and b are exchanged, exactly
    w, wt = trained.weights(layer), trained.weights(layer, twin)
    np.testing.assert_array_equal(wt[[a, b]], w[[b, a]])
    np.testing.assert_array_equal(swap_units(arch, twin, layer, a, b), trained.theta)


def test_line_between_twins_starts_and_ends_at_the_trained_loss_and_rises(trained):
    p = trained.problem
    arch = p.model.arch
    twin = swap_units(arch, trained.theta, 0, 0, 1)
    t, losses = line_losses(p.layout, p.loss_id, arch, p.X, p.T, trained.theta, twin)
    assert t[0] == 0.0 and t[-1] == 1.0
    assert losses[0] == pytest.approx(trained.train_loss[-1], rel=1e-9)
    assert losses[-1] == pytest.approx(losses[0], abs=1e-12)
    assert losses.max() > losses[0]  # not convex: the average of two minima is worse


def test_bad_units_name_the_valid_range(trained):
    arch = trained.problem.model.arch
    with pytest.raises(ValueError, match="0 to 3"):
        swap_units(arch, trained.theta, 0, 0, 4)
    with pytest.raises(ValueError, match="valid: 0 to 1"):
        swap_units(arch, trained.theta, 2, 0, 1)
