"""Weight-space symmetry: swapping two hidden units gives the same function, and the straight
line between the two equivalent weight vectors climbs over a ridge (so the loss is not convex).

The lecture: "we can permute all the hidden units in a given layer and obtain an equivalent
solution ... if the cost function were convex, [their average] would have to be better".
"""

from __future__ import annotations

import numpy as np

from .landscape import losses_at
from .mlp import L_B, L_IN, L_OUT, L_W, Architecture, norm_stats, scratch


def swap_units(arch: Architecture, theta: np.ndarray, layer: int, a: int, b: int) -> np.ndarray:
    """theta with hidden units ``a`` and ``b`` of hidden layer ``layer`` (0-based) exchanged.

    Exchanges their incoming weights and biases (and batch normalisation's gamma and beta)
    and their outgoing weights (the next layer's columns a and b): the network computes
    exactly the same function. theta is (P,).
    """
    if not 0 <= layer < len(arch.hidden):
        raise ValueError(f"hidden layer {layer} does not exist; valid: 0 to {len(arch.hidden) - 1}")
    width = arch.hidden[layer]
    if not (0 <= a < width and 0 <= b < width) or a == b:
        raise ValueError(f"units must be two different indices in 0 to {width - 1}")
    out = np.array(theta, dtype=np.float64, copy=True)
    rows = arch.layout
    w_in = out[rows[layer][L_W] : rows[layer][L_W] + rows[layer][L_OUT] * rows[layer][L_IN]]
    w_in = w_in.reshape(rows[layer][L_OUT], rows[layer][L_IN])
    w_in[[a, b]] = w_in[[b, a]]
    if rows[layer][L_B] >= 0:
        bias = out[rows[layer][L_B] : rows[layer][L_B] + rows[layer][L_OUT]]
        bias[[a, b]] = bias[[b, a]]
    norm = arch.norm_params(out, layer)
    if norm is not None:
        for v in norm:
            v[[a, b]] = v[[b, a]]
    nxt = rows[layer + 1]
    w_out = out[nxt[L_W] : nxt[L_W] + nxt[L_OUT] * nxt[L_IN]].reshape(nxt[L_OUT], nxt[L_IN])
    w_out[:, [a, b]] = w_out[:, [b, a]]
    return out


def line_losses(
    layout: np.ndarray,
    loss_id: int,
    arch: Architecture,
    X: np.ndarray,
    T: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    count: int = 21,
) -> tuple[np.ndarray, np.ndarray]:
    """(t, E((1 - t) start + t end)) at ``count`` evenly spaced t in [0, 1]."""
    t = np.linspace(0.0, 1.0, count)
    thetas = np.ascontiguousarray((1.0 - t)[:, None] * start[None, :] + t[:, None] * end[None, :])
    acts, _ = scratch(arch, X.shape[0])
    out = np.empty(count)
    losses_at(layout, loss_id, X, T, thetas, acts, norm_stats(arch), out)
    return t, out
