"""Forward and backward passes of small dense networks over one flat theta, in numba.

A model is a stack of L dense layers described by an int64 ``layout`` table,
one row per layer::

    (n_in, n_out, w_off, b_off, act, a_off, g_off)

Layer l computes ``z = W a_prev + b`` with ``W`` (n_out, n_in) stored row-major
at ``theta[w_off : w_off + n_out * n_in]`` (torch's ``nn.Linear.weight``
layout) and ``b`` (n_out,) at ``theta[b_off : b_off + n_out]`` (``b_off = -1``:
no bias), then ``a = act(z)``. With ``g_off >= 0`` (batch normalisation, hidden
layers only) z is first normalised over the batch and scaled by gamma
(``theta[g_off : g_off + n_out]``) and shifted by beta (the n_out after them):
see ``batchnorm``. The last layer is linear (act = identity); the loss reads
its outputs as a prediction (squared error) or as logits.

Points go through in chunks. A chunk's values live feature-major in a scratch
``acts`` (U, C), one column per point: rows 0..n_in-1 hold the inputs, then
layer l's outputs rows ``a_off : a_off + n_out`` (so its inputs are the n_in
rows just before). ``deltas`` (U, C) holds dE/dz in the same places during the
backward pass. Inner loops run along a row (``rows``), which LLVM vectorises.

Batch normalisation needs the whole batch at once (a point's output depends
on the batch's mean and variance, its gradient on batch-level sums): in
training mode a network with it takes the batch as one chunk, so ``acts`` must
be as wide as the batch (``architecture.scratch(arch, points)``) and has U more
rows for z_hat. ``stats`` (2, U) holds per unit the mean and the biased
variance used: written by a training-mode pass, read by an evaluation pass.
Evaluation uses the statistics of the whole training set at the evaluated
theta (``population_stats``): the loss over the training set is then exactly
the full-batch training objective at theta (a function of theta alone, as a
landscape needs), and a new point is normalised as torch's eval mode does
with running_mean / running_var set to those statistics.

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
    tanh,
)
from .architecture import L_A, L_ACT, L_B, L_G, L_IN, L_OUT, L_W
from .batchnorm import normalise, normalise_backward
from .rows import axpy4_rows, axpy_rows, dot4_rows, dot_rows, total_row
from .vector_math import exp_neg, log1p_unit

TOO_WIDE = "batch normalisation takes the whole batch as one chunk: scratch narrower than the batch"


@njit(cache=True, nogil=True)
def units_of(layout: np.ndarray) -> int:
    """U: the rows of the inputs and every layer's outputs (where z_hat rows start)."""
    last = layout.shape[0] - 1
    return layout[last, L_A] + layout[last, L_OUT]


@njit(cache=True, nogil=True)
def layer_row(layout: np.ndarray, layer: int) -> tuple[int, int, int, int, int, int, int]:
    """Layer ``layer``'s (n_in, n_out, w_off, b_off, act, a_off, g_off)."""
    row = layout[layer]
    return row[L_IN], row[L_OUT], row[L_W], row[L_B], row[L_ACT], row[L_A], row[L_G]


@njit(cache=True, nogil=True)
def has_batch_norm(layout: np.ndarray) -> bool:
    """Whether any layer normalises over the batch."""
    for layer in range(layout.shape[0]):  # noqa: SIM110 (numba compiles no any() of a generator)
        if layout[layer, L_G] >= 0:
            return True
    return False


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def forward_chunk(
    layout: np.ndarray,
    theta: np.ndarray,
    X: np.ndarray,
    idx: np.ndarray,
    c0: int,
    m: int,
    acts: np.ndarray,
    stats: np.ndarray,
    train: bool,
) -> None:
    """Rows of ``acts`` (U, >= m) for the m points X[idx[c0 : c0 + m]], one column each.

    Rows 0..n_in-1 receive the inputs, then each layer's outputs at its a_off.
    A batch-normalised unit at row r keeps z_hat in row U + r; ``train``
    normalises with the m points' own statistics and writes them to
    ``stats[:, r]``, otherwise it reads them from there.
    """
    n_x = layout[0, L_IN]
    units = units_of(layout)
    for c in range(m):
        r = idx[c0 + c]
        for i in range(n_x):
            acts[i, c] = X[r, i]
    for layer in range(layout.shape[0]):
        n_in, n_out, w, b, act, ao, g = layer_row(layout, layer)
        ai = ao - n_in
        for j in range(n_out):
            row = ao + j
            bj = theta[b + j] if b >= 0 else 0.0
            for c in range(m):
                acts[row, c] = bj
            wrow = w + j * n_in
            i = 0
            while i + 4 <= n_in:
                axpy4_rows(
                    acts, row, theta[wrow + i], theta[wrow + i + 1], theta[wrow + i + 2],
                    theta[wrow + i + 3], acts, ai + i, m,
                )  # fmt: skip
                i += 4
            while i < n_in:
                axpy_rows(acts, row, theta[wrow + i], acts, ai + i, m)
                i += 1
            if g >= 0:
                mean, var = normalise(
                    acts[row], acts[units + row], m, theta[g + j], theta[g + n_out + j],
                    stats[0, row], stats[1, row], train,
                )  # fmt: skip
                stats[0, row] = mean
                stats[1, row] = var
            # One loop per activation (not a dispatch inside one loop) so each vectorises.
            if act == ACT_TANH:
                for c in range(m):
                    acts[row, c] = tanh(acts[row, c])
            elif act == ACT_LOGISTIC:
                for c in range(m):
                    acts[row, c] = 0.5 + 0.5 * tanh(0.5 * acts[row, c])
            elif act == ACT_RELU:
                for c in range(m):
                    acts[row, c] = max(acts[row, c], 0.0)


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
    targets: np.ndarray,
) -> tuple[float, int]:
    """Summed loss over the chunk's m points and the count of correct class predictions.

    ``T`` (N,) holds targets (regression), 0/1 labels (binary) or class
    indices as floats (softmax). With ``want_delta`` the output rows of
    ``deltas`` receive scale * dL/dz (scale = 1 / batch size gives dE/dz). A
    binary prediction is positive when its logit is >= 0 (probability >=
    0.5, as in ``metrics``); a softmax prediction is the first largest logit.
    The logistic losses copy the chunk's targets into ``targets`` (>= m,
    scratch) and leave each point's loss in the output row of ``acts`` (its
    logits are spent by then), so the loop that computes them reads and writes
    contiguous rows and vectorises; the sum then runs over that row in the
    points' order, as a running sum would.
    """
    last = layout.shape[0] - 1
    ao = layout[last, L_A]
    if loss_id == LOSS_SOFTMAX:
        return _softmax_chunk(ao, layout[last, L_OUT], acts, T, idx, c0, m, scale, deltas,
                              want_delta)  # fmt: skip
    loss = 0.0
    if loss_id == LOSS_SQUARED:
        for c in range(m):
            d = acts[ao, c] - T[idx[c0 + c]]
            loss += 0.5 * d * d
            if want_delta:
                deltas[ao, c] = d * scale
        return loss, 0
    correct = 0
    for c in range(m):  # a gather in the loop below would keep LLVM from vectorising it
        targets[c] = T[idx[c0 + c]]
    for c in range(m):
        z = acts[ao, c]
        t = targets[c]
        correct += (z >= 0.0) == (t > 0.5)
        # One e = exp(-|z|) for both the loss and sigma(z) (vectorisable: ``vector_math``).
        e = exp_neg(abs(z))
        p = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
        if loss_id == LOSS_BCE:
            point = max(z, 0.0) - t * z + log1p_unit(e)
            dz = p - t
        else:  # logistic squared error
            d = p - t
            point = 0.5 * d * d
            dz = d * p * (1.0 - p)
        if want_delta:
            deltas[ao, c] = dz * scale
        acts[ao, c] = point
    for c in range(m):
        loss += acts[ao, c]
    return loss, correct


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def _softmax_chunk(
    ao: int,
    k: int,
    acts: np.ndarray,
    T: np.ndarray,
    idx: np.ndarray,
    c0: int,
    m: int,
    scale: float,
    deltas: np.ndarray,
    want_delta: bool,
) -> tuple[float, int]:
    """``loss_chunk`` for softmax cross-entropy over the k logits at rows ao.. of ``acts``."""
    loss = 0.0
    correct = 0
    for c in range(m):
        t = T[idx[c0 + c]]
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
    stats: np.ndarray,
) -> None:
    """Backpropagation of one chunk: adds its part of dE/dtheta to grad (P,).

    From the output deltas set by ``loss_chunk``, layer by layer down:
    dW[j, i] += sum_c dz[j, c] a_prev[i, c]; db[j] += sum_c dz[j, c];
    dz_prev[i, c] = phi'(z_prev[i, c]) sum_j W[j, i] dz[j, c]. A
    batch-normalised layer first turns its rows from dE/dy into dE/dz
    (``batchnorm.normalise_backward``, with the batch variance in ``stats``)
    and adds dE/dgamma, dE/dbeta; the chunk must then be the whole batch.

    ``broken`` plants a bug on purpose, for the gradient-check diagnostic: in
    a network with hidden layers the factor phi'(z) is left out (the lecture's
    z_bar = h_bar phi'(z) without phi'); in a model with no hidden layer the
    weight gradient forgets its input (w_bar_j = y_bar instead of y_bar x_j).
    """
    n_layers = layout.shape[0]
    units = units_of(layout)
    for layer in range(n_layers - 1, -1, -1):
        n_in, n_out, w, b, _, ao, g = layer_row(layout, layer)
        ai = ao - n_in
        if g >= 0:
            for j in range(n_out):
                d_gamma, d_beta = normalise_backward(
                    deltas[ao + j], acts[units + ao + j], m, theta[g + j], stats[1, ao + j]
                )
                grad[g + j] += d_gamma
                grad[g + n_out + j] += d_beta
        for j in range(n_out):
            if b >= 0:
                grad[b + j] += total_row(deltas, ao + j, m)
            if broken and n_layers == 1:
                s = total_row(deltas, ao + j, m)
                for i in range(n_in):
                    grad[w + j * n_in + i] += s
        if not (broken and n_layers == 1):
            for i in range(n_in):
                j = 0
                while j + 4 <= n_out:
                    s0, s1, s2, s3 = dot4_rows(acts, ai + i, deltas, ao + j, m)
                    grad[w + j * n_in + i] += s0
                    grad[w + (j + 1) * n_in + i] += s1
                    grad[w + (j + 2) * n_in + i] += s2
                    grad[w + (j + 3) * n_in + i] += s3
                    j += 4
                while j < n_out:
                    grad[w + j * n_in + i] += dot_rows(deltas, ao + j, acts, ai + i, m)
                    j += 1
        if layer == 0:
            break
        prev_act = layout[layer - 1, L_ACT]
        for i in range(n_in):
            dp = ai + i
            for c in range(m):
                deltas[dp, c] = 0.0
            j = 0
            while j + 4 <= n_out:
                axpy4_rows(
                    deltas, dp, theta[w + j * n_in + i], theta[w + (j + 1) * n_in + i],
                    theta[w + (j + 2) * n_in + i], theta[w + (j + 3) * n_in + i], deltas,
                    ao + j, m,
                )  # fmt: skip
                j += 4
            while j < n_out:
                axpy_rows(deltas, dp, theta[w + j * n_in + i], deltas, ao + j, m)
                j += 1
            if not broken:
                if prev_act == ACT_TANH:
                    for c in range(m):
                        deltas[dp, c] *= 1.0 - acts[dp, c] * acts[dp, c]
                elif prev_act == ACT_LOGISTIC:
                    for c in range(m):
                        deltas[dp, c] *= acts[dp, c] * (1.0 - acts[dp, c])
                elif prev_act == ACT_RELU:
                    for c in range(m):
                        deltas[dp, c] = deltas[dp, c] if acts[dp, c] > 0.0 else 0.0


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
    stats: np.ndarray,
) -> tuple[float, int]:
    """(mean loss, correct count) over the batch X[idx]; grad (P,) = dE/dtheta.

    Points go through in chunks of acts.shape[1] columns, so a chunk's
    activations stay in the L1 cache whatever the batch size. Training mode:
    batch normalisation uses the batch's statistics (left in ``stats``).
    """
    grad[:] = 0.0
    b_count = idx.shape[0]
    chunk = acts.shape[1]
    if b_count > chunk and has_batch_norm(layout):
        raise ValueError(TOO_WIDE)
    scale = 1.0 / b_count
    loss = 0.0
    targets = np.empty(chunk)  # the chunk's targets, for ``loss_chunk``
    correct = 0
    for c0 in range(0, b_count, chunk):
        m = min(chunk, b_count - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts, stats, True)
        lc, cc = loss_chunk(layout, loss_id, acts, T, idx, c0, m, scale, deltas, True, targets)
        loss += lc
        correct += cc
        backward_chunk(layout, theta, m, acts, deltas, grad, broken, stats)
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
    stats: np.ndarray,
    train: bool,
) -> tuple[float, int]:
    """(mean loss, correct count) over the points X[idx], forward pass only.

    ``train``: batch normalisation over these points (stats written), as in
    ``loss_grad``; otherwise with the statistics in ``stats``.
    """
    b_count = idx.shape[0]
    chunk = acts.shape[1]
    if train and b_count > chunk and has_batch_norm(layout):
        raise ValueError(TOO_WIDE)
    loss = 0.0
    targets = np.empty(chunk)  # the chunk's targets, for ``loss_chunk``
    correct = 0
    for c0 in range(0, b_count, chunk):
        m = min(chunk, b_count - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts, stats, train)
        lc, cc = loss_chunk(layout, loss_id, acts, T, idx, c0, m, 1.0, acts, False, targets)
        loss += lc
        correct += cc
    return loss / b_count, correct


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def population_stats(
    layout: np.ndarray, theta: np.ndarray, X: np.ndarray, acts: np.ndarray, stats: np.ndarray
) -> None:
    """stats (2, U) = every normalised unit's mean and biased variance over all rows of X.

    What evaluation normalises with (X: the training points). Nothing to do
    without batch normalisation.
    """
    if not has_batch_norm(layout):
        return
    n = X.shape[0]
    if n > acts.shape[1]:
        raise ValueError(TOO_WIDE)
    forward_chunk(layout, theta, X, np.arange(n), 0, n, acts, stats, True)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def outputs(
    layout: np.ndarray,
    theta: np.ndarray,
    X: np.ndarray,
    acts: np.ndarray,
    out: np.ndarray,
    stats: np.ndarray,
) -> None:
    """out (N, K) = the last layer's outputs (predictions or logits) at every row of X.

    Evaluation mode: batch normalisation uses ``stats`` (``population_stats``).
    """
    n = X.shape[0]
    idx = np.arange(n)
    chunk = acts.shape[1]
    last = layout.shape[0] - 1
    ao = layout[last, L_A]
    for c0 in range(0, n, chunk):
        m = min(chunk, n - c0)
        forward_chunk(layout, theta, X, idx, c0, m, acts, stats, False)
        for c in range(m):
            for j in range(layout[last, L_OUT]):
                out[c0 + c, j] = acts[ao + j, c]
