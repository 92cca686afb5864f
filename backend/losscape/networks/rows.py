"""Row kernels of the network passes: sums and multiply-adds along a row of points.

The passes keep a chunk's values feature-major: one row per unit, one column
per point. These kernels run along such rows (length m), which LLVM
vectorises as written. The passes name a row by (array, row index): ``dot_rows``,
``dot4_rows``, ``total_row``, ``axpy_rows``, ``axpy4_rows``. A row view instead
(``dot``, ``total``: batch normalisation's per-unit sums) carries a reference
count taken and dropped around it, which the passes, at hundreds of rows per
step, cannot afford. Sums over points may be reassociated; the multiply-adds only
fuse, and are inlined into their callers' loops by numba itself
(``inline="always"``), so the passes run the same machine code as with the loops
written out in place.

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
def total(u: np.ndarray, m: int) -> float:
    """sum(u[:m])."""
    s = 0.0
    for c in range(m):
        s += u[c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot_rows(A: np.ndarray, i: int, B: np.ndarray, k: int, m: int) -> float:
    """sum(A[i, :m] * B[k, :m])."""
    s = 0.0
    for c in range(m):
        s += A[i, c] * B[k, c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=_SUM_FLAGS)
def dot4_rows(
    A: np.ndarray, i: int, V: np.ndarray, k: int, m: int
) -> tuple[float, float, float, float]:
    """sum(A[i, :m] * V[k + q, :m]) for q = 0..3: A[i] is loaded once for all four."""
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
    """sum(A[i, :m])."""
    s = 0.0
    for c in range(m):
        s += A[i, c]
    return s


@njit(cache=True, nogil=True, error_model="numpy", fastmath=FUSE, inline="always")
def axpy_rows(Y: np.ndarray, i: int, a: float, X: np.ndarray, k: int, m: int) -> None:
    """Y[i, :m] += a X[k, :m]."""
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
    """Y[i, :m] += a0 X[k] + a1 X[k+1] + a2 X[k+2] + a3 X[k+3] (rows, :m): a quarter of the
    loads and stores of Y that four ``axpy_rows`` make."""
    for c in range(m):
        Y[i, c] += (a0 * X[k, c] + a1 * X[k + 1, c]) + (a2 * X[k + 2, c] + a3 * X[k + 3, c])
