"""Counter-based Gaussian noise: a pure function of (seed, step, coordinate).

A hash instead of a stateful generator makes every run reproducible however
runs are grouped: a sweep kernel and a loop of single trajectories draw the
very same numbers, so they agree bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_STEP = np.uint64(0xD1B54A32D192ED03)
_COORD = np.uint64(0x8CB92BA72F3D8DD7)


@njit(cache=True, nogil=True, error_model="numpy")
def _splitmix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (Steele, Lea and Flood 2014)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True, error_model="numpy")
def _uniform(seed: int, t: int, k: int, lane: int) -> float:
    """Uniform on (0, 1], from 53 hashed bits."""
    z = np.uint64(seed) * _GOLDEN + np.uint64(t) * _STEP + np.uint64(2 * k + lane) * _COORD
    z = _splitmix(_splitmix(z))
    return (float(z >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, error_model="numpy")
def gaussian(seed: int, t: int, k: int) -> float:
    """Standard normal draw for (seed, step t, coordinate k), by Box-Muller."""
    u1 = _uniform(seed, t, k, 0)
    u2 = _uniform(seed, t, k, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
