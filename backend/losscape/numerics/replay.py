"""Replay of a recorded run that keeps the optimizer's state after every step.

The trajectory kernel throws its state away (keeping it would slow every run for
the few that want it), so the state is recomputed here afterwards: the gradient
at each recorded point, plus the same seeded noise the kernel added, goes through
the very same ``optimizer_init`` / ``optimizer_step`` as in the kernel. The
replayed points therefore equal the kernel's bit for bit, which the tests check,
and tell whether the replay saw the gradients the run saw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .noise import gaussian
from .optimizers import MAX_STATE_SLOTS, optimizer_init, optimizer_step


@njit(cache=True, nogil=True, error_model="numpy")
def replay_states(
    oid: int,
    hp: np.ndarray,
    grads: np.ndarray,
    lrs: np.ndarray,
    noise_std: float,
    seed: int,
    x0: float,
    y0: float,
    points: np.ndarray,
    states: np.ndarray,
) -> None:
    """Step ``oid`` along recorded gradients, keeping every state.

    ``grads`` (n, 2): the noiseless gradient at the recorded point of each step
    0..n-1; ``lrs`` (n,): the lr of each step. Writes ``points`` (n + 1, 2), row t
    the point after t steps, and ``states`` (n + 1, MAX_STATE_SLOTS, 2), row t the
    state after t steps (row 0 the initial state). Newton keeps no state and is
    not replayed (its rows are left as the initial state and the start).
    """
    theta = np.empty(2)
    grad = np.empty(2)
    state = np.zeros((MAX_STATE_SLOTS, 2))
    optimizer_init(oid, state, hp)
    theta[0] = x0
    theta[1] = y0
    points[0, 0] = x0
    points[0, 1] = y0
    states[0] = state
    for t in range(grads.shape[0]):
        gx = grads[t, 0]
        gy = grads[t, 1]
        if noise_std > 0.0:
            # The kernel's noise is a pure function of (seed, step, coordinate).
            gx += noise_std * gaussian(seed, t, 0)
            gy += noise_std * gaussian(seed, t, 1)
        grad[0] = gx
        grad[1] = gy
        optimizer_step(oid, theta, grad, state, t + 1, lrs[t], hp)
        points[t + 1, 0] = theta[0]
        points[t + 1, 1] = theta[1]
        states[t + 1] = state
