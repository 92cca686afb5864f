"""The parser: checked tokens -> ``ast.parse(mode="eval")`` -> a whitelisted walk -> IR.

``compile_expression`` runs the whole pipeline: ``lexer``, this walk, ``emit``.

Only the node types of the grammar (``expressions`` docstring) are accepted; the
walk limits the node count and depth and folds constant subtrees with the
evaluator itself, so folding and evaluation agree.
"""

from __future__ import annotations

import ast
import functools
import math

import numpy as np

from ..numerics import program as prog
from ..numerics.program import MAX_PROGRAM_DEPTH, PROGRAM_STACK, program_eval
from .emit import PARAM_KEY, Program, _degree, _emit, _uses, stack_depth
from .lexer import (
    _ALLOWED_TEXT,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NODES,
    PARAM_NAME,
    UNARY_FUNCTIONS,
    VARIABLES,
    VARIADIC_FUNCTIONS,
    ExpressionError,
    _lex,
)

# --------------------------------------------------------------------------- tree -> IR


# IR nodes are tuples: ("num", value) | ("var", opcode) | ("bin", opcode, a, b)
# | ("un", opcode, a) | ("powi", a, n) | ("powf", a, p). Columns live only in
# the ast; every check that needs one happens while walking it.
_BIN_OPS = {ast.Add: prog.OP_ADD, ast.Sub: prog.OP_SUB, ast.Mult: prog.OP_MUL, ast.Div: prog.OP_DIV}
_OP_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
}
_NODE_NAMES = {
    ast.Starred: "a starred argument",
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional",
}


class _Walker:
    """Turns a parsed tree into IR, enforcing the whitelist, node count and depth."""

    def __init__(self, source: str, shift: int) -> None:
        self.source = source
        self.shift = shift  # leading blanks stripped before parsing
        self.nodes = 0
        self.scratch = np.empty((PROGRAM_STACK, 3))

    def col(self, node: ast.AST) -> int:
        return getattr(node, "col_offset", 0) + self.shift + 1

    def segment(self, node: ast.AST) -> str:
        s = ast.get_source_segment(self.source, node) or ""
        return s if len(s) <= 24 else s[:21] + "..."

    def fail(self, node: ast.AST, message: str, token: str | None = None) -> ExpressionError:
        tok = self.segment(node) if token is None else token
        return ExpressionError(message, self.col(node), tok)

    def fold(self, node: ast.AST, ir: tuple) -> tuple:
        """A constant subtree becomes one number, computed by the evaluator itself."""
        code: list[int] = []
        consts: list[float] = []
        _emit(ir, code, consts, {})
        v, _, _ = program_eval(
            np.array(code, dtype=np.int64), np.array(consts), 0.0, 0.0, self.scratch
        )
        if not math.isfinite(v):
            what = "undefined" if math.isnan(v) else "infinite"
            raise self.fail(
                node, f"the constant part {self.segment(node)!r} at column {self.col(node)} "
                f"is {what}"
            )  # fmt: skip
        return ("num", float(v))

    def walk(self, node: ast.AST, depth: int) -> tuple:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node, f"the formula has more than {MAX_NODES} parts (at column {self.col(node)})"
            )
        if depth > MAX_DEPTH:
            raise self.fail(
                node, f"the formula nests more than {MAX_DEPTH} levels deep at column "
                f"{self.col(node)}"
            )  # fmt: skip
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise self.fail(node, f"only real numbers are allowed (column {self.col(node)})")
            value = float(node.value)
            if not math.isfinite(value):
                raise self.fail(node, f"the number at column {self.col(node)} is too large")
            return ("num", value)
        if isinstance(node, ast.Name):
            if node.id in VARIABLES:
                return ("var", VARIABLES[node.id])
            if node.id in CONSTANTS:
                return ("num", CONSTANTS[node.id])
            if PARAM_NAME.match(node.id) and node.id not in FUNCTIONS:
                # A named parameter (the lexer checked its name): never folded, its value
                # is written into its constant slot when the formula is resolved.
                return ("param", node.id)
            raise self.fail(
                node, f"unknown name {node.id!r} at column {self.col(node)}; "
                f"allowed: {_ALLOWED_TEXT}", node.id,
            )  # fmt: skip
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            a = self.walk(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return a
            if a[0] == "num":
                return ("num", -a[1])
            return ("un", prog.OP_NEG, a)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node, depth)
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN_OPS:
            # A chain a + b + c nests to the left; it is long, not deep.
            chain = isinstance(node.left, ast.BinOp) and type(node.left.op) in _BIN_OPS
            a = self.walk(node.left, depth if chain else depth + 1)
            b = self.walk(node.right, depth + 1)
            ir = ("bin", _BIN_OPS[type(node.op)], a, b)
            return self.fold(node, ir) if a[0] == b[0] == "num" else ir
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            sym = _OP_SYMBOLS.get(type(node.op), type(node.op).__name__)
            col = self.col(node)
            if isinstance(node, ast.BinOp):  # point at the operator, not the left operand
                gap = self.source[node.left.end_col_offset or 0 : node.right.col_offset]
                col = (node.left.end_col_offset or 0) + gap.find(sym) + self.shift + 1
            raise ExpressionError(
                f"the operator {sym!r} at column {col} is not allowed; allowed: + - * / **",
                col,
                sym,
            )
        if isinstance(node, ast.Tuple):
            if not node.elts:
                raise self.fail(node, f"empty parentheses at column {self.col(node)}")
            first = node.elts[0].end_col_offset or 0
            col = first + self.source[first:].find(",") + self.shift + 1
            raise ExpressionError(
                f"a comma at column {col} outside a function's parentheses; "
                "write one formula (min and max take several arguments)",
                col,
                ",",
            )
        what = _NODE_NAMES.get(type(node), f"a {type(node).__name__}")
        raise self.fail(
            node, f"{what} ({self.segment(node)!r} at column {self.col(node)}) is not allowed"
        )

    def power(self, node: ast.BinOp, depth: int) -> tuple:
        a = self.walk(node.left, depth + 1)
        b = self.walk(node.right, depth + 1)
        if b[0] != "num":
            raise self.fail(
                node.right, f"the exponent {self.segment(node.right)!r} at column "
                f"{self.col(node.right)} must be a constant number p with |p| <= "
                f"{MAX_EXPONENT:g}; for a variable power write exp(b*log(a))",
            )  # fmt: skip
        p = b[1]
        if abs(p) > MAX_EXPONENT:
            raise self.fail(
                node.right, f"the exponent {p:g} at column {self.col(node.right)} is too "
                f"large; '**' takes a constant exponent p with |p| <= {MAX_EXPONENT:g}",
            )  # fmt: skip
        if p == round(p):
            ir: tuple = ("powi", a, int(p))
        else:
            ir = ("powf", a, p)
        return self.fold(node, ir) if a[0] == "num" else ir

    def call(self, node: ast.Call, depth: int) -> tuple:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
            name = func.id if isinstance(func, ast.Name) else self.segment(func)
            raise self.fail(
                func, f"{name!r} at column {self.col(func)} is not a function; "
                f"functions: {', '.join(FUNCTIONS)}", name,
            )  # fmt: skip
        if node.keywords:
            raise self.fail(
                node, f"{func.id}() at column {self.col(node)} takes no keyword arguments"
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, f"a starred argument at column {self.col(arg)} is not allowed")
        n = len(node.args)
        if func.id in UNARY_FUNCTIONS:
            if n != 1:
                raise self.fail(
                    node, f"{func.id}() at column {self.col(node)} takes 1 argument, got {n}",
                    func.id,
                )  # fmt: skip
            a = self.walk(node.args[0], depth + 1)
            ir: tuple = ("un", UNARY_FUNCTIONS[func.id], a)
            return self.fold(node, ir) if a[0] == "num" else ir
        if n < 2:
            raise self.fail(
                node, f"{func.id}() at column {self.col(node)} takes 2 or more arguments, "
                f"got {n}", func.id,
            )  # fmt: skip
        args = [self.walk(arg, depth + 1) for arg in node.args]
        ir = args[0]
        for b in args[1:]:  # left fold: min(a, b, c) = min(min(a, b), c)
            ir = ("bin", VARIADIC_FUNCTIONS[func.id], ir, b)
        return self.fold(node, ir) if all(a[0] == "num" for a in args) else ir


def compile_expression(text: object) -> Program:
    """Check and compile a formula; raises ``ExpressionError`` with column and token."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be a string, got {type(text).__name__}", 1, "")
    if len(text) > MAX_LENGTH:  # before the cache: a long text is never hashed or stored
        _lex(text)
    return _compile_cached(text)


@functools.lru_cache(maxsize=256)
def _compile_cached(text: str) -> Program:
    _lex(text)
    body = text.lstrip(" \t")
    shift = len(text) - len(body)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as err:
        col = (err.offset or 0) + shift
        if col < 1 or col > len(text.rstrip(" \t")):
            n = len(text.rstrip(" \t"))
            raise ExpressionError(
                f"the formula ends too early at column {n + 1}: expected a number, a name or "
                "'(' after the last operator",
                n + 1,
                "",
            ) from None
        token = text[col - 1 : max(col, (err.end_offset or col) + shift - 1)] or text[col - 1]
        raise ExpressionError(
            f"unexpected {token!r} at column {col}; an operator needs an operand on each side",
            col,
            token,
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the formula is nested too deeply to read", 1, text[:1]) from None
    walker = _Walker(body, shift)
    try:
        ir = walker.walk(tree.body, 1)
    except RecursionError:
        raise ExpressionError("the formula is nested too deeply to read", 1, text[:1]) from None
    code_list: list[int] = []
    consts_list: list[float] = []
    index: dict[bytes, int] = {}
    _emit(ir, code_list, consts_list, index)
    slots = {k[len(PARAM_KEY) :].decode(): v for k, v in index.items() if k.startswith(PARAM_KEY)}
    code = np.array(code_list, dtype=np.int64)
    consts = np.array(consts_list or [0.0], dtype=np.float64)
    depth = stack_depth(code)
    if depth > MAX_PROGRAM_DEPTH:
        raise ExpressionError(
            f"the formula needs {depth} intermediate values at once; at most {MAX_PROGRAM_DEPTH}: "
            "nest fewer parentheses",
            1,
            text[:1],
        )
    return Program(
        text=ast.unparse(tree),
        code=code,
        consts=consts,
        depth=depth,
        uses_y=_uses(ir, prog.OP_Y),
        quadratic=_degree(ir) <= 2,
        params=tuple(slots),
        param_slots=tuple(slots.values()),
    )
