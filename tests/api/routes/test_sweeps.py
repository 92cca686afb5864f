"""POST /api/sweeps/* against the Python API."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape.api import schemas

from ..conftest import as_array, strict_json

OPTIMIZERS = [o["name"] for o in losscape.optimizers()]
MOMENTUM = [o.name for o in schemas.MOMENTUM_OPTIMIZERS]


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).astype(np.float32)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_lr_sweep_equals_python_api(client, optimizer: str) -> None:
    body = {
        "surface": {"name": "quadratic"},
        "optimizer": optimizer,
        "start": [1.5, 1.0],
        "steps": 40,
        "lr_min": 1e-3,
        "lr_max": 5.0,
        "count": 12,
    }
    r = client.post("/api/sweeps/lr", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    ref = losscape.lr_sweep(
        "quadratic", optimizer, start=(1.5, 1.0), steps=40, lr_min=1e-3, lr_max=5.0, count=12
    )
    np.testing.assert_array_equal(data["lrs"], ref.lrs)
    np.testing.assert_array_equal(f32(as_array(data["final_loss"])), f32(ref.final_loss))
    np.testing.assert_array_equal(f32(as_array(data["best_loss"])), f32(ref.best_loss))
    assert data["status"] == ref.status
    assert data["stopped_at"] == [None if s < 0 else int(s) for s in ref.stopped_at]
    assert "curves" not in data
    # 0.5 (x^2 + y^2) has lambda_max = 1: GD diverges above lr = 2
    assert data["edge_lr"] == pytest.approx(2.0)
    for loss, status in zip(data["final_loss"], data["status"], strict=True):
        assert (loss is None) == (status == "diverged")


def test_lr_sweep_curves(client) -> None:
    body = {
        "surface": {"name": "rosenbrock"},
        "optimizer": "gd",
        "steps": 30,
        "lr_min": 1e-4,
        "lr_max": 0.1,
        "count": 5,
        "curves": True,
    }
    data = strict_json(client.post("/api/sweeps/lr", json=body).text)
    ref = losscape.lr_sweep(
        "rosenbrock", "gd", steps=30, lr_min=1e-4, lr_max=0.1, count=5, curves=True
    )
    curves = as_array(data["curves"])
    assert curves.shape == (5, 31)
    np.testing.assert_array_equal(f32(curves), f32(ref.curves))
    assert data["edge_lr"] is None  # not a quadratic


def test_basins_equals_python_api(client) -> None:
    body = {
        "surface": {"name": "rosenbrock"},
        "optimizer": "gd",
        "lr": 1e-3,
        "steps": 300,
        "resolution": 12,
        "view": [-2, 2, -1, 3],
        "radius": 0.3,
    }
    r = client.post("/api/sweeps/basins", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    ref = losscape.basins(
        "rosenbrock", "gd", lr=1e-3, steps=300, resolution=12, view=(-2, 2, -1, 3), radius=0.3
    )
    np.testing.assert_array_equal(data["x"], ref.xs)
    np.testing.assert_array_equal(data["y"], ref.ys)
    np.testing.assert_array_equal(data["label"], ref.label)
    np.testing.assert_array_equal(data["steps"], ref.steps)
    np.testing.assert_array_equal(f32(as_array(data["final_loss"])), f32(ref.final_loss))
    assert data["minima"] == [{"x": 1.0, "y": 1.0, "f": 0.0}]
    assert data["radius"] == 0.3
    assert set(np.unique(data["label"])) <= {-3, -2, -1, 0}


def test_basins_with_user_minima_have_null_values(client) -> None:
    body = {
        "surface": {"name": "quadratic"},
        "optimizer": "gd",
        "lr": 0.1,
        "steps": 200,
        "resolution": 4,
        "minima": [[0, 0], [5, 5]],
    }
    data = strict_json(client.post("/api/sweeps/basins", json=body).text)
    assert data["minima"] == [{"x": 0.0, "y": 0.0, "f": None}, {"x": 5.0, "y": 5.0, "f": None}]
    assert np.all(np.array(data["label"]) == 0)
    assert data["radius"] == pytest.approx(0.02 * np.hypot(4, 4))


def test_basins_web_resolution_limit(client) -> None:
    body = {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 1, "resolution": 257}
    r = client.post("/api/sweeps/basins", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "resolution"
    assert "256" in r.json()["detail"][0]["msg"]


def test_sweep_work_budget_is_a_422(client) -> None:
    body = {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 20000, "resolution": 256}
    r = client.post("/api/sweeps/basins", json=body)
    assert r.status_code == 422
    assert "sweep too large" in r.json()["detail"][0]["msg"]


@pytest.mark.skipif(not MOMENTUM, reason="no optimizer with momentum in the registry yet")
@pytest.mark.parametrize("optimizer", MOMENTUM)
def test_lr_momentum_equals_python_api(client, optimizer: str) -> None:
    body = {
        "surface": {"name": "quadratic"},
        "optimizer": optimizer,
        "steps": 50,
        "lr_min": 1e-3,
        "lr_max": 2.0,
        "lr_count": 6,
        "momentum_min": 0.0,
        "momentum_max": 0.9,
        "momentum_count": 4,
    }
    r = client.post("/api/sweeps/lr-momentum", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    ref = losscape.lr_momentum_map(
        "quadratic",
        optimizer,
        steps=50,
        lr_min=1e-3,
        lr_max=2.0,
        lr_count=6,
        momentum_min=0.0,
        momentum_max=0.9,
        momentum_count=4,
    )
    np.testing.assert_array_equal(data["lrs"], ref.lrs)
    np.testing.assert_array_equal(data["momenta"], ref.momenta)
    assert data["hyperparam"] == ref.hyperparam
    assert data["status"] == ref.status
    np.testing.assert_array_equal(f32(as_array(data["final_loss"])), f32(ref.final_loss))


def test_lr_momentum_refuses_an_optimizer_without_momentum(client) -> None:
    without = [o for o in OPTIMIZERS if o not in MOMENTUM]
    body = {"surface": {"name": "quadratic"}, "optimizer": without[0]}
    r = client.post("/api/sweeps/lr-momentum", json=body)
    assert r.status_code == 422
    msg = r.json()["detail"][0]["msg"]
    for name in MOMENTUM:
        assert name in msg
