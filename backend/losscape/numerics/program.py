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
The top of the stack lives in local variables (it never touches memory);
``stack`` (PROGRAM_STACK, 3) holds the entries below it. The compiler checks
the depth, so the evaluator does no bounds checks.

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

PROGRAM_STACK = 64

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


@njit(cache=True, nogil=True)
def _powi(v: float, n: int) -> float:
    """v ** n for 0 < n <= MAX_INT_POWER by repeated multiplication (v*v for n = 2)."""
    r = v
    for _ in range(n - 1):
        r = r * v
    return r


@njit(cache=True, nogil=True)
def _sigmoid(u: float) -> float:
    """1 / (1 + exp(-u)) without overflow for large |u|."""
    if u >= 0.0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


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
        else:
            # Unary: new top = g(v), derivative factor d = g'(v).
            if op == OP_POWI:
                p = code[i + 1]
                i += 1
                if p == 2:
                    g = v * v
                    d = 2.0 * v
                elif p == 1:
                    g = v
                    d = 1.0
                elif p > 0:
                    r = _powi(v, p - 1)
                    g = r * v
                    d = p * r
                elif p == 0:
                    g = 1.0
                    d = 0.0
                else:
                    r = 1.0 / _powi(v, -p)
                    g = r
                    d = p * r / v
            elif op == OP_POWF:
                p = consts[code[i + 1]]
                i += 1
                g = math.pow(v, p)
                d = p * math.pow(v, p - 1.0)
            elif op == OP_SIN:
                g = math.sin(v)
                d = math.cos(v)
            elif op == OP_COS:
                g = math.cos(v)
                d = -math.sin(v)
            elif op == OP_TAN:
                g = math.tan(v)
                d = 1.0 + g * g
            elif op == OP_EXP:
                g = math.exp(v)
                d = g
            elif op == OP_LOG:
                g = math.log(v)
                d = 1.0 / v
            elif op == OP_SQRT:
                g = math.sqrt(v)
                d = 0.5 / g
            elif op == OP_TANH:
                g = math.tanh(v)
                d = 1.0 - g * g
            elif op == OP_ABS:
                g = abs(v)
                d = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
            elif op == OP_SIGMOID:
                g = _sigmoid(v)
                d = g * (1.0 - g)
            elif op == OP_SOFTPLUS:
                # log(1 + e^u) = max(u, 0) + log1p(e^-|u|): no overflow.
                g = max(v, 0.0) + math.log1p(math.exp(-abs(v))) if v == v else v
                d = _sigmoid(v)
            elif op == OP_RELU:
                if v > 0.0:
                    g = v
                    d = 1.0
                elif v <= 0.0:
                    g = 0.0
                    d = 0.0
                else:  # NaN stays NaN
                    g = v
                    d = v
            else:  # unknown opcode: the compiler never emits one
                return math.nan, math.nan, math.nan
            v = g
            a = d * a
            b = d * b
            i += 1
    return v, a, b
