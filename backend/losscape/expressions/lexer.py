"""The lexer: the first reader of untrusted formula text.

Safety: user text is never given to eval, exec, compile-to-code, sympify or
parse_expr. It goes through, in order: a length limit (200 characters), an
ASCII-only check (look-alikes such as the Cyrillic 'х' are refused with their
column), a lexer that knows only numbers, the allowed names and the operators
above (and checks parentheses: at most 24 open), ``ast.parse(mode="eval")``, and
a walk of the tree that accepts only the node types above and limits the node
count (150) and depth (64). Every refusal is an ``ExpressionError`` (a
``ValueError``) whose ``column`` (1-based) and ``token`` say where, and whose
message names the token, the column and what is allowed instead.

The tree walk that follows is in ``parser``.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from dataclasses import dataclass

from ..numerics import program as prog

MAX_LENGTH = 200
MAX_NODES = 150
MAX_DEPTH = 64
MAX_PAREN_DEPTH = 24
MAX_EXPONENT = 16.0
# Named parameters (a*x**2 + b*y**2): any other name of this shape, at most MAX_PARAMS of
# them in one formula; their values come with the surface ({"params": {"a": 1}}), default 1.
MAX_PARAMS = 8
MAX_PARAM_NAME = 16
MAX_PARAM_VALUE = 1e6
DEFAULT_PARAM = 1.0
PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,15}\Z")

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
_PARAM_TEXT = f"or a parameter name (a letter, then letters, digits or _; at most {MAX_PARAM_NAME})"

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


def _glued(word: str) -> list[str] | None:
    """``word`` as two or more allowed names written together ("xy", "sinx"), or None.

    Such a word is almost always a missing operator or parenthesis, so it is refused
    with a hint instead of becoming a parameter.
    """
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for i in range(1, len(word) + 1):
        for name in ALLOWED_NAMES:
            j = i - len(name)
            if j >= 0 and best[j] is not None and word[j:i] == name:
                best[i] = [*best[j], name]  # type: ignore[misc]
                break
    parts = best[len(word)]
    return parts if parts is not None and len(parts) >= 2 else None


def check_param_name(name: object) -> str:
    """``name`` if it can name a parameter; else ValueError naming it and the rule."""
    if not isinstance(name, str) or not PARAM_NAME.match(name):
        raise ValueError(
            f"parameter name {name!r} is not allowed; a parameter name is a letter, then "
            f"letters, digits or _ (at most {MAX_PARAM_NAME} characters)"
        )
    if keyword.iskeyword(name):
        raise ValueError(f"parameter name {name!r} is a Python keyword; choose another name")
    if name in ALLOWED_NAMES:
        raise ValueError(
            f"parameter name {name!r} is taken by a variable, constant or function "
            f"({_ALLOWED_TEXT})"
        )
    return name


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "var", "const", "param", "func", "op", "(", ")", ","
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
    params: dict[str, int] = {}  # name -> column of first use
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
                glued = _glued(word)
                hint = _NAME_HINTS.get(word) or (
                    f"write {glued[0]}({'*'.join(glued[1:])})" if glued and glued[0] in FUNCTIONS
                    else f"write {'*'.join(glued)}" if glued else None
                )  # fmt: skip
                # Not a parameter: a name glued to a number before it (1j, 0x10) or to a
                # '.' or quote after it (os.system, f'...'): Python syntax, not a formula.
                glued_on = (m.start(kind) > 0 and text[m.start(kind) - 1].isdigit()) or (
                    text[m.end() : m.end() + 1] in (".", "'", '"')
                )
                if hint or glued_on or not PARAM_NAME.match(word) or keyword.iskeyword(word):
                    extra = f" ({hint})" if hint else ""
                    raise ExpressionError(
                        f"unknown name {word!r} at column {col}{extra}; allowed: "
                        f"{_ALLOWED_TEXT}, {_PARAM_TEXT}",
                        col,
                        word,
                    )
                kind = "param"
                params.setdefault(word, col)
                if len(params) > MAX_PARAMS:
                    raise ExpressionError(
                        f"too many parameters: {word!r} at column {col} is the "
                        f"{MAX_PARAMS + 1}th; at most {MAX_PARAMS} in one formula",
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
        if prev is not None and prev.kind == "param" and kind == "(":
            # foo(y): most likely a function that does not exist, so point at its name.
            raise ExpressionError(
                f"unknown function {prev.text!r} at column {prev.column}; functions: "
                f"{', '.join(FUNCTIONS)} (to multiply by a parameter write {prev.text}*(...))",
                prev.column,
                prev.text,
            )
        if (
            prev is not None
            and prev.kind in ("num", "var", "const", "param", ")")
            and kind in ("num", "var", "const", "param", "func", "(")
        ):
            if kind == "(" and prev.kind in ("var", "const", "param"):
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
