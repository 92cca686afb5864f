"""Hidden-unit nonlinearities and loss ids of the numba MLP (``mlp``), as scalar kernels.

phi(z) is tanh, the logistic sigma(z) = (1 + tanh(z/2)) / 2, ReLU max(z, 0) or the
identity (the output layer); phi'(z) is written in terms of a = phi(z), which is what
the backward pass has at hand. Loss ids select the output's loss in ``passes.loss_chunk``.

Kernels use ``error_model="numpy"`` so a division compiles without a zero-division
check: that check stops LLVM from vectorising the inner loops. tanh lives in
``vector_math`` with the losses' exp and log1p, in a form those loops vectorise.
"""

from __future__ import annotations

import math

from numba import njit

# Re-exported: the passes and ``mlp`` import the flags and tanh from here.
from .vector_math import FUSE, TANH_CLIP, tanh  # noqa: F401

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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def sigmoid(z: float) -> float:
    """Logistic 1 / (1 + exp(-z)), without overflow for either sign (scalar, exact libm)."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def activate(act: int, z: float) -> float:
    """phi(z) for activation id ``act`` (logistic as (1 + tanh(z/2)) / 2, vectorisable)."""
    if act == ACT_TANH:
        return tanh(z)
    if act == ACT_LOGISTIC:
        return 0.5 + 0.5 * tanh(0.5 * z)
    if act == ACT_RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
def activation_slope(act: int, a: float) -> float:
    """phi'(z) written in terms of a = phi(z): 1 - a^2, a (1 - a), [a > 0], 1."""
    if act == ACT_TANH:
        return 1.0 - a * a
    if act == ACT_LOGISTIC:
        return a * (1.0 - a)
    if act == ACT_RELU:
        return 1.0 if a > 0.0 else 0.0
    return 1.0
