"""Small fully connected networks over one flat parameter vector, in numba.

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
zero-division check: that check stops LLVM from vectorising the inner loops
(and the tanh below).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

ACT_IDENTITY = 0
ACT_TANH = 1
ACT_LOGISTIC = 2
ACT_RELU = 3
ACTIVATIONS = {"tanh": ACT_TANH, "logistic": ACT_LOGISTIC, "relu": ACT_RELU}

LOSS_SQUARED = 0
LOSS_BCE = 1
LOSS_SOFTMAX = 2
LOSS_LOGISTIC_SQUARED = 3
LOSSES = {
    "squared_error": LOSS_SQUARED,
    "binary_cross_entropy": LOSS_BCE,
    "softmax_cross_entropy": LOSS_SOFTMAX,
    "logistic_squared_error": LOSS_LOGISTIC_SQUARED,
}

# Columns of the layout table.
L_IN, L_OUT, L_W, L_B, L_ACT, L_A = range(6)

# Multiply-adds may be fused (one rounding instead of two); no other fast-math
# flag, so NaN and inf behave as IEEE says and divergence is still seen.
_FUSE = {"contract"}

MAX_WIDTH = 64
MAX_HIDDEN_LAYERS = 2
TANH_CLIP = 20.0  # tanh(20) rounds to 1.0 in float64


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
def tanh(x: float) -> float:
    """tanh to within a few ulp, written so LLVM can vectorise loops that call it.

    tanh |x| = e / (e + 2) with e = expm1(2|x|). expm1 of y = 2|x| / 64 comes
    from its Taylor series (degree 17, truncation < 1e-17 relative for
    y <= 0.625), then six doublings expm1(2y) = e (e + 2) reach expm1(2|x|);
    each doubling at most doubles the relative error, and far less while e is
    small, which keeps small |x| accurate. |x| is clipped at 20, where tanh is
    1.0 to double precision. NaN stays NaN.
    """
    ax = abs(x)
    if ax > TANH_CLIP:
        ax = TANH_CLIP
    y = ax * (2.0 / 64.0)
    p = 2.8114572543455206e-15  # 1/17!
    p = p * y + 4.779477332387385e-14
    p = p * y + 7.647163731819816e-13
    p = p * y + 1.1470745597729725e-11
    p = p * y + 1.6059043836821613e-10
    p = p * y + 2.08767569878681e-09
    p = p * y + 2.505210838544172e-08
    p = p * y + 2.755731922398589e-07
    p = p * y + 2.7557319223985893e-06
    p = p * y + 2.48015873015873e-05
    p = p * y + 0.0001984126984126984
    p = p * y + 0.001388888888888889
    p = p * y + 0.008333333333333333
    p = p * y + 0.041666666666666664
    p = p * y + 0.16666666666666666
    p = p * y + 0.5
    p = p * y + 1.0
    p = p * y
    p = p * (p + 2.0)
    p = p * (p + 2.0)
    p = p * (p + 2.0)
    p = p * (p + 2.0)
    p = p * (p + 2.0)
    p = p * (p + 2.0)
    r = p / (p + 2.0)
    return r if x >= 0.0 else -r


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
def sigmoid(z: float) -> float:
    """Logistic 1 / (1 + exp(-z)), without overflow for either sign (scalar, exact libm)."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
def activate(act: int, z: float) -> float:
    """phi(z) for activation id ``act`` (logistic as (1 + tanh(z/2)) / 2, vectorisable)."""
    if act == ACT_TANH:
        return tanh(z)
    if act == ACT_LOGISTIC:
        return 0.5 + 0.5 * tanh(0.5 * z)
    if act == ACT_RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
def activation_slope(act: int, a: float) -> float:
    """phi'(z) written in terms of a = phi(z): 1 - a^2, a (1 - a), [a > 0], 1."""
    if act == ACT_TANH:
        return 1.0 - a * a
    if act == ACT_LOGISTIC:
        return a * (1.0 - a)
    if act == ACT_RELU:
        return 1.0 if a > 0.0 else 0.0
    return 1.0


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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_FUSE)
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


# --------------------------------------------------------------------------- architecture


@dataclass(frozen=True)
class Architecture:
    """A dense network: n_in inputs, hidden widths, n_out outputs, one hidden activation.

    ``layout`` (L, 6) is the kernel's table (see the module docstring);
    ``n_params`` the length of theta; ``units`` the rows of the scratch
    arrays ``acts`` / ``deltas``.
    """

    n_in: int
    hidden: tuple[int, ...]
    n_out: int
    activation: int
    loss: int
    bias: bool = True

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.n_in, *self.hidden, self.n_out)

    @property
    def layout(self) -> np.ndarray:
        rows = []
        off = 0
        a_off = self.n_in
        widths = self.widths
        for layer in range(len(widths) - 1):
            n_in, n_out = widths[layer], widths[layer + 1]
            w_off = off
            off += n_in * n_out
            b_off = -1
            if self.bias:
                b_off = off
                off += n_out
            act = ACT_IDENTITY if layer == len(widths) - 2 else self.activation
            rows.append((n_in, n_out, w_off, b_off, act, a_off))
            a_off += n_out
        return np.array(rows, dtype=np.int64)

    @property
    def n_params(self) -> int:
        widths = self.widths
        return sum(
            widths[k] * widths[k + 1] + (widths[k + 1] if self.bias else 0)
            for k in range(len(widths) - 1)
        )

    @property
    def units(self) -> int:
        """Rows of the scratch arrays: the inputs and every layer's outputs."""
        return sum(self.widths)

    def param_names(self) -> list[str]:
        """Names in theta order: W1[j,i] (layer 1, unit j, input i), b1[j], W2..."""
        names: list[str] = []
        widths = self.widths
        for layer in range(len(widths) - 1):
            n_in, n_out = widths[layer], widths[layer + 1]
            names += [f"W{layer + 1}[{j},{i}]" for j in range(n_out) for i in range(n_in)]
            if self.bias:
                names += [f"b{layer + 1}[{j}]" for j in range(n_out)]
        return names

    def weight(self, theta: np.ndarray, layer: int) -> np.ndarray:
        """W of layer ``layer`` (0-based) as an (n_out, n_in) view of theta."""
        row = self.layout[layer]
        return theta[row[L_W] : row[L_W] + row[L_OUT] * row[L_IN]].reshape(row[L_OUT], row[L_IN])

    def bias_of(self, theta: np.ndarray, layer: int) -> np.ndarray | None:
        row = self.layout[layer]
        if row[L_B] < 0:
            return None
        return theta[row[L_B] : row[L_B] + row[L_OUT]]


CHUNK = 128  # points per chunk: a chunk of a 2-16-16-1 net stays in L1 / L2


def scratch(arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
    """(acts, deltas) scratch arrays, (units, CHUNK) each."""
    return np.zeros((arch.units, CHUNK)), np.zeros((arch.units, CHUNK))


# --------------------------------------------------------------------------- initialisation

INITS = ("zeros", "constant", "small_random", "large_random", "xavier", "he")
INIT_SCALE_DEFAULTS = {"constant": 0.5, "small_random": 0.01, "large_random": 5.0}


def initial_theta(
    arch: Architecture, init: str, seed: int, scale: float | None = None
) -> np.ndarray:
    """A seeded initial parameter vector.

    zeros: all 0; constant: every weight and bias = scale (default 0.5);
    small_random / large_random: weights N(0, scale^2) (defaults 0.01 / 5,
    the second saturates logistic and tanh units); xavier: weights
    U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (torch's xavier_uniform_);
    he: weights N(0, 2 / fan_in) (torch's kaiming_normal_). Random inits
    leave biases at 0.
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid inits: {', '.join(INITS)}")
    theta = np.zeros(arch.n_params)
    s = INIT_SCALE_DEFAULTS.get(init, 1.0) if scale is None else float(scale)
    if init == "zeros":
        return theta
    if init == "constant":
        theta[:] = s
        return theta
    rng = np.random.default_rng(seed)
    for layer in range(len(arch.widths) - 1):
        w = arch.weight(theta, layer)
        fan_out, fan_in = w.shape
        if init in ("small_random", "large_random"):
            w[:] = rng.normal(0.0, s, size=w.shape)
        elif init == "xavier":
            a = math.sqrt(6.0 / (fan_in + fan_out))
            w[:] = rng.uniform(-a, a, size=w.shape)
        else:
            w[:] = rng.normal(0.0, math.sqrt(2.0 / fan_in), size=w.shape)
    return theta
