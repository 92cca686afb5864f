"""An optimizer's internals along a run: velocity, moments and per-axis step scales.

``replay`` recomputes the state of a recorded run (see ``numerics.replay``) and
names its parts. Every array is (n + 1, 2): row t is the state after t steps,
drawn at the run's point t (row 0 is the initial state, before any step).

- momentum, nesterov (torch SGD): ``buffer`` b; ``velocity`` = -lr_t b_t, the
  displacement the buffer carries (the lecture's p while lr is constant).
- heavy_ball: ``velocity`` p.
- adam, adamw: ``m``, ``v`` (``v_max`` with amsgrad), bias-corrected ``m_hat`` =
  m / (1 - beta1^t) and ``v_hat`` = v / (1 - beta2^t); ``step_scale`` =
  lr_t / (sqrt(v_hat) + eps), so the step is -step_scale * m_hat; ``velocity`` =
  -lr_t m_hat, the step momentum alone would take.
- rmsprop: ``square_avg`` s (``grad_avg`` m when centered, ``buffer`` b and
  ``velocity`` = -lr_t b with momentum); ``step_scale`` = lr_t / (sqrt(s - m^2) + eps).
- rmsprop_lecture: ``square_avg`` s; ``step_scale`` = lr_t / sqrt(s + eps).
- adagrad: ``sum_sq`` s; ``step_scale`` = lr_t / (1 + (t - 1) lr_decay) / (sqrt(s) + eps).
- gd, newton: no state (``quantities`` is empty).

``step_scale`` is 0 in row 0 (no step taken yet); lr_t is the lr of step t.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .numerics import kernels
from .numerics.optimizers import MAX_STATE_SLOTS
from .numerics.replay import replay_states
from .numerics.specs import OptimizerSpec
from .resolved import ResolvedSurface


@dataclass(frozen=True)
class OptimizerState:
    """Named per-step state of one run; every array (n + 1, 2), row t after t steps."""

    optimizer: str
    quantities: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def velocity(self) -> np.ndarray | None:
        """A displacement per step in (x, y) units, or None when the optimizer has none."""
        return self.quantities.get("velocity")

    @property
    def step_scale(self) -> np.ndarray | None:
        """The per-axis learning rate the adaptive denominator gives, or None."""
        return self.quantities.get("step_scale")


def _step_lrs(lrs: np.ndarray) -> np.ndarray:
    """(n + 1, 1): row t the lr of step t (row 0, before any step: 0)."""
    return np.concatenate([[0.0], lrs])[:, None]


def _name_slots(spec: OptimizerSpec, hp: np.ndarray, raw: np.ndarray, lrs: np.ndarray) -> dict:
    """The quantities of the formulas above from the raw slots ``raw`` (n + 1, SLOTS, 2)."""
    hpd = {p.name: float(hp[i]) for i, p in enumerate(spec.hyperparams)}
    lr = _step_lrs(lrs)
    t = np.arange(raw.shape[0], dtype=np.float64)[:, None]
    taken = t > 0
    name = spec.name
    out: dict[str, np.ndarray] = {}
    if name in ("momentum", "nesterov"):
        out["buffer"] = raw[:, 0]
        out["velocity"] = 0.0 - lr * raw[:, 0]
    elif name == "heavy_ball":
        out["velocity"] = raw[:, 0].copy()
    elif name in ("adam", "adamw"):
        b1, b2, eps = hpd["beta1"], hpd["beta2"], hpd["eps"]
        out["m"], out["v"] = raw[:, 0], raw[:, 1]
        v = raw[:, 1]
        if hpd["amsgrad"] != 0.0:
            out["v_max"] = v = raw[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            bc1 = np.where(taken, 1.0 - b1**t, 1.0)
            bc2 = np.where(taken, 1.0 - b2**t, 1.0)
        out["m_hat"] = raw[:, 0] / bc1
        out["v_hat"] = v / bc2
        out["step_scale"] = np.where(taken, lr / (np.sqrt(out["v_hat"]) + eps), 0.0)
        out["velocity"] = 0.0 - lr * out["m_hat"]
    elif name == "rmsprop":
        s = raw[:, 0]
        out["square_avg"] = s
        denom_sq = s
        if hpd["centered"] != 0.0:
            out["grad_avg"] = raw[:, 2]
            denom_sq = s - raw[:, 2] ** 2
        if hpd["momentum"] > 0.0:
            out["buffer"] = raw[:, 1]
            out["velocity"] = 0.0 - lr * raw[:, 1]
        out["step_scale"] = np.where(taken, lr / (np.sqrt(denom_sq) + hpd["eps"]), 0.0)
    elif name == "rmsprop_lecture":
        out["square_avg"] = raw[:, 0]
        out["step_scale"] = np.where(taken, lr / np.sqrt(raw[:, 0] + hpd["eps"]), 0.0)
    elif name == "adagrad":
        out["sum_sq"] = raw[:, 0]
        clr = lr / (1.0 + np.maximum(t - 1.0, 0.0) * hpd["lr_decay"])
        out["step_scale"] = np.where(taken, clr / (np.sqrt(raw[:, 0]) + hpd["eps"]), 0.0)
    return {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in out.items()}


def replay_points_and_state(
    surf: ResolvedSurface,
    spec: OptimizerSpec,
    hp: np.ndarray,
    path: np.ndarray,
    lrs: np.ndarray,
    noise_std: float,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The replayed points (n + 1, 2) and raw state slots (n + 1, MAX_STATE_SLOTS, 2).

    ``path`` (n + 1, 2) is the kernel's recorded run and ``lrs`` (n,) its lrs.
    """
    n = path.shape[0] - 1
    pts = np.ascontiguousarray(path[:n], dtype=np.float64)
    evaluated = np.empty((n, 3))
    kernels.evaluate_points(*surf.kernel_args(), pts, evaluated)
    grads = np.ascontiguousarray(evaluated[:, 1:])
    points = np.empty((n + 1, 2))
    states = np.zeros((n + 1, MAX_STATE_SLOTS, 2))
    replay_states(
        spec.id, hp, grads, np.ascontiguousarray(lrs[:n], dtype=np.float64), float(noise_std),
        int(seed), float(path[0, 0]), float(path[0, 1]), points, states,
    )  # fmt: skip
    return points, states


def replay(
    surf: ResolvedSurface,
    spec: OptimizerSpec,
    hp: np.ndarray,
    path: np.ndarray,
    lrs: np.ndarray,
    noise_std: float,
    seed: int,
) -> OptimizerState:
    """The named state of the run ``path`` (n + 1, 2) with step lrs ``lrs`` (n,)."""
    if spec.state_slots == 0:
        return OptimizerState(spec.name, {})
    _, raw = replay_points_and_state(surf, spec, hp, path, lrs, noise_std, seed)
    return OptimizerState(spec.name, _name_slots(spec, hp, raw, lrs))
