"""Learning-rate schedules against their closed forms and torch.optim.lr_scheduler."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import losscape
from losscape.numerics.schedules import SCHEDULES, schedule_lr
from losscape.numerics.specs import ScheduleSpec

SPECS: dict[str, ScheduleSpec] = {s.name: s for s in SCHEDULES}
NAMES = [s.name for s in SCHEDULES]
TOTAL = 300
LR0 = 0.1


def sp_array(spec: ScheduleSpec, given: dict[str, float]) -> np.ndarray:
    names = [p.name for p in spec.params]
    assert set(given) <= set(names), (spec.name, sorted(set(given) - set(names)))
    values = [float(given.get(p.name, p.default)) for p in spec.params]
    return np.array(values or [0.0], dtype=np.float64)


def kernel_lrs(name: str, given: dict[str, float], total: int = TOTAL, lr0: float = LR0):
    sp = sp_array(SPECS[name], given)
    return np.array([schedule_lr(SPECS[name].id, t, lr0, sp, total) for t in range(total)])


# --------------------------------------------------------------------------- closed forms


def _cos(t, period, lr0, eta_min):
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * t / period)) / 2


def ref_constant(t, lr0, total):
    return np.full(t.shape, lr0)


def ref_step(t, lr0, total, step_size, gamma):
    return lr0 * gamma ** (t // step_size)


def ref_exponential(t, lr0, total, gamma):
    return lr0 * gamma**t


def ref_inverse_time(t, lr0, total, k):
    return lr0 / (1 + k * t)


def ref_cosine(t, lr0, total, t_max, eta_min):
    return _cos(t, t_max or total, lr0, eta_min)


def ref_warmup_cosine(t, lr0, total, warmup, eta_min):
    w = warmup
    if w == 0:
        return _cos(t, total, lr0, eta_min)
    ramp = lr0 * (1 / w + (1 - 1 / w) * t / w)
    return np.where(t < w, ramp, _cos(t - w, total - w, lr0, eta_min))


REFERENCES: dict[str, Callable[..., np.ndarray]] = {
    "constant": ref_constant,
    "step": ref_step,
    "exponential": ref_exponential,
    "inverse_time": ref_inverse_time,
    "cosine": ref_cosine,
    "warmup_cosine": ref_warmup_cosine,
}

# Non-default settings per schedule (each parameter changed at least once).
CUSTOM: dict[str, list[dict[str, float]]] = {
    "constant": [],
    "step": [{"step_size": 30, "gamma": 0.5}, {"step_size": 1, "gamma": 0.97}],
    "exponential": [{"gamma": 0.95}],
    "inverse_time": [{"k": 0.5}, {"k": 0.0}],
    "cosine": [{"t_max": 100}, {"t_max": 300, "eta_min": 0.01}, {"eta_min": 0.02}, {"t_max": 37}],
    "warmup_cosine": [
        {"warmup": 30, "eta_min": 0.005},
        {"warmup": 1},
        {"warmup": 0},
        {"warmup": 299},
    ],
}

CASES = [(n, {}) for n in NAMES] + [(n, g) for n in NAMES for g in CUSTOM[n]]
CASE_IDS = [f"{n}-{'-'.join(f'{k}{v:g}' for k, v in g.items()) or 'default'}" for n, g in CASES]


def test_registry_names_and_ids() -> None:
    expected = ["constant", "step", "exponential", "inverse_time", "cosine", "warmup_cosine"]
    assert {s.id: s.name for s in SCHEDULES} == dict(enumerate(expected))


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_complete(name: str) -> None:
    spec = SPECS[name]
    assert name in REFERENCES and name in CUSTOM, f"add a reference and settings for {name}"
    assert spec.title and spec.formula and spec.description
    for p in spec.params:
        assert p.kind in ("float", "int") and p.min <= p.default <= p.max and p.description
    changed = {k for g in CUSTOM[name] for k in g}
    assert changed == {p.name for p in spec.params}
    if spec.name != "constant":
        assert spec.torch_name is not None


@pytest.mark.parametrize(("name", "given"), CASES, ids=CASE_IDS)
def test_matches_closed_form(name: str, given: dict[str, float]) -> None:
    spec = SPECS[name]
    values = {p.name: float(given.get(p.name, p.default)) for p in spec.params}
    want = REFERENCES[name](np.arange(TOTAL), LR0, TOTAL, **values)
    got = kernel_lrs(name, given)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-18)
    assert np.all(np.isfinite(got)) and np.all(got >= 0.0)


def test_schedule_values_at_landmarks() -> None:
    """Hand-checked numbers: step drops, cosine at T/2 and T, warm-up ramp."""
    lrs = kernel_lrs("step", {"step_size": 100, "gamma": 0.1})
    assert lrs[99] == LR0 and lrs[100] == pytest.approx(0.01) and lrs[200] == pytest.approx(0.001)
    lrs = kernel_lrs("cosine", {"t_max": 100, "eta_min": 0.02}, total=201)
    assert lrs[0] == LR0
    assert lrs[50] == pytest.approx(0.06) and lrs[100] == pytest.approx(0.02)
    assert lrs[200] == pytest.approx(LR0)  # periodic past T, like torch
    lrs = kernel_lrs("warmup_cosine", {"warmup": 10}, total=110)
    assert lrs[0] == pytest.approx(LR0 / 10) and lrs[5] == pytest.approx(LR0 * (0.1 + 0.9 * 0.5))
    assert lrs[10] == LR0 and lrs[60] == pytest.approx(LR0 / 2)
    assert kernel_lrs("inverse_time", {"k": 1.0}, total=4).tolist() == [0.1, 0.05, 0.1 / 3, 0.025]


def test_cosine_t_max_zero_is_the_budget() -> None:
    for total in (1, 50, 300):
        np.testing.assert_array_equal(
            kernel_lrs("cosine", {"t_max": 0}, total=total),
            kernel_lrs("cosine", {"t_max": total}, total=total),
        )


def test_trajectory_uses_the_schedule() -> None:
    """The trajectory kernel reads schedule_lr(t) for step t + 1 and reports it in ``lrs``."""
    t = losscape.trajectory(
        "quadratic", "gd", start=(1.0, 1.0), steps=50, lr=LR0, tol=0.0,
        schedule="warmup_cosine", schedule_params={"warmup": 5},
    )  # fmt: skip
    np.testing.assert_array_equal(t.lrs, kernel_lrs("warmup_cosine", {"warmup": 5}, total=50))
    # gd on 0.5 |theta|^2: theta_{t+1} = (1 - lr_t) theta_t
    np.testing.assert_allclose(t.path[-1, 0], np.prod(1.0 - t.lrs), rtol=1e-12)


def test_schedule_params_are_validated() -> None:
    with pytest.raises(ValueError, match="step_size"):
        losscape.trajectory("quadratic", "gd", schedule="step", schedule_params={"step_size": 0})
    with pytest.raises(ValueError, match="valid"):
        losscape.trajectory("quadratic", "gd", schedule="cosine", schedule_params={"T_max": 5})
    with pytest.raises(ValueError, match="whole number"):
        losscape.trajectory("quadratic", "gd", schedule="cosine", schedule_params={"t_max": 2.5})


# --------------------------------------------------------------------------- torch parity


def torch_scheduler(torch, name: str, given: dict[str, float], opt, total: int):
    """The torch.optim.lr_scheduler that ``name`` claims to equal (None for constant)."""
    spec = SPECS[name]
    v = {p.name: given.get(p.name, p.default) for p in spec.params}
    s = torch.optim.lr_scheduler
    if name == "constant":
        return None
    if name == "step":
        return s.StepLR(opt, step_size=int(v["step_size"]), gamma=v["gamma"])
    if name == "exponential":
        return s.ExponentialLR(opt, gamma=v["gamma"])
    if name == "inverse_time":
        return s.LambdaLR(opt, lr_lambda=lambda t: 1.0 / (1.0 + v["k"] * t))
    if name == "cosine":
        return s.CosineAnnealingLR(opt, T_max=int(v["t_max"]) or total, eta_min=v["eta_min"])
    if name == "warmup_cosine":
        w = int(v["warmup"])
        cosine = s.CosineAnnealingLR(opt, T_max=total - w, eta_min=v["eta_min"])
        if w == 0:
            return cosine
        linear = s.LinearLR(opt, start_factor=1.0 / w, end_factor=1.0, total_iters=w)
        return s.SequentialLR(opt, [linear, cosine], milestones=[w])
    raise AssertionError(f"no torch counterpart written for {name}")


def torch_lrs(torch, name: str, given: dict[str, float], total: int = TOTAL) -> np.ndarray:
    """lr used by each of ``total`` steps: read, optimizer.step(), scheduler.step()."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=LR0)
    sched = torch_scheduler(torch, name, given, opt, total)
    if sched is not None and given.get("warmup") != 0:  # no warm-up: plain CosineAnnealingLR
        assert type(sched).__name__ == SPECS[name].torch_name
    out = []
    for _ in range(total):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched is not None:
            sched.step()
    return np.array(out)


@pytest.mark.torch
@pytest.mark.parametrize(("name", "given"), CASES, ids=CASE_IDS)
def test_matches_torch_lr_scheduler(name: str, given: dict[str, float]) -> None:
    torch = pytest.importorskip("torch")
    want = torch_lrs(torch, name, given)
    got = kernel_lrs(name, given)
    # torch updates most lrs recursively (lr *= factor); the closed form agrees to rounding.
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)


@pytest.mark.torch
def test_warmup_cosine_is_not_the_other_ramp() -> None:
    """The warm-up reaches lr0 at step W (torch's LinearLR), not at W - 1 (lr0 (t + 1) / W)."""
    torch = pytest.importorskip("torch")
    w = 10
    lrs = torch_lrs(torch, "warmup_cosine", {"warmup": w}, total=100)
    assert lrs[w] == LR0
    assert lrs[w - 1] == pytest.approx(0.91 * LR0)  # 1/W + (1 - 1/W)(W - 1)/W
    np.testing.assert_allclose(kernel_lrs("warmup_cosine", {"warmup": w}, total=100), lrs)
