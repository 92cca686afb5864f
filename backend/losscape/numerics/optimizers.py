"""Optimizer steps, in place on (theta, state), parameterised as torch.optim.

``optimizer_step(oid, theta, grad, state, t, lr, hp)``: ``theta`` and ``grad``
are (n,), ``state`` is (MAX_STATE_SLOTS, n) and zero-initialised then passed
through ``optimizer_init``; ``t`` counts steps from 1; ``hp`` holds the
hyperparameters in the order of the optimizer's spec. The same steps serve 2-D
surfaces and networks.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .specs import OptimizerSpec, ParamSpec

MAX_STATE_SLOTS = 3
NEWTON_ID = 8


@njit(cache=True, nogil=True)
def sgd_step(theta: np.ndarray, grad: np.ndarray, lr: float, hp: np.ndarray) -> None:
    """theta -= lr (g + wd theta); hp = (weight_decay,)."""
    wd = hp[0]
    for i in range(theta.shape[0]):
        theta[i] -= lr * (grad[i] + wd * theta[i])


@njit(cache=True, nogil=True)
def optimizer_init(oid: int, state: np.ndarray, hp: np.ndarray) -> None:
    """Set the initial state (most optimizers start from zeros)."""
    state[:] = 0.0


@njit(cache=True, nogil=True)
def optimizer_step(
    oid: int,
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: float,
    hp: np.ndarray,
) -> None:
    """One step of optimizer ``oid``; updates ``theta`` and ``state`` in place."""
    if oid == 0:
        sgd_step(theta, grad, lr, hp)


@njit(cache=True, nogil=True)
def newton_step(
    theta: np.ndarray, grad: np.ndarray, hess: np.ndarray, lr: float, hp: np.ndarray
) -> None:
    """Damped Newton on 2 parameters: theta -= lr (H + damping I)^-1 g; hp = (damping,)."""
    a = hess[0, 0] + hp[0]
    b = hess[0, 1]
    d = hess[1, 1] + hp[0]
    det = a * d - b * b
    theta[0] -= lr * (d * grad[0] - b * grad[1]) / det
    theta[1] -= lr * (a * grad[1] - b * grad[0]) / det


OPTIMIZERS: tuple[OptimizerSpec, ...] = (
    OptimizerSpec(
        name="gd",
        id=0,
        title="Gradient descent",
        update=r"\theta \leftarrow \theta - \alpha\,\nabla\mathcal{E}",
        hyperparams=(ParamSpec("weight_decay", 0.0, 0.0, 1.0, "L2 penalty added to the gradient"),),
        state_slots=0,
        lr_default=0.01,
        torch_name="SGD",
    ),
    OptimizerSpec(
        name="newton",
        id=NEWTON_ID,
        title="Damped Newton",
        update=r"\theta \leftarrow \theta - \alpha\,(H + \lambda I)^{-1}\nabla\mathcal{E}",
        hyperparams=(ParamSpec("damping", 0.0, 0.0, 100.0, "added to the Hessian's diagonal"),),
        state_slots=0,
        lr_default=1.0,
        surfaces_only=True,
    ),
)
