"""``/api/networks/...`` and the live channel's ``network_*`` types against network_service."""

from __future__ import annotations

import json

import numpy as np
import pytest

from losscape import network_service as ns

from ..conftest import strict_json

TRAIN = {"dataset": {"name": "xor", "params": {"n": 120}}, "optimizer": "adam", "steps": 60}
MODEL = {"name": "mlp", "params": {"hidden": [16], "activation": "tanh", "bias": True}}


def post(client, path: str, body: dict) -> tuple[int, dict]:
    r = client.post("/api/networks/" + path, json=body)
    return r.status_code, strict_json(r.text)


def test_train_equals_the_service(client) -> None:
    status, data = post(client, "train", TRAIN)
    assert status == 200
    ref = ns.train({"name": "xor", "params": {"n": 120}}, MODEL, "adam", steps=60).to_dict()
    np.testing.assert_allclose(data["train_loss"], ref["train_loss"], rtol=1e-12)
    np.testing.assert_allclose(data["theta"], ref["theta"], rtol=1e-12)
    assert data["optimizer"] == "adam" and data["task"] == "binary"


def test_train_records_about_a_hundred_points_unless_asked_for_every_step(client) -> None:
    body = {**TRAIN, "steps": 500}
    status, default = post(client, "train", body)
    assert status == 200
    assert default["record_every"] == 5 and default["record_steps"] == list(range(0, 501, 5))
    status, every = post(client, "train", {**body, "record_every": 1})
    assert status == 200 and every["record_steps"] == list(range(501))
    assert len(every["batch_loss"]) == len(default["batch_loss"]) == 500  # per step either way
    np.testing.assert_array_equal(every["train_loss"][::5], default["train_loss"])


def test_train_sends_statistics_at_a_few_records_or_none(client) -> None:
    body = {**TRAIN, "steps": 500}
    status, default = post(client, "train", body)
    assert status == 200
    assert default["histogram_steps"] == list(range(0, 501, 25))
    assert len(default["histograms"]) == len(default["saturated_fraction"]) == 21
    status, three = post(client, "train", {**body, "histogram_records": 3})
    assert status == 200 and three["histogram_steps"] == [0, 250, 500]
    np.testing.assert_array_equal(
        three["histograms"], [default["histograms"][k] for k in (0, 10, 20)]
    )
    status, none = post(client, "train", {**body, "histogram_records": 0})
    assert status == 200 and none["histograms"] is None and none["histogram_steps"] is None
    status, bad = post(client, "train", {**body, "histogram_records": 1002})
    assert status == 422 and "histogram_records" in json.dumps(bad["detail"])


@pytest.mark.parametrize(
    ("extra", "needle"),
    [({"record_every": 0}, "greater than or equal to 1"), ({"steps": 5000}, "record_every")],
)
def test_record_every_out_of_bounds_is_422(client, extra: dict, needle: str) -> None:
    status, data = post(client, "train", {**TRAIN, "record_every": 1, **extra})
    assert status == 422
    assert needle in json.dumps(data["detail"])


def test_metrics_of_the_always_negative_screening_model(client) -> None:
    # zero init with no training: every score is sigma(0) = 0.5; threshold above it
    # predicts "negative" for all, the lecture's 99%-accuracy, 0-sensitivity classifier.
    body = {
        "dataset": {"name": "screening", "params": {"n": 1000, "positive_rate": 0.01}},
        "model": {"name": "logistic_regression"},
        "optimizer": "gd",
        "init": "zeros",
        "steps": 1,
        "lr": 1e-10,
        "threshold": 0.9,
        "split": "train",
        "validation": 0.0,
    }
    status, data = post(client, "metrics", body)
    assert status == 200
    assert data["sensitivity"] == 0.0
    assert data["accuracy"] == pytest.approx(0.99, abs=0.005)
    assert data["counts"]["tp"] == 0 and data["counts"]["fp"] == 0


def test_metrics_threshold_moves_the_roc_point(client) -> None:
    base = {"dataset": {"name": "moons"}, "optimizer": "adam", "steps": 100}
    _, low = post(client, "metrics", {**base, "threshold": 0.1})
    _, high = post(client, "metrics", {**base, "threshold": 0.9})
    assert low["sensitivity"] >= high["sensitivity"]
    assert low["specificity"] <= high["specificity"]
    assert low["auc"] == high["auc"]
    hist = ns.train("moons", "mlp", "adam", steps=100)
    assert low["auc"] == pytest.approx(ns.metrics_at(hist, 0.1).to_dict()["auc"], rel=1e-12)


def test_boundary_equals_the_service(client) -> None:
    body = {**TRAIN, "resolution": 12}
    status, data = post(client, "boundary", body)
    assert status == 200
    hist = ns.train({"name": "xor", "params": {"n": 120}}, "mlp", "adam", steps=60)
    ref = ns.decision_boundary(hist, resolution=12).to_dict()
    np.testing.assert_allclose(data["values"], ref["values"], rtol=1e-12)


def test_landscape_raw_vs_normalised(client) -> None:
    body = {
        "dataset": {"name": "ravine"},
        "model": {"name": "linear_regression", "params": {"bias": False}},
        "steps": 30,
        "resolution": 15,
    }
    for normalize in (True, False):
        status, data = post(client, "landscape", {**body, "normalize": normalize})
        assert status == 200
        ref = ns.landscape(
            "ravine",
            {"name": "linear_regression", "params": {"bias": False}},
            ["gd"],
            steps=30,
            resolution=15,
            normalize=normalize,
        ).to_dict()
        assert data["directions"] == "axes" and data["normalize"] is normalize
        np.testing.assert_allclose(
            np.array(data["values"], dtype=float), np.array(ref["values"], dtype=float), rtol=1e-12
        )


def test_gradient_check_catches_the_broken_backward(client) -> None:
    _, good = post(client, "gradient-check", {"dataset": {"name": "xor"}})
    _, bad = post(client, "gradient-check", {"dataset": {"name": "xor"}, "broken": True})
    assert good["passed"] is True
    assert bad["passed"] is False
    ref = ns.gradient_check("xor", broken=True).to_dict()
    assert bad["max_relative_error"] == pytest.approx(ref["max_relative_error"], rel=1e-12)


def test_gradient_noise_follows_one_over_s(client) -> None:
    status, data = post(client, "gradient-noise", {"dataset": {"name": "moons"}, "draws": 300})
    assert status == 200
    ref = ns.gradient_noise("moons", draws=300).to_dict()
    np.testing.assert_allclose(data["variance"], ref["variance"], rtol=1e-12)


def test_batch_size_study_equals_the_service(client) -> None:
    body = {"dataset": {"name": "moons"}, "optimizer": "gd", "max_steps": 60, "count": 3}
    status, data = post(client, "batch-size", body)
    assert status == 200
    ref = ns.batch_size_study("moons", optimizer="gd", max_steps=60, count=3).to_dict()
    assert data["sizes"] == ref["sizes"] and data["steps"] == ref["steps"]


def test_csv_upload_parses_and_splits(client) -> None:
    rows = "x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20))
    status, data = post(client, "dataset", {"dataset": {"csv": rows}, "validation": 0.2})
    assert status == 200
    assert data["task"] == "binary" and data["classes"] == 2
    assert len(data["x"]) == 20 and data["x"][3] == [3.0, 0.0]
    assert len(data["train"]) + len(data["validation"]) == 20


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("x1,x2,label\n0,0,0\n1,oops,1\n0,1,1\n1,0,0\n", "line 3"),
        ("x1,x2,label\n0,0,0\n", "at least"),
        ("0,0\n1,1\n0,1\n1,0\n", "column"),
    ],
)
def test_bad_csv_is_422_naming_where(client, text: str, needle: str) -> None:
    status, data = post(client, "dataset", {"dataset": {"csv": text}})
    assert status == 422
    assert needle in data["detail"][0]["msg"]


def test_csv_over_5000_rows_is_422(client) -> None:
    text = "".join(f"{i},{i},{i % 2}\n" for i in range(5001))
    status, data = post(client, "dataset", {"dataset": {"csv": text}})
    assert status == 422
    assert "5,000" in data["detail"][0]["msg"] or "5000" in data["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("train", {**TRAIN, "steps": ns.MAX_TRAIN_STEPS + 1}),
        ("train", {**TRAIN, "optimizer": "newton"}),
        ("train", {**TRAIN, "dataset": {"name": "nope"}}),
        ("train", {**TRAIN, "steps": "60"}),
        ("train", {**TRAIN, "extra": 1}),
        ("train", {**TRAIN, "model": {"name": "mlp", "params": {"hidden": [65]}}}),
        ("train", {**TRAIN, "model": {"name": "linear_regression"}}),  # not for a binary task
        ("metrics", {**TRAIN, "threshold": float("inf")}),
        ("gradient-check", {"dataset": {"name": "xor"}, "eps": 0.05}),
        ("gradient-noise", {"dataset": {"name": "moons"}, "draws": ns.MAX_NOISE_DRAWS + 1}),
        ("landscape", {"dataset": {"name": "xor"}, "optimizers": []}),
    ],
)
def test_bad_input_is_422(client, path: str, body: dict) -> None:
    r = client.post(
        "/api/networks/" + path,
        content=json.dumps(body).replace("Infinity", "1e999"),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert strict_json(r.text)["detail"][0]["msg"]


def test_live_train_streams_progress_then_the_result(client) -> None:
    body = {**TRAIN, "steps": 2000}
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "t", "type": "network_train", "body": body}))
        frames = []
        while True:
            f = strict_json(ws.receive_text())
            frames.append(f)
            if f["type"] in ("result", "error"):
                break
    progress = [f for f in frames if f["type"] == "progress"]
    assert frames[-1]["type"] == "result"
    assert len(progress) >= 3
    assert all(f["total"] == 2000 for f in progress)
    lengths = [len(f["partial"]["train_loss"]) for f in progress]
    assert lengths == sorted(lengths) and lengths[0] < len(frames[-1]["body"]["train_loss"])
    final = frames[-1]["body"]["train_loss"]
    first = progress[0]["partial"]["train_loss"]
    np.testing.assert_allclose(first, final[: len(first)], rtol=1e-12)


# --------------------------------------------------------------------------- typed responses

REGRESSION = {"dataset": {"name": "ravine"}, "model": {"name": "linear_regression"}}
MULTICLASS = {
    "dataset": {"name": "blobs"},
    "model": {"name": "softmax_regression"},
    "optimizer": "adam",
    "steps": 20,
}
TYPED = [
    ("train", TRAIN, "TrainResponse"),
    ("train", {**REGRESSION, "optimizer": "gd", "steps": 20, "validation": 0.0}, "TrainResponse"),
    ("metrics", TRAIN, "MetricsResponse"),
    (
        "metrics",
        MULTICLASS,
        "MetricsResponse",
    ),
    ("boundary", {**TRAIN, "resolution": 5}, "BoundaryResponse"),
    (
        "boundary",
        {**MULTICLASS, "resolution": 5},
        "BoundaryResponse",
    ),
    ("landscape", {**REGRESSION, "steps": 20, "resolution": 7}, "LandscapeResponse"),
    ("gradient-check", {"dataset": {"name": "xor"}, "broken": True}, "GradientCheckResponse"),
    ("gradient-noise", {"dataset": {"name": "moons"}, "draws": 20}, "GradientNoiseResponse"),
    (
        "batch-size",
        {**REGRESSION, "optimizer": "gd", "sizes": [1, 8], "max_steps": 60},
        "BatchSizeResponse",
    ),
    ("dataset", {"dataset": {"name": "moons"}}, "DatasetResponse"),
]


@pytest.mark.parametrize(("path", "body", "model"), TYPED)
def test_every_network_response_is_exactly_its_documented_model(client, path, body, model):
    """The models forbid extra fields: a key the service adds or drops fails here."""
    from losscape.api.schemas import network_responses as out

    status, data = post(client, path, body)
    assert status == 200, data
    parsed = getattr(out, model).model_validate(data)
    again = parsed.model_dump(mode="json")
    assert again == data  # nothing dropped, nothing renamed, no value coerced


def test_metrics_union_is_told_apart_by_task(client):
    from losscape.api.schemas import network_responses as out

    _, binary = post(client, "metrics", TRAIN)
    _, multi = post(client, "metrics", MULTICLASS)
    assert isinstance(out.MetricsResponse.model_validate(binary).root, out.BinaryMetrics)
    assert isinstance(out.MetricsResponse.model_validate(multi).root, out.MulticlassMetrics)
    assert len(multi["confusion"]) == len(multi["recall"]) == 3  # blobs: three classes


# --------------------------------------------------------------------------- 422 texts


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        (
            {**TRAIN, "hyperparams": {"beta3": 0.5}},
            ["body", "adam", "hyperparams", "beta3"],
            "unknown parameter 'beta3' for adam; valid: beta1, beta2, eps, weight_decay, amsgrad",
        ),
        (
            {**TRAIN, "dataset": {"name": "xor", "params": {"m": 3}}},
            ["body", "adam", "dataset", "xor", "params", "m"],
            "unknown parameter 'm' for xor; valid: n, noise, seed",
        ),
        (
            {**TRAIN, "optimizer": "newton"},
            ["body", "optimizer"],
            "unknown optimizer 'newton'; valid optimizers: gd, momentum, nesterov, heavy_ball, "
            "adagrad, rmsprop, rmsprop_lecture, adam, adamw",
        ),
    ],
)
def test_unknown_names_are_422_naming_the_valid_ones(client, body, loc, msg):
    status, data = post(client, "train", body)
    assert status == 422
    (err,) = data["detail"]
    assert err["loc"] == loc
    assert err["msg"] == msg
