"""The typed-formula evaluator at many points at once (grids, lockstep sweeps).

``program_eval_block`` is ``program.program_eval`` with every opcode
dispatched once per chunk of points instead of once per point, so each
opcode's loop over the chunk vectorises; per point it does exactly the
scalar evaluator's arithmetic (the shared ``program_ops._unary``), so the two
agree bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .program_ops import (
    OP_ADD,
    OP_ADD_C,
    OP_CONST,
    OP_DIV,
    OP_DIV_C,
    OP_MAX,
    OP_MIN,
    OP_MUL,
    OP_MUL_C,
    OP_NEG,
    OP_POWF,
    OP_POWI,
    OP_RDIV_C,
    OP_RELU,
    OP_RSUB_C,
    OP_SUB,
    OP_SUB_C,
    OP_X,
    OP_Y,
    _unary,
    unary_operand,
)

BLOCK_CHUNK = 256  # at most this many points evaluated together by program_eval_block


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def program_eval_block(
    code: np.ndarray, consts: np.ndarray, theta: np.ndarray, n: int, values: np.ndarray,
    grad: np.ndarray, stack: np.ndarray,
) -> None:  # fmt: skip
    """``program_eval`` at n points at once, bit for bit the same numbers.

    ``theta`` (2n,) holds every x, then every y; ``values`` (n,) receives f and
    ``grad`` (2n,) the gradient in the same layout (``surface_eval_block``'s
    contract); ``stack`` is the (PROGRAM_STACK, 3) scratch, used flat. Opcodes
    are dispatched once per chunk of points (up to BLOCK_CHUNK), not once per
    point, and each opcode's loop over the chunk vectorises: grids and lockstep
    sweeps of a typed formula run several times faster than point by point.
    """
    depth = 1
    d = 0
    i = 0
    while i < code.shape[0]:
        op = code[i]
        if OP_X <= op <= OP_CONST:
            d += 1
        elif OP_ADD <= op <= OP_MAX:
            d -= 1
        depth = max(depth, d)
        if op == OP_CONST or OP_ADD_C <= op <= OP_RDIV_C or OP_POWI <= op <= OP_POWF:
            i += 2  # an opcode with an operand
        else:
            i += 1
    flat = stack.reshape(stack.shape[0] * 3)  # a view: no allocation
    # Stack entry k's value, d/dx and d/dy rows are flat[(3k + j) * cap:][:cap].
    cap = min(BLOCK_CHUNK, flat.shape[0] // (3 * depth))
    for lo in range(0, n, cap):
        _eval_chunk(code, consts, theta, n, lo, min(cap, n - lo), flat, cap, values, grad)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def _eval_chunk(
    code: np.ndarray, consts: np.ndarray, theta: np.ndarray, n: int, lo: int, c: int,
    flat: np.ndarray, cap: int, values: np.ndarray, grad: np.ndarray,
) -> None:  # fmt: skip
    """Points lo..lo+c-1 of ``program_eval_block``: stack entry k is the dual
    number (v, a, b) = flat rows 3k, 3k + 1, 3k + 2 (each ``cap`` long); each
    branch does, per point, exactly what ``program_eval`` does."""
    k = -1  # the top entry
    i = 0
    m = code.shape[0]
    while i < m:
        op = code[i]
        if op == OP_X or op == OP_Y or op == OP_CONST:  # noqa: SIM109 (numba: no tuple 'in')
            k += 1
            v, a, b = _entry(flat, k, cap, c)
            if op == OP_X:
                for r in range(c):
                    v[r] = theta[lo + r]
                    a[r] = 1.0
                    b[r] = 0.0
                i += 1
            elif op == OP_Y:
                for r in range(c):
                    v[r] = theta[n + lo + r]
                    a[r] = 0.0
                    b[r] = 1.0
                i += 1
            else:
                cv = consts[code[i + 1]]
                for r in range(c):
                    v[r] = cv
                    a[r] = 0.0
                    b[r] = 0.0
                i += 2
        elif OP_ADD <= op <= OP_MAX:
            k -= 1
            v, a, b = _entry(flat, k, cap, c)  # left operand, overwritten by the result
            v2, a2, b2 = _entry(flat, k + 1, cap, c)  # right operand
            if op == OP_ADD:
                for r in range(c):
                    v[r] = v[r] + v2[r]
                    a[r] = a[r] + a2[r]
                    b[r] = b[r] + b2[r]
            elif op == OP_SUB:
                for r in range(c):
                    v[r] = v[r] - v2[r]
                    a[r] = a[r] - a2[r]
                    b[r] = b[r] - b2[r]
            elif op == OP_MUL:
                for r in range(c):
                    lv = v[r]
                    a[r] = a[r] * v2[r] + lv * a2[r]
                    b[r] = b[r] * v2[r] + lv * b2[r]
                    v[r] = lv * v2[r]
            elif op == OP_DIV:
                for r in range(c):
                    q = v[r] / v2[r]
                    a[r] = (a[r] - q * a2[r]) / v2[r]
                    b[r] = (b[r] - q * b2[r]) / v2[r]
                    v[r] = q
            else:  # OP_MIN, OP_MAX: a tie keeps the left (first) argument
                for r in range(c):
                    lv = v[r]
                    rv = v2[r]
                    if rv != rv or lv != lv:
                        v[r] = math.nan
                        a[r] = math.nan
                        b[r] = math.nan
                    elif (op == OP_MIN and not lv <= rv) or (op == OP_MAX and not lv >= rv):
                        v[r] = rv
                        a[r] = a2[r]
                        b[r] = b2[r]
            i += 1
        elif OP_ADD_C <= op <= OP_RDIV_C:
            cv = consts[code[i + 1]]
            v, a, b = _entry(flat, k, cap, c)
            if op == OP_ADD_C:
                for r in range(c):
                    v[r] = v[r] + cv
            elif op == OP_SUB_C:
                for r in range(c):
                    v[r] = v[r] - cv
            elif op == OP_MUL_C:
                for r in range(c):
                    v[r] = v[r] * cv
                    a[r] = a[r] * cv
                    b[r] = b[r] * cv
            elif op == OP_DIV_C:
                for r in range(c):
                    v[r] = v[r] / cv
                    a[r] = a[r] / cv
                    b[r] = b[r] / cv
            elif op == OP_RSUB_C:
                for r in range(c):
                    v[r] = cv - v[r]
                    a[r] = -a[r]
                    b[r] = -b[r]
            else:  # OP_RDIV_C
                for r in range(c):
                    q = cv / v[r]
                    a[r] = -q * a[r] / v[r]
                    b[r] = -q * b[r] / v[r]
                    v[r] = q
            i += 2
        elif op == OP_NEG:
            v, a, b = _entry(flat, k, cap, c)
            for r in range(c):
                v[r] = -v[r]
                a[r] = -a[r]
                b[r] = -b[r]
            i += 1
        elif OP_POWI <= op <= OP_RELU:
            v, a, b = _entry(flat, k, cap, c)
            ip, fp, nxt = unary_operand(op, code, consts, i)
            if op == OP_POWI and ip == 2:  # the common square, as _unary computes it
                for r in range(c):
                    d = 2.0 * v[r]
                    v[r] = v[r] * v[r]
                    a[r] = d * a[r]
                    b[r] = d * b[r]
            else:
                for r in range(c):
                    g, d = _unary(op, v[r], ip, fp)
                    v[r] = g
                    a[r] = d * a[r]
                    b[r] = d * b[r]
            i = nxt
        else:  # unknown opcode: the compiler never emits one
            for r in range(c):
                values[lo + r] = math.nan
                grad[lo + r] = math.nan
                grad[n + lo + r] = math.nan
            return
    v, a, b = _entry(flat, 0, cap, c)
    for r in range(c):
        values[lo + r] = v[r]
        grad[lo + r] = a[r]
        grad[n + lo + r] = b[r]


@njit(cache=True, nogil=True, _nrt=False)
def _entry(flat: np.ndarray, k: int, cap: int, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of stack entry k's value, d/dx and d/dy rows (c points each)."""
    base = 3 * k * cap
    return (
        flat[base : base + c],
        flat[base + cap : base + cap + c],
        flat[base + 2 * cap : base + 2 * cap + c],
    )
