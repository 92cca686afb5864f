"""Hidden-unit nonlinearities and loss ids of the numba MLP (``mlp``), as scalar kernels.

phi(z) is tanh, the logistic sigma(z) = (1 + tanh(z/2)) / 2, ReLU max(z, 0) or the
identity (the output layer); phi'(z) is written in terms of a = phi(z), which is what
the backward pass has at hand. Loss ids select the output's loss in ``passes.loss_chunk``.

Kernels use ``error_model="numpy"`` so a division compiles without a zero-division
check: that check stops LLVM from vectorising the inner loops (and the tanh below).
"""

from __future__ import annotations

import math

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


# Multiply-adds may be fused (one rounding instead of two); no other fast-math
# flag, so NaN and inf behave as IEEE says and divergence is still seen.
FUSE = {"contract"}

TANH_CLIP = 20.0  # tanh(20) rounds to 1.0 in float64


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE)
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
