"""The core catalogue's JSON rows (``losscape.catalogue``) against the registries' own values."""

from __future__ import annotations

import json
import math

from losscape import catalogue, service
from losscape.numerics.registry import optimizer_spec, surface_spec


def test_a_surface_row_carries_its_registry_values():
    row = next(s for s in catalogue.surfaces() if s["name"] == "himmelblau")
    spec = surface_spec("himmelblau")
    assert row["view"] == list(spec.view) and row["dims"] == 2
    # Himmelblau's four minima all have f = 0 (the textbook values).
    minima = [c for c in row["critical_points"] if c["kind"] == "minimum"]
    assert len(minima) == 4 and all(math.isclose(c["f"], 0.0, abs_tol=1e-9) for c in minima)
    assert any(math.isclose(c["x"], 3.0) and math.isclose(c["y"], 2.0) for c in minima)


def test_an_optimizer_row_lists_its_hyperparameters_with_bounds():
    row = next(o for o in catalogue.optimizers() if o["name"] == "adam")
    spec = optimizer_spec("adam")
    names = [p["name"] for p in row["hyperparams"]]
    assert {"beta1", "beta2", "eps"} <= set(names)
    beta1 = row["hyperparams"][names.index("beta1")]
    assert beta1["default"] == 0.9 and beta1["min"] <= 0.9 < beta1["max"] <= 1.0
    assert row["lr"] == {"default": spec.lr_default, "min": spec.lr_min, "max": spec.lr_max}


def test_every_row_is_plain_json():
    for rows in (catalogue.surfaces(), catalogue.optimizers(), catalogue.schedules()):
        assert json.loads(json.dumps(rows, allow_nan=False)) == rows


def test_service_still_exports_the_same_functions():
    """``losscape.service.surfaces`` / ``param_dict`` stay importable for older callers."""
    assert service.surfaces is catalogue.surfaces
    assert service.param_dict is catalogue.param_dict
