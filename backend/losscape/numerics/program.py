"""Evaluator for compiled typed-in formulas (stack programs with dual numbers).

Placeholder until the typed-in surfaces land: returns NaN so every kernel
treats an expression surface as diverged.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

PROGRAM_STACK = 64


@njit(cache=True, nogil=True)
def program_eval(
    code: np.ndarray, consts: np.ndarray, x: float, y: float, stack: np.ndarray
) -> tuple[float, float, float]:
    """Value and gradient of the program at (x, y); stack is (PROGRAM_STACK, 3) scratch."""
    return math.nan, math.nan, math.nan
