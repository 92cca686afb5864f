"""A floor for ``losscape.train``'s default row: a minimal hand-written loop for one network.

``bench_networks --only-default`` times ``losscape.train("moons", mlp [16], "adam",
steps=500, batch_size=32)``: a 2-16-1 tanh network with binary cross-entropy, 500
Adam steps on batches of 32 walking a seeded shuffle, and about 100 records, each a
loss and accuracy pass over the 160 training and the 40 validation points. This loop
does the same for that one shape and nothing else: point by point, its 16 hidden
units in registers, no layout table, no chunks, no stop rules beyond what a record
needs, no hidden-activation histograms (compare it with the "no statistics" row).

It takes the kernel's own inputs (data, initial weights, hyperparameters, the batch
order and record steps), the same tanh and the same shuffle, and ``bench_networks``
checks its answers against losscape's before timing it, so the two do the same
arithmetic up to the order of sums: the floor measures loops, not a different task.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from losscape.networks.activations import tanh
from losscape.networks.train import shuffle

HIDDEN = 16
# Offsets in theta (torch's nn.Linear layout): W1 (16, 2), b1 (16,), w2 (1, 16), b2.
W1, B1, W2, B2 = 0, 32, 48, 64
N_PARAMS = 65


@njit(cache=False, nogil=True, error_model="numpy", fastmath={"contract"})
def _forward(theta: np.ndarray, x0: float, x1: float, h: np.ndarray) -> float:
    """h (16,) = tanh(W1 x + b1); returns the logit w2 . h + b2."""
    for j in range(HIDDEN):
        h[j] = tanh(theta[B1 + j] + theta[W1 + 2 * j] * x0 + theta[W1 + 2 * j + 1] * x1)
    z = theta[B2]
    for j in range(HIDDEN):
        z += theta[W2 + j] * h[j]
    return z


@njit(cache=False, nogil=True, error_model="numpy", fastmath={"contract"})
def _bce(z: float, t: float) -> tuple[float, float]:
    """(loss, sigma(z)) of binary cross-entropy at logit z, label t."""
    e = math.exp(-abs(z))
    p = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
    return max(z, 0.0) - t * z + math.log1p(e), p


@njit(cache=False, nogil=True, error_model="numpy", fastmath={"contract"})
def _evaluate(theta: np.ndarray, X: np.ndarray, T: np.ndarray, h: np.ndarray) -> tuple[float, int]:
    """(mean loss, correct count) over every row of X."""
    loss = 0.0
    correct = 0
    for r in range(X.shape[0]):
        z = _forward(theta, X[r, 0], X[r, 1], h)
        lr_, _ = _bce(z, T[r])
        loss += lr_
        correct += (z >= 0.0) == (T[r] > 0.5)
    return loss / X.shape[0], correct


@njit(cache=False, nogil=True, error_model="numpy", fastmath={"contract"})
def floor_train(
    X: np.ndarray,
    T: np.ndarray,
    Xv: np.ndarray,
    Tv: np.ndarray,
    theta0: np.ndarray,
    lr: float,
    b1: float,
    b2: float,
    eps: float,
    steps: int,
    batch_size: int,
    seed: int,
    record_at: np.ndarray,
    batch_loss: np.ndarray,
    grad_norm: np.ndarray,
    rec_train: np.ndarray,
    rec_val: np.ndarray,
    rec_acc: np.ndarray,
) -> np.ndarray:
    """Train the 2-16-1 network; returns the final theta (65,).

    Fills batch_loss and grad_norm (steps,) and, per record (the steps of ``record_at``, then the
    last), rec_train / rec_val (mean losses) and rec_acc (training accuracy).
    """
    n = X.shape[0]
    theta = theta0.copy()
    m1 = np.zeros(N_PARAMS)
    m2 = np.zeros(N_PARAMS)
    g = np.zeros(N_PARAMS)
    h = np.empty(HIDDEN)
    perm = np.arange(n)
    pos = 0
    epoch = 0
    r = 0
    for t in range(steps + 1):
        if t == steps or (r < record_at.shape[0] and t == record_at[r]):
            loss, correct = _evaluate(theta, X, T, h)
            rec_train[r] = loss
            rec_acc[r] = correct / n
            rec_val[r], _ = _evaluate(theta, Xv, Tv, h)
            r += 1
        if t == steps:
            break
        if pos == 0:
            shuffle(perm, seed, epoch)
            epoch += 1
        m = min(batch_size, n - pos)
        g[:] = 0.0
        loss = 0.0
        for k in range(m):
            row = perm[pos + k]
            x0 = X[row, 0]
            x1 = X[row, 1]
            z = _forward(theta, x0, x1, h)
            lk, p = _bce(z, T[row])
            loss += lk
            d = (p - T[row]) / m
            g[B2] += d
            for j in range(HIDDEN):
                g[W2 + j] += d * h[j]
                dz = d * theta[W2 + j] * (1.0 - h[j] * h[j])
                g[B1 + j] += dz
                g[W1 + 2 * j] += dz * x0
                g[W1 + 2 * j + 1] += dz * x1
        pos = 0 if pos + m >= n else pos + m
        batch_loss[t] = loss / m
        gg = 0.0
        for i in range(N_PARAMS):
            gg += g[i] * g[i]
        grad_norm[t] = math.sqrt(gg)
        bc1 = 1.0 - b1 ** float(t + 1)
        bc2 = math.sqrt(1.0 - b2 ** float(t + 1))
        for i in range(N_PARAMS):
            m1[i] = b1 * m1[i] + (1.0 - b1) * g[i]
            m2[i] = b2 * m2[i] + (1.0 - b2) * g[i] * g[i]
            theta[i] -= lr / bc1 * m1[i] / (math.sqrt(m2[i]) / bc2 + eps)
    return theta
