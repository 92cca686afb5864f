"""Row kernels of the network passes: sums and multiply-adds along a row of points.

The passes keep a chunk's values feature-major: one row per unit, one column
per point. These kernels run along such rows (length m), which LLVM
vectorises as written. Sums over points (``dot``, ``dot4``, ``total``) may be
reassociated; the multiply-adds (``axpy``, ``axpy4``) only fuse, and are
inlined into their callers' loops by numba itself (``inline="always"``), so
the passes run the same machine code as with the loops written out in place.

Kernels use ``error_model="numpy"`` so a division compiles without a
zero-division check: that check stops LLVM from vectorising the inner loops.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .activations import FUSE

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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def axpy(y: np.ndarray, a: float, x: np.ndarray, m: int) -> None:
    """y[:m] += a x[:m]."""
    for c in range(m):
        y[c] += a * x[c]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def axpy4(
    y: np.ndarray,
    a0: float,
    a1: float,
    a2: float,
    a3: float,
    x0: np.ndarray,
    x1: np.ndarray,
    x2: np.ndarray,
    x3: np.ndarray,
    m: int,
) -> None:
    """y[:m] += a0 x0[:m] + a1 x1[:m] + a2 x2[:m] + a3 x3[:m]: a quarter of y's loads and stores."""
    for c in range(m):
        y[c] += (a0 * x0[c] + a1 * x1[c]) + (a2 * x2[c] + a3 * x3[c])


# The same kernels addressed by (array, row) rather than by a row view: the
# passes call them hundreds of times per step on rows of 32 points, and each
# view numba makes carries a reference count taken and dropped around it
# (~20% of a 32-point forward pass). The loops are the same, so the same bits.


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot_rows(A: np.ndarray, i: int, B: np.ndarray, k: int, m: int) -> float:
    """sum(A[i, :m] * B[k, :m]): ``dot`` of two rows."""
    s = 0.0
    for c in range(m):
        s += A[i, c] * B[k, c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot4_rows(
    A: np.ndarray, i: int, V: np.ndarray, k: int, m: int
) -> tuple[float, float, float, float]:
    """sum(A[i, :m] * V[k + q, :m]) for q = 0..3: ``dot4`` of a row against four rows."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for c in range(m):
        uc = A[i, c]
        s0 += uc * V[k, c]
        s1 += uc * V[k + 1, c]
        s2 += uc * V[k + 2, c]
        s3 += uc * V[k + 3, c]
    return s0, s1, s2, s3


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def total_row(A: np.ndarray, i: int, m: int) -> float:
    """sum(A[i, :m]): ``total`` of a row."""
    s = 0.0
    for c in range(m):
        s += A[i, c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def axpy_rows(Y: np.ndarray, i: int, a: float, X: np.ndarray, k: int, m: int) -> None:
    """Y[i, :m] += a X[k, :m]: ``axpy`` on rows."""
    for c in range(m):
        Y[i, c] += a * X[k, c]


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def axpy4_rows(
    Y: np.ndarray,
    i: int,
    a0: float,
    a1: float,
    a2: float,
    a3: float,
    X: np.ndarray,
    k: int,
    m: int,
) -> None:
    """Y[i, :m] += a0 X[k] + a1 X[k+1] + a2 X[k+2] + a3 X[k+3] (rows, :m): ``axpy4`` on rows."""
    for c in range(m):
        Y[i, c] += (a0 * X[k, c] + a1 * X[k + 1, c]) + (a2 * X[k + 2, c] + a3 * X[k + 3, c])
