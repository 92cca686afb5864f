"""The error rate of a model and its finite-difference slope."""

from __future__ import annotations

import numpy as np

from losscape.networks import mlp
from losscape.networks.zero_one import error_rate, error_rate_slope

ARCH = mlp.Architecture(n_in=2, hidden=(), n_out=1, activation=mlp.ACT_TANH, loss=mlp.LOSS_BCE)
X = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0], [-3.0, 0.0]])
T = np.array([1.0, 0.0, 0.0, 1.0])


def test_error_rate_counts_sign_disagreements():
    # z = x1: predictions 1, 1, 0, 0 against labels 1, 0, 0, 1: two of four wrong
    theta = np.array([1.0, 0.0, 0.0])  # W = (1, 0), b = 0
    assert error_rate(ARCH, theta, X, T) == 0.5
    # z = -x1 flips every prediction: the other two are wrong
    assert error_rate(ARCH, -theta, X, T) == 0.5
    # z = x1 - 1.5: only the point at 2 is predicted positive: 1, 2 and 4 wrong
    assert error_rate(ARCH, np.array([1.0, 0.0, -1.5]), X, T) == 0.75


def test_slope_is_zero_away_from_the_boundary():
    theta = np.array([1.0, 0.3, -0.5])
    assert np.all(error_rate_slope(ARCH, theta, X, T) == 0.0)


def test_slope_is_huge_when_a_point_sits_on_the_boundary():
    # z = x1 - 1 puts the point x1 = 1 exactly on z = 0: a bias nudge flips it
    theta = np.array([1.0, 0.0, -1.0])
    slope = error_rate_slope(ARCH, theta, X, T, h=1e-6)
    # b + h: predicted positive (right); b - h: negative (wrong): (0.5 - 0.75) / 2h
    assert slope[2] == -0.25 / 2e-6
