"""Optimizer kernels against plain-numpy references, torch.optim and the lecture's formulas.

Kernels are driven the way the trajectory kernel drives them: ``optimizer_init``
once, then ``optimizer_step`` with t = 1, 2, ... (``newton_step`` with the
Hessian for Newton). Gradients come from numpy formulas written here, so a
difference can only come from the optimizer.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

import numpy as np
import pytest

import losscape
from losscape.numerics import optimizers
from losscape.numerics.optimizers import (
    MAX_STATE_SLOTS,
    NEWTON_ID,
    OPTIMIZERS,
    newton_step,
    optimizer_init,
    optimizer_step,
)
from losscape.numerics.specs import OptimizerSpec

SPECS: dict[str, OptimizerSpec] = {s.name: s for s in OPTIMIZERS}
NAMES = [s.name for s in OPTIMIZERS]
STEPS = 500
RTOL = 1e-10

# --------------------------------------------------------------------------- surfaces (numpy)

Surface = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


def rosenbrock(th: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(1 - x)^2 + 100 (y - x^2)^2: value, gradient (2,), Hessian (2, 2)."""
    x, y = th
    r = y - x * x
    g = np.array([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r])
    h = np.array([[2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x], [-400.0 * x, 200.0]])
    return (1.0 - x) ** 2 + 100.0 * r * r, g, h


def beale(th: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """sum_i (c_i - x + x y^i)^2, c = (1.5, 2.25, 2.625): value, gradient, Hessian."""
    x, y = th
    i = np.arange(1.0, 4.0)
    c = np.array([1.5, 2.25, 2.625])
    r = c - x + x * y**i
    rx = y**i - 1.0  # dr/dx
    ry = i * x * y ** (i - 1.0)  # dr/dy
    ryy = i * (i - 1.0) * x * y ** np.maximum(i - 2.0, 0.0)
    rxy = i * y ** (i - 1.0)
    g = np.array([np.sum(2 * r * rx), np.sum(2 * r * ry)])
    hxy = np.sum(2 * (rx * ry + r * rxy))
    h = np.array([[np.sum(2 * rx * rx), hxy], [hxy, np.sum(2 * (ry * ry + r * ryy))]])
    return float(np.sum(r * r)), g, h


_A5 = np.array(
    [
        [4.0, 1.0, 0.0, 0.5, 0.0],
        [1.0, 3.0, 0.2, 0.0, 0.0],
        [0.0, 0.2, 2.0, 0.3, 0.1],
        [0.5, 0.0, 0.3, 1.0, 0.0],
        [0.0, 0.0, 0.1, 0.0, 0.5],
    ]
)


def quadratic5(th: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """0.5 th^T A th - 1^T th in 5-D: the optimizers also serve networks' (n,) parameters."""
    g = _A5 @ th - 1.0
    return float(0.5 * th @ _A5 @ th - th.sum()), g, _A5


SURFACES: dict[str, tuple[Surface, tuple[float, ...]]] = {
    "rosenbrock": (rosenbrock, (-1.5, 2.0)),
    "beale": (beale, (1.0, 1.5)),
    "quadratic5": (quadratic5, (1.0, -1.0, 0.5, 2.0, -0.5)),
}


@pytest.mark.parametrize("name", ["rosenbrock", "beale"])
def test_test_surfaces_gradients_and_hessians(name: str) -> None:
    """The numpy formulas above are right (central differences), so references can lean on them."""
    f, _ = SURFACES[name]
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = rng.uniform(-2.0, 2.0, 2)
        _, g, h = f(p)
        for j in range(2):
            e = np.zeros(2)
            e[j] = 1e-6
            np.testing.assert_allclose(
                g[j], (f(p + e)[0] - f(p - e)[0]) / 2e-6, rtol=1e-6, atol=1e-5
            )
            np.testing.assert_allclose(
                h[:, j], (f(p + e)[1] - f(p - e)[1]) / 2e-6, rtol=1e-6, atol=1e-4
            )
    assert beale(np.array([3.0, 0.5]))[0] == 0.0


# --------------------------------------------------------------------------- runs

# Learning rates per optimizer and surface: runs that move a long way in 500
# steps without blowing up, and that are not chaotic (a 1-ulp nudge of the start
# stays below 1e-12 relative), so agreement to 1e-10 tests the formulas.
LRS: dict[str, dict[str, float]] = {
    "gd": {"rosenbrock": 5e-4, "beale": 1e-3, "quadratic5": 0.1},
    "momentum": {"rosenbrock": 1e-4, "beale": 1e-4, "quadratic5": 0.02},
    "nesterov": {"rosenbrock": 1e-4, "beale": 1e-4, "quadratic5": 0.02},
    "heavy_ball": {"rosenbrock": 1e-4, "beale": 1e-4, "quadratic5": 0.02},
    "adagrad": {"rosenbrock": 0.1, "beale": 0.1, "quadratic5": 0.1},
    "rmsprop": {"rosenbrock": 1e-3, "beale": 1e-3, "quadratic5": 1e-3},
    "rmsprop_lecture": {"rosenbrock": 1e-3, "beale": 1e-3, "quadratic5": 1e-3},
    "adam": {"rosenbrock": 0.01, "beale": 0.01, "quadratic5": 0.01},
    "newton": {"rosenbrock": 1.0, "beale": 0.5, "quadratic5": 1.0},
    "adamw": {"rosenbrock": 0.01, "beale": 0.01, "quadratic5": 0.01},
}

# Non-default settings of every hyperparameter, per optimizer.
CUSTOM: dict[str, dict[str, float]] = {
    "gd": {"weight_decay": 0.1},
    "momentum": {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05},
    "nesterov": {"momentum": 0.7, "weight_decay": 0.02},
    "heavy_ball": {"momentum": 0.6},
    "adagrad": {
        "lr_decay": 0.01,
        "weight_decay": 0.05,
        "initial_accumulator_value": 0.5,
        "eps": 1e-6,
    },
    "rmsprop": {"alpha": 0.999, "eps": 1e-3, "weight_decay": 0.02, "momentum": 0.3, "centered": 1},
    "rmsprop_lecture": {"gamma": 0.001, "eps": 1e-4},
    "adam": {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05, "amsgrad": 1},
    "newton": {"damping": 1.0},
    "adamw": {"beta1": 0.85, "beta2": 0.995, "eps": 1e-7, "weight_decay": 0.1, "amsgrad": 1},
}


def hp_dict(spec: OptimizerSpec, given: dict[str, float]) -> dict[str, float]:
    """Every hyperparameter by name, defaults filled in; unknown names are a test bug."""
    names = [p.name for p in spec.hyperparams]
    assert set(given) <= set(names), (spec.name, sorted(set(given) - set(names)))
    return {p.name: float(given.get(p.name, p.default)) for p in spec.hyperparams}


def hp_array(spec: OptimizerSpec, given: dict[str, float]) -> np.ndarray:
    values = list(hp_dict(spec, given).values())
    return np.array(values or [0.0], dtype=np.float64)


def run_kernel(
    name: str, surface: str, lr: float | np.ndarray, given: dict[str, float], steps: int = STEPS
) -> np.ndarray:
    """Iterates (steps + 1, n) of the numba kernel; ``lr`` a scalar or one per step."""
    spec = SPECS[name]
    f, start = SURFACES[surface]
    hp = hp_array(spec, given)
    lrs = np.broadcast_to(np.asarray(lr, dtype=np.float64), (steps,))
    theta = np.array(start, dtype=np.float64)
    state = np.zeros((MAX_STATE_SLOTS, theta.shape[0]))
    optimizer_init(spec.id, state, hp)
    out = np.empty((steps + 1, theta.shape[0]))
    out[0] = theta
    for t in range(1, steps + 1):
        _, g, h = f(theta)
        if spec.id == NEWTON_ID:
            newton_step(theta, g, np.ascontiguousarray(h), lrs[t - 1], hp)
        else:
            optimizer_step(spec.id, theta, g, state, t, lrs[t - 1], hp)
        out[t] = theta
    return out


def assert_paths_close(got: np.ndarray, want: np.ndarray, rtol: float = RTOL) -> None:
    """Step for step: ||got_k - want_k||_inf <= rtol ||want_k||_inf for every k."""
    assert got.shape == want.shape
    assert np.all(np.isfinite(want))
    err = np.max(np.abs(got - want), axis=1)
    scale = np.max(np.abs(want), axis=1)
    worst = int(np.argmax(err / scale))
    assert np.all(err <= rtol * scale), (
        f"step {worst}: {got[worst]} vs {want[worst]}, relative {err[worst] / scale[worst]:.2e}"
    )


# --------------------------------------------------------------------------- numpy references
# Written from torch.optim's documented algorithms (and the lecture's slides),
# vectorised, with named hyperparameters: a wrong order in a spec's ``hp`` shows.

State = dict[str, np.ndarray]


def ref_sgd(
    th, g, h, st: State, t, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=0.0
):
    g = g + weight_decay * th
    if momentum != 0.0:
        st["b"] = g.copy() if t == 1 else momentum * st["b"] + (1.0 - dampening) * g
        g = g + momentum * st["b"] if nesterov else st["b"]
    return th - lr * g


def ref_heavy_ball(th, g, h, st: State, t, lr, momentum):
    st["p"] = momentum * st.get("p", np.zeros_like(th)) - lr * g
    return th + st["p"]


def ref_adagrad(th, g, h, st: State, t, lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    g = g + weight_decay * th
    st["s"] = st.get("s", np.full_like(th, initial_accumulator_value)) + g * g
    return th - lr / (1.0 + (t - 1) * lr_decay) * g / (np.sqrt(st["s"]) + eps)


def ref_rmsprop(th, g, h, st: State, t, lr, alpha, eps, weight_decay, momentum, centered):
    g = g + weight_decay * th
    zero = np.zeros_like(th)
    st["s"] = alpha * st.get("s", zero) + (1.0 - alpha) * g * g
    if centered:
        st["m"] = alpha * st.get("m", zero) + (1.0 - alpha) * g
        denom = np.sqrt(st["s"] - st["m"] ** 2) + eps
    else:
        denom = np.sqrt(st["s"]) + eps
    if momentum > 0.0:
        st["b"] = momentum * st.get("b", zero) + g / denom
        return th - lr * st["b"]
    return th - lr * g / denom


def ref_rmsprop_lecture(th, g, h, st: State, t, lr, gamma, eps):
    st["s"] = (1.0 - gamma) * st.get("s", np.zeros_like(th)) + gamma * g**2
    return th - lr / np.sqrt(st["s"] + eps) * g


def ref_adam(th, g, h, st: State, t, lr, beta1, beta2, eps, weight_decay, amsgrad, decoupled=False):
    if decoupled:
        th = th * (1.0 - lr * weight_decay)
    else:
        g = g + weight_decay * th
    zero = np.zeros_like(th)
    st["m"] = beta1 * st.get("m", zero) + (1.0 - beta1) * g
    st["v"] = beta2 * st.get("v", zero) + (1.0 - beta2) * g * g
    v = st["v"]
    if amsgrad:
        st["vmax"] = v = np.maximum(st.get("vmax", zero), v)
    m_hat = st["m"] / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return th - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_adamw(th, g, h, st: State, t, lr, **hp):
    return ref_adam(th, g, h, st, t, lr, decoupled=True, **hp)


def ref_newton(th, g, h, st: State, t, lr, damping):
    return th - lr * np.linalg.solve(h + damping * np.eye(2), g)


REFERENCES: dict[str, Callable[..., np.ndarray]] = {
    "gd": ref_sgd,
    "momentum": ref_sgd,
    "nesterov": ref_sgd,
    "heavy_ball": ref_heavy_ball,
    "adagrad": ref_adagrad,
    "rmsprop": ref_rmsprop,
    "rmsprop_lecture": ref_rmsprop_lecture,
    "adam": ref_adam,
    "newton": ref_newton,
    "adamw": ref_adamw,
}


def run_reference(name: str, surface: str, lr: float, given: dict[str, float]) -> np.ndarray:
    f, start = SURFACES[surface]
    hp = hp_dict(SPECS[name], given)
    th = np.array(start, dtype=np.float64)
    st: State = {}
    out = [th]
    for t in range(1, STEPS + 1):
        _, g, h = f(th)
        th = REFERENCES[name](th, g, h, st, t, lr, **hp)
        out.append(th)
    return np.array(out)


# --------------------------------------------------------------------------- registry


def test_registry_names_and_ids() -> None:
    expected = [
        "gd", "momentum", "nesterov", "heavy_ball", "adagrad", "rmsprop", "rmsprop_lecture",
        "adam", "newton", "adamw",
    ]  # fmt: skip
    assert {s.id: s.name for s in OPTIMIZERS} == dict(enumerate(expected))
    assert SPECS["newton"].id == NEWTON_ID and SPECS["newton"].surfaces_only
    assert MAX_STATE_SLOTS == max(s.state_slots for s in OPTIMIZERS) == 3


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_complete(name: str) -> None:
    """Every optimizer in the registry: bounds, kinds, docs; a reference, lrs and settings here."""
    spec = SPECS[name]
    assert name in REFERENCES and name in LRS and name in CUSTOM, f"add test data for {name}"
    assert spec.update and spec.title and spec.description
    assert 0 < spec.lr_min <= spec.lr_default <= spec.lr_max
    assert 0 <= spec.state_slots <= MAX_STATE_SLOTS
    assert len({p.name for p in spec.hyperparams}) == len(spec.hyperparams)
    for p in spec.hyperparams:
        assert p.kind in ("float", "int", "bool")
        assert p.min <= p.default <= p.max, p
        assert p.description
        if p.kind == "bool":
            assert (p.min, p.max) == (0.0, 1.0) and p.default in (0.0, 1.0)
        if p.log:
            assert p.min > 0.0
    for pname, value in CUSTOM[name].items():
        p = next(q for q in spec.hyperparams if q.name == pname)
        assert p.min <= value <= p.max and value != p.default, (pname, value)


@pytest.mark.parametrize("name", NAMES)
def test_state_stays_within_declared_slots(name: str) -> None:
    """A kernel touches only its ``state_slots`` rows (the rest stay zero)."""
    spec = SPECS[name]
    if spec.surfaces_only:
        pytest.skip("no state: takes the Hessian instead")
    hp = hp_array(spec, CUSTOM[name])
    theta = np.array([-1.5, 2.0])
    state = np.zeros((MAX_STATE_SLOTS, 2))
    optimizer_init(spec.id, state, hp)
    for t in range(1, 51):
        optimizer_step(spec.id, theta, rosenbrock(theta)[1], state, t, 1e-4, hp)
    assert np.all(state[spec.state_slots :] == 0.0)
    if spec.state_slots:
        assert np.any(state[: spec.state_slots] != 0.0)


@pytest.mark.parametrize("name", NAMES)
def test_default_lr_descends_the_bowl(name: str) -> None:
    """lr_default is sensible: 200 steps on 0.5 (x^2 + y^2) from (1.5, 1) shrink the loss 10x."""
    t = losscape.trajectory("quadratic", name, start=(1.5, 1.0), steps=200, tol=0.0)
    assert t.status in ("done", "converged")
    assert t.loss[-1] < 0.1 * t.loss[0]


# --------------------------------------------------------------------------- numpy references


@pytest.mark.parametrize("setting", ["default", "custom"])
@pytest.mark.parametrize("surface", ["rosenbrock", "beale", "quadratic5"])
@pytest.mark.parametrize("name", NAMES)
def test_matches_numpy_reference(name: str, surface: str, setting: str) -> None:
    if SPECS[name].surfaces_only and surface == "quadratic5":
        pytest.skip("Newton steps 2-D surfaces only")
    given = CUSTOM[name] if setting == "custom" else {}
    lr = LRS[name][surface]
    want = run_reference(name, surface, lr, given)
    got = run_kernel(name, surface, lr, given)
    assert_paths_close(got, want)
    # The run goes somewhere: a reference match of a run that never moved proves nothing.
    assert np.max(np.abs(want[-1] - want[0])) > 0.05


def test_kernel_does_not_write_the_gradient() -> None:
    for spec in OPTIMIZERS:
        if spec.surfaces_only:
            continue
        hp = hp_array(spec, CUSTOM[spec.name])
        g = np.array([0.3, -0.7])
        state = np.zeros((MAX_STATE_SLOTS, 2))
        optimizer_init(spec.id, state, hp)
        for t in (1, 2):
            optimizer_step(spec.id, np.array([1.0, 2.0]), g, state, t, 0.1, hp)
        assert g.tolist() == [0.3, -0.7], spec.name


def test_adagrad_initial_accumulator_is_state() -> None:
    spec = SPECS["adagrad"]
    state = np.zeros((MAX_STATE_SLOTS, 3))
    optimizer_init(spec.id, state, hp_array(spec, {"initial_accumulator_value": 0.25}))
    assert state[0].tolist() == [0.25] * 3 and not state[1:].any()


def test_zero_gradient_coordinate_stays_put() -> None:
    """A 1-D surface's y has gradient 0 forever: without weight decay nothing moves it (no 0/0)."""
    for spec in OPTIMIZERS:
        no_decay = {"weight_decay": 0.0} if "weight_decay" in hp_dict(spec, {}) else {}
        hp = hp_array(spec, no_decay)
        theta = np.array([1.0, 0.25])
        state = np.zeros((MAX_STATE_SLOTS, 2))
        optimizer_init(spec.id, state, hp)
        for t in range(1, 20):
            g = np.array([theta[0], 0.0])
            if spec.id == NEWTON_ID:
                newton_step(theta, g, np.array([[1.0, 0.0], [0.0, 0.0]]), 0.5, hp)
            else:
                optimizer_step(spec.id, theta, g, state, t, 0.05, hp)
        assert theta[1] == 0.25 and math.isfinite(theta[0]) and abs(theta[0]) < 1.0, spec.name


# --------------------------------------------------------------------------- the lecture's forms


def test_heavy_ball_equals_torch_momentum_at_constant_lr() -> None:
    """p <- mu p - alpha g; theta <- theta + p is torch's SGD momentum with p = -alpha b."""
    for surface in ("rosenbrock", "beale"):
        lecture = run_kernel("heavy_ball", surface, 1e-4, {"momentum": 0.9})
        torch_form = run_kernel("momentum", surface, 1e-4, {"momentum": 0.9})
        assert_paths_close(lecture, torch_form)


def test_heavy_ball_differs_from_torch_momentum_when_lr_changes() -> None:
    """On a plane (g constant) both reach the velocity -alpha g / (1 - mu); then alpha drops 10x.

    torch's step is lr * b, so it shrinks 10x at once; the lecture's velocity
    keeps its old alpha inside p and shrinks only to mu + 0.1 (1 - mu) = 0.91 of
    itself, decaying geometrically after. torch's form is what users of
    schedulers run, so it is the form the kernels match.
    """
    mu, lr = 0.9, 0.1
    g = np.array([1.0, -2.0])
    lrs = np.where(np.arange(300) < 200, lr, lr / 10)
    steps = {}
    for name in ("heavy_ball", "momentum"):
        spec = SPECS[name]
        hp = hp_array(spec, {"momentum": mu})
        theta = np.zeros(2)
        state = np.zeros((MAX_STATE_SLOTS, 2))
        optimizer_init(spec.id, state, hp)
        path = [theta.copy()]
        for t in range(1, 301):
            optimizer_step(spec.id, theta, g, state, t, lrs[t - 1], hp)
            path.append(theta.copy())
        steps[name] = np.diff(np.array(path), axis=0)
    terminal = -lr / (1 - mu) * g  # the lecture's terminal velocity
    k = np.arange(1, 201)[:, None]
    for name in steps:  # step t: terminal (1 - mu^t), the same for both forms
        np.testing.assert_allclose(steps[name][:200], terminal * (1 - mu**k), rtol=1e-12)
    np.testing.assert_allclose(steps["momentum"][200:], np.tile(terminal / 10, (100, 1)), rtol=1e-9)
    # Lecture form after the drop: terminal (0.1 + 0.9 mu^(k+1)); 0.91 of itself first.
    k = np.arange(100)[:, None]
    np.testing.assert_allclose(
        steps["heavy_ball"][200:], terminal * (0.1 + 0.9 * mu ** (k + 1)), rtol=1e-9
    )
    gap = np.max(np.abs(np.cumsum(steps["heavy_ball"] - steps["momentum"], axis=0)))
    assert gap > 1.0  # the paths part for good: the lecture's form overshoots by sum mu^k


def test_rmsprop_lecture_equals_torch_rmsprop_with_eps_zero() -> None:
    """s <- (1 - gamma) s + gamma g^2, alpha g / sqrt(s) is RMSprop with alpha = 1 - gamma.

    gamma = 0.01 is torch's default alpha = 0.99.
    """
    gamma = 0.01
    for surface in ("rosenbrock", "beale"):
        lecture = run_kernel("rmsprop_lecture", surface, 1e-3, {"gamma": gamma, "eps": 0.0})
        torch_form = run_kernel("rmsprop", surface, 1e-3, {"alpha": 1 - gamma, "eps": 0.0})
        assert_paths_close(lecture, torch_form)
        assert np.max(np.abs(lecture[-1] - lecture[0])) > 0.1


def test_rmsprop_lecture_eps_inside_the_root() -> None:
    """With s = 0 after a zero gradient the lecture's step is g / sqrt(eps), torch's g / eps."""
    theta = np.array([0.0, 0.0])
    state = np.zeros((MAX_STATE_SLOTS, 2))
    spec = SPECS["rmsprop_lecture"]
    hp = hp_array(spec, {"gamma": 1.0, "eps": 0.01})
    optimizer_step(spec.id, theta, np.array([0.0, 3.0]), state, 1, 0.1, hp)
    # gamma = 1: s = g^2 = 9, step = 0.1 * 3 / sqrt(9.01)
    np.testing.assert_allclose(theta, [0.0, -0.3 / math.sqrt(9.01)], rtol=1e-15)


# --------------------------------------------------------------------------- Newton


def test_newton_lands_on_the_quadratic_minimum_in_one_step() -> None:
    """f = 0.5 th^T A th - b^T th, g = A th - b: one step with lr 1 lands on A^-1 b."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        m = rng.normal(size=(2, 2))
        a = m @ m.T + 0.1 * np.eye(2)
        b = rng.normal(size=2)
        theta = rng.normal(size=2) * 5
        newton_step(theta, a @ theta - b, a, 1.0, np.array([0.0]))
        np.testing.assert_allclose(theta, np.linalg.solve(a, b), rtol=1e-10, atol=1e-12)


def test_newton_lands_on_a_saddle_too() -> None:
    """Newton seeks a critical point of the model, not a minimum: x^2 - y^2 lands on (0, 0)."""
    theta = np.array([0.7, -1.3])
    h = np.array([[2.0, 0.0], [0.0, -2.0]])
    newton_step(theta, h @ theta, h, 1.0, np.array([0.0]))
    assert theta.tolist() == [0.0, 0.0]


def test_newton_damping() -> None:
    h = np.array([[3.0, 1.0], [1.0, 2.0]])
    g = np.array([1.0, -1.0])
    theta = np.array([0.5, 0.5])
    newton_step(theta, g, h, 0.5, np.array([4.0]))
    np.testing.assert_allclose(theta, [0.5, 0.5] - 0.5 * np.linalg.solve(h + 4 * np.eye(2), g))


@pytest.mark.parametrize(
    "hess",
    [
        [[0.0, 0.0], [0.0, 0.0]],
        [[1.0, 1.0], [1.0, 1.0]],
        [[math.nan, 0.0], [0.0, 1.0]],
        [[math.inf, 1.0], [1.0, 1.0]],
        [[1e-300, 0.0], [0.0, 1e-300]],  # finite but the step overflows
    ],
)
def test_newton_falls_back_to_a_gradient_step(hess: list[list[float]]) -> None:
    theta = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    newton_step(theta, g, np.array(hess), 0.1, np.array([0.0]))
    assert theta.tolist() == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25]


def test_newton_on_a_1d_surface() -> None:
    """A 1-D surface: hess[1, 1] == 0 and gy == 0; the step is 1-D Newton in x, y untouched."""
    theta = np.array([3.0, 0.7])
    newton_step(
        theta, np.array([4.0, 0.0]), np.array([[2.0, 0.0], [0.0, 0.0]]), 1.0, np.array([0.0])
    )
    assert theta.tolist() == [1.0, 0.7]
    # Damping keeps the 2x2 system regular; y still does not move.
    newton_step(
        theta, np.array([1.0, 0.0]), np.array([[2.0, 0.0], [0.0, 0.0]]), 1.0, np.array([1.0])
    )
    np.testing.assert_allclose(theta, [1.0 - 1.0 / 3.0, 0.7])


def test_newton_through_the_trajectory_kernel() -> None:
    """One Newton step on the bowl reaches its minimum; Rosenbrock converges in a few steps."""
    t = losscape.trajectory("quadratic", "newton", start=(1.5, 1.0), steps=1, lr=1.0)
    np.testing.assert_allclose(t.path[1], [0.0, 0.0], atol=1e-8)
    t = losscape.trajectory("rosenbrock", "newton", start=(-1.5, 2.0), steps=50, lr=1.0)
    assert t.status == "converged" and t.stopped_at is not None and t.stopped_at < 10
    np.testing.assert_allclose(t.path[-1], [1.0, 1.0], atol=1e-8)


def test_optimizer_step_for_newton_id_is_the_gradient_fallback() -> None:
    theta = np.array([1.0, 1.0])
    optimizer_step(NEWTON_ID, theta, np.array([2.0, -4.0]), np.zeros((3, 2)), 1, 0.25, np.zeros(1))
    assert theta.tolist() == [0.5, 2.0]


# --------------------------------------------------------------------------- dispatch from the rows


@pytest.mark.parametrize("name", NAMES)
def test_optimizer_step_is_the_step_its_row_names(name: str) -> None:
    """The generated dispatch calls exactly the row's step (and init): bit for bit, 20 steps."""
    spec = SPECS[name]
    step = getattr(optimizers, spec.step)
    hp = hp_array(spec, {})
    rng = np.random.default_rng(spec.id)
    theta_a = rng.standard_normal(5)
    theta_b = theta_a.copy()
    state_a = np.zeros((MAX_STATE_SLOTS, 5))
    state_b = np.full((MAX_STATE_SLOTS, 5), 7.0)  # optimizer_init must zero it
    optimizer_init(spec.id, state_a, hp)
    state_b[:] = 0.0
    if spec.init is not None:
        getattr(optimizers, spec.init)(state_b, hp)
    assert state_a.tobytes() == state_b.tobytes()
    for t in range(1, 21):
        g = rng.standard_normal(5)
        optimizer_step(spec.id, theta_a, g, state_a, t, 0.01, hp)
        step(theta_b, g, state_b, t, 0.01, hp)
    assert theta_a.tobytes() == theta_b.tobytes()
    assert state_a.tobytes() == state_b.tobytes()


def test_unknown_optimizer_ids_do_nothing() -> None:
    theta = np.array([1.0, 2.0])
    state = np.full((MAX_STATE_SLOTS, 2), 3.0)
    optimizer_step(
        max(SPECS[n].id for n in NAMES) + 1, theta, np.ones(2), state, 1, 0.1, np.ones(5)
    )
    optimizer_init(-1, state, np.ones(5))
    assert theta.tolist() == [1.0, 2.0] and not state.any()  # init zeroes, nothing more


def test_every_row_names_a_step_in_optimizers() -> None:
    """Each row's step (and init) exists in ``optimizers`` with the one common signature."""

    def params(name: str) -> list[str]:
        return list(inspect.signature(getattr(optimizers, name).py_func).parameters)

    for spec in OPTIMIZERS:
        assert params(spec.step) == ["theta", "grad", "state", "t", "lr", "hp"], spec.name
        assert spec.init is None or params(spec.init) == ["state", "hp"], spec.name


def test_an_optimizer_without_a_family_runs_through_the_generic_path(monkeypatch) -> None:
    """kernels.run_trajectory runs an id missing from FAMILY_OF_OPTIMIZER (an optimizer added
    by its row alone) through run_single: the same path, bit for bit, as its family kernel."""
    from losscape.numerics import trajectory

    kw = {"start": (-1.5, 2.0), "steps": 300, "lr": 1e-3}
    for name in ("adagrad", "heavy_ball", "adam"):
        fast = losscape.trajectory("rosenbrock", name, **kw)
        monkeypatch.delitem(trajectory.FAMILY_OF_OPTIMIZER, SPECS[name].id)
        generic = losscape.trajectory("rosenbrock", name, **kw)
        monkeypatch.undo()
        assert generic.status == fast.status
        assert generic.path.tobytes() == fast.path.tobytes()
        assert generic.loss.tobytes() == fast.loss.tobytes()
        assert generic.averaged_path.tobytes() == fast.averaged_path.tobytes()
    # The saddle check reads the end point's Hessian: on a catalogue surface the generic
    # path must take it from the surface itself (the run creeps into the saddle: stuck).
    kw = {"start": (1.0, 0.0), "steps": 2000, "lr": 0.1}
    fast = losscape.trajectory("saddle", "gd", **kw)
    monkeypatch.delitem(trajectory.FAMILY_OF_OPTIMIZER, SPECS["gd"].id)
    generic = losscape.trajectory("saddle", "gd", **kw)
    assert fast.status == generic.status == "stuck"
    assert generic.path.tobytes() == fast.path.tobytes()


# --------------------------------------------------------------------------- torch.optim parity

TORCH_CASES: list[tuple[str, dict[str, float]]] = [
    ("gd", {}),
    ("gd", {"weight_decay": 0.1}),
    ("momentum", {}),
    ("momentum", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.05}),
    ("momentum", {"momentum": 0.95, "nesterov": 1}),
    ("nesterov", {}),
    ("nesterov", {"momentum": 0.7, "weight_decay": 0.02}),
    ("nesterov", {"nesterov": 0, "dampening": 0.2}),  # torch refuses dampening with nesterov
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01, "initial_accumulator_value": 0.5}),
    ("adagrad", {"weight_decay": 0.05, "eps": 1e-6}),
    ("rmsprop", {}),
    ("rmsprop", {"alpha": 0.999, "eps": 1e-6}),
    ("rmsprop", {"centered": 1}),
    ("rmsprop", {"momentum": 0.5, "weight_decay": 0.05}),
    (
        "rmsprop",
        {"alpha": 0.999, "eps": 1e-3, "weight_decay": 0.02, "momentum": 0.3, "centered": 1},
    ),
    ("adam", {}),
    ("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
    ("adam", {"weight_decay": 0.05}),
    ("adam", {"amsgrad": 1}),
    ("adam", {"beta1": 0.3, "beta2": 0.9, "weight_decay": 0.01, "amsgrad": 1}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.1, "amsgrad": 1}),
    ("adamw", {"beta1": 0.85, "beta2": 0.995, "eps": 1e-7, "weight_decay": 0.0}),
]


def torch_kwargs(spec: OptimizerSpec, given: dict[str, float]) -> dict[str, object]:
    """Our hyperparameters as torch.optim's keyword arguments (betas joined, bools as bools)."""
    kinds = {p.name: p.kind for p in spec.hyperparams}
    kw: dict[str, object] = {
        k: bool(v) if kinds[k] == "bool" else v for k, v in hp_dict(spec, given).items()
    }
    if "beta1" in kw:
        kw["betas"] = (kw.pop("beta1"), kw.pop("beta2"))
    return kw


def run_torch(
    torch, name: str, surface: str, lr: float, given: dict[str, float], scheduler=None
) -> np.ndarray:
    """Iterates of torch.optim on float64 tensors fed the same numpy gradients."""
    spec = SPECS[name]
    f, start = SURFACES[surface]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    cls = getattr(torch.optim, spec.torch_name)
    opt = cls([p], lr=lr, foreach=False, **torch_kwargs(spec, given))
    sched = scheduler(opt) if scheduler else None
    out = [p.detach().numpy().copy()]
    for _ in range(STEPS):
        p.grad = torch.from_numpy(f(p.detach().numpy())[1])
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@pytest.mark.torch
@pytest.mark.parametrize("surface", ["rosenbrock", "beale"])
@pytest.mark.parametrize(
    ("name", "given"), TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)]
)
def test_matches_torch_optim(name: str, given: dict[str, float], surface: str) -> None:
    torch = pytest.importorskip("torch")
    lr = LRS[name][surface]
    want = run_torch(torch, name, surface, lr, given)
    got = run_kernel(name, surface, lr, given)
    assert_paths_close(got, want)
    assert np.max(np.abs(want[-1] - want[0])) > 0.05


def test_torch_cases_cover_every_torch_optimizer_and_setting() -> None:
    """Each torch-backed optimizer is compared at defaults and with every hyperparameter changed."""
    for spec in OPTIMIZERS:
        cases = [g for n, g in TORCH_CASES if n == spec.name]
        if spec.torch_name is None:
            assert not cases
            continue
        assert {} in cases, spec.name
        changed = {k for g in cases for k in g}
        assert changed == {p.name for p in spec.hyperparams}, spec.name


@pytest.mark.torch
@pytest.mark.parametrize("name", [s.name for s in OPTIMIZERS if s.torch_name])
def test_defaults_match_torch(name: str) -> None:
    """Hyperparameter names and defaults are torch's (momentum/nesterov presets aside)."""
    torch = pytest.importorskip("torch")
    spec = SPECS[name]
    sig = inspect.signature(getattr(torch.optim, spec.torch_name).__init__).parameters
    presets = {"momentum": {"momentum"}, "nesterov": {"momentum", "nesterov"}}.get(name, set())
    for p in spec.hyperparams:
        if p.name in ("beta1", "beta2"):
            default = sig["betas"].default[0 if p.name == "beta1" else 1]
        else:
            assert p.name in sig, f"{p.name} is not a torch.optim.{spec.torch_name} argument"
            default = sig[p.name].default
        if p.name not in presets:
            assert float(default) == p.default, (p.name, default, p.default)


@pytest.mark.torch
@pytest.mark.parametrize("name", [s.name for s in OPTIMIZERS if s.torch_name])
def test_full_trajectory_matches_torch(name: str) -> None:
    """``losscape.trajectory`` end to end (surface kernel, stop rules, state) equals torch.optim."""
    torch = pytest.importorskip("torch")
    lr = LRS[name]["rosenbrock"]
    t = losscape.trajectory("rosenbrock", name, start=(-1.5, 2.0), steps=STEPS, lr=lr, tol=0.0)
    assert t.status == "done"
    assert_paths_close(t.path, run_torch(torch, name, "rosenbrock", lr, {}))


@pytest.mark.torch
@pytest.mark.parametrize(
    ("name", "schedule", "params", "make"),
    [
        ("adam", "cosine", {}, lambda s, o: s.CosineAnnealingLR(o, T_max=STEPS)),
        ("momentum", "step", {"step_size": 100, "gamma": 0.5}, lambda s, o: s.StepLR(o, 100, 0.5)),
        ("rmsprop", "exponential", {"gamma": 0.995}, lambda s, o: s.ExponentialLR(o, 0.995)),
    ],
)
def test_scheduled_trajectory_matches_torch(name, schedule, params, make) -> None:
    """Optimizer and schedule together, as torch runs them (optimizer.step, then scheduler.step)."""
    torch = pytest.importorskip("torch")
    lr = LRS[name]["rosenbrock"] * 2
    t = losscape.trajectory(
        "rosenbrock", name, start=(-1.5, 2.0), steps=STEPS, lr=lr, tol=0.0,
        schedule=schedule, schedule_params=params,
    )  # fmt: skip
    want = run_torch(
        torch, name, "rosenbrock", lr, {}, scheduler=lambda o: make(torch.optim.lr_scheduler, o)
    )
    assert_paths_close(t.path, want)


@pytest.mark.torch
def test_heavy_ball_equals_torch_sgd_momentum() -> None:
    torch = pytest.importorskip("torch")
    want = run_torch(torch, "momentum", "rosenbrock", 1e-4, {})
    assert_paths_close(run_kernel("heavy_ball", "rosenbrock", 1e-4, {}), want)
