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
min max (two or more). A formula without ``y`` is a 1-D surface. Any other
name (a letter, then letters, digits or _; not a Python keyword) is a named
parameter, at most 8: ``{"expression": "a*x**2 + b*y**2", "params": {"a": 1,
"b": 10}}`` (each defaults to 1); a parameter has its own constant slot in the
compiled program, so new values need no recompiling (``Program.bind``).


The code that reads untrusted text is ``lexer`` and ``parser`` (audit them alone);
``emit`` turns the checked tree into a stack program; ``analysis`` resolves a formula
to a surface, with ``critical_points`` and ``framing`` (view, unbounded below, default
start) analysing it numerically.
"""

from .analysis import (
    DEFAULT_VIEW,
    MAX_CRITICAL_POINTS,
    VALID_KEYS,
    resolve_expression,
)
from .emit import Program, stack_depth
from .lexer import (
    ALLOWED_NAMES,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NODES,
    MAX_PAREN_DEPTH,
    UNARY_FUNCTIONS,
    VARIABLES,
    VARIADIC_FUNCTIONS,
    ExpressionError,
)
from .parser import compile_expression

__all__ = [
    "ALLOWED_NAMES",
    "CONSTANTS",
    "DEFAULT_VIEW",
    "FUNCTIONS",
    "MAX_CRITICAL_POINTS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_PAREN_DEPTH",
    "UNARY_FUNCTIONS",
    "VALID_KEYS",
    "VARIABLES",
    "VARIADIC_FUNCTIONS",
    "ExpressionError",
    "Program",
    "compile_expression",
    "resolve_expression",
    "stack_depth",
]
