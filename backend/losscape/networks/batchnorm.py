"""Batch normalisation of one hidden unit over a batch of points (Ioffe and Szegedy 2015).

The lecture ("Ravines"): batch normalisation explicitly centres each hidden
activation. For a unit with pre-activations z (one per point of the batch,
m of them)::

    mean = (1/m) sum_c z_c,   var = (1/m) sum_c (z_c - mean)^2   (biased, as torch trains)
    z_hat_c = (z_c - mean) / sqrt(var + eps),   y_c = gamma z_hat_c + beta

and the unit outputs act(y_c). gamma and beta are learned (init 1 and 0).
The backward pass, with dy_c = dE/dy_c::

    dE/dgamma = sum_c dy_c z_hat_c,   dE/dbeta = sum_c dy_c,
    dE/dz_c = gamma / sqrt(var + eps) (dy_c - dE/dbeta / m - z_hat_c dE/dgamma / m)

so every point's gradient depends on batch-level sums: a pass must see the
whole batch at once. Evaluation (``train=False``) normalises with given
statistics instead of the batch's own.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import FUSE
from .rows import dot, total

BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def normalise(
    z: np.ndarray,
    z_hat: np.ndarray,
    m: int,
    gamma: float,
    beta: float,
    mean: float,
    var: float,
    train: bool,
) -> tuple[float, float]:
    """In place z[:m] <- gamma z_hat + beta, writing z_hat[:m]; returns the (mean, var) used.

    ``train``: mean and biased var are those of z[:m] (two passes, so var
    does not lose digits to cancellation); otherwise the given ones.
    """
    if train:
        mean = total(z, m) / m
        s = 0.0
        for c in range(m):
            d = z[c] - mean
            s += d * d
        var = s / m
    inv = 1.0 / math.sqrt(var + BN_EPS)
    for c in range(m):
        h = (z[c] - mean) * inv
        z_hat[c] = h
        z[c] = gamma * h + beta
    return mean, var


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def normalise_backward(
    d: np.ndarray, z_hat: np.ndarray, m: int, gamma: float, var: float
) -> tuple[float, float]:
    """d[:m] holds dE/dy on entry and dE/dz on exit; returns (dE/dgamma, dE/dbeta).

    ``var`` is the batch variance the forward pass used (training mode).
    """
    d_beta = total(d, m)
    d_gamma = dot(d, z_hat, m)
    k = gamma / math.sqrt(var + BN_EPS)
    mb = d_beta / m
    mg = d_gamma / m
    for c in range(m):
        d[c] = k * (d[c] - mb - z_hat[c] * mg)
    return d_gamma, d_beta
