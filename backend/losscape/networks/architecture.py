"""A dense network's architecture (its ``layout`` table over one flat theta) and its init.

See ``passes`` for what the kernels do with the layout: one row per layer,
``(n_in, n_out, w_off, b_off, act, a_off, g_off)``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .activations import ACT_IDENTITY

# Columns of the layout table.
L_IN, L_OUT, L_W, L_B, L_ACT, L_A, L_G = range(7)

MAX_WIDTH = 64
MAX_HIDDEN_LAYERS = 2


# --------------------------------------------------------------------------- architecture


@dataclass(frozen=True)
class Architecture:
    """A dense network: n_in inputs, hidden widths, n_out outputs, one hidden activation.

    ``layout`` (L, 7) is the kernel's table (see ``passes``); ``n_params``
    the length of theta; ``units`` the rows of the scratch arrays ``acts`` /
    ``deltas``. ``batch_norm`` normalises every hidden unit over the batch
    before its activation, with a learned gamma and beta per unit (theta holds
    a layer's W, then b, then gamma, then beta: torch's parameter order for
    Linear followed by BatchNorm1d).
    """

    n_in: int
    hidden: tuple[int, ...]
    n_out: int
    activation: int
    loss: int
    bias: bool = True
    batch_norm: bool = False

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
            hidden = layer < len(widths) - 2
            g_off = -1
            if self.batch_norm and hidden:
                g_off = off
                off += 2 * n_out
            act = self.activation if hidden else ACT_IDENTITY
            rows.append((n_in, n_out, w_off, b_off, act, a_off, g_off))
            a_off += n_out
        return np.array(rows, dtype=np.int64)

    @property
    def n_params(self) -> int:
        widths = self.widths
        base = sum(
            widths[k] * widths[k + 1] + (widths[k + 1] if self.bias else 0)
            for k in range(len(widths) - 1)
        )
        return base + (2 * sum(self.hidden) if self.batch_norm else 0)

    @property
    def units(self) -> int:
        """Rows of the scratch arrays: the inputs and every layer's outputs."""
        return sum(self.widths)

    def param_names(self) -> list[str]:
        """Names in theta order: W1[j,i] (layer 1, unit j, input i), b1[j], W2...

        With batch normalisation gamma1[j] and beta1[j] follow a hidden layer's b1.
        """
        return list(_param_names(self))

    def weight(self, theta: np.ndarray, layer: int) -> np.ndarray:
        """W of layer ``layer`` (0-based) as an (n_out, n_in) view of theta."""
        row = self.layout[layer]
        return theta[row[L_W] : row[L_W] + row[L_OUT] * row[L_IN]].reshape(row[L_OUT], row[L_IN])

    def bias_of(self, theta: np.ndarray, layer: int) -> np.ndarray | None:
        row = self.layout[layer]
        if row[L_B] < 0:
            return None
        return theta[row[L_B] : row[L_B] + row[L_OUT]]

    def norm_params(self, theta: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(gamma, beta) views of theta for hidden layer ``layer``, or None without batch norm."""
        row = self.layout[layer]
        if row[L_G] < 0:
            return None
        g, n = int(row[L_G]), int(row[L_OUT])
        return theta[g : g + n], theta[g + n : g + 2 * n]


@functools.lru_cache(maxsize=64)
def _param_names(arch: Architecture) -> tuple[str, ...]:
    """``Architecture.param_names`` kept per architecture (formatting ~50 us a call)."""
    names: list[str] = []
    widths = arch.widths
    for layer in range(len(widths) - 1):
        n_in, n_out = widths[layer], widths[layer + 1]
        names += [f"W{layer + 1}[{j},{i}]" for j in range(n_out) for i in range(n_in)]
        if arch.bias:
            names += [f"b{layer + 1}[{j}]" for j in range(n_out)]
        if arch.batch_norm and layer < len(widths) - 2:
            names += [f"gamma{layer + 1}[{j}]" for j in range(n_out)]
            names += [f"beta{layer + 1}[{j}]" for j in range(n_out)]
    return tuple(names)


CHUNK = 128  # points per chunk: a chunk of a 2-16-16-1 net stays in L1 / L2


def scratch(arch: Architecture, points: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(acts, deltas) scratch arrays for passes over batches of up to ``points`` points.

    (units, CHUNK) each; with batch normalisation a training-mode pass takes
    the batch as one chunk, so they are max(CHUNK, points) wide, and acts has
    ``units`` more rows for z_hat.
    """
    if not arch.batch_norm:
        return np.zeros((arch.units, CHUNK)), np.zeros((arch.units, CHUNK))
    width = max(CHUNK, points)
    return np.zeros((2 * arch.units, width)), np.zeros((arch.units, width))


def norm_stats(arch: Architecture) -> np.ndarray:
    """(2, units) per-unit (mean, variance) of batch normalisation, filled by the passes."""
    return np.zeros((2, arch.units))


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
    leave biases at 0. Batch normalisation's gamma and beta start at 1 and 0
    whatever the init (as torch's BatchNorm1d).
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid inits: {', '.join(INITS)}")
    # The exact float (its hex keeps -0.0 apart from 0.0) and a plain int seed as the key.
    key = None if scale is None else float(scale).hex()
    return _initial_kept(arch, init, int(seed), key).copy()


INIT_CACHE_SIZE = 64  # up to 64 x 4,933 parameters (2-64-64-5, batch norm): < 2.6 MB


@functools.lru_cache(maxsize=INIT_CACHE_SIZE)
def _initial_kept(arch: Architecture, init: str, seed: int, scale_hex: str | None) -> np.ndarray:
    """``initial_theta``'s draw (P,), kept read-only; ``initial_theta`` hands out copies.

    Seeding a generator and drawing the weights cost ~0.1 ms, a tenth of the
    set-up around a small training run, and runs repeat the same (net, init, seed).
    """
    theta = np.zeros(arch.n_params)
    scale = None if scale_hex is None else float.fromhex(scale_hex)
    s = INIT_SCALE_DEFAULTS.get(init, 1.0) if scale is None else scale
    if init == "constant":
        theta[:] = s
    elif init != "zeros":
        _random_weights(arch, theta, init, s, seed)
    for layer in range(len(arch.hidden)):
        norm = arch.norm_params(theta, layer)
        if norm is not None:
            norm[0][:] = 1.0
            norm[1][:] = 0.0
    theta.flags.writeable = False
    return theta


def _random_weights(arch: Architecture, theta: np.ndarray, init: str, s: float, seed: int) -> None:
    """Draw every weight matrix of theta in place for a random init (biases stay 0)."""
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
