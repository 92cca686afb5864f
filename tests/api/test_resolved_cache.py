"""``operations.resolved_surface``: catalogue surfaces resolved once per (name, parameters)."""

from __future__ import annotations

import numpy as np

from losscape import service
from losscape.api import operations, schemas


def _body(**params: float) -> schemas.TrajectoriesRequest:
    return schemas.TrajectoriesRequest.model_validate(
        {"surface": {"name": "rosenbrock", "params": params}, "runs": [{"optimizer": "gd"}]}
    )


def test_same_parameters_share_one_resolution_others_get_their_own() -> None:
    a = operations.resolved_surface(_body(a=1, b=100))
    assert operations.resolved_surface(_body(a=1.0, b=100.0)) is a  # the same values
    assert operations.resolved_surface(_body()) is a  # the defaults, spelled out by the model
    c = operations.resolved_surface(_body(a=1, b=10))
    assert c is not a
    fresh = service.resolve_surface({"name": "rosenbrock", "params": {"a": 1.0, "b": 10.0}})
    np.testing.assert_array_equal(c.params, fresh.params)
    assert c.critical_points == fresh.critical_points and c.view == fresh.view


def test_the_cache_stays_bounded() -> None:
    for k in range(operations._RESOLVED_MAX + 5):
        operations.resolved_surface(_body(a=1, b=1 + k))
    assert len(operations._RESOLVED) <= operations._RESOLVED_MAX
