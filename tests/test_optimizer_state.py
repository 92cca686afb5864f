"""Optimizer state along a run: the replay against the kernel's path, a plain numpy reference
and the update rules' own consequences (a velocity is the displacement it causes)."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape import service
from losscape.numerics.registry import optimizer_spec
from losscape.optimizer_state import replay_points_and_state

START = (-1.2, 1.4)
STATEFUL = [
    ("momentum", {}),
    ("momentum", {"dampening": 0.3, "weight_decay": 0.01}),
    ("nesterov", {}),
    ("heavy_ball", {"momentum": 0.8}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.02}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.5}),
    ("rmsprop_lecture", {}),
    ("adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.1}),
]
LRS = {"momentum": 1e-3, "nesterov": 1e-3, "heavy_ball": 1e-3, "adagrad": 0.1}


def rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    """(n, 2) gradients of (1 - x)^2 + 100 (y - x^2)^2, written out here."""
    x, y = p[:, 0], p[:, 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=1)


def reference(name: str, hp: dict[str, float], path: np.ndarray, lrs: np.ndarray) -> dict:
    """The named quantities, from the update rules as torch.optim's documentation states them."""
    n = path.shape[0] - 1
    grads = rosenbrock_grad(path[:n])
    rows: dict[str, list[np.ndarray]] = {}

    def keep(**named: np.ndarray) -> None:
        for k, v in named.items():
            rows.setdefault(k, []).append(np.array(v, dtype=float))

    z = np.zeros(2)
    b, p, m, v, vmax, s, mg = z, z, z, z, z, z, z
    if name == "adagrad":
        s = np.full(2, hp["initial_accumulator_value"])
    for t in range(1, n + 1):
        g, th, lr = grads[t - 1], path[t - 1], lrs[t - 1]
        if name in ("momentum", "nesterov"):
            g = g + hp["weight_decay"] * th
            b = g if t == 1 else hp["momentum"] * b + (1 - hp["dampening"]) * g
            keep(buffer=b, velocity=-lr * b)
        elif name == "heavy_ball":
            p = hp["momentum"] * p - lr * g
            keep(velocity=p)
        elif name in ("adam", "adamw"):
            if name == "adam":
                g = g + hp["weight_decay"] * th
            m = hp["beta1"] * m + (1 - hp["beta1"]) * g
            v = hp["beta2"] * v + (1 - hp["beta2"]) * g * g
            vmax = np.maximum(vmax, v)
            m_hat = m / (1 - hp["beta1"] ** t)
            v_hat = (vmax if hp["amsgrad"] else v) / (1 - hp["beta2"] ** t)
            keep(m=m, v=v, m_hat=m_hat, v_hat=v_hat, velocity=-lr * m_hat,
                 step_scale=lr / (np.sqrt(v_hat) + hp["eps"]))  # fmt: skip
            if hp["amsgrad"]:
                keep(v_max=vmax)
        elif name == "rmsprop":
            s = hp["alpha"] * s + (1 - hp["alpha"]) * g * g
            mg = hp["alpha"] * mg + (1 - hp["alpha"]) * g
            denom = np.sqrt(s - mg * mg if hp["centered"] else s) + hp["eps"]
            keep(square_avg=s, step_scale=lr / denom)
            if hp["centered"]:
                keep(grad_avg=mg)
            if hp["momentum"]:
                b = hp["momentum"] * b + g / denom
                keep(buffer=b, velocity=-lr * b)
        elif name == "rmsprop_lecture":
            s = (1 - hp["gamma"]) * s + hp["gamma"] * g * g
            keep(square_avg=s, step_scale=lr / np.sqrt(s + hp["eps"]))
        elif name == "adagrad":
            s = s + g * g
            keep(
                sum_sq=s, step_scale=lr / (1 + (t - 1) * hp["lr_decay"]) / (np.sqrt(s) + hp["eps"])
            )
    return {k: np.array(v) for k, v in rows.items()}


def _run(name: str, hp: dict, **kw) -> losscape.Trajectory:
    return losscape.trajectory(
        "rosenbrock", name, start=START, steps=150, lr=LRS.get(name), record_state=True,
        **hp, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(("name", "hp"), STATEFUL)
def test_replayed_points_are_the_kernels_bit_for_bit(name, hp):
    # Noise and a schedule too: the replay must draw the kernel's noise and use its lrs.
    run = _run(name, hp, noise=0.5, seed=11, schedule="cosine")
    spec = optimizer_spec(name)
    hpv = service._hyperparams(spec, hp)
    points, _ = replay_points_and_state(
        service.resolve_surface("rosenbrock"), spec, hpv, run.path, run.lrs, 0.5, 11
    )
    assert run.steps_taken > 10
    np.testing.assert_array_equal(points, run.path)


@pytest.mark.parametrize(("name", "hp"), STATEFUL)
def test_state_matches_a_plain_numpy_reference(name, hp):
    run = _run(name, hp, schedule="cosine")
    full_hp = run.hyperparams
    ref = reference(name, full_hp, run.path, run.lrs)
    q = run.state.quantities
    assert sorted(q) == sorted(ref)
    for key, rows in ref.items():
        assert q[key].shape == (run.steps_taken + 1, 2)
        np.testing.assert_allclose(q[key][1:], rows, rtol=1e-9, atol=1e-12, err_msg=key)


def test_initial_row_is_the_state_before_any_step():
    q = _run("adagrad", {"initial_accumulator_value": 0.1}).state.quantities
    np.testing.assert_array_equal(q["sum_sq"][0], [0.1, 0.1])
    np.testing.assert_array_equal(q["step_scale"][0], [0.0, 0.0])
    v = _run("momentum", {}).state.velocity
    assert v[0].tolist() == [0.0, 0.0] and not np.signbit(v[0]).any()


@pytest.mark.parametrize("name", ["heavy_ball", "momentum"])
def test_velocity_is_the_displacement_it_causes(name):
    # theta <- theta + p (lecture), theta <- theta - lr b (torch, constant lr): the arrow
    # drawn at point t points to point t exactly where the run went.
    run = _run(name, {})
    np.testing.assert_allclose(run.state.velocity[1:], np.diff(run.path, axis=0), rtol=1e-9,
                               atol=1e-15)  # fmt: skip


def test_adam_steps_by_step_scale_times_m_hat():
    run = _run("adam", {})
    q = run.state.quantities
    np.testing.assert_allclose(np.diff(run.path, axis=0), -(q["step_scale"] * q["m_hat"])[1:],
                               rtol=1e-9, atol=1e-15)  # fmt: skip


def test_adagrad_step_scales_only_fall():
    scale = _run("adagrad", {}).state.step_scale[1:]
    assert np.all(np.diff(scale, axis=0) <= 0)


def test_stateless_optimizers_and_the_default():
    assert _run("gd", {}).state.quantities == {}
    assert _run("newton", {}).state.quantities == {}
    assert losscape.trajectory("rosenbrock", "adam", steps=5).state is None


def test_formula_surfaces_replay_too():
    run = losscape.trajectory({"expression": "x**2 + 10*y**2"}, "heavy_ball", start=(1, 1),
                              steps=40, lr=0.01, record_state=True)  # fmt: skip
    np.testing.assert_allclose(run.state.velocity[1:], np.diff(run.path, axis=0), atol=1e-15)


def test_python_functions_refuse_record_state():
    with pytest.raises(ValueError, match="record_state needs a catalogue surface"):
        losscape.trajectory(lambda x, y: x * x + y * y, "adam", start=(1, 1), record_state=True)
