"""Every error is a 4xx in the documented shape, whatever the body held; never a 500."""

from __future__ import annotations

import json

import pytest

import losscape
from losscape import service
from losscape.api import errors

from .conftest import strict_json

OPTIMIZERS = [o["name"] for o in losscape.optimizers()]
SURFACES = [s["name"] for s in losscape.surfaces()]
GOOD = {"surface": {"name": "quadratic"}, "steps": 5, "runs": [{"optimizer": "gd"}]}


def post_raw(client, path: str, raw: bytes | str, content_type: str = "application/json"):
    return client.post(path, content=raw, headers={"content-type": content_type})


def assert_error_shape(r, status: int) -> list[dict]:
    assert r.status_code == status, r.text
    detail = strict_json(r.text)["detail"]
    assert isinstance(detail, list) and detail
    for d in detail:
        assert set(d) >= {"loc", "msg", "type"}
        assert isinstance(d["msg"], str) and isinstance(d["type"], str)
    return detail


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    "template",
    [
        '{"surface": {"name": "quadratic"}, "noise": %s, "runs": [{"optimizer": "gd"}]}',
        '{"surface": {"name": "quadratic"}, "runs": [{"optimizer": "gd", "lr": %s}]}',
        '{"surface": {"name": "quadratic"}, "runs": [{"optimizer": "gd", "start": [%s, 1]}]}',
        '{"surface": {"name": "rosenbrock", "params": {"a": %s}}, "runs": [{"optimizer": "gd"}]}',
    ],
)
def test_non_finite_literal_is_a_422(client, literal: str, template: str) -> None:
    r = post_raw(client, "/api/trajectories", template % literal)
    detail = assert_error_shape(r, 422)
    assert detail[0]["type"] == "finite_number"


def test_non_finite_literal_in_every_endpoint(client) -> None:
    bodies = {
        "/api/grid": '{"surface": {"name": "quadratic"}, "view": [NaN, 1, 0, 1]}',
        "/api/hessian": '{"surface": {"name": "quadratic"}, "point": [Infinity, 0]}',
        "/api/sweeps/lr": '{"surface": {"name": "quadratic"}, "optimizer": "gd", "lr_min": NaN}',
        "/api/sweeps/basins": '{"surface": {"name": "quadratic"}, "optimizer": "gd", "lr": NaN}',
        "/api/sweeps/lr-momentum": '{"surface": {"name": "quadratic"}, "optimizer": NaN}',
    }
    for path, raw in bodies.items():
        assert_error_shape(post_raw(client, path, raw), 422)


@pytest.mark.parametrize(
    "raw", ['{"surface": ', "[1, 2", "{'a': 1}", "", "null", "[]", '"text"', "1e999999"]
)
def test_malformed_or_wrong_json_is_a_4xx(client, raw: str) -> None:
    r = post_raw(client, "/api/trajectories", raw)
    assert r.status_code in (400, 422)
    assert_error_shape(r, r.status_code)


def test_malformed_json_says_so(client) -> None:
    detail = assert_error_shape(post_raw(client, "/api/grid", '{"surface": '), 422)
    assert detail[0]["type"] == "json_invalid"
    assert detail[0]["msg"].startswith("malformed JSON")


def test_not_json_content_type_is_a_422(client) -> None:
    r = post_raw(client, "/api/grid", json.dumps(GOOD), content_type="text/plain")
    assert_error_shape(r, 422)


def test_invalid_utf8_is_a_4xx(client) -> None:
    r = post_raw(client, "/api/grid", b'{"surface": "\xff\xfe"}')
    assert r.status_code in (400, 422)
    assert_error_shape(r, r.status_code)


def test_two_mib_body_is_a_413(client) -> None:
    raw = json.dumps({**GOOD, "pad": "x" * (2 << 20)})
    detail = assert_error_shape(post_raw(client, "/api/trajectories", raw), 413)
    assert detail[0]["type"] == "too_large"


def test_streamed_body_over_the_limit_is_a_413(client) -> None:
    def chunks():
        yield b'{"surface": {"name": "quadratic"}, "pad": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    r = client.post("/api/grid", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert_error_shape(r, 413)


def test_body_just_under_the_limit_is_read(client) -> None:
    raw = json.dumps({**GOOD, "pad": "x" * 1_000_000})
    detail = assert_error_shape(post_raw(client, "/api/trajectories", raw), 422)
    assert detail[0]["loc"] == ["body", "pad"]
    assert detail[0]["type"] == "extra_forbidden"


def test_unknown_optimizer_names_the_valid_ones(client) -> None:
    body = {**GOOD, "runs": [{"optimizer": "gd"}, {"optimizer": "adamx"}]}
    detail = assert_error_shape(client.post("/api/trajectories", json=body), 422)
    assert detail[0]["loc"] == ["body", "runs", 1, "optimizer"]
    assert "'adamx'" in detail[0]["msg"]
    for name in OPTIMIZERS:
        assert name in detail[0]["msg"]


def test_unknown_optimizer_in_a_sweep(client) -> None:
    body = {"surface": {"name": "quadratic"}, "optimizer": "sgdd"}
    detail = assert_error_shape(client.post("/api/sweeps/lr", json=body), 422)
    assert detail[0]["loc"] == ["body", "optimizer"]
    assert all(name in detail[0]["msg"] for name in OPTIMIZERS)


def test_unknown_surface_and_schedule(client) -> None:
    body = {**GOOD, "surface": {"name": "bowl"}, "schedule": {"name": "warm"}}
    detail = assert_error_shape(client.post("/api/trajectories", json=body), 422)
    msgs = {tuple(d["loc"]): d["msg"] for d in detail}
    assert all(name in msgs[("body", "surface", "name")] for name in SURFACES)
    assert "'warm'" in msgs[("body", "schedule", "name")]


def test_surface_must_be_an_object(client) -> None:
    detail = assert_error_shape(
        client.post("/api/trajectories", json={**GOOD, "surface": "rosenbrock"}), 422
    )
    assert detail[0]["loc"] == ["body", "surface"]
    assert "rosenbrock" in detail[0]["msg"]


@pytest.mark.parametrize(
    ("patch", "loc", "type_"),
    [
        ({"steps": "100"}, ["body", "steps"], "int_type"),
        ({"steps": 10.5}, ["body", "steps"], "int_type"),
        ({"steps": True}, ["body", "steps"], "int_type"),
        ({"steps": 0}, ["body", "steps"], "greater_than_equal"),
        ({"steps": 20001}, ["body", "steps"], "less_than_equal"),
        ({"noise": "0.1"}, ["body", "noise"], "float_type"),
        ({"noise": -1}, ["body", "noise"], "greater_than_equal"),
        ({"extra": 1}, ["body", "extra"], "extra_forbidden"),
        ({"runs": []}, ["body", "runs"], "too_short"),
        ({"runs": [{"optimizer": "gd"}] * 17}, ["body", "runs"], "too_long"),
        ({"runs": [{"optimizer": "gd", "lr": 11}]}, ["body", "runs", 0, "gd", "lr"], None),
        ({"runs": [{"optimizer": "gd", "start": [1]}]}, ["body", "runs", 0, "gd", "start"], None),
        (
            {"runs": [{"optimizer": "gd", "hyperparams": {"beta9": 1}}]},
            ["body", "runs", 0, "gd", "hyperparams", "beta9"],
            "extra_forbidden",
        ),
        (
            {"surface": {"name": "rosenbrock", "params": {"b": 1e9}}},
            ["body", "surface", "rosenbrock", "params", "b"],
            "less_than_equal",
        ),
    ],
)
def test_bounds_and_strict_types(client, patch: dict, loc: list, type_: str | None) -> None:
    detail = assert_error_shape(client.post("/api/trajectories", json={**GOOD, **patch}), 422)
    assert detail[0]["loc"] == loc
    if type_ is not None:
        assert detail[0]["type"] == type_


def test_integral_floats_are_integers(client) -> None:
    # JSON Schema's "integer" includes 10.0; only a fractional part is refused
    r = client.post("/api/trajectories", json={**GOOD, "steps": 10.0, "seed": 3.0})
    assert r.status_code == 200
    assert r.json()["runs"][0]["steps_taken"] == 10


def test_lr_bound_is_in_the_message(client) -> None:
    spec = next(o for o in losscape.optimizers() if o["name"] == "gd")
    body = {**GOOD, "runs": [{"optimizer": "gd", "lr": spec["lr"]["max"] * 2}]}
    detail = assert_error_shape(client.post("/api/trajectories", json=body), 422)
    assert f"{spec['lr']['max']:g}" in detail[0]["msg"]


def test_service_value_error_is_a_422_in_the_body(client) -> None:
    body = {"surface": {"name": "quadratic"}, "view": [1, 0, 0, 1]}  # xmin > xmax
    detail = assert_error_shape(client.post("/api/grid", json=body), 422)
    assert detail == [
        {
            "loc": ["body"],
            "msg": "view must have xmin < xmax and ymin < ymax",
            "type": "value_error",
        }
    ]


class FakeExpressionError(ValueError):
    """What the expressions module raises: a message plus where the problem is."""

    def __init__(self, msg: str, column: int, token: str) -> None:
        super().__init__(msg)
        self.column, self.token = column, token


def test_expression_error_carries_column_and_token(client, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise FakeExpressionError("unknown name 'foo' at column 7", 7, "foo")

    monkeypatch.setattr(service, "grid", refuse)
    r = client.post("/api/grid", json={"surface": {"name": "quadratic"}})
    detail = assert_error_shape(r, 422)
    assert detail == [
        {
            "loc": ["body"],
            "msg": "unknown name 'foo' at column 7",
            "type": "expression_error",
            "column": 7,
            "token": "foo",
        }
    ]


def test_value_error_detail_without_position() -> None:
    assert errors.value_error_detail(ValueError("bad")) == [
        {"loc": ["body"], "msg": "bad", "type": "value_error"}
    ]


def test_validation_detail_drops_unencodable_inputs() -> None:
    raw = [{"type": "finite_number", "loc": ("body", "x"), "msg": "m", "input": float("nan")}]
    assert errors.validation_detail(raw) == [
        {"loc": ["body", "x"], "msg": "m", "type": "finite_number"}
    ]


def test_unsupported_method_is_a_405_with_allow(client) -> None:
    r = client.delete("/api/grid")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert client.get("/api/trajectories").status_code == 405


def test_unknown_api_path_is_a_404(client) -> None:
    assert client.get("/api/nothing").status_code == 404
    assert client.post("/api/nothing", json={}).status_code == 404
