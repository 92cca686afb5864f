"""IR -> stack program: trusted code, it only ever sees IR the parser has checked.

The parser turns the checked tree into a small IR and folds constant subtrees
(with the evaluator itself, so folding and evaluation agree); the IR is
emitted as a stack program for ``numerics.program.program_eval`` (forward-mode
dual numbers: exact gradients, no numba compilation per formula). The stack
depth is computed here and refused (by ``parser.compile_expression``) above
``MAX_PROGRAM_DEPTH`` (64). Compiled programs are cached per text (LRU, 256),
the numerical analysis per formula, view and minima (LRU, 256).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..numerics import program as prog
from ..numerics.program import PROGRAM_STACK, program_eval
from .lexer import DEFAULT_PARAM

# --------------------------------------------------------------------------- IR -> program

_CONST_RIGHT = {
    prog.OP_ADD: prog.OP_ADD_C,
    prog.OP_SUB: prog.OP_SUB_C,
    prog.OP_MUL: prog.OP_MUL_C,
    prog.OP_DIV: prog.OP_DIV_C,
}
# c op u with a constant left operand: + and * commute exactly in IEEE arithmetic.
_CONST_LEFT = {
    prog.OP_ADD: prog.OP_ADD_C,
    prog.OP_SUB: prog.OP_RSUB_C,
    prog.OP_MUL: prog.OP_MUL_C,
    prog.OP_DIV: prog.OP_RDIV_C,
}


PARAM_KEY = b"param:"  # index keys of parameter slots (a number's key is its 8 bytes)


def _const_index(value: float, consts: list[float], index: dict[bytes, int]) -> int:
    key = np.float64(value).tobytes()  # keeps 0.0 and -0.0 apart
    if key not in index:
        index[key] = len(consts)
        consts.append(value)
    return index[key]


def _emit(ir: tuple, code: list[int], consts: list[float], index: dict[bytes, int]) -> None:
    """Append the program for ``ir`` (post-order, fused constant operands)."""
    kind = ir[0]
    if kind == "num":
        code += [prog.OP_CONST, _const_index(ir[1], consts, index)]
    elif kind == "var":
        code.append(ir[1])
    elif kind == "param":
        # One constant slot per parameter name, set to its value by Program.bind.
        key = PARAM_KEY + ir[1].encode()
        if key not in index:
            index[key] = len(consts)
            consts.append(DEFAULT_PARAM)
        code += [prog.OP_CONST, index[key]]
    elif kind == "un":
        _emit(ir[2], code, consts, index)
        code.append(ir[1])
    elif kind == "powi":
        _emit(ir[1], code, consts, index)
        code += [prog.OP_POWI, ir[2]]
    elif kind == "powf":
        _emit(ir[1], code, consts, index)
        code += [prog.OP_POWF, _const_index(ir[2], consts, index)]
    else:  # "bin"
        op, a, b = ir[1], ir[2], ir[3]
        if b[0] == "num" and op in _CONST_RIGHT:
            _emit(a, code, consts, index)
            code += [_CONST_RIGHT[op], _const_index(b[1], consts, index)]
        elif a[0] == "num" and op in _CONST_LEFT:
            _emit(b, code, consts, index)
            code += [_CONST_LEFT[op], _const_index(a[1], consts, index)]
        else:
            _emit(a, code, consts, index)
            _emit(b, code, consts, index)
            code.append(op)


def stack_depth(code: np.ndarray) -> int:
    """The largest number of stack entries ``code`` holds at once (a valid program ends at 1)."""
    depth = peak = 0
    i = 0
    while i < code.shape[0]:
        op = int(code[i])
        if op in prog.PUSH_OPS:
            depth += 1
        elif op in prog.BINARY_OPS:
            depth -= 1
        peak = max(peak, depth)
        i += 2 if op in prog.OPERAND_OPS else 1
    return peak


def _degree(ir: tuple) -> float:
    """Polynomial degree of ``ir``; inf when it is not a polynomial."""
    kind = ir[0]
    if kind in ("num", "param"):
        return 0.0
    if kind == "var":
        return 1.0
    if kind == "powi":
        return ir[2] * _degree(ir[1]) if ir[2] >= 0 else math.inf
    if kind == "un":
        return _degree(ir[2]) if ir[1] == prog.OP_NEG else math.inf
    if kind == "bin":
        op, a, b = ir[1], ir[2], ir[3]
        if op in (prog.OP_ADD, prog.OP_SUB):
            return max(_degree(a), _degree(b))
        if op == prog.OP_MUL:
            return _degree(a) + _degree(b)
        if op == prog.OP_DIV and b[0] == "num":
            return _degree(a)
    return math.inf


@dataclass(frozen=True, eq=False)
class Program:
    """A compiled formula.

    ``text`` is the normalised formula (``ast.unparse`` of the checked tree);
    ``code`` (L,) int64 and ``consts`` (K,) float64 feed ``program_eval``;
    ``depth`` is the stack depth it needs; ``uses_y`` is False for a 1-D
    formula; ``quadratic`` means a polynomial of degree <= 2 in x and y
    (constant Hessian; parameters count as constants); ``params`` names the
    parameters whose values ``bind`` writes into ``consts[param_slots]``.
    Compared and hashed by identity: programs are cached, never mutated.
    """

    text: str
    code: np.ndarray
    consts: np.ndarray
    depth: int
    uses_y: bool
    quadratic: bool
    params: tuple[str, ...] = ()  # named parameters, in order of first use
    param_slots: tuple[int, ...] = ()  # their indices into consts

    def bind(self, values: Mapping[str, float]) -> Program:
        """This program with ``values`` (name -> value) in its parameter slots, others at
        the default: the code is shared, only the constants are copied (no recompiling)."""
        if not self.params:
            return self
        consts = self.consts.copy()
        for name, slot in zip(self.params, self.param_slots, strict=True):
            consts[slot] = float(values.get(name, DEFAULT_PARAM))
        return replace(self, consts=consts)

    def at(self, x: float, y: float) -> tuple[float, float, float]:
        """(f, df/dx, df/dy) at one point (a convenience for tests and callers)."""
        return program_eval(
            self.code, self.consts, float(x), float(y), np.empty((PROGRAM_STACK, 3))
        )


def _uses(ir: tuple, var: int) -> bool:
    if ir[0] == "var":
        return ir[1] == var
    return any(_uses(c, var) for c in ir[1:] if isinstance(c, tuple))
