"""Batch normalisation through every door: the catalog, REST, the live channel and Python."""

from __future__ import annotations

import json

import numpy as np
import pytest

import losscape
from losscape import network_service as ns

from ..conftest import strict_json

BN_MODEL = {"name": "mlp", "params": {"hidden": [6], "activation": "logistic", "batch_norm": True}}
BODY = {"dataset": {"name": "circles", "params": {"n": 120}}, "model": BN_MODEL,
        "optimizer": "gd", "lr": 1.0, "steps": 30}  # fmt: skip


def test_catalog_offers_batch_norm_as_a_bool_of_the_mlp_only(client) -> None:
    models = {m["name"]: m for m in strict_json(client.get("/api/catalog").text)["models"]}
    spec = next(p for p in models["mlp"]["params"] if p["name"] == "batch_norm")
    assert spec["kind"] == "bool" and spec["default"] in (0, False)
    assert "batch" in spec["description"]
    for name in ("linear_regression", "logistic_regression", "softmax_regression"):
        assert all(p["name"] != "batch_norm" for p in models[name]["params"])


def test_rest_train_with_batch_norm_equals_the_service(client) -> None:
    r = client.post("/api/networks/train", json=BODY)
    assert r.status_code == 200
    data = strict_json(r.text)
    ref = ns.train(BODY["dataset"], BN_MODEL, "gd", lr=1.0, steps=30)
    np.testing.assert_allclose(data["theta"], ref.theta, rtol=1e-12)
    assert data["model_params"]["batch_norm"] is True
    assert len(data["theta"]) == 2 * 6 + 6 + 2 * 6 + 6 + 1  # W1, b1, gamma1, beta1, W2, b2
    assert "gamma1[0]" in data["param_names"]
    # the page evaluates snapshots with the training points' statistics at each one
    assert len(data["snapshot_norm"]) == len(data["snapshots"])
    mean, var = data["snapshot_norm"][-1][0]
    assert len(mean) == len(var) == 6 and min(var) > 0


def test_boundary_of_a_batch_norm_net_is_served(client) -> None:
    r = client.post("/api/networks/boundary", json={**BODY, "resolution": 5})
    assert r.status_code == 200


def test_rest_refuses_batch_norm_on_a_model_without_hidden_layers(client) -> None:
    body = {**BODY, "model": {"name": "logistic_regression", "params": {"batch_norm": True}}}
    r = client.post("/api/networks/train", json=body)
    assert r.status_code == 422
    assert "batch_norm" in r.text


def test_rest_refuses_single_point_batches_with_batch_norm(client) -> None:
    r = client.post("/api/networks/train", json={**BODY, "batch_size": 1})
    assert r.status_code == 422
    assert "batch_size" in r.text and "batch_norm" in r.text


def test_live_channel_trains_with_batch_norm(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "bn", "type": "network_train", "body": BODY}))
        while True:
            f = strict_json(ws.receive_text())
            if f["type"] in ("result", "error"):
                break
    assert f["type"] == "result"
    assert f["body"]["model_params"]["batch_norm"] is True


def test_python_api_trains_with_batch_norm_and_names_bad_values() -> None:
    h = losscape.train(
        "circles", {"name": "mlp", "params": {"hidden": [16], "batch_norm": True}}, "gd", lr=1.0,
        steps=20,
    )  # fmt: skip
    assert h.problem.model.arch.batch_norm and np.isfinite(h.train_loss).all()
    with pytest.raises(ValueError, match="batch_norm"):
        losscape.train("circles", {"name": "mlp", "params": {"batch_norm": "yes"}}, "gd", steps=2)
    with pytest.raises(ValueError, match=r"valid: .*activation"):
        losscape.train("circles", {"name": "mlp", "params": {"batchnorm": True}}, "gd", steps=2)
