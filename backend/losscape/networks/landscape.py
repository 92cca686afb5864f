"""Loss over a 2-D slice of parameter space, and trajectories projected onto it.

A slice is theta(a, b) = centre + a d1 + b d2. For a 2-parameter model with
centre 0 and d1, d2 the unit axes it is the exact loss over (w1, w2). For a
larger net the directions are either random and filter-normalised (Li et al.
2018, "Visualizing the Loss Landscape of Neural Nets": each row of a random
weight matrix rescaled to the norm of the same row of the trained weights,
biases left out) or the top two principal directions of the trajectory.

A trajectory point theta_k is drawn at the least-squares coordinates (a_k,
b_k) of theta_k - centre in the span of (d1, d2), and its loss on the slice
is E(centre + a_k d1 + b_k d2), evaluated by the same kernel as the contours
(the same directions, the same centre), so it always agrees with the
contours beneath it. theta_k itself may lie off the slice: its own loss is
reported beside it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .mlp import L_IN, L_OUT, L_W, Architecture, loss_only


@njit(cache=True, nogil=True, error_model="numpy")
def slice_grid(
    layout: np.ndarray,
    loss_id: int,
    X: np.ndarray,
    T: np.ndarray,
    centre: np.ndarray,
    d1: np.ndarray,
    d2: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    acts: np.ndarray,
    stats: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[j, i] = E(centre + alphas[i] d1 + betas[j] d2) over all rows of X (rows over b).

    Batch normalisation, if any, normalises over all rows of X at each theta.
    """
    idx = np.arange(X.shape[0])
    theta = np.empty(centre.shape[0])
    for j in range(betas.shape[0]):
        for i in range(alphas.shape[0]):
            a = alphas[i]
            b = betas[j]
            for k in range(theta.shape[0]):
                theta[k] = centre[k] + a * d1[k] + b * d2[k]
            loss, _ = loss_only(layout, loss_id, theta, X, T, idx, acts, stats, True)
            out[j, i] = loss


@njit(cache=True, nogil=True, error_model="numpy")
def losses_at(
    layout: np.ndarray,
    loss_id: int,
    X: np.ndarray,
    T: np.ndarray,
    thetas: np.ndarray,
    acts: np.ndarray,
    stats: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[k] = E(thetas[k]) over all rows of X; thetas (K, P) (batch norm over all of X)."""
    idx = np.arange(X.shape[0])
    for k in range(thetas.shape[0]):
        loss, _ = loss_only(layout, loss_id, thetas[k], X, T, idx, acts, stats, True)
        out[k] = loss


def filter_normalized(
    arch: Architecture, theta: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A random direction shaped like theta, each weight row scaled to the norm of theta's row.

    Bias entries (and batch normalisation's gamma, beta) are 0 (Li et al. leave
    biases out). A zero row of theta gives a zero row of the direction.
    """
    d = np.zeros_like(theta)
    layout = arch.layout
    for row in layout:
        n_in, n_out, w = int(row[L_IN]), int(row[L_OUT]), int(row[L_W])
        r = rng.standard_normal((n_out, n_in))
        target = theta[w : w + n_in * n_out].reshape(n_out, n_in)
        tn = np.linalg.norm(target, axis=1, keepdims=True)
        rn = np.linalg.norm(r, axis=1, keepdims=True)
        d[w : w + n_in * n_out] = (r * tn / np.where(rn > 0, rn, 1.0)).ravel()
    return d


def pca_directions(
    thetas: np.ndarray, centre: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d1, d2, explained) from the trajectory points ``thetas`` (R, P) around ``centre``.

    d1, d2 are the top two right singular vectors of thetas - centre, unit
    length and orthogonal; ``explained`` (2,) the share of the squared
    distances each one carries. When the points span fewer than two
    directions the missing ones are completed with random orthonormal ones.
    """
    m = thetas - centre[None, :]
    p = thetas.shape[1]
    if p < 2:
        raise ValueError("a slice needs a model with at least 2 parameters")
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    total = float(np.sum(s**2))
    scale = s[0] if s.size else 0.0
    rank = int(np.sum(s > 1e-12 * max(scale, 1e-300))) if total > 0 else 0
    dirs = [vt[k] for k in range(min(rank, 2))]
    while len(dirs) < 2:
        v = rng.standard_normal(p)
        for u in dirs:
            v -= (v @ u) * u
        dirs.append(v / np.linalg.norm(v))
    explained = np.array([(s[k] ** 2) / total if k < rank and total > 0 else 0.0 for k in range(2)])
    return dirs[0].copy(), dirs[1].copy(), explained


def project(thetas: np.ndarray, centre: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """(R, 2) least-squares coordinates (a, b) of thetas - centre in span(d1, d2)."""
    basis = np.column_stack([d1, d2])
    coords, *_ = np.linalg.lstsq(basis, (thetas - centre[None, :]).T, rcond=None)
    return coords.T.copy()


def points_on_slice(
    coords: np.ndarray, centre: np.ndarray, d1: np.ndarray, d2: np.ndarray
) -> np.ndarray:
    """(R, P) parameter vectors centre + a d1 + b d2 for coords (R, 2)."""
    return centre[None, :] + coords[:, :1] * d1[None, :] + coords[:, 1:2] * d2[None, :]
