"""Hidden-activation statistics of a network over the training points, in numba.

What the network page's activation view draws: per hidden layer a histogram of
the (unit, point) activations, the share of dead ReLU units and the share of
saturated logistic / tanh activations. ``hidden_stats`` makes its own forward
pass; ``loss_and_stats`` bins the activations of a record's loss pass while
they are still in the scratch, so a record with statistics costs one pass,
not two.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .activations import FUSE
from .mlp import ACT_LOGISTIC, ACT_RELU, ACT_TANH, L_A, L_ACT, L_OUT, forward_chunk, loss_chunk
from .passes import TOO_WIDE, has_batch_norm

SATURATION_SLOPE = 0.01  # phi'(z) below 1% of its peak counts as saturated


@njit(cache=True, nogil=True, error_model="numpy")
def bin_activations(
    layout: np.ndarray,
    acts: np.ndarray,
    m: int,
    lo: float,
    hi: float,
    hist: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Add one chunk's hidden activations (the m columns of ``acts``) to raw counts.

    hist (H, bins) += per hidden layer the number of (unit, point) values in
    each of ``bins`` equal bins over [lo, hi] (values outside go to the end
    bins); counts (U,) += per unit the points where it is alive (ReLU: a > 0)
    or flat (tanh / logistic: phi'(z) below SATURATION_SLOPE of its peak).
    """
    n_hidden = layout.shape[0] - 1
    bins = hist.shape[1]
    act = layout[0, L_ACT]
    width = (hi - lo) / bins
    for layer in range(n_hidden):
        ao = layout[layer, L_A]
        h = hist[layer]
        for j in range(layout[layer, L_OUT]):
            row = acts[ao + j]
            for c in range(m):
                a = row[c]
                k = int((a - lo) / width) if a > lo else 0
                h[min(k, bins - 1)] += 1.0
            # One counting loop per activation (no dispatch per value): LLVM vectorises each.
            flags = 0
            if act == ACT_RELU:
                for c in range(m):
                    flags += row[c] > 0.0  # points where the unit is alive
            elif act == ACT_TANH:
                for c in range(m):
                    flags += 1.0 - row[c] * row[c] < SATURATION_SLOPE
            elif act == ACT_LOGISTIC:
                for c in range(m):
                    flags += row[c] * (1.0 - row[c]) < 0.25 * SATURATION_SLOPE
            counts[ao + j] += flags


@njit(cache=True, nogil=True, error_model="numpy")
def finish_stats(
    layout: np.ndarray,
    n: int,
    hist: np.ndarray,
    dead: np.ndarray,
    saturated: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Turn the raw counts of ``bin_activations`` over n points into shares (in place)."""
    act = layout[0, L_ACT]
    for layer in range(layout.shape[0] - 1):
        ao = layout[layer, L_A]
        width_l = layout[layer, L_OUT]
        dead_units = 0
        flat = 0
        for j in range(width_l):
            if act == ACT_RELU and counts[ao + j] == 0:
                dead_units += 1
            if act in (ACT_TANH, ACT_LOGISTIC):
                flat += counts[ao + j]
        dead[layer] = dead_units / width_l
        saturated[layer] = flat / (width_l * n)
        for k in range(hist.shape[1]):
            hist[layer, k] /= width_l * n


@njit(cache=True, nogil=True, error_model="numpy")
def hidden_stats(
    layout: np.ndarray,
    theta: np.ndarray,
    X: np.ndarray,
    idx: np.ndarray,
    acts: np.ndarray,
    lo: float,
    hi: float,
    hist: np.ndarray,
    dead: np.ndarray,
    saturated: np.ndarray,
    counts: np.ndarray,
    stats: np.ndarray,
) -> None:
    """Activation statistics of the hidden layers over the points X[idx].

    hist (H, bins): per hidden layer, the share of (unit, point) activations
    in each of ``bins`` equal bins over [lo, hi] (values outside go to the end
    bins). dead (H,): the share of ReLU units that output 0 on every point
    (their weight gradients are exactly 0). saturated (H,): for logistic /
    tanh, the share of (unit, point) activations in the flat region, where
    phi'(z) is below SATURATION_SLOPE of its peak (a unit there passes back
    almost no gradient: the lecture's plateau). ``counts`` (U,) is scratch.
    Batch normalisation, if any, normalises over all the points X[idx] (one
    chunk: ``acts`` must be as wide), leaving their statistics in ``stats``.
    """
    hist[:] = 0.0
    counts[:] = 0
    n = idx.shape[0]
    chunk = acts.shape[1]
    for c0 in range(0, n, chunk):
        m = min(chunk, n - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts, stats, True)
        bin_activations(layout, acts, m, lo, hi, hist, counts)
    finish_stats(layout, n, hist, dead, saturated, counts)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def loss_and_stats(
    layout: np.ndarray,
    loss_id: int,
    theta: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    idx: np.ndarray,
    acts: np.ndarray,
    stats: np.ndarray,
    lo: float,
    hi: float,
    hist: np.ndarray,
    dead: np.ndarray,
    saturated: np.ndarray,
    counts: np.ndarray,
) -> tuple[float, int]:
    """``loss_only`` over X[idx] in training mode and ``hidden_stats`` from the same pass.

    One forward pass instead of two: the statistics are binned from each
    chunk's activations while they are still in the scratch (the same values
    ``hidden_stats`` bins, so the same result).
    """
    n = idx.shape[0]
    chunk = acts.shape[1]
    if n > chunk and has_batch_norm(layout):
        raise ValueError(TOO_WIDE)
    hist[:] = 0.0
    counts[:] = 0
    loss = 0.0
    targets = np.empty(chunk)  # the chunk's targets, for ``loss_chunk``
    correct = 0
    for c0 in range(0, n, chunk):
        m = min(chunk, n - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts, stats, True)
        lc, cc = loss_chunk(layout, loss_id, acts, T, idx, c0, m, 1.0, acts, False, targets)
        loss += lc
        correct += cc
        bin_activations(layout, acts, m, lo, hi, hist, counts)
    finish_stats(layout, n, hist, dead, saturated, counts)
    return loss / n, correct
