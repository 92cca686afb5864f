"""Evaluator for compiled typed-in formulas: stack programs over dual numbers.

``losscape.expressions`` compiles a whitelisted formula into two arrays:
``code`` (int64) holds opcodes, some followed by one inline operand, and
``consts`` (float64) the numbers the program pushes. ``program_eval`` runs the
program once per point in forward mode: every stack entry is a dual number
(value, d/dx, d/dy), so one pass gives the value and the exact gradient. A new
formula is new data for the same compiled function: no numba compilation per
formula (that would cost ~0.3 s under numba's global lock).

Opcodes (``[operand]`` = the next int64 in ``code``)::

    X, Y                push (x, 1, 0) / (y, 0, 1)
    CONST [k]           push (consts[k], 0, 0)
    ADD SUB MUL DIV     pop b, pop a, push a op b
    MIN MAX             pop b, pop a, push min(a, b) / max(a, b)
    NEG                 negate the top
    POWI [n]            top ** n for an integer n (|n| <= 16), by multiplication
    POWF [k]            top ** consts[k] for a non-integer constant exponent
    SIN COS TAN EXP LOG SQRT TANH ABS SIGMOID SOFTPLUS RELU   apply to the top
    ADD_C SUB_C MUL_C DIV_C [k]   top op consts[k] (a constant right operand)
    RSUB_C RDIV_C [k]             consts[k] op top (a constant left operand)

The fused ``*_C`` forms halve the dispatches of the common ``2*x``, ``x - 1``.

Two evaluators, bit for bit the same numbers (shared ``program_ops._unary``,
the same arithmetic per point): ``program_eval`` here, at one point
(trajectories, the Hessian), with the top of the stack in local variables and
the entries below it in ``stack``; ``program_block.program_eval_block`` at n
points (grids, lockstep sweeps, through ``surfaces.surface_eval_block``),
dispatching each opcode once per
chunk of points so its loop over the chunk vectorises. The opcode numbers and
``_unary`` live in ``program_ops``; every name stays importable from here. ``stack`` is the
(PROGRAM_STACK, 3) scratch every kernel allocates; the compiler refuses
programs deeper than MAX_PROGRAM_DEPTH, so neither evaluator bounds-checks.

Derivative conventions where a function is not differentiable (subgradients,
chosen so that a minimum at the kink has gradient 0, as torch does for relu):
``abs'(0) = 0``; ``relu'(0) = 0``; ``min``/``max`` take the derivative of the
argument they return, and the first argument on a tie. Where a formula is
undefined the evaluator returns NaN or inf and never raises (numpy error
model: 1/0 = inf, 0/0 = NaN, log(-1) = NaN, sqrt(-1) = NaN): the kernels then
stop a run as diverged and the grid shows a gap. A NaN argument of min/max
gives NaN (Python's ``min`` would silently drop it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .program_block import BLOCK_CHUNK, program_eval_block  # noqa: F401  (re-exported)
from .program_ops import (  # noqa: F401  (re-exported: ``program.OP_X`` etc. stay importable)
    BINARY_OPS,
    MAX_INT_POWER,
    MAX_PROGRAM_DEPTH,
    OP_ABS,
    OP_ADD,
    OP_ADD_C,
    OP_CONST,
    OP_COS,
    OP_DIV,
    OP_DIV_C,
    OP_EXP,
    OP_LOG,
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
    OP_SIGMOID,
    OP_SIN,
    OP_SOFTPLUS,
    OP_SQRT,
    OP_SUB,
    OP_SUB_C,
    OP_TAN,
    OP_TANH,
    OP_X,
    OP_Y,
    OPERAND_OPS,
    PROGRAM_STACK,
    PUSH_OPS,
    _unary,
    unary_operand,
)


# _nrt=False: the evaluator never allocates; without reference counting a call
# skips atomic incref/decref pairs on its three arrays (measured on the typed
# Rosenbrock: 36 -> 18 ns per evaluation). error_model="numpy": 1/0 = inf.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def program_eval(
    code: np.ndarray, consts: np.ndarray, x: float, y: float, stack: np.ndarray
) -> tuple[float, float, float]:
    """Value and gradient (f, df/dx, df/dy) of the program at (x, y).

    ``code`` (L,) int64 and ``consts`` (K,) float64 come from
    ``losscape.expressions``; ``stack`` is (PROGRAM_STACK, 3) float64 scratch.
    One flat chain of ``op == K`` tests, which LLVM turns into a jump table.
    """
    # Top of stack (value, d/dx, d/dy); n entries sit below it in ``stack``.
    # The first push parks the (meaningless) initial top in stack[0].
    v = 0.0
    a = 0.0
    b = 0.0
    n = 0
    i = 0
    m = code.shape[0]
    while i < m:
        op = code[i]
        if op == OP_X:
            stack[n, 0] = v
            stack[n, 1] = a
            stack[n, 2] = b
            n += 1
            v = x
            a = 1.0
            b = 0.0
            i += 1
        elif op == OP_Y:
            stack[n, 0] = v
            stack[n, 1] = a
            stack[n, 2] = b
            n += 1
            v = y
            a = 0.0
            b = 1.0
            i += 1
        elif op == OP_CONST:
            stack[n, 0] = v
            stack[n, 1] = a
            stack[n, 2] = b
            n += 1
            v = consts[code[i + 1]]
            a = 0.0
            b = 0.0
            i += 2
        elif op == OP_ADD:
            n -= 1
            v = stack[n, 0] + v
            a = stack[n, 1] + a
            b = stack[n, 2] + b
            i += 1
        elif op == OP_SUB:
            n -= 1
            v = stack[n, 0] - v
            a = stack[n, 1] - a
            b = stack[n, 2] - b
            i += 1
        elif op == OP_MUL:
            n -= 1
            lv = stack[n, 0]
            a = stack[n, 1] * v + lv * a
            b = stack[n, 2] * v + lv * b
            v = lv * v
            i += 1
        elif op == OP_DIV:
            n -= 1
            q = stack[n, 0] / v
            a = (stack[n, 1] - q * a) / v
            b = (stack[n, 2] - q * b) / v
            v = q
            i += 1
        elif op == OP_ADD_C:
            v = v + consts[code[i + 1]]
            i += 2
        elif op == OP_SUB_C:
            v = v - consts[code[i + 1]]
            i += 2
        elif op == OP_MUL_C:
            c = consts[code[i + 1]]
            v = v * c
            a = a * c
            b = b * c
            i += 2
        elif op == OP_DIV_C:
            c = consts[code[i + 1]]
            v = v / c
            a = a / c
            b = b / c
            i += 2
        elif op == OP_RSUB_C:
            v = consts[code[i + 1]] - v
            a = -a
            b = -b
            i += 2
        elif op == OP_RDIV_C:  # d(c / u) = -(c / u) du / u
            q = consts[code[i + 1]] / v
            a = -q * a / v
            b = -q * b / v
            v = q
            i += 2
        elif op == OP_MIN:
            n -= 1
            lv = stack[n, 0]
            if v != v or lv != lv:
                v = math.nan
                a = math.nan
                b = math.nan
            elif lv <= v:  # a tie takes the first argument
                v = lv
                a = stack[n, 1]
                b = stack[n, 2]
            i += 1
        elif op == OP_MAX:
            n -= 1
            lv = stack[n, 0]
            if v != v or lv != lv:
                v = math.nan
                a = math.nan
                b = math.nan
            elif lv >= v:
                v = lv
                a = stack[n, 1]
                b = stack[n, 2]
            i += 1
        elif op == OP_NEG:
            v = -v
            a = -a
            b = -b
            i += 1
        elif OP_POWI <= op <= OP_RELU:
            # Unary: new top = g(v), derivative factor d = g'(v).
            ip, fp, i = unary_operand(op, code, consts, i)
            g, d = _unary(op, v, ip, fp)
            v = g
            a = d * a
            b = d * b
        else:  # unknown opcode: the compiler never emits one
            return math.nan, math.nan, math.nan
    return v, a, b
