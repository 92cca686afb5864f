"""Learning-rate schedules: ``schedule_lr(kid, t, lr0, sp, total) -> lr`` for step t (from 0).

``t`` counts from 0: ``schedule_lr(kid, t, ...)`` is the lr used by step t + 1,
which in torch is ``optimizer.param_groups[0]["lr"]`` after ``t`` calls to
``scheduler.step()``. ``sp`` holds the schedule's parameters in spec order
(integers travel as floats); ``total`` is the run's step budget.

Each equals the ``torch.optim.lr_scheduler`` counterpart named in its spec.
torch mostly updates the lr recursively (lr <- lr * factor); these are the
closed forms of the same sequences, equal to rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..limits import MAX_STEPS
from .specs import ParamSpec, ScheduleSpec


@njit(cache=True, nogil=True, error_model="numpy")
def _cosine(t: int, period: int, lr0: float, eta_min: float) -> float:
    """eta_min + (lr0 - eta_min) (1 + cos(pi t / period)) / 2 (periodic beyond t = period)."""
    return eta_min + (lr0 - eta_min) * (1.0 + math.cos(math.pi * t / period)) / 2.0


@njit(cache=True, nogil=True, error_model="numpy")
def schedule_lr(kid: int, t: int, lr0: float, sp: np.ndarray, total: int) -> float:
    """Learning rate used by step t + 1 (t counts from 0); ids as in ``SCHEDULES``.

    1 step:          lr0 gamma^floor(t / step_size)                (sp = step_size, gamma)
    2 exponential:   lr0 gamma^t                                   (sp = gamma)
    3 inverse_time:  lr0 / (1 + k t)                               (sp = k)
    4 cosine:        eta_min + (lr0 - eta_min)(1 + cos(pi t / T)) / 2, T = t_max or total
                                                                   (sp = t_max, eta_min)
    5 warmup_cosine: t < W: lr0 (1/W + (1 - 1/W) t / W);
                     t >= W: eta_min + (lr0 - eta_min)(1 + cos(pi (t - W) / (total - W))) / 2
                                                                   (sp = warmup W, eta_min)
    Anything else (0 constant): lr0.
    """
    if kid == 1:
        return lr0 * sp[1] ** float(t // max(int(sp[0]), 1))
    if kid == 2:
        return lr0 * sp[0] ** float(t)
    if kid == 3:
        return lr0 / (1.0 + sp[0] * t)
    if kid == 4:
        period = int(sp[0])
        if period <= 0:
            period = total
        return _cosine(t, max(period, 1), lr0, sp[1])
    if kid == 5:
        w = int(sp[0])
        if t < w:
            start = 1.0 / w
            return lr0 * (start + (1.0 - start) * t / w)
        return _cosine(t - w, max(total - w, 1), lr0, sp[1])
    return lr0


_STEPS = float(MAX_STEPS)

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        name="constant",
        id=0,
        title="Constant",
        formula=r"\alpha_t = \alpha_0",
        description="No schedule: every step uses the base learning rate.",
    ),
    ScheduleSpec(
        name="step",
        id=1,
        title="Step decay",
        formula=r"\alpha_t = \alpha_0\,\gamma^{\lfloor t / s \rfloor}",
        params=(
            ParamSpec("step_size", 100.0, 1.0, _STEPS, "s: steps between drops", kind="int"),
            ParamSpec("gamma", 0.1, 0.0, 1.0, "factor applied at each drop"),
        ),
        torch_name="StepLR",
        description="torch StepLR(step_size, gamma): the lr drops by gamma every step_size steps.",
    ),
    ScheduleSpec(
        name="exponential",
        id=2,
        title="Exponential decay",
        formula=r"\alpha_t = \alpha_0\,\gamma^{t}",
        params=(ParamSpec("gamma", 0.99, 0.5, 1.0, "factor applied every step"),),
        torch_name="ExponentialLR",
        description="torch ExponentialLR(gamma): the lr shrinks by gamma every step.",
    ),
    ScheduleSpec(
        name="inverse_time",
        id=3,
        title="Inverse-time decay",
        formula=r"\alpha_t = \frac{\alpha_0}{1 + k\,t}",
        params=(ParamSpec("k", 0.01, 0.0, 10.0, "decay rate"),),
        torch_name="LambdaLR",
        description=(
            "alpha_0 / (1 + k t): the classic 1/t decay of stochastic approximation. "
            "torch: LambdaLR(lr_lambda=lambda t: 1 / (1 + k t))."
        ),
    ),
    ScheduleSpec(
        name="cosine",
        id=4,
        title="Cosine annealing",
        formula=(
            r"\alpha_t = \eta_{\min} + \tfrac12(\alpha_0 - \eta_{\min})"
            r"\left(1 + \cos\frac{\pi t}{T}\right)"
        ),
        params=(
            ParamSpec(
                "t_max",
                0.0,
                0.0,
                _STEPS,
                "T: half-period in steps; 0 = the run's budget",
                kind="int",
            ),
            ParamSpec("eta_min", 0.0, 0.0, 10.0, "lowest learning rate"),
        ),
        torch_name="CosineAnnealingLR",
        description=(
            "torch CosineAnnealingLR(T_max, eta_min); t_max = 0 uses the run's step budget. "
            "Past T the cosine rises again (period 2T), as torch's does."
        ),
    ),
    ScheduleSpec(
        name="warmup_cosine",
        id=5,
        title="Linear warm-up, then cosine",
        formula=(
            r"\alpha_t = \begin{cases}\alpha_0\left(\frac1W + \left(1 - \frac1W\right)\frac tW"
            r"\right) & t < W \\ \eta_{\min} + \tfrac12(\alpha_0 - \eta_{\min})"
            r"\left(1 + \cos\frac{\pi (t - W)}{N - W}\right) & t \ge W\end{cases}"
        ),
        params=(
            ParamSpec("warmup", 10.0, 0.0, _STEPS, "W: warm-up steps (0 = none)", kind="int"),
            ParamSpec("eta_min", 0.0, 0.0, 10.0, "learning rate reached at the end of the run"),
        ),
        torch_name="SequentialLR",
        description=(
            "From alpha_0 / W, rising linearly to alpha_0 at step W, then a cosine down to "
            "eta_min over the remaining N - W steps of the budget N. torch: SequentialLR("
            "[LinearLR(start_factor=1/W, total_iters=W), CosineAnnealingLR(T_max=N - W, "
            "eta_min)], milestones=[W])."
        ),
    ),
)
