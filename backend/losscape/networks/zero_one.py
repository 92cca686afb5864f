"""The 0-1 loss (error rate) as a function of the weights: flat almost everywhere.

The lecture's first plateau: the error rate E01(theta) = (1/N) sum_i [prediction_i != t_i]
counts points, so it only changes when some point's score crosses the threshold. A small
move of theta leaves every prediction as it was, hence dE01/dtheta = 0 almost everywhere
and gradient descent on it cannot move. Binary tasks only: a point is predicted positive
when its logit z >= 0 (probability >= 1/2), as in ``passes.loss_chunk``.
"""

from __future__ import annotations

import numpy as np

from .architecture import Architecture, norm_stats, scratch
from .passes import outputs, population_stats


def error_rate(arch: Architecture, theta: np.ndarray, X: np.ndarray, T: np.ndarray) -> float:
    """E01: the share of the points X (N, n_in) whose logit sign disagrees with T (N,) in {0, 1}.

    Batch normalisation, if any, uses the statistics of the points X.
    """
    X = np.ascontiguousarray(X)
    acts, _ = scratch(arch, X.shape[0])
    stats = norm_stats(arch)
    population_stats(arch.layout, theta, X, acts, stats)
    out = np.empty((X.shape[0], arch.n_out))
    outputs(arch.layout, theta, X, acts, out, stats)
    return float(np.mean((out[:, 0] >= 0.0) != (T > 0.5)))


def error_rate_slope(
    arch: Architecture, theta: np.ndarray, X: np.ndarray, T: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """Central finite differences (E01(theta + h e_k) - E01(theta - h e_k)) / 2h, shape (P,).

    Zero unless a point sits within about h of the decision boundary: the 0-1 loss has no
    slope to follow.
    """
    slope = np.empty(theta.shape[0])
    step = theta.copy()
    for k in range(theta.shape[0]):
        step[k] = theta[k] + h
        up = error_rate(arch, step, X, T)
        step[k] = theta[k] - h
        down = error_rate(arch, step, X, T)
        step[k] = theta[k]
        slope[k] = (up - down) / (2.0 * h)
    return slope
