"""The opcodes of typed-formula programs and the per-opcode arithmetic both evaluators share.

``losscape.expressions`` emits programs from these numbers and
``program.program_eval`` / ``program_block.program_eval_block`` run them (the
opcode table and derivative conventions are in ``program``'s docstring).
``_unary`` is the one place a unary opcode's value and derivative are
computed, so the two evaluators agree bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Scratch rows every kernel allocates: ``stack`` is (PROGRAM_STACK, 3). The scalar
# evaluator uses at most MAX_PROGRAM_DEPTH rows of it (the compiler refuses
# deeper programs); the block evaluator uses all of it as room for a chunk of
# points (a chunk of 256 points for programs up to 4 deep, fewer beyond).
PROGRAM_STACK = 1024
MAX_PROGRAM_DEPTH = 64

OP_X = 1
OP_Y = 2
OP_CONST = 3
OP_ADD = 4
OP_SUB = 5
OP_MUL = 6
OP_DIV = 7
OP_MIN = 8
OP_MAX = 9
OP_ADD_C = 10
OP_SUB_C = 11
OP_MUL_C = 12
OP_DIV_C = 13
OP_RSUB_C = 14
OP_RDIV_C = 15
OP_NEG = 16
OP_POWI = 17
OP_POWF = 18
OP_SIN = 19
OP_COS = 20
OP_TAN = 21
OP_EXP = 22
OP_LOG = 23
OP_SQRT = 24
OP_TANH = 25
OP_ABS = 26
OP_SIGMOID = 27
OP_SOFTPLUS = 28
OP_RELU = 29

# Opcodes followed by one inline operand; how each changes the stack depth.
OPERAND_OPS = frozenset(
    {OP_CONST, OP_POWI, OP_POWF, OP_ADD_C, OP_SUB_C, OP_MUL_C, OP_DIV_C, OP_RSUB_C, OP_RDIV_C}
)
PUSH_OPS = frozenset({OP_X, OP_Y, OP_CONST})
BINARY_OPS = frozenset({OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MIN, OP_MAX})
MAX_INT_POWER = 16


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")
def unary_operand(op: int, code: np.ndarray, consts: np.ndarray, i: int) -> tuple[int, float, int]:
    """(ip, fp, next_i) for the unary opcode ``op`` at code[i]: POWI's integer power ``ip``,
    POWF's exponent ``fp`` (from ``consts``), 0 / 0.0 for the rest, and where the next
    opcode starts (past the operand, for the two that have one). Both evaluators,
    point by point and by blocks, decode it here."""
    if op == OP_POWI:
        return code[i + 1], 0.0, i + 2
    if op == OP_POWF:
        return 0, consts[code[i + 1]], i + 2
    return 0, 0.0, i + 1


@njit(cache=True, nogil=True, error_model="numpy")
def _powi(v: float, n: int) -> float:
    """v ** n for 0 < n <= MAX_INT_POWER by repeated multiplication (v*v for n = 2)."""
    r = v
    for _ in range(n - 1):
        r = r * v
    return r


@njit(cache=True, nogil=True, error_model="numpy")
def _sigmoid(u: float) -> float:
    """1 / (1 + exp(-u)) without overflow for large |u|."""
    if u >= 0.0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


@njit(cache=True, nogil=True, error_model="numpy")
def _unary(op: int, v: float, ip: int, fp: float) -> tuple[float, float]:
    """(g(v), g'(v)) for a unary opcode from OP_POWI to OP_RELU; ``ip`` is POWI's
    integer exponent, ``fp`` POWF's real one. Shared by both evaluators so they
    agree bit for bit."""
    if op == OP_POWI:
        if ip == 2:
            return v * v, 2.0 * v
        if ip == 1:
            return v, 1.0
        if ip > 0:
            r = _powi(v, ip - 1)
            return r * v, ip * r
        if ip == 0:
            return 1.0, 0.0
        r = 1.0 / _powi(v, -ip)
        return r, ip * r / v
    if op == OP_POWF:
        return math.pow(v, fp), fp * math.pow(v, fp - 1.0)
    if op == OP_SIN:
        return math.sin(v), math.cos(v)
    if op == OP_COS:
        return math.cos(v), -math.sin(v)
    if op == OP_TAN:
        g = math.tan(v)
        return g, 1.0 + g * g
    if op == OP_EXP:
        g = math.exp(v)
        return g, g
    if op == OP_LOG:
        return math.log(v), 1.0 / v
    if op == OP_SQRT:
        g = math.sqrt(v)
        return g, 0.5 / g
    if op == OP_TANH:
        g = math.tanh(v)
        return g, 1.0 - g * g
    if op == OP_ABS:
        return abs(v), 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
    if op == OP_SIGMOID:
        g = _sigmoid(v)
        return g, g * (1.0 - g)
    if op == OP_SOFTPLUS:
        # log(1 + e^u) = max(u, 0) + log1p(e^-|u|): no overflow; NaN stays NaN.
        g = max(v, 0.0) + math.log1p(math.exp(-abs(v))) if v == v else v
        return g, _sigmoid(v)
    if op == OP_RELU:
        if v > 0.0:
            return v, 1.0
        if v <= 0.0:
            return 0.0, 0.0
        return v, v  # NaN stays NaN
    return math.nan, math.nan
