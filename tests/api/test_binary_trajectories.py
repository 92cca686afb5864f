"""The live channel's direct binary encoding of trajectories answers the same bytes as the
general path (``binary_body`` of the JSON-shaped result), and hands back to it when a value
does not fit float32."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from losscape.api import encoding, operations, schemas

OPERATION = operations.OPERATIONS["trajectories"]

RUNS = [
    {"optimizer": "gd", "lr": 1e-3, "start": [-1.2, 1.9]},
    {"optimizer": "momentum", "lr": 1e-4, "hyperparams": {"momentum": 0.9}, "start": [0.3, 2.2]},
    {"optimizer": "adam", "lr": 0.01, "start": [1.4, -0.3]},
    {"optimizer": "rmsprop", "lr": 1e-3, "start": [-0.7, 0.4]},
]
BODIES = {
    # the page's drag request: 4 runs x 300 steps on Rosenbrock
    "drag": {"surface": {"name": "rosenbrock"}, "steps": 300, "runs": RUNS},
    "fields": {"surface": {"name": "rosenbrock"}, "steps": 300, "runs": RUNS, "fields": ["x", "y"]},
    "no fields": {"surface": {"name": "rosenbrock"}, "steps": 50, "runs": RUNS, "fields": []},
    # even and odd lengths (padding after odd ones), a converged run stopped early
    "even steps": {"surface": {"name": "quadratic"}, "steps": 7, "runs": RUNS[:2]},
    "converged": {
        "surface": {"name": "quadratic"},
        "steps": 500,
        "tol": 1e-3,
        "runs": [{"optimizer": "gd", "lr": 0.5, "start": [1.0, 1.0]}],
    },
    # a run that blows up (non-finite or beyond the bound): the general path decides
    "diverged": {
        "surface": {"name": "rosenbrock"},
        "steps": 300,
        "runs": [{"optimizer": "gd", "lr": 0.5, "start": [-1.5, 2.0]}, RUNS[0]],
    },
    # values float32 would flush (the loss falls below 1e-38): the general path decides
    "tiny": {
        "surface": {"name": "quadratic"},
        "steps": 300,
        "tol": 0,
        "runs": [{"optimizer": "gd", "lr": 0.9, "start": [1.0, 1.0]}],
    },
    "schedule and noise": {
        "surface": {"name": "ravine", "params": {"kappa": 50}},
        "steps": 120,
        "schedule": {"name": "step", "params": {}},
        "noise": 0.5,
        "batch_size": 4,
        "seed": 3,
        "runs": RUNS[2:],
    },
}


def _general(model: Any) -> encoding.BinaryBody:
    return encoding.binary_body(operations.run_trajectories(model, None))


def _without_elapsed(body: encoding.BinaryBody) -> tuple[Any, bytes]:
    skeleton = orjson.loads(body.skeleton)
    assert skeleton.pop("elapsed_ms") >= 0
    return skeleton, body.blob


@pytest.mark.parametrize("name", list(BODIES))
def test_direct_binary_answer_is_the_general_paths_bytes(name: str) -> None:
    model = schemas.TrajectoriesRequest.model_validate(BODIES[name])
    direct = OPERATION.encode(model, None, True)
    assert isinstance(direct, encoding.BinaryBody)
    assert _without_elapsed(direct) == _without_elapsed(_general(model))
    # the skeleton keeps the general path's key order, not only its content
    assert (
        direct.skeleton.split(b'"elapsed_ms"')[0]
        == _general(model).skeleton.split(b'"elapsed_ms"')[0]
    )


def test_fast_path_is_taken_for_a_drag_and_refused_for_values_float32_cannot_hold() -> None:
    def fast(name: str) -> encoding.BinaryBody | None:
        model = schemas.TrajectoriesRequest.model_validate(BODIES[name])
        _, results = operations._trajectory_results(model, None)
        return encoding.trajectories_binary({}, results, model.fields, lambda: 0.0)

    assert fast("drag") is not None
    assert fast("fields") is not None
    assert fast("tiny") is None  # a loss under float32's smallest normal: general path
    skeleton = orjson.loads(
        _general(schemas.TrajectoriesRequest.model_validate(BODIES["tiny"])).skeleton
    )
    assert skeleton["runs"][0]["loss"]["$b"][0] == "f8"
