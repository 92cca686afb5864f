"""Typed-in surfaces: a formula in x and y, parsed safely, compiled to a stack program.

Every function of the Python API that takes a surface takes a formula too; there
is no separate entry point::

    import losscape
    losscape.trajectory({"expression": "(1-x)**2 + 100*(y-x**2)**2"}, "adam", lr=0.02)
    losscape.grid({"expression": "sin(3*x) * y**2", "view": [-2, 2, -2, 2]})
    losscape.basins({"expression": "(x**2 - 1)**2 + y**2", "minima": [[-1, 0], [1, 0]]})

The mapping takes "expression" (required), "view" ([xmin, xmax, ymin, ymax],
optional) and "minima" ([[x, y], ...], optional); the REST API and the CLI
(``--expression``) pass the same mapping.

Grammar: numbers (``2``, ``0.5``, ``1e-3``), ``x``, ``y``, ``pi``, ``e``,
``+ - * /``, unary ``-`` and ``+``, parentheses, ``**`` with a constant exponent
p, |p| <= 16 (``x**2``, ``x**-1``, ``x**0.5``, ``x**(1/3)``), and the functions
sin cos tan exp log sqrt tanh abs sigmoid softplus relu (one argument) and
min max (two or more). A formula without ``y`` is a 1-D surface.

Safety: user text is never given to eval, exec, compile-to-code, sympify or
parse_expr. It goes through, in order: a length limit (200 characters), an
ASCII-only check (look-alikes such as the Cyrillic 'х' are refused with their
column), a lexer that knows only numbers, the allowed names and the operators
above (and checks parentheses: at most 24 open), ``ast.parse(mode="eval")``, and
a walk of the tree that accepts only the node types above and limits the node
count (150) and depth (64). Every refusal is an ``ExpressionError`` (a
``ValueError``) whose ``column`` (1-based) and ``token`` say where, and whose
message names the token, the column and what is allowed instead.

Compilation: the checked tree becomes a small IR, constant subtrees are folded
(with the evaluator itself, so folding and evaluation agree), and the IR is
emitted as a stack program for ``numerics.program.program_eval`` (forward-mode
dual numbers: exact gradients, no numba compilation per formula). The stack
depth is computed here and refused above ``MAX_PROGRAM_DEPTH`` (64). Compiled programs
are cached per text (LRU, 256), the numerical analysis below per formula,
view and minima (LRU, 256).

Numerical analysis (when the user gives no view or no minima):

- Critical points: a coarse grid (60 x 60; 400 points for a 1-D formula) of
  values and exact gradients. Seeds: grid points lower (higher) than their
  neighbours, refined by a derivative-free compass search (so kinks such as
  ``abs(x)`` are found), and grid points where |gradient| is locally smallest.
  Every seed is polished by Newton's method on the gradient (exact gradient,
  Hessian by central differences of it, as ``kernels.hessian_at``), classified
  from the Hessian's eigenvalues (``service.classify``); a degenerate point (or
  a kink) is classified by comparing values on a small ring around it, and a
  flat one is dropped. Points closer than a quarter grid cell are merged; at
  most 32 are kept. Bounded work: at most 56 seeds, 100 search and 50 Newton
  iterations, each one vectorised kernel call.
- View, when none is given: the box [-3, 3]^2 is searched first, then
  [-10, 10]^2, [-30, 30]^2 and [-100, 100]^2 until one holds a critical point.
  If a point lies in the outer 20% of that box (more may lie past it) and the
  box holds fewer than 16 points, the box twice as wide is searched, and its
  points are used unless there are 2x (1-D) or 4x (2-D) as many (a periodic
  formula) or 16 or more. The view is then: [-3, 3]^2 if no point was found
  or all lie in its inner 80%; the search box itself for an oscillating
  formula (16 or more points); else the square centred on the points'
  bounding box with half-width max(3, 0.75 x its larger side), rounded to two
  significant digits, searched again. Given minima set the view by the same
  last rule.
- Unbounded below: if the lowest grid value over the escape box (3x the view,
  as ``service`` stops such runs) lies on its edge, the surface is treated as
  unbounded below, so a run leaving the box is "escaped", not "diverged".
- Default start: of the points at 20%, 40% and 80% of the view's width and
  height (upper-left first; 40% keeps off symmetry axes, where a run can only
  slide into a saddle), the one farthest (in view-relative units) from
  the nearest minimum among those where the value and gradient are finite.
"""

from __future__ import annotations

import ast
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .numerics import kernels
from .numerics import program as prog
from .numerics.program import MAX_PROGRAM_DEPTH, PROGRAM_STACK, program_eval
from .numerics.specs import CriticalPoint
from .numerics.surfaces import EXPRESSION_ID

if TYPE_CHECKING:
    from .service import ResolvedSurface

MAX_LENGTH = 200
MAX_NODES = 150
MAX_DEPTH = 64
MAX_PAREN_DEPTH = 24
MAX_EXPONENT = 16.0
DEFAULT_VIEW = (-3.0, 3.0, -3.0, 3.0)
SEARCH_HALF_WIDTHS = (3.0, 10.0, 30.0, 100.0)
VALID_KEYS = ("expression", "view", "minima")

VARIABLES = {"x": prog.OP_X, "y": prog.OP_Y}
CONSTANTS = {"pi": math.pi, "e": math.e}
UNARY_FUNCTIONS = {
    "sin": prog.OP_SIN,
    "cos": prog.OP_COS,
    "tan": prog.OP_TAN,
    "exp": prog.OP_EXP,
    "log": prog.OP_LOG,
    "sqrt": prog.OP_SQRT,
    "tanh": prog.OP_TANH,
    "abs": prog.OP_ABS,
    "sigmoid": prog.OP_SIGMOID,
    "softplus": prog.OP_SOFTPLUS,
    "relu": prog.OP_RELU,
}
VARIADIC_FUNCTIONS = {"min": prog.OP_MIN, "max": prog.OP_MAX}
FUNCTIONS = (*UNARY_FUNCTIONS, *VARIADIC_FUNCTIONS)
ALLOWED_NAMES = (*VARIABLES, *CONSTANTS, *FUNCTIONS)
_ALLOWED_TEXT = ", ".join(ALLOWED_NAMES)

_NAME_HINTS = {
    "X": "write lowercase x",
    "Y": "write lowercase y",
    "ln": "write log for the natural logarithm",
    "Pi": "write pi",
    "PI": "write pi",
    "E": "write e",
    "pow": "write a ** p",
    "sqr": "write (...)**2",
}
_CHAR_HINTS = {
    "^": "write ** for powers",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "=": "assignments, comparisons and keyword arguments are not allowed",
    ":": "slices, lambdas and assignments are not allowed",
    ".": "'.' belongs inside a number such as 0.5 (attribute access is not allowed)",
    ";": "write a single formula",
    "%": "the modulo operator is not allowed",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "comparisons are not allowed",
    "@": "matrix products are not allowed",
    "\n": "write the formula on one line",
}

_TOKEN_RE = re.compile(
    r"[ \t]*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>\*\*|[-+*/(),]))"
)


class ExpressionError(ValueError):
    """A formula the grammar refuses.

    ``column`` is 1-based in the text as typed; ``token`` is the offending text
    ("" at the end of the formula). The message names both.
    """

    def __init__(self, message: str, column: int, token: str) -> None:
        super().__init__(message)
        self.column = column
        self.token = token


# --------------------------------------------------------------------------- lexical checks


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "var", "const", "func", "op", "(", ")", ","
    text: str
    column: int  # 1-based


def _lex(text: str) -> list[_Token]:
    """Tokens of ``text``, refusing anything outside the grammar's alphabet.

    Checks, each with the column of the first offence: length, ASCII, unknown
    characters and names, a number that overflows, two operands with no
    operator between them, a function without its parentheses, parentheses
    that do not match or nest deeper than MAX_PAREN_DEPTH.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed "
            f"(column {MAX_LENGTH + 1} is past the limit)",
            MAX_LENGTH + 1,
            text[MAX_LENGTH : MAX_LENGTH + 10],
        )
    if not text.isascii():
        i = next(k for k, ch in enumerate(text) if ord(ch) > 127)
        ch = text[i]
        name = unicodedata.name(ch, f"U+{ord(ch):04X}")
        raise ExpressionError(
            f"non-ASCII character {ch!r} ({name}) at column {i + 1}; formulas use plain "
            "ASCII letters, digits and + - * / ** ( ) ,",
            i + 1,
            ch,
        )
    if not text.strip(" \t"):
        raise ExpressionError(
            "the formula is empty; type one in x and y, such as x**2 + 3*y**2", 1, ""
        )
    tokens: list[_Token] = []
    opened: list[int] = []
    pos = 0
    end = len(text.rstrip(" \t"))
    while pos < end:
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.lastgroup is None:
            i = pos + len(text[pos:]) - len(text[pos:].lstrip(" \t"))
            ch = text[i]
            hint = _CHAR_HINTS.get(ch, "allowed: digits, letters, + - * / ** ( ) ,")
            raise ExpressionError(
                f"character {ch!r} at column {i + 1} is not allowed; {hint}", i + 1, ch
            )
        kind = m.lastgroup
        word = m.group(kind)
        col = m.start(kind) + 1
        pos = m.end()
        if kind == "num":
            if not math.isfinite(float(word)):
                raise ExpressionError(
                    f"the number {word!r} at column {col} is too large", col, word
                )
        elif kind == "name":
            if word in VARIABLES:
                kind = "var"
            elif word in CONSTANTS:
                kind = "const"
            elif word in FUNCTIONS:
                kind = "func"
            else:
                hint = _NAME_HINTS.get(word)
                extra = f" ({hint})" if hint else ""
                raise ExpressionError(
                    f"unknown name {word!r} at column {col}{extra}; allowed: {_ALLOWED_TEXT}",
                    col,
                    word,
                )
        elif word in "(),":
            kind = word
        prev = tokens[-1] if tokens else None
        if prev is not None and prev.kind == "func" and kind != "(":
            raise ExpressionError(
                f"{prev.text!r} at column {prev.column} is a function: write {prev.text}(...)",
                prev.column,
                prev.text,
            )
        if (
            prev is not None
            and prev.kind in ("num", "var", "const", ")")
            and kind in ("num", "var", "const", "func", "(")
        ):
            if kind == "(" and prev.kind in ("var", "const"):
                msg = f"{prev.text!r} is not a function; write {prev.text}*(...) to multiply"
            else:
                msg = f"write {prev.text}*{word} to multiply"
            raise ExpressionError(
                f"missing operator between {prev.text!r} and {word!r} at column {col}; {msg}",
                col,
                word,
            )
        if kind == "(":
            opened.append(col)
            if len(opened) > MAX_PAREN_DEPTH:
                raise ExpressionError(
                    f"too deeply nested: more than {MAX_PAREN_DEPTH} parentheses open at "
                    f"column {col}",
                    col,
                    "(",
                )
        elif kind == ")":
            if not opened:
                raise ExpressionError(f"unmatched ')' at column {col}", col, ")")
            opened.pop()
        tokens.append(_Token(kind, word, col))
    last = tokens[-1]
    if last.kind == "func":
        raise ExpressionError(
            f"{last.text!r} at column {last.column} is a function: write {last.text}(...)",
            last.column,
            last.text,
        )
    if opened:
        raise ExpressionError(f"'(' at column {opened[-1]} is never closed", opened[-1], "(")
    return tokens


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
    if kind == "num":
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
    formula; ``quadratic`` means a polynomial of degree <= 2 (constant Hessian).
    Compared and hashed by identity: programs are cached, never mutated.
    """

    text: str
    code: np.ndarray
    consts: np.ndarray
    depth: int
    uses_y: bool
    quadratic: bool

    def at(self, x: float, y: float) -> tuple[float, float, float]:
        """(f, df/dx, df/dy) at one point (a convenience for tests and callers)."""
        return program_eval(
            self.code, self.consts, float(x), float(y), np.empty((PROGRAM_STACK, 3))
        )


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
    _emit(ir, code_list, consts_list, {})
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
    )


def _uses(ir: tuple, var: int) -> bool:
    if ir[0] == "var":
        return ir[1] == var
    return any(_uses(c, var) for c in ir[1:] if isinstance(c, tuple))


# --------------------------------------------------------------------------- numerical analysis

GRID_2D = 60  # coarse search grid per axis
GRID_1D = 400
MAX_EXTREMUM_SEEDS = 16  # lowest local minima and highest local maxima of the grid, each
MAX_FLAT_SEEDS = 24  # smallest local minima of |gradient|
MAX_CRITICAL_POINTS = 32
OSCILLATING = 16  # this many critical points in a search box: an oscillating formula
COMPASS_ITERATIONS = 100
NEWTON_ITERATIONS = 50
_NO_PARAMS = np.zeros(1)
_KIND_ORDER = {"minimum": 0, "saddle": 1, "maximum": 2}


def _evaluate(p: Program, pts: np.ndarray) -> np.ndarray:
    """(K, 3) rows (f, df/dx, df/dy) at pts (K, 2)."""
    pts = np.ascontiguousarray(pts, dtype=np.float64).reshape(-1, 2)
    out = np.empty((pts.shape[0], 3))
    kernels.evaluate_points(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, pts, out)
    return out


def _line_y(box: tuple[float, float, float, float]) -> float:
    """The y of a 1-D formula's points: 0 when the view holds it, else the view's middle."""
    return 0.0 if box[2] <= 0.0 <= box[3] else 0.5 * (box[2] + box[3])


def _offsets(dims: int) -> np.ndarray:
    """Neighbour offsets (in cells), the centre first so ties keep the centre."""
    if dims == 1:
        return np.array([[0, 0], [-1, 0], [1, 0]], dtype=np.float64)
    return np.array([[i, j] for i in (0, -1, 1) for j in (0, -1, 1)], dtype=np.float64)


def _local_minima(a: np.ndarray, dims: int) -> np.ndarray:
    """(k, 2) (row, col) indices of interior cells of ``a`` (ny, nx) no higher than
    any neighbour and lower than one (NaN counts as +inf); a 1-D ``a`` has one row."""
    a = np.where(np.isnan(a), np.inf, a)
    if dims == 1:
        c = a[:, 1:-1]
        nbs = [a[:, :-2], a[:, 2:]]
        shift = np.array([0, 1])
    else:
        c = a[1:-1, 1:-1]
        ny, nx = a.shape
        nbs = [
            a[1 + di : ny - 1 + di, 1 + dj : nx - 1 + dj]
            for di in (-1, 0, 1)
            for dj in (-1, 0, 1)
            if (di, dj) != (0, 0)
        ]
        shift = np.array([1, 1])
    le = np.isfinite(c)
    lt = np.zeros_like(le)
    for nb in nbs:
        le &= c <= nb
        lt |= c < nb
    return np.argwhere(le & lt) + shift


def _compass(p: Program, pts: np.ndarray, sign: float, h: np.ndarray, dims: int) -> np.ndarray:
    """Derivative-free descent on sign * f from each of pts (S, 2): step to the best of
    the 3 x 3 stencil of spacing h, halve h when the centre is best. Finds kinks too."""
    offs = _offsets(dims)
    pos = pts.copy()
    step = np.tile(h, (pos.shape[0], 1))
    rows = np.arange(pos.shape[0])
    tiny = 4e-16 * (1.0 + np.abs(pos))
    for _ in range(COMPASS_ITERATIONS):
        cand = pos[:, None, :] + offs[None, :, :] * step[:, None, :]
        vals = sign * _evaluate(p, cand.reshape(-1, 2))[:, 0].reshape(pos.shape[0], -1)
        vals[np.isnan(vals)] = np.inf
        best = np.argmin(vals, axis=1)
        pos = cand[rows, best]
        step[best == 0] *= 0.5
        if np.all(step <= tiny):
            break
    return pos


def _hessians(p: Program, pos: np.ndarray) -> np.ndarray:
    """(S, 2, 2) Hessians by central differences of the exact gradient (as kernels.hessian_fd)."""
    s = pos.shape[0]
    h = 1e-5 * (1.0 + np.abs(pos))
    shifted = np.empty((4, s, 2))
    shifted[:] = pos
    shifted[0, :, 0] += h[:, 0]
    shifted[1, :, 0] -= h[:, 0]
    shifted[2, :, 1] += h[:, 1]
    shifted[3, :, 1] -= h[:, 1]
    g = _evaluate(p, shifted.reshape(-1, 2))[:, 1:3].reshape(4, s, 2)
    hx = (g[0] - g[1]) / (2.0 * h[:, 0:1])  # column x: (hxx, hyx)
    hy = (g[2] - g[3]) / (2.0 * h[:, 1:2])  # column y: (hxy, hyy)
    out = np.empty((s, 2, 2))
    out[:, 0, 0] = hx[:, 0]
    out[:, 1, 1] = hy[:, 1]
    out[:, 0, 1] = out[:, 1, 0] = 0.5 * (hx[:, 1] + hy[:, 0])
    return out


def _newton(p: Program, pts: np.ndarray, dims: int, max_step: float) -> np.ndarray:
    """Newton's method on the gradient from each of pts (S, 2); steps clipped to
    ``max_step``; a singular or non-finite step leaves the point where it is."""
    pos = pts.copy()
    for _ in range(NEWTON_ITERATIONS):
        g = _evaluate(p, pos)[:, 1:3]
        h = _hessians(p, pos)
        step = np.zeros_like(pos)
        if dims == 1:
            step[:, 0] = -g[:, 0] / h[:, 0, 0]
        else:
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] ** 2
            step[:, 0] = -(h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / det
            step[:, 1] = -(h[:, 0, 0] * g[:, 1] - h[:, 0, 1] * g[:, 0]) / det
        step[~np.all(np.isfinite(step), axis=1)] = 0.0
        norm = np.hypot(step[:, 0], step[:, 1])
        too_long = norm > max_step
        step[too_long] *= (max_step / norm[too_long])[:, None]
        pos = pos + step
        if np.all(norm <= 1e-14 * (1.0 + np.abs(pos).max(axis=1))):
            break
    return pos


def _ring_kind(p: Program, pt: np.ndarray, f0: float, rho: np.ndarray, dims: int) -> str | None:
    """Kind of a point from values on a small ring around it (every 22.5 degrees):
    "saddle" if some are higher and some lower (the monkey saddle x^3 - 3xy^2 also
    has level ones), else "minimum" / "maximum" if all are higher / lower, else
    None: some are level, the point sits in a flat valley or plateau."""
    if dims == 1:
        ring = np.array([[-1.0, 0.0], [1.0, 0.0]])
    else:
        t = np.linspace(0.0, 2.0 * math.pi, 16, endpoint=False)
        ring = np.column_stack([np.cos(t), np.sin(t)])
    ring_f = _evaluate(p, pt + ring * rho)[:, 0]
    if np.any(np.isnan(ring_f)):
        return None
    d = ring_f - f0
    # Differences below roundoff of the values involved count as level (1e-300:
    # a point where every value is exactly 0 is level, not a minimum).
    tol = 1e-13 * max(abs(f0), float(np.max(np.abs(ring_f))), 1e-300)
    up, down = np.any(d > tol), np.any(d < -tol)
    if up and down:
        return "saddle"
    if np.all(d > tol):
        return "minimum"
    if np.all(d < -tol):
        return "maximum"
    return None


def _tidy(v: float, scale: float) -> float:
    """14 significant digits, and exactly 0 for roundoff around 0 (1 - 1e-17 -> 1)."""
    r = float(f"{v:.14g}")
    return 0.0 if abs(r) < 1e-12 * scale else r


def _critical_points(
    p: Program, box: tuple[float, float, float, float], dims: int
) -> tuple[CriticalPoint, ...]:
    """Minima, saddles and maxima of ``p`` inside ``box`` (see the module docstring)."""
    x0, x1, y0, y1 = box
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n) if dims == 2 else np.array([_line_y(box)])
    mx, my = np.meshgrid(xs, ys)
    val = _evaluate(p, np.column_stack([mx.ravel(), my.ravel()]))
    f, gx, gy = (val[:, k].reshape(mx.shape) for k in range(3))
    cell = np.array([xs[1] - xs[0], (ys[1] - ys[0]) if dims == 2 else 0.0])
    gnorm = np.hypot(gx, gy)
    finite_g = gnorm[np.isfinite(gnorm) & np.isfinite(f)]
    if finite_g.size == 0:
        return ()
    gtol = 1e-8 * max(float(np.median(finite_g)), 1e-300)

    def at(idx: np.ndarray) -> np.ndarray:
        return np.column_stack([xs[idx[:, 1]], ys[idx[:, 0]]])

    seeds: list[tuple[np.ndarray, float]] = []
    for sign in (1.0, -1.0):
        idx = _local_minima(sign * f, dims)
        if idx.size:
            order = np.argsort(sign * f[idx[:, 0], idx[:, 1]])[:MAX_EXTREMUM_SEEDS]
            seeds.append((_compass(p, at(idx[order]), sign, cell, dims), sign))
    idx = _local_minima(gnorm, dims)
    if idx.size:
        order = np.argsort(gnorm[idx[:, 0], idx[:, 1]])[:MAX_FLAT_SEEDS]
        seeds.append((at(idx[order]), 0.0))
    if not seeds:
        return ()
    start = np.concatenate([s for s, _ in seeds])
    # +1: a minimum seed of the compass search, -1: a maximum one, 0: a |gradient| seed.
    compass = np.concatenate([np.full(s.shape[0], c) for s, c in seeds])
    polished = _newton(p, start, dims, float(np.hypot(*cell)))
    margin = cell + 1e-12

    def critical(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values (S,), mask of points inside the box with |gradient| <= gtol)."""
        val = _evaluate(p, pts)
        inside = (
            (pts[:, 0] >= x0 - margin[0])
            & (pts[:, 0] <= x1 + margin[0])
            & (pts[:, 1] >= y0 - margin[1])
            & (pts[:, 1] <= y1 + margin[1])
        )
        ok = np.all(np.isfinite(val), axis=1) & (np.hypot(val[:, 1], val[:, 2]) <= gtol)
        return val[:, 0], ok & inside

    f_newton, newton_ok = critical(polished)
    f_compass, compass_ok = critical(start)
    compass_ok &= compass != 0.0
    from .service import classify

    scale = max(abs(x0), abs(x1), abs(y0), abs(y1), 1.0)
    rho = 0.05 * np.where(cell > 0, cell, 0.0)
    found: list[CriticalPoint] = []
    hess = np.empty((2, 2))
    for k in range(start.shape[0]):
        # Of the compass point and its Newton polish, the critical one; if both
        # are, the lower (higher for a maximum): on a very flat minimum (x**16)
        # Newton crawls while the compass search homes in on the values.
        use_newton = newton_ok[k] and not (
            compass_ok[k] and compass[k] * f_compass[k] <= compass[k] * f_newton[k]
        )
        converged = newton_ok[k] or compass_ok[k]
        if use_newton:
            pt = polished[k]
        elif compass[k] != 0.0:
            pt = start[k]  # critical, or maybe a kink Newton cannot polish
        else:
            continue
        pt = np.array([_tidy(pt[0], scale), _tidy(pt[1], scale) if dims == 2 else pt[1]])
        if not (x0 <= pt[0] <= x1 and y0 <= pt[1] <= y1):
            continue
        fv, gxv, gyv = _evaluate(p, pt)[0]
        if not math.isfinite(fv):
            continue
        kind: str | None = None
        if converged:
            kernels.hessian_at(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, pt[0], pt[1], hess)
            if np.all(np.isfinite(hess)):
                w = np.linalg.eigvalsh(hess)
                kind = classify(np.array([gxv, gyv]), w, dims=dims)
        if kind not in ("minimum", "maximum", "saddle"):
            kind = _ring_kind(p, pt, fv, rho, dims)
            if not converged and kind != {1.0: "minimum", -1.0: "maximum"}[compass[k]]:
                kind = None  # the compass search stalled (a curved ravine), not an extremum
        if kind is not None:
            found.append(CriticalPoint(float(pt[0]), float(pt[1]), float(fv) + 0.0, kind))
    found.sort(key=lambda c: (_KIND_ORDER[c.kind], c.f if c.kind != "maximum" else -c.f))
    merge = 0.25 * float(np.hypot(*cell))
    kept: list[CriticalPoint] = []
    for c in found:
        if all(math.hypot(c.x - o.x, c.y - o.y) > merge for o in kept):
            kept.append(c)
    return tuple(kept[:MAX_CRITICAL_POINTS])


def _nice(v: float) -> float:
    return float(f"{v:.4g}")


def _view_around(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """[-3, 3]^2 if it holds every point in its inner 80%, else the square centred on
    the points with half-width max(3, 0.75 x their larger extent)."""
    xs = [pt[0] for pt in points]
    ys = [pt[1] for pt in points]
    if all(abs(v) <= 0.8 * DEFAULT_VIEW[1] for v in xs + ys):
        return DEFAULT_VIEW
    cx, cy = 0.5 * (min(xs) + max(xs)), 0.5 * (min(ys) + max(ys))
    hw = max(DEFAULT_VIEW[1], 0.75 * max(max(xs) - min(xs), max(ys) - min(ys)))
    # Round to readable numbers: the half-width up to two significant digits, the
    # centre to the same step (it moves by at most half a step, well inside the margin).
    e = math.floor(math.log10(hw)) - 1
    step = 10.0**e
    hw = math.ceil(hw / step - 1e-9) * step
    cx, cy = round(cx / step) * step, round(cy / step) * step
    nd = max(0, -e)
    return (round(cx - hw, nd), round(cx + hw, nd), round(cy - hw, nd), round(cy + hw, nd))


def _near_edge(c: CriticalPoint, box: tuple[float, float, float, float], dims: int) -> bool:
    """True when c lies outside the inner 80% of box (in x, and in y for a 2-D formula)."""
    x0, x1, y0, y1 = box
    mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
    out_x = not (x0 + mx <= c.x <= x1 - mx)
    return out_x or (dims == 2 and not (y0 + my <= c.y <= y1 - my))


def _auto_view(
    p: Program, dims: int
) -> tuple[tuple[float, float, float, float], tuple[CriticalPoint, ...]]:
    """The view and critical points when the user gives neither (module docstring)."""
    crit: tuple[CriticalPoint, ...] = ()
    box = DEFAULT_VIEW
    for hw in SEARCH_HALF_WIDTHS:
        box = (-hw, hw, -hw, hw)
        crit = _critical_points(p, box, dims)
        if crit:
            break
    if not crit:
        return DEFAULT_VIEW, ()
    if len(crit) >= OSCILLATING:
        return box, crit  # many critical points: an oscillating formula, keep the box
    if any(_near_edge(c, box, dims) for c in crit):
        # Points near the edge: more may lie past it, look in a box twice as wide.
        hw = box[1]
        wider = _critical_points(p, (-2 * hw, 2 * hw, -2 * hw, 2 * hw), dims)
        # A periodic formula has 2x (1-D) or 4x (2-D) as many points in it.
        if len(crit) <= len(wider) < min(2**dims * len(crit), OSCILLATING):
            crit = wider
    view = _view_around([(c.x, c.y) for c in crit])
    if view == box:
        return view, crit
    again = _critical_points(p, view, dims)
    if again:
        return view, again
    inside = tuple(c for c in crit if view[0] <= c.x <= view[1] and view[2] <= c.y <= view[3])
    return view, inside


def _unbounded_below(p: Program, view: tuple[float, float, float, float], dims: int) -> bool:
    """True when the lowest grid value over 3x the view lies on that box's edge."""
    from .service import ESCAPE_BOX_FACTOR

    x0, x1, y0, y1 = view
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    hx, hy = 0.5 * (x1 - x0) * ESCAPE_BOX_FACTOR, 0.5 * (y1 - y0) * ESCAPE_BOX_FACTOR
    n = GRID_2D if dims == 2 else GRID_1D
    xs = np.linspace(cx - hx, cx + hx, n)
    ys = np.linspace(cy - hy, cy + hy, n) if dims == 2 else np.array([_line_y(view)])
    f = np.empty((ys.shape[0], n))
    kernels.grid_values(EXPRESSION_ID, _NO_PARAMS, p.code, p.consts, xs, ys, f)
    f = np.where(np.isnan(f), np.inf, f)  # -inf (falling off the float range) counts as lowest
    edge = np.zeros(f.shape, dtype=bool)
    edge[:, [0, -1]] = True
    if dims == 2:
        edge[[0, -1], :] = True
    lowest_edge = float(f[edge].min())
    lowest_inside = float(f[~edge].min()) if np.any(~edge) else math.inf
    if not math.isfinite(lowest_inside):
        return lowest_edge == -math.inf
    return lowest_edge < lowest_inside - 1e-12 * max(1.0, abs(lowest_inside))


# 40%, not 50%: a start on a symmetry axis (x = 0 for (x**2 - 1)**2 + y**2) can
# only slide into the saddle on that axis.
_START_FRACTIONS_2D = (
    (0.2, 0.8), (0.8, 0.8), (0.2, 0.2), (0.8, 0.2),
    (0.4, 0.8), (0.2, 0.4), (0.8, 0.4), (0.4, 0.2), (0.4, 0.4),
)  # fmt: skip
_START_FRACTIONS_1D = ((0.2, 0.5), (0.8, 0.5), (0.4, 0.5))


def _default_start(
    p: Program,
    view: tuple[float, float, float, float],
    crit: tuple[CriticalPoint, ...],
    dims: int,
) -> tuple[float, float]:
    """The candidate point farthest from the nearest minimum (module docstring)."""
    x0, x1, y0, y1 = view
    fr = np.array(_START_FRACTIONS_2D if dims == 2 else _START_FRACTIONS_1D)
    pts = np.column_stack([x0 + fr[:, 0] * (x1 - x0), y0 + fr[:, 1] * (y1 - y0)])
    if dims == 1:
        pts[:, 1] = _line_y(view)
    pts = np.array([[_nice(a), _nice(b)] for a, b in pts])
    val = _evaluate(p, pts)
    ok = np.all(np.isfinite(val), axis=1) & (np.hypot(val[:, 1], val[:, 2]) > 0)
    if not np.any(ok):
        return float(pts[-1, 0]), float(pts[-1, 1])
    mins = np.array([[c.x, c.y] for c in crit if c.kind == "minimum"]).reshape(-1, 2)
    if mins.shape[0] == 0:
        k = int(np.argmax(ok))
    else:
        half = np.array([0.5 * (x1 - x0), 0.5 * (y1 - y0) if dims == 2 else math.inf])
        d = np.hypot(*((pts[:, None, :] - mins[None, :, :]) / half).transpose(2, 0, 1))
        score = np.where(ok, d.min(axis=1), -1.0)
        k = int(np.argmax(score))
    return float(pts[k, 0]), float(pts[k, 1])


@dataclass(frozen=True)
class _Analysis:
    view: tuple[float, float, float, float]
    critical_points: tuple[CriticalPoint, ...]
    default_start: tuple[float, float]
    unbounded_below: bool


@functools.lru_cache(maxsize=256)
def _analyse(
    p: Program,
    view: tuple[float, float, float, float] | None,
    minima: tuple[tuple[float, float], ...] | None,
) -> _Analysis:
    dims = 2 if p.uses_y else 1
    with np.errstate(all="ignore"):
        if minima is not None:
            val = _evaluate(p, np.array(minima))
            for i, (pt, v) in enumerate(zip(minima, val[:, 0], strict=True)):
                if not math.isfinite(v):
                    raise ValueError(
                        f"minima[{i}] ({pt[0]:g}, {pt[1]:g}) is outside the formula's domain"
                    )
            crit = tuple(
                CriticalPoint(pt[0], pt[1], float(v), "minimum")
                for pt, v in zip(minima, val[:, 0], strict=True)
            )
            if view is None:
                view = _view_around(list(minima))
        elif view is not None:
            crit = _critical_points(p, view, dims)
        else:
            view, crit = _auto_view(p, dims)
        unbounded = _unbounded_below(p, view, dims)
        start = _default_start(p, view, crit, dims)
    return _Analysis(view, crit, start, unbounded)


def resolve_expression(surface: Mapping[str, Any]) -> ResolvedSurface:
    """A typed-in formula as a ``service.ResolvedSurface`` (sid ``EXPRESSION_ID``).

    ``surface`` holds "expression" (required), "view" ([xmin, xmax, ymin, ymax])
    and "minima" ([[x, y], ...]), both optional: see the module docstring for
    what is computed when they are missing. Raises ``ExpressionError`` for a
    formula the grammar refuses and ``ValueError`` for other bad fields.
    """
    from .service import ResolvedSurface, _check_view, _point

    extra = sorted(str(k) for k in surface if k not in VALID_KEYS)
    if extra:
        raise ValueError(
            f"unknown field(s) {', '.join(extra)} in an expression surface; "
            f"valid: {', '.join(VALID_KEYS)}"
        )
    if "expression" not in surface:
        raise ValueError("an expression surface needs the field 'expression'")
    p = compile_expression(surface["expression"])
    view_arg = surface.get("view")
    view = _check_view(view_arg) if view_arg is not None else None
    minima_arg = surface.get("minima")
    minima = None
    if minima_arg is not None:
        if not isinstance(minima_arg, list | tuple) or len(minima_arg) > 64:
            raise ValueError("minima must be a list of at most 64 (x, y) points")
        minima = tuple(_point(m, f"minima[{i}]") for i, m in enumerate(minima_arg)) or None
    a = _analyse(p, view, minima)
    return ResolvedSurface(
        name="expression",
        sid=EXPRESSION_ID,
        params=np.zeros(1),
        code=p.code,
        consts=p.consts,
        view=a.view,
        critical_points=a.critical_points,
        unbounded_below=a.unbounded_below,
        quadratic=p.quadratic,
        dims=2 if p.uses_y else 1,
        default_start=a.default_start,
        expression=p.text,
    )
