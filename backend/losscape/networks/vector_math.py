"""exp(-a) and log1p(e) for the logistic losses, written so LLVM can vectorise loops calling them.

Binary cross-entropy needs, per point with logit z, e = exp(-|z|) (for sigma(z)
and the loss) and log1p(e). libm's exp and log1p are calls that a loop cannot
vectorise around: ~13 ns a point of the ~25 ns a point the loss took, in a
training step of 32 points and in each record's pass over the data. These two
are straight-line arithmetic (selects, multiply-adds, one division each and one
bit cast), within 2 ulp of libm (``tests/networks/test_vector_math.py``).

- ``exp_neg(a)`` = exp(-a) for a >= 0: a = k ln2 + r with k integer and |r| <=
  ln2 / 2 (Cody and Waite's two-part ln2), exp(r) from its Taylor series to
  degree 13 (truncation < 4e-18 relative), times 2^-k built in the exponent bits
  (the round-to-integer shifter 1.5 2^52 leaves k in the low mantissa bits). a is
  clipped at 708 (exp(-708) ~ 3e-308, still a normal number), so 2^-k stays
  normal; NaN stays NaN.
- ``log1p_unit(e)`` = log(1 + e) for 0 <= e <= 1: log u = 2 atanh(s), s = (u - 1) /
  (u + 1) = e / (e + 2); above u = sqrt 2 it takes log 2 + log(u / 2) instead,
  s = (e - 1) / (e + 3), so |s| <= 0.1716 and the odd series to s^21 is exact to
  double precision (truncation < 2e-17 relative).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .activations import FUSE

EXP_CLIP = 708.0
_SHIFTER = 6755399441055744.0  # 1.5 * 2**52
_SHIFTER_BITS = np.int64(4843621399236968448)  # its IEEE bits: 0x4338000000000000
_INV_LN2 = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 to 32 bits: k * _LN2_HI is exact for |k| < 2^21
_LN2_LO = 1.9082149292705877e-10  # ln 2 - _LN2_HI
_LN2 = 0.6931471805599453
_LN2_TAIL = 2.3190468138462996e-17  # ln 2 - _LN2
_SQRT2_M1 = 0.41421356237309503  # sqrt(2) - 1


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def exp_neg(a: float) -> float:
    """exp(-a) for a >= 0 (a > 708 is taken as 708; NaN gives NaN)."""
    if a > EXP_CLIP:
        a = EXP_CLIP
    t = a * _INV_LN2 + _SHIFTER
    k = t - _SHIFTER  # round(a / ln 2), exactly
    r = (k * _LN2_HI - a) + k * _LN2_LO  # -a = -k ln2 + r, |r| <= ln2 / 2
    p = 1.6059043836821613e-10  # 1/13!
    p = p * r + 2.08767569878681e-09
    p = p * r + 2.505210838544172e-08
    p = p * r + 2.755731922398589e-07
    p = p * r + 2.7557319223985893e-06
    p = p * r + 2.48015873015873e-05
    p = p * r + 0.0001984126984126984
    p = p * r + 0.001388888888888889
    p = p * r + 0.008333333333333333
    p = p * r + 0.041666666666666664
    p = p * r + 0.16666666666666666
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    kbits = np.float64(t).view(np.int64) - _SHIFTER_BITS  # k as an integer
    scale = np.int64((np.int64(1023) - kbits) << np.int64(52)).view(np.float64)  # 2^-k
    return p * scale


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def log1p_unit(e: float) -> float:
    """log(1 + e) for 0 <= e <= 1 (NaN gives NaN)."""
    big = e > _SQRT2_M1
    num = e - 1.0 if big else e
    den = e + 3.0 if big else e + 2.0
    s = num / den
    s2 = s * s
    q = 0.047619047619047616  # 1/21
    q = q * s2 + 0.05263157894736842
    q = q * s2 + 0.058823529411764705
    q = q * s2 + 0.06666666666666667
    q = q * s2 + 0.07692307692307693
    q = q * s2 + 0.09090909090909091
    q = q * s2 + 0.1111111111111111
    q = q * s2 + 0.14285714285714285
    q = q * s2 + 0.2
    q = q * s2 + 0.3333333333333333
    two_s = s + s
    tail = two_s * (s2 * q)  # 2 (s^3/3 + s^5/5 + ...)
    if big:
        return _LN2 + (two_s + (tail + _LN2_TAIL))
    return two_s + tail
