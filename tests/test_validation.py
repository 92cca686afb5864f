"""The one argument-validation module both services call (values written out by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losscape
from losscape import validation
from losscape.numerics.registry import optimizer_spec


def test_hyperparams_in_spec_order_with_defaults_and_torch_betas():
    adam = optimizer_spec("adam")
    hp = validation.hyperparams(adam, {"betas": (0.8, 0.99), "eps": 1e-6})
    # adam's order: beta1, beta2, eps, weight_decay, amsgrad
    assert hp.tolist() == [0.8, 0.99, 1e-6, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"betas must be a pair"):
        validation.hyperparams(adam, {"betas": 0.9})


def test_an_unknown_hyperparameter_lists_the_valid_names():
    with pytest.raises(ValueError) as err:
        validation.hyperparams(optimizer_spec("momentum"), {"mu": 0.5})
    assert str(err.value) == MU_REFUSED


MU_REFUSED = (
    "unknown parameter(s) mu for momentum; valid: momentum, dampening, weight_decay, nesterov"
)


def test_both_services_refuse_an_unknown_name_with_one_text():
    """The surface and the network halves call the same check."""
    with pytest.raises(ValueError) as surface:
        losscape.trajectory("quadratic", "momentum", mu=0.5, steps=2)
    with pytest.raises(ValueError) as network:
        losscape.train("xor", "mlp", "momentum", steps=2, mu=0.5)
    assert str(surface.value) == str(network.value) == MU_REFUSED


def test_lr_default_bounds_and_a_lower_floor():
    gd = optimizer_spec("gd")
    assert validation.lr(gd, None) == gd.lr_default
    with pytest.raises(ValueError, match=r"lr must be between"):
        validation.lr(gd, gd.lr_min / 2)
    assert validation.lr(gd, gd.lr_min / 2, lo=1e-10) == gd.lr_min / 2
    with pytest.raises(ValueError, match=r"lr must be finite"):
        validation.lr(gd, math.nan)


def test_schedule_defaults_to_constant_and_checks_its_params():
    spec, vec = validation.schedule(None, None)
    assert spec.name == "constant"
    spec, vec = validation.schedule("step", {"gamma": 0.5})
    assert (spec.name, vec.tolist()) == ("step", [100.0, 0.5])
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) decay for schedule step"):
        validation.schedule("step", {"decay": 0.5})


def test_points_views_and_choices():
    assert validation.check_point(np.array([1.5, -2.0]), "start") == (1.5, -2.0)
    assert validation.check_point([3], "start") == (3.0, 0.0)
    with pytest.raises(ValueError, match=r"start must be a pair"):
        validation.check_point("12", "start")
    # Two plain floats: in bounds they come back as given, out of bounds or NaN they get
    # the same messages as any other pair (coordinates are bounded by 1e6).
    assert validation.check_point((0.25, -1e6), "start") == (0.25, -1e6)
    with pytest.raises(ValueError, match=r"start\[1\] must be between -1e\+06 and 1e\+06"):
        validation.check_point((0.0, 2e6), "start")
    with pytest.raises(ValueError, match=r"start\[0\] must be finite"):
        validation.check_point((float("nan"), 0.0), "start")
    assert validation.check_view([-1, 1, -2, 2]) == (-1.0, 1.0, -2.0, 2.0)
    with pytest.raises(ValueError, match=r"xmin < xmax"):
        validation.check_view([1, -1, -2, 2])
    with pytest.raises(ValueError) as err:
        validation.choice("he", "init", ("xavier", "he_normal"))
    assert str(err.value) == "unknown init 'he'; valid inits: xavier, he_normal"
    assert validation.integer(3.0, "n", 1, 5) == 3
    with pytest.raises(ValueError, match=r"n must be a whole number"):
        validation.integer(2.5, "n", 1, 5)
    assert validation.boolean(True, "bias") is True
