"""A dense network's architecture (its ``layout`` table over one flat theta) and its init.

See ``passes`` for what the kernels do with the layout: one row per layer,
``(n_in, n_out, w_off, b_off, act, a_off)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activations import ACT_IDENTITY

# Columns of the layout table.
L_IN, L_OUT, L_W, L_B, L_ACT, L_A = range(6)

MAX_WIDTH = 64
MAX_HIDDEN_LAYERS = 2


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
