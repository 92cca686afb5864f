"""POST /api/trajectories, /api/grid, /api/hessian against the Python API (losscape.*)."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape import service
from losscape.api.operations import EXPRESSIONS_AVAILABLE

from ..conftest import as_array, strict_json

SURFACES = [s["name"] for s in losscape.surfaces()]
OPTIMIZERS = [o["name"] for o in losscape.optimizers()]


def f32(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).astype(np.float32)


def assert_run_matches(run: dict, ref: losscape.Trajectory, precision: str = "float32") -> None:
    cast = f32 if precision == "float32" else (lambda a: np.asarray(a, dtype=np.float64))
    pairs = {
        "x": ref.path[:, 0],
        "y": ref.path[:, 1],
        "loss": ref.loss,
        "lrs": ref.lrs,
        "avg_x": ref.averaged_path[:, 0],
        "avg_y": ref.averaged_path[:, 1],
        "avg_loss": ref.averaged_loss,
    }
    for key, expected in pairs.items():
        np.testing.assert_array_equal(cast(as_array(run[key])), cast(expected), err_msg=key)
    assert run["status"] == ref.status
    assert run["stopped_at"] == ref.stopped_at
    assert run["steps_taken"] == ref.steps_taken
    assert run["optimizer"] == ref.optimizer
    assert run["lr"] == ref.lr
    assert run["hyperparams"] == ref.hyperparams


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_trajectory_equals_python_api(client, surface: str, optimizer: str) -> None:
    body = {"surface": {"name": surface}, "steps": 60, "runs": [{"optimizer": optimizer}]}
    r = client.post("/api/trajectories", json=body)
    try:
        ref = losscape.trajectory(surface, optimizer, steps=60)
    except ValueError as exc:  # a combination the service refuses is a 422 with its message
        assert r.status_code == 422
        assert r.json()["detail"][0]["msg"] == str(exc)
        return
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    assert_run_matches(data["runs"][0], ref)
    resolved = service.resolve_surface(surface)
    assert data["surface"]["name"] == surface
    assert data["surface"]["view"] == list(resolved.view)
    assert len(data["surface"]["critical_points"]) == len(resolved.critical_points)
    assert data["elapsed_ms"] > 0


def test_several_runs_with_noise_schedule_and_float64(client) -> None:
    surface = {"name": "rosenbrock", "params": {"a": 0.5, "b": 20.0}}
    runs = [
        {"optimizer": name, "lr": 0.002 if name != "newton" else 0.5, "start": [-1.2, 1.5]}
        for name in OPTIMIZERS[:4]
    ]
    body = {
        "surface": surface,
        "steps": 120,
        "noise": 0.3,
        "batch_size": 4,
        "seed": 7,
        "tol": 1e-9,
        "schedule": {"name": "constant"},
        "precision": "float64",
        "runs": runs,
    }
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    assert len(data["runs"]) == len(runs)
    for run, spec in zip(data["runs"], runs, strict=True):
        ref = losscape.trajectory(
            "rosenbrock",
            spec["optimizer"],
            start=spec["start"],
            steps=120,
            lr=spec["lr"],
            noise=0.3,
            batch_size=4,
            seed=7,
            tol=1e-9,
            surface_params={"a": 0.5, "b": 20.0},
        )
        assert_run_matches(run, ref, precision="float64")


def test_float32_arrays_are_rounded_and_shorter(client) -> None:
    body = {
        "surface": {"name": "rosenbrock"},
        "steps": 200,
        "runs": [{"optimizer": "gd", "lr": 1e-3}],
    }
    short = client.post("/api/trajectories", json=body)
    long = client.post("/api/trajectories", json={**body, "precision": "float64"})
    assert len(short.content) < 0.75 * len(long.content)
    x32 = short.json()["runs"][0]["x"]
    x64 = long.json()["runs"][0]["x"]
    np.testing.assert_array_equal(f32(x32), f32(x64))
    assert any(a != b for a, b in zip(x32, x64, strict=True))  # really rounded


def test_diverging_run_reports_the_step_and_only_finite_numbers(client) -> None:
    # GD on 0.5 (x^2 + y^2) multiplies x by (1 - lr) each step: lr = 3 doubles |x|.
    body = {
        "surface": {"name": "quadratic"},
        "steps": 500,
        "runs": [{"optimizer": "gd", "lr": 3.0, "start": [1.5, 1.0]}],
    }
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200
    run = strict_json(r.text)["runs"][0]
    assert run["status"] == "diverged"
    ref = losscape.trajectory("quadratic", "gd", lr=3.0, start=(1.5, 1.0), steps=500)
    assert run["stopped_at"] == ref.stopped_at
    assert isinstance(run["stopped_at"], int) and 0 < run["stopped_at"] < 500
    for key in ("x", "y", "loss", "lrs", "avg_x", "avg_y", "avg_loss"):
        assert all(isinstance(v, float) for v in run[key]), key
    assert len(run["x"]) == run["steps_taken"] + 1


def test_loss_bound_divergence_on_rosenbrock(client) -> None:
    body = {
        "surface": {"name": "rosenbrock"},
        "steps": 1000,
        "runs": [{"optimizer": "gd", "lr": 0.05, "start": [-1.5, 2.0]}],
    }
    run = strict_json(client.post("/api/trajectories", json=body).text)["runs"][0]
    ref = losscape.trajectory("rosenbrock", "gd", lr=0.05, start=(-1.5, 2.0), steps=1000)
    assert run["status"] == ref.status == "diverged"
    assert run["stopped_at"] == ref.stopped_at


@pytest.mark.skipif(not EXPRESSIONS_AVAILABLE, reason="typed-in formulas not in this build")
def test_typed_formula_trajectory_equals_python_api(client) -> None:
    surface = {"expression": "(1 - x)**2 + 100*(y - x**2)**2"}
    body = {"surface": surface, "steps": 80, "runs": [{"optimizer": "gd", "lr": 0.001}]}
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200, r.text
    ref = losscape.trajectory(surface, "gd", lr=0.001, steps=80)
    assert_run_matches(strict_json(r.text)["runs"][0], ref)


@pytest.mark.skipif(EXPRESSIONS_AVAILABLE, reason="typed-in formulas are in this build")
def test_typed_formula_without_the_module_is_a_422(client) -> None:
    body = {"surface": {"expression": "x**2"}, "runs": [{"optimizer": "gd"}]}
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "unknown_surface"


@pytest.mark.parametrize("surface", SURFACES)
def test_grid_equals_python_api(client, surface: str) -> None:
    body = {"surface": {"name": surface}, "resolution": 31, "arrows": 5}
    r = client.post("/api/grid", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    ref = losscape.grid(surface, resolution=31, arrows=5)
    np.testing.assert_array_equal(f32(data["x"]), f32(ref.xs))
    np.testing.assert_array_equal(f32(data["y"]), f32(ref.ys))
    z = as_array(data["z"])
    assert z.shape == (31, 31)
    np.testing.assert_array_equal(f32(z), f32(ref.values))
    finite = ref.values[np.isfinite(ref.values)]
    assert data["z_min"] == pytest.approx(finite.min(), rel=0, abs=0)
    assert data["z_max"] == pytest.approx(finite.max(), rel=0, abs=0)
    assert data["log_scale"] == ref.log_scale_suggested
    for key, expected in {
        "x": ref.arrow_x,
        "y": ref.arrow_y,
        "gx": ref.arrow_gx,
        "gy": ref.arrow_gy,
    }.items():
        np.testing.assert_array_equal(f32(data["arrows"][key]), f32(expected))


def test_grid_view_and_rows_over_y(client) -> None:
    body = {"surface": {"name": "rosenbrock"}, "view": [0, 2, 10, 11], "resolution": 3}
    data = client.post("/api/grid", json=body).json()
    assert data["x"] == [0.0, 1.0, 2.0]
    assert data["y"] == [10.0, 10.5, 11.0]
    # z[j][i] = f(x[i], y[j]) = (1 - x)^2 + 100 (y - x^2)^2
    assert data["z"][2][1] == pytest.approx(0 + 100 * (11 - 1) ** 2)
    assert data["z"][0][2] == pytest.approx(1 + 100 * (10 - 4) ** 2)
    assert data["arrows"] == {"x": [], "y": [], "gx": [], "gy": []}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("where", ["critical", "regular"])
def test_hessian_equals_python_api(client, surface: str, where: str) -> None:
    resolved = service.resolve_surface(surface)
    cp = resolved.critical_points[0] if resolved.critical_points else None
    point = [cp.x, cp.y] if where == "critical" and cp is not None else [0.3, 0.2]
    r = client.post("/api/hessian", json={"surface": {"name": surface}, "point": point})
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    ref = losscape.hessian(surface, point)
    assert data["point"] == point
    assert data["value"] == ref.value
    assert data["gradient"] == ref.gradient.tolist()
    assert data["hessian"] == ref.matrix.tolist()
    assert data["eigenvalues"] == ref.eigenvalues.tolist()
    assert data["eigenvectors"] == ref.eigenvectors.T.tolist()  # one row per eigenvalue
    assert data["kind"] == ref.kind
    h = np.array(data["hessian"])
    for lam, v in zip(data["eigenvalues"], data["eigenvectors"], strict=True):
        np.testing.assert_allclose(h @ np.array(v), lam * np.array(v), atol=1e-9 * abs(h).max())


def test_hessian_of_rosenbrock_minimum(client) -> None:
    body = {"surface": {"name": "rosenbrock"}, "point": [1.0, 1.0]}
    data = client.post("/api/hessian", json=body).json()
    # H = [[2 + 1200 x^2 - 400 y, -400 x], [-400 x, 200]] = [[802, -400], [-400, 200]]
    np.testing.assert_allclose(data["hessian"], [[802, -400], [-400, 200]], rtol=1e-6)
    assert data["kind"] == "minimum"
    assert data["eigenvalues"][0] < data["eigenvalues"][1]


@pytest.mark.skipif(not EXPRESSIONS_AVAILABLE, reason="typed-in formulas not in this build")
def test_typed_formula_error_has_column_and_token(client) -> None:
    r = client.post("/api/grid", json={"surface": {"expression": "x**2 + foo(y)"}})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body"]
    assert detail["type"] == "expression_error"
    assert detail["token"] == "foo"
    assert detail["column"] == 8  # 1-based, where "foo" starts


@pytest.mark.skipif(not EXPRESSIONS_AVAILABLE, reason="typed-in formulas not in this build")
def test_grid_of_a_formula_undefined_somewhere_has_nulls(client) -> None:
    body = {
        "surface": {"expression": "log(x) + y**2", "view": [-1, 1, -1, 1]},
        "resolution": 5,
        "view": [-1, 1, -1, 1],
    }
    r = client.post("/api/grid", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    for row in data["z"]:
        # x = -1, -0.5 undefined (log of a negative), x = 0 undefined (log 0 = -inf)
        assert row[:3] == [None, None, None]
        assert all(isinstance(v, float) for v in row[3:])
    assert data["z_min"] == pytest.approx(np.log(0.5))
    assert data["z_max"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("patch", "loc", "msg"),
    [
        (
            {"runs": [{"optimizer": "momentum", "hyperparams": {"mu": 0.5}}]},
            ["body", "runs", 0, "momentum", "hyperparams", "mu"],
            "unknown parameter 'mu' for momentum; valid: momentum, dampening, weight_decay, "
            "nesterov",
        ),
        (
            {"surface": {"name": "rosenbrock", "params": {"c": 1}}},
            ["body", "surface", "rosenbrock", "params", "c"],
            "unknown parameter 'c' for rosenbrock; valid: a, b",
        ),
        (
            {"schedule": {"name": "step", "params": {"decay": 0.5}}},
            ["body", "schedule", "step", "params", "decay"],
            "unknown parameter 'decay' for schedule step; valid: step_size, gamma",
        ),
        (
            {"stepz": 10},
            ["body", "stepz"],
            "unknown field 'stepz'; valid: surface, steps, schedule, noise, batch_size, seed, "
            "tol, precision, runs, points, fields, record_state",
        ),
    ],
)
def test_unknown_fields_are_422_naming_the_valid_ones(client, patch, loc, msg) -> None:
    body = {"surface": {"name": "quadratic"}, "runs": [{"optimizer": "gd"}], **patch}
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert (err["loc"], err["msg"], err["type"]) == (loc, msg, "extra_forbidden")


def test_record_state_returns_the_python_apis_state_at_the_kept_points(client) -> None:
    body = {"surface": {"name": "rosenbrock"}, "steps": 400, "tol": 0, "points": 51,
            "record_state": True, "precision": "float64",
            "runs": [{"optimizer": "adam", "lr": 0.02, "start": [-1.5, 2]},
                     {"optimizer": "heavy_ball", "lr": 1e-4, "start": [-1.5, 2]},
                     {"optimizer": "gd", "lr": 1e-4, "start": [-1.5, 2]}]}  # fmt: skip
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200, r.text
    adam, heavy, gd = strict_json(r.text)["runs"]
    ref = losscape.trajectory("rosenbrock", "adam", lr=0.02, start=(-1.5, 2), steps=400, tol=0,
                              record_state=True)  # fmt: skip
    idx = adam["index"]
    assert len(idx) == 51 and idx[-1] == 400
    assert set(adam["state"]) == {"m", "v", "m_hat", "v_hat", "step_scale", "velocity"}
    for name, rows in adam["state"].items():
        np.testing.assert_array_equal(np.array(rows), ref.state.quantities[name][idx].T)
    assert set(heavy["state"]) == {"velocity"} and gd["state"] == {}
    plain = client.post("/api/trajectories", json={**body, "record_state": False}).json()
    assert "state" not in plain["runs"][0]


def test_record_state_is_bounded_and_the_422_says_how_to_fit(client) -> None:
    body = {"surface": {"name": "rosenbrock"}, "steps": 20_000, "record_state": True,
            "runs": [{"optimizer": "adam"}] * 16}  # fmt: skip
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 422
    msg = r.json()["detail"][0]["msg"]
    assert "at most 1,000,000" in msg and "pass points <= 4464" in msg
    assert client.post("/api/trajectories", json={**body, "points": 4464}).status_code == 200


@pytest.mark.skipif(not EXPRESSIONS_AVAILABLE, reason="needs losscape.expressions")
def test_formula_parameters_over_rest_equal_the_python_api(client) -> None:
    from losscape.api.schemas import builders as b
    from losscape.expressions import lexer

    assert (b.MAX_FORMULA_PARAMS, b.MAX_FORMULA_PARAM_NAME, b.MAX_FORMULA_PARAM_VALUE) == (
        lexer.MAX_PARAMS,
        lexer.MAX_PARAM_NAME,
        lexer.MAX_PARAM_VALUE,
    )
    surface = {"expression": "a*x**2 + b*y**2", "params": {"a": 1, "b": 10}}
    body = {"surface": surface, "steps": 30, "precision": "float64",
            "runs": [{"optimizer": "gd", "lr": 0.05, "start": [1, 1]}]}  # fmt: skip
    r = client.post("/api/trajectories", json=body)
    assert r.status_code == 200, r.text
    data = strict_json(r.text)
    assert data["surface"]["params"] == {"a": 1.0, "b": 10.0}
    ref = losscape.trajectory(surface, "gd", lr=0.05, steps=30, start=(1, 1))
    assert_run_matches(data["runs"][0], ref, "float64")
    bad = {**body, "surface": {**surface, "params": {"a": 1, "c": 2}}}
    r = client.post("/api/trajectories", json=bad)
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "unknown parameter 'c'; the formula's parameters: a, b"
    nan = '{"surface": {"expression": "a*x", "params": {"a": NaN}}, "runs": [{"optimizer": "gd"}]}'
    r = client.post("/api/trajectories", content=nan, headers={"content-type": "application/json"})
    assert r.status_code == 422
