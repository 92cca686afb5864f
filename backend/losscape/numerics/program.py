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

Two evaluators, bit for bit the same numbers (shared ``_unary``, the same
arithmetic per point): ``program_eval`` at one point (trajectories, the
Hessian), with the top of the stack in local variables and the entries below
it in ``stack``; ``program_eval_block`` at n points (grids, lockstep sweeps,
through ``surfaces.surface_eval_block``), dispatching each opcode once per
chunk of points so its loop over the chunk vectorises. ``stack`` is the
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
            ip = 0
            fp = 0.0
            if op == OP_POWI:
                ip = code[i + 1]
                i += 1
            elif op == OP_POWF:
                fp = consts[code[i + 1]]
                i += 1
            g, d = _unary(op, v, ip, fp)
            v = g
            a = d * a
            b = d * b
            i += 1
        else:  # unknown opcode: the compiler never emits one
            return math.nan, math.nan, math.nan
    return v, a, b


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
            ip = 0
            fp = 0.0
            if op == OP_POWI:
                ip = code[i + 1]
                i += 1
            elif op == OP_POWF:
                fp = consts[code[i + 1]]
                i += 1
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
            i += 1
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
