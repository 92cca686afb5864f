"""Forward and backward passes of small dense networks over one flat theta, in numba.

A model is a stack of L dense layers described by an int64 ``layout`` table,
one row per layer::

    (n_in, n_out, w_off, b_off, act, a_off)

Layer l computes ``z = W a_prev + b`` with ``W`` (n_out, n_in) stored row-major
at ``theta[w_off : w_off + n_out * n_in]`` (torch's ``nn.Linear.weight``
layout) and ``b`` (n_out,) at ``theta[b_off : b_off + n_out]`` (``b_off = -1``:
no bias), then ``a = act(z)``. The last layer is linear (act = identity); the
loss reads its outputs as a prediction (squared error) or as logits.

Points go through in chunks. A chunk's values live feature-major in a scratch
``acts`` (U, C), one column per point: rows 0..n_in-1 hold the inputs, then
layer l's outputs rows ``a_off : a_off + n_out`` (so its inputs are the n_in
rows just before). ``deltas`` (U, C) holds dE/dz in the same places during the
backward pass. Inner loops run along a row (axpy form), which LLVM vectorises
as written; sums over points (``dot``, ``total``) may be reassociated.

Losses are means over the batch (the lecture's E = 1/N sum_i L_i):
- squared error      L = (y - t)^2 / 2, y = z;
- binary cross-entropy  L = softplus(z) - t z (= -t log y - (1-t) log(1-y), y = sigma(z));
- softmax cross-entropy L = logsumexp(z) - z_t over K logits;
- logistic squared error L = (sigma(z) - t)^2 / 2 (the lecture's plateau example).

Kernels use ``error_model="numpy"`` so a division compiles without a
zero-division check: that check stops LLVM from vectorising the inner loops.
The nonlinearities live in ``activations``, the layout table and the
initialisations in ``architecture``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .activations import (
    ACT_LOGISTIC,
    ACT_RELU,
    ACT_TANH,
    FUSE,
    LOSS_BCE,
    LOSS_SOFTMAX,
    LOSS_SQUARED,
    sigmoid,
    tanh,
)
from .architecture import L_A, L_ACT, L_B, L_IN, L_OUT, L_W

# Sums over the points of a chunk may be reassociated (and multiply-adds fused)
# so LLVM vectorises them; the flags leave out nnan / ninf, so non-finite values
# still propagate and divergence is still seen. A given machine always sums in
# the same order, so runs are reproducible.
_SUM_FLAGS = {"reassoc", "contract"}


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot(u: np.ndarray, v: np.ndarray, m: int) -> float:
    """sum(u[:m] * v[:m])."""
    s = 0.0
    for c in range(m):
        s += u[c] * v[c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot4(
    u: np.ndarray, v0: np.ndarray, v1: np.ndarray, v2: np.ndarray, v3: np.ndarray, m: int
) -> tuple[float, float, float, float]:
    """sum(u[:m] * v_k[:m]) for four v_k at once: u is loaded once for all four."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for c in range(m):
        uc = u[c]
        s0 += uc * v0[c]
        s1 += uc * v1[c]
        s2 += uc * v2[c]
        s3 += uc * v3[c]
    return s0, s1, s2, s3


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def total(u: np.ndarray, m: int) -> float:
    """sum(u[:m])."""
    s = 0.0
    for c in range(m):
        s += u[c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def forward_chunk(
    layout: np.ndarray,
    theta: np.ndarray,
    X: np.ndarray,
    idx: np.ndarray,
    c0: int,
    m: int,
    acts: np.ndarray,
) -> None:
    """Rows of ``acts`` (U, >= m) for the m points X[idx[c0 : c0 + m]], one column each.

    Rows 0..n_in-1 receive the inputs, then each layer's outputs at its a_off.
    """
    n_x = layout[0, L_IN]
    for c in range(m):
        r = idx[c0 + c]
        for i in range(n_x):
            acts[i, c] = X[r, i]
    for layer in range(layout.shape[0]):
        n_in = layout[layer, L_IN]
        n_out = layout[layer, L_OUT]
        w = layout[layer, L_W]
        b = layout[layer, L_B]
        act = layout[layer, L_ACT]
        ao = layout[layer, L_A]
        ai = ao - n_in
        for j in range(n_out):
            z = acts[ao + j]
            bj = theta[b + j] if b >= 0 else 0.0
            for c in range(m):
                z[c] = bj
            wrow = w + j * n_in
            i = 0
            # Four inputs per pass: a quarter of the loads and stores of z.
            while i + 4 <= n_in:
                w0 = theta[wrow + i]
                w1 = theta[wrow + i + 1]
                w2 = theta[wrow + i + 2]
                w3 = theta[wrow + i + 3]
                a0 = acts[ai + i]
                a1 = acts[ai + i + 1]
                a2 = acts[ai + i + 2]
                a3 = acts[ai + i + 3]
                for c in range(m):
                    z[c] += (w0 * a0[c] + w1 * a1[c]) + (w2 * a2[c] + w3 * a3[c])
                i += 4
            while i < n_in:
                wji = theta[wrow + i]
                a = acts[ai + i]
                for c in range(m):
                    z[c] += wji * a[c]
                i += 1
            # One loop per activation (not a dispatch inside one loop) so each vectorises.
            if act == ACT_TANH:
                for c in range(m):
                    z[c] = tanh(z[c])
            elif act == ACT_LOGISTIC:
                for c in range(m):
                    z[c] = 0.5 + 0.5 * tanh(0.5 * z[c])
            elif act == ACT_RELU:
                for c in range(m):
                    z[c] = max(z[c], 0.0)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def loss_chunk(
    layout: np.ndarray,
    loss_id: int,
    acts: np.ndarray,
    T: np.ndarray,
    idx: np.ndarray,
    c0: int,
    m: int,
    scale: float,
    deltas: np.ndarray,
    want_delta: bool,
) -> tuple[float, int]:
    """Summed loss over the chunk's m points and the count of correct class predictions.

    ``T`` (N,) holds targets (regression), 0/1 labels (binary) or class
    indices as floats (softmax). With ``want_delta`` the output rows of
    ``deltas`` receive scale * dL/dz (scale = 1 / batch size gives dE/dz). A
    binary prediction is positive when its logit is >= 0 (probability >=
    0.5, as in ``metrics``); a softmax prediction is the first largest logit.
    """
    last = layout.shape[0] - 1
    ao = layout[last, L_A]
    k = layout[last, L_OUT]
    loss = 0.0
    correct = 0
    for c in range(m):
        t = T[idx[c0 + c]]
        if loss_id == LOSS_SOFTMAX:
            mx = acts[ao, c]
            best = 0
            for j in range(1, k):
                if acts[ao + j, c] > mx:
                    mx = acts[ao + j, c]
                    best = j
            s = 0.0
            for j in range(k):
                s += math.exp(acts[ao + j, c] - mx)
            label = int(t)
            loss += math.log(s) + mx - acts[ao + label, c]
            if best == label:
                correct += 1
            if want_delta:
                for j in range(k):
                    p = math.exp(acts[ao + j, c] - mx) / s
                    deltas[ao + j, c] = (p - (1.0 if j == label else 0.0)) * scale
            continue
        z = acts[ao, c]
        if loss_id == LOSS_SQUARED:
            d = z - t
            loss += 0.5 * d * d
            if want_delta:
                deltas[ao, c] = d * scale
            continue
        if (z >= 0.0) == (t > 0.5):
            correct += 1
        p = sigmoid(z)
        if loss_id == LOSS_BCE:
            loss += max(z, 0.0) - t * z + math.log1p(math.exp(-abs(z)))
            if want_delta:
                deltas[ao, c] = (p - t) * scale
        else:  # logistic squared error
            d = p - t
            loss += 0.5 * d * d
            if want_delta:
                deltas[ao, c] = d * p * (1.0 - p) * scale
    return loss, correct


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def backward_chunk(
    layout: np.ndarray,
    theta: np.ndarray,
    m: int,
    acts: np.ndarray,
    deltas: np.ndarray,
    grad: np.ndarray,
    broken: bool,
) -> None:
    """Backpropagation of one chunk: adds its part of dE/dtheta to grad (P,).

    From the output deltas set by ``loss_chunk``, layer by layer down:
    dW[j, i] += sum_c dz[j, c] a_prev[i, c]; db[j] += sum_c dz[j, c];
    dz_prev[i, c] = phi'(z_prev[i, c]) sum_j W[j, i] dz[j, c].

    ``broken`` plants a bug on purpose, for the gradient-check diagnostic: in
    a network with hidden layers the factor phi'(z) is left out (the lecture's
    z_bar = h_bar phi'(z) without phi'); in a model with no hidden layer the
    weight gradient forgets its input (w_bar_j = y_bar instead of y_bar x_j).
    """
    n_layers = layout.shape[0]
    for layer in range(n_layers - 1, -1, -1):
        n_in = layout[layer, L_IN]
        n_out = layout[layer, L_OUT]
        w = layout[layer, L_W]
        b = layout[layer, L_B]
        ao = layout[layer, L_A]
        ai = ao - n_in
        for j in range(n_out):
            d = deltas[ao + j]
            if b >= 0:
                grad[b + j] += total(d, m)
            if broken and n_layers == 1:
                s = total(d, m)
                for i in range(n_in):
                    grad[w + j * n_in + i] += s
        if not (broken and n_layers == 1):
            for i in range(n_in):
                a = acts[ai + i]
                j = 0
                while j + 4 <= n_out:
                    s0, s1, s2, s3 = dot4(
                        a, deltas[ao + j], deltas[ao + j + 1], deltas[ao + j + 2],
                        deltas[ao + j + 3], m,
                    )  # fmt: skip
                    grad[w + j * n_in + i] += s0
                    grad[w + (j + 1) * n_in + i] += s1
                    grad[w + (j + 2) * n_in + i] += s2
                    grad[w + (j + 3) * n_in + i] += s3
                    j += 4
                while j < n_out:
                    grad[w + j * n_in + i] += dot(deltas[ao + j], a, m)
                    j += 1
        if layer == 0:
            break
        prev_act = layout[layer - 1, L_ACT]
        for i in range(n_in):
            dp = deltas[ai + i]
            for c in range(m):
                dp[c] = 0.0
            j = 0
            while j + 4 <= n_out:
                w0 = theta[w + j * n_in + i]
                w1 = theta[w + (j + 1) * n_in + i]
                w2 = theta[w + (j + 2) * n_in + i]
                w3 = theta[w + (j + 3) * n_in + i]
                d0 = deltas[ao + j]
                d1 = deltas[ao + j + 1]
                d2 = deltas[ao + j + 2]
                d3 = deltas[ao + j + 3]
                for c in range(m):
                    dp[c] += (w0 * d0[c] + w1 * d1[c]) + (w2 * d2[c] + w3 * d3[c])
                j += 4
            while j < n_out:
                wji = theta[w + j * n_in + i]
                d = deltas[ao + j]
                for c in range(m):
                    dp[c] += wji * d[c]
                j += 1
            if not broken:
                a = acts[ai + i]
                if prev_act == ACT_TANH:
                    for c in range(m):
                        dp[c] *= 1.0 - a[c] * a[c]
                elif prev_act == ACT_LOGISTIC:
                    for c in range(m):
                        dp[c] *= a[c] * (1.0 - a[c])
                elif prev_act == ACT_RELU:
                    for c in range(m):
                        dp[c] = dp[c] if a[c] > 0.0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def loss_grad(
    layout: np.ndarray,
    loss_id: int,
    theta: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    idx: np.ndarray,
    acts: np.ndarray,
    deltas: np.ndarray,
    grad: np.ndarray,
    broken: bool,
) -> tuple[float, int]:
    """(mean loss, correct count) over the points X[idx]; grad (P,) = dE/dtheta.

    Points go through in chunks of acts.shape[1] columns, so a chunk's
    activations stay in the L1 cache whatever the batch size.
    """
    grad[:] = 0.0
    b_count = idx.shape[0]
    chunk = acts.shape[1]
    scale = 1.0 / b_count
    loss = 0.0
    correct = 0
    for c0 in range(0, b_count, chunk):
        m = min(chunk, b_count - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts)
        lc, cc = loss_chunk(layout, loss_id, acts, T, idx, c0, m, scale, deltas, True)
        loss += lc
        correct += cc
        backward_chunk(layout, theta, m, acts, deltas, grad, broken)
    return loss * scale, correct


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def loss_only(
    layout: np.ndarray,
    loss_id: int,
    theta: np.ndarray,
    X: np.ndarray,
    T: np.ndarray,
    idx: np.ndarray,
    acts: np.ndarray,
) -> tuple[float, int]:
    """(mean loss, correct count) over the points X[idx], forward pass only."""
    b_count = idx.shape[0]
    chunk = acts.shape[1]
    loss = 0.0
    correct = 0
    for c0 in range(0, b_count, chunk):
        m = min(chunk, b_count - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts)
        lc, cc = loss_chunk(layout, loss_id, acts, T, idx, c0, m, 1.0, acts, False)
        loss += lc
        correct += cc
    return loss / b_count, correct


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def outputs(
    layout: np.ndarray, theta: np.ndarray, X: np.ndarray, acts: np.ndarray, out: np.ndarray
) -> None:
    """out (N, K) = the last layer's outputs (predictions or logits) at every row of X."""
    n = X.shape[0]
    idx = np.arange(n)
    chunk = acts.shape[1]
    last = layout.shape[0] - 1
    ao = layout[last, L_A]
    for c0 in range(0, n, chunk):
        m = min(chunk, n - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts)
        for c in range(m):
            for j in range(layout[last, L_OUT]):
                out[c0 + c, j] = acts[ao + j, c]
