"""Typed-in formulas: refusals with columns, compiled values and exact gradients,
parity with the catalogue's Rosenbrock, domain errors, every kernel, the
numerically found view / critical points, and fuzzing (never anything but a
result or a ValueError, never a hang)."""

from __future__ import annotations

import ast
import contextlib
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import losscape
from losscape import expressions
from losscape.expressions import (
    ExpressionError,
    analysis,
    compile_expression,
    parser,
    resolve_expression,
)
from losscape.numerics.optimizers import OPTIMIZERS
from losscape.numerics.surfaces import EXPRESSION_ID
from losscape.service import ResolvedSurface, resolve_surface

ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"

# --------------------------------------------------------------------------- refusals

INJECTIONS = [
    # (text, column, token, words the message must contain)
    ("__import__('os')", 1, "__import__", "unknown name '__import__'"),
    ("os.system('ls')", 1, "os", "unknown name 'os'"),
    ("x.__class__", 2, ".", "attribute access"),
    ("x.real", 2, ".", "attribute access"),
    ("(x).imag", 4, ".", "attribute access"),
    ("x[0]", 2, "[", "subscripts"),
    ("lambda: 1", 1, "lambda", "unknown name 'lambda'"),
    ("[x for x in y]", 1, "[", "subscripts and lists"),
    ("(x for x in y)", 4, "for", "unknown name 'for'"),
    ("{x: 1}", 1, "{", "braces"),
    ("'abc'", 1, "'", "strings"),
    ('"x"', 1, '"', "strings"),
    ("f'{x}'", 1, "f", "unknown name 'f'"),
    ("9**9**9", 4, "9**9", "exponent 3.8742e+08"),
    ("x**100", 4, "100", "|p| <= 16"),
    ("x**y", 4, "y", "must be a constant"),
    ("2**x", 4, "x", "must be a constant"),
    ("max(x, y=1)", 9, "=", "keyword arguments"),
    ("max(*x)", 5, "*x", "starred"),
    ("(x := 1)", 4, ":", "assignments"),
    ("x" * 10_000, 201, "x" * 10, "at most 200"),
    ("(" * 500 + "x" + ")" * 500, 201, "(" * 10, "at most 200"),
    ("(" * 30 + "x" + ")" * 30, 25, "(", "more than 24 parentheses"),
    ("(" * 99 + "x" + ")" * 99, 25, "(", "more than 24 parentheses"),
    ("sin(" * 30 + "x" + ")" * 30, 100, "(", "more than 24 parentheses"),
    ("-" * 150 + "x", 65, None, "more than 64 levels"),
    ("x" + "+x" * 90, 121, "x", "more than 150 parts"),
    ("\u0445 + y", 1, "\u0445", "CYRILLIC SMALL LETTER HA"),  # Cyrillic 'х'
    ("x + \u0443", 5, "\u0443", "CYRILLIC SMALL LETTER U"),  # Cyrillic 'у'
    ("\uff11 + x", 1, "\uff11", "FULLWIDTH DIGIT ONE"),
    ("x\u2212y", 2, "\u2212", "MINUS SIGN"),
    ("x\u00b2", 2, "\u00b2", "SUPERSCRIPT TWO"),
    ("", 1, "", "empty"),
    ("   ", 1, "", "empty"),
    ("x y", 3, "y", "missing operator between 'x' and 'y'"),
    ("2x", 2, "x", "write 2*x"),
    ("x(2)", 2, "(", "'x' is not a function"),
    ("sin x", 1, "sin", "is a function"),
    ("x^2", 2, "^", "write ** for powers"),
    ("x +", 4, "", "ends too early"),
    ("x + * y", 5, "*", "unexpected '*'"),
    ("(x", 1, "(", "never closed"),
    ("x)", 2, ")", "unmatched ')'"),
    ("x, y", 2, ",", "comma"),
    ("()", 1, "()", "empty parentheses"),
    ("sin()", 1, "sin", "takes 1 argument, got 0"),
    ("sin(x, y)", 1, "sin", "takes 1 argument, got 2"),
    ("min(x)", 1, "min", "takes 2 or more arguments"),
    ("x // 2", 3, "//", "operator '//'"),
    ("x % 2", 3, "%", "modulo"),
    ("x < y", 3, "<", "comparisons"),
    ("x if y else 1", 3, "if", "unknown name 'if'"),
    ("True", 1, "True", "unknown name 'True'"),
    ("1j", 2, "j", "unknown name 'j'"),
    ("0x10", 2, "x10", "unknown name 'x10'"),
    ("1e999", 1, "1e999", "too large"),
    ("1/0 + x", 1, "1/0", "infinite"),
    ("sqrt(-1) * x", 1, "sqrt(-1)", "undefined"),
    ("X**2", 1, "X", "lowercase x"),
    ("ln(x)", 1, "ln", "write log"),
    ("x;y", 2, ";", "single formula"),
    ("x\n+ y", 2, "\n", "one line"),
    ("x\\\ny", 2, "\\", "not allowed"),
    ("x\x00", 2, "\x00", "not allowed"),
]


@pytest.mark.parametrize(("text", "column", "token", "words"), INJECTIONS)
def test_refused_with_column_token_and_message(text, column, token, words):
    with pytest.raises(ExpressionError) as err:
        compile_expression(text)
    e = err.value
    assert isinstance(e, ValueError)
    assert e.column == column
    if token is not None:
        assert e.token == token
    assert words in str(e)
    if text.strip():  # "the formula is empty" needs no column
        assert f"column {column}" in str(e)


def test_unknown_name_message_lists_the_allowed_names():
    with pytest.raises(ExpressionError) as err:
        compile_expression("_os")
    assert str(err.value) == (
        "unknown name '_os' at column 1; allowed: x, y, pi, e, sin, cos, tan, exp, log, sqrt, "
        "tanh, abs, sigmoid, softplus, relu, min, max, or a parameter name (a letter, then "
        "letters, digits or _; at most 16)"
    )


def test_columns_count_leading_blanks():
    with pytest.raises(ExpressionError) as err:
        compile_expression("   x // y")
    assert err.value.column == 6
    with pytest.raises(ExpressionError) as err:
        compile_expression("  sqrt(-1) + x")
    assert err.value.column == 3


@pytest.mark.parametrize("value", [None, 3, 2.5, ["x"], b"x", {"x": 1}])
def test_non_string_expression_is_refused(value):
    with pytest.raises(ExpressionError, match="must be a string"):
        compile_expression(value)


def test_no_code_execution_primitives_in_the_package():
    """No call of eval / exec / compile / __import__, nothing from sympy, in any module."""
    modules = sorted(Path(expressions.__file__).parent.glob("*.py"))
    assert {m.name for m in modules} >= {"lexer.py", "parser.py", "emit.py", "analysis.py"}
    banned = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr"}
    nodes = [n for m in modules for n in ast.walk(ast.parse(m.read_text()))]
    for node in nodes:
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            owner = (
                f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            )
            assert name not in banned or (name == "compile" and owner == "re"), ast.unparse(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not any(n.startswith("sympy") for n in names)


# --------------------------------------------------------------------------- accepted formulas


def sigmoid(u: float) -> float:
    return 1.0 / (1.0 + math.exp(-u))


# (text, a pure-Python reference, points inside the domain and away from kinks)
FORMULAS = [
    ("x**2 + 3*y**2", lambda x, y: x**2 + 3 * y**2),
    (ROSENBROCK, lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("sin(x*y) + cos(x - y)", lambda x, y: math.sin(x * y) + math.cos(x - y)),
    ("tan(x/3 - y/4)", lambda x, y: math.tan(x / 3 - y / 4)),
    ("exp(-x**2 - y**2)", lambda x, y: math.exp(-(x**2) - y**2)),
    ("log(x**2 + y**2 + 1)", lambda x, y: math.log(x**2 + y**2 + 1)),
    ("sqrt(x**2 + 2*y**2 + 0.5)", lambda x, y: math.sqrt(x**2 + 2 * y**2 + 0.5)),
    ("tanh(2*x) * y", lambda x, y: math.tanh(2 * x) * y),
    ("abs(x - 2*y) + abs(x)", lambda x, y: abs(x - 2 * y) + abs(x)),
    ("sigmoid(3*x) * y**2", lambda x, y: sigmoid(3 * x) * y**2),
    ("softplus(x - y)", lambda x, y: math.log(1 + math.exp(x - y))),
    ("relu(x + y) + relu(-x)", lambda x, y: max(x + y, 0.0) + max(-x, 0.0)),
    ("min(x, y**2) + max(x*y, 1, y)", lambda x, y: min(x, y**2) + max(x * y, 1, y)),
    ("x**-2 + (y**2 + 1)**0.5", lambda x, y: x**-2 + (y**2 + 1) ** 0.5),
    ("(x**2 + 1)**(1/3) - y/x", lambda x, y: (x**2 + 1) ** (1 / 3) - y / x),
    ("2/x - 1 + (3 - y)*pi + e**2", lambda x, y: 2 / x - 1 + (3 - y) * math.pi + math.e**2),
    ("-x**2 + +y - -x", lambda x, y: -(x**2) + y + x),
    ("1.5e-1*x + .5*y + 2.*x*y", lambda x, y: 0.15 * x + 0.5 * y + 2.0 * x * y),
    ("x**16 / 1e3 + y**3", lambda x, y: x**16 / 1e3 + y**3),
]
POINTS = [(0.7, -1.2), (-1.3, 0.4), (1.9, 1.1), (-0.45, -0.8)]


@pytest.mark.parametrize(("text", "ref"), FORMULAS, ids=[t for t, _ in FORMULAS])
def test_values_and_exact_gradients(text, ref):
    p = compile_expression(text)
    h = 1e-6
    for x, y in POINTS:
        f, gx, gy = p.at(x, y)
        assert f == pytest.approx(ref(x, y), rel=1e-13, abs=1e-13)
        fx = (ref(x + h, y) - ref(x - h, y)) / (2 * h)
        fy = (ref(x, y + h) - ref(x, y - h)) / (2 * h)
        assert gx == pytest.approx(fx, rel=1e-6, abs=1e-6)
        assert gy == pytest.approx(fy, rel=1e-6, abs=1e-6)


def test_normalised_text_and_constant_folding():
    p = compile_expression("  (1-x)**2+100*(y-x**2)**2 ")
    assert p.text == "(1 - x) ** 2 + 100 * (y - x ** 2) ** 2"
    folded = compile_expression("x * (2**3 + sin(0) + pi/pi)")
    assert folded.consts.tolist() == [9.0]
    assert compile_expression("e").at(0, 0)[0] == math.e


def test_dims_and_quadratic_flags():
    assert compile_expression("x**2 + 3*y**2").uses_y
    assert not compile_expression("x**3 - 3*x").uses_y
    assert compile_expression("(x - y)**2 / 4 + 3*x*y + 1").quadratic
    assert not compile_expression("x**3").quadratic
    assert not compile_expression("x**2 + sin(y)").quadratic
    assert not compile_expression("1/x").quadratic


def test_stack_depth_is_checked_at_compile_time(monkeypatch):
    # The deepest formula the length and parenthesis limits let through still fits.
    deepest = "x+x*(" * expressions.MAX_PAREN_DEPTH + "x" + ")" * expressions.MAX_PAREN_DEPTH
    assert len(deepest) <= expressions.MAX_LENGTH
    p = compile_expression(deepest)
    assert p.depth == expressions.stack_depth(p.code) < parser.MAX_PROGRAM_DEPTH
    # With a smaller stack the same check refuses a formula before it can overflow.
    monkeypatch.setattr(parser, "MAX_PROGRAM_DEPTH", 3)
    with pytest.raises(ExpressionError, match="needs 5 intermediate values at once; at most 3"):
        parser._compile_cached.__wrapped__("x + x*(x + x*y)")


def test_stack_depth_of_hand_written_code():
    from losscape.numerics import program as prog

    code = np.array([prog.OP_X, prog.OP_Y, prog.OP_CONST, 0, prog.OP_MUL, prog.OP_ADD, prog.OP_SIN])
    assert expressions.stack_depth(code) == 3


def test_programs_are_cached_per_text_and_bounded():
    assert compile_expression("x**2 + y") is compile_expression("x**2 + y")
    assert parser._compile_cached.cache_info().maxsize == 256
    assert analysis._analyse.cache_info().maxsize == 256


# --------------------------------------------------------------------------- catalogue parity


@pytest.mark.parametrize("spec", OPTIMIZERS, ids=[o.name for o in OPTIMIZERS])
def test_typed_rosenbrock_runs_like_the_catalogue(spec):
    lr = {"gd": 1e-3, "adam": 0.02, "newton": 0.5}.get(spec.name, 1e-4)
    lr = min(max(lr, spec.lr_min), spec.lr_max)
    args = dict(start=(-1.5, 2.0), steps=500, lr=lr, tol=0.0)
    typed = losscape.trajectory({"expression": ROSENBROCK}, spec.name, **args)
    ref = losscape.trajectory("rosenbrock", spec.name, **args)
    assert typed.status == ref.status
    assert typed.path.shape == ref.path.shape
    # Newton's Hessian is a difference quotient of the gradient (h = 1e-5): it
    # amplifies last-bit differences of the gradient by ~1/h.
    tol = 1e-9 if spec.name == "newton" else 1e-12
    np.testing.assert_allclose(typed.path, ref.path, rtol=tol, atol=tol)
    np.testing.assert_allclose(typed.loss, ref.loss, rtol=tol, atol=tol)


def test_typed_rosenbrock_grid_matches_the_catalogue():
    view = [-2.0, 2.0, -1.0, 3.0]
    typed = losscape.grid({"expression": ROSENBROCK}, view=view, resolution=101, arrows=10)
    ref = losscape.grid("rosenbrock", view=view, resolution=101, arrows=10)
    np.testing.assert_allclose(typed.values, ref.values, rtol=1e-14, atol=0)
    np.testing.assert_allclose(typed.arrow_gx, ref.arrow_gx, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(typed.arrow_gy, ref.arrow_gy, rtol=1e-14, atol=0)


def test_typed_rosenbrock_has_the_catalogue_minimum_and_hessian():
    surf = resolve_expression({"expression": ROSENBROCK})
    (m,) = surf.critical_points
    assert (m.x, m.y, m.f, m.kind) == (1.0, 1.0, 0.0, "minimum")
    h_typed = losscape.hessian({"expression": ROSENBROCK}, (-0.5, 0.7))
    h_ref = losscape.hessian("rosenbrock", (-0.5, 0.7))
    np.testing.assert_allclose(h_typed.matrix, h_ref.matrix, rtol=1e-8)
    assert h_typed.kind == h_ref.kind == "regular"


# The catalogue's surfaces typed in, with its default parameters filled in.
CATALOGUE_FORMULAS = {
    "quadratic": lambda p: "0.5*(x**2 + y**2)",
    "ravine": lambda p: f"0.5*(x**2 + {p['kappa']!r}*y**2)",
    "rosenbrock": lambda p: f"({p['a']!r} - x)**2 + {p['b']!r}*(y - x**2)**2",
    "beale": lambda p: "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "himmelblau": lambda p: "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "six_hump_camel": lambda p: "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (4*y**2 - 4)*y**2",
    "rastrigin": lambda p: f"2*{p['A']!r} + x**2 + y**2 - {p['A']!r}*(cos(2*pi*x) + cos(2*pi*y))",
    "ackley": lambda p: (
        "-20*exp(-0.2*sqrt((x**2 + y**2)/2)) - exp((cos(2*pi*x) + cos(2*pi*y))/2) + e + 20"
    ),
    "saddle": lambda p: "x**2 - y**2",
    "bounded_saddle": lambda p: "x**2 - y**2 + 0.25*y**4",
    "monkey_saddle": lambda p: "x**3 - 3*x*y**2",
    "plateau": lambda p: f"1 - exp(-(x**2 + y**2)/(2*{p['s']!r}**2))",
    "two_gaussians": lambda p: (
        f"x**2 + y**2 - {p['a']!r}*exp(-((x-1)**2 + y**2)/{p['c']!r})"
        f" - {p['b']!r}*exp(-((x+1)**2 + y**2)/{p['c']!r})"
    ),
    "tilted_plane": lambda p: f"{p['sx']!r}*x + {p['sy']!r}*y",
    "double_well": lambda p: f"0.25*x**4 - 0.5*x**2 + {p['c']!r}*x",
    "booth": lambda p: "(x + 2*y - 7)**2 + (2*x + y - 5)**2",
    "matyas": lambda p: "0.26*(x**2 + y**2) - 0.48*x*y",
}
# The catalogue lists only the global minimum of these (they have dozens of critical points).
ONLY_GLOBAL_MINIMUM = {"rastrigin", "ackley"}


@pytest.mark.parametrize("name", sorted(CATALOGUE_FORMULAS))
def test_catalogue_surfaces_typed_in_agree_with_the_catalogue(name):
    spec = {s["name"]: s for s in losscape.surfaces()}.get(name)
    if spec is None:
        pytest.skip(f"{name} is not in the catalogue")
    text = CATALOGUE_FORMULAS[name]({p["name"]: p["default"] for p in spec["params"]})
    x0, x1, y0, y1 = spec["view"]
    rng = np.random.default_rng(7)
    pts = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)])
    typed = losscape.evaluate({"expression": text}, pts)
    ref = losscape.evaluate(name, pts)
    np.testing.assert_allclose(typed, ref, rtol=1e-12, atol=1e-12)
    # The numerical search, in the catalogue's view, finds the critical points it lists.
    surf = resolve_expression({"expression": text, "view": spec["view"]})
    found = [(c.x, c.y, c.kind) for c in surf.critical_points]
    listed = [(c["x"], c["y"], c["kind"]) for c in spec["critical_points"]]
    if name in ONLY_GLOBAL_MINIMUM:
        listed = listed[:1]
        found = found[:1]  # the lowest minimum comes first
    assert len(found) == len(listed)
    for x, y, kind in listed:
        kind = "saddle" if kind == "degenerate" else kind  # the monkey saddle
        assert any(
            k == kind and math.isclose(a, x, abs_tol=1e-6) and math.isclose(b, y, abs_tol=1e-6)
            for a, b, k in found
        ), (x, y, kind, found)


# --------------------------------------------------------------------------- domain errors


def test_log_over_negative_x_leaves_gaps_in_the_grid():
    g = losscape.grid({"expression": "log(x) + y**2"}, view=[-2, 2, -1, 1], resolution=41)
    left = g.xs <= 0
    assert np.all(np.isnan(g.values[:, left]))
    assert np.all(np.isfinite(g.values[:, ~left]))


def test_division_by_zero_is_a_gap_not_an_error():
    g = losscape.grid({"expression": "1/x + y"}, view=[-1, 1, -1, 1], resolution=21)
    assert np.all(np.isnan(g.values[:, 10]))  # xs[10] == 0
    assert np.isfinite(np.delete(g.values, 10, axis=1)).all()


def test_a_run_into_the_domain_edge_stops_as_diverged():
    # d/dx log(x) = 1/x > 0: gradient descent walks x down to 0 and past it.
    run = losscape.trajectory(
        {"expression": "log(x) + y**2"}, "gd", start=(0.5, 0.5), lr=0.2, steps=100
    )
    assert run.status == "diverged"
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.loss))


def test_a_start_outside_the_domain_is_a_value_error():
    with pytest.raises(ValueError, match="undefined at the start"):
        losscape.trajectory({"expression": "sqrt(x)"}, "gd", start=(-1.0, 0.0))
    # Defined value, undefined gradient (sqrt at 0) is refused the same way.
    with pytest.raises(ValueError, match="undefined at the start"):
        losscape.trajectory({"expression": "sqrt(x) + y**2"}, "gd", start=(0.0, 1.0))


# --------------------------------------------------------------------------- every kernel


def _momentum_optimizer() -> str | None:
    return next(
        (o.name for o in OPTIMIZERS if {"momentum", "beta1"} & {p.name for p in o.hyperparams}),
        None,
    )


def test_every_kernel_accepts_an_expression_surface():
    s = {"expression": "(x**2 - 1)**2 + 2*y**2"}
    run = losscape.trajectory(s, "gd", start=(0.5, 0.5), lr=0.05, steps=300)
    assert run.surface == "expression"
    assert run.final[:2] == pytest.approx((1.0, 0.0), abs=1e-6)

    sweep = losscape.lr_sweep(s, "gd", start=(0.5, 0.5), steps=100, count=8, lr_max=2.0)
    assert len(sweep.status) == 8 and "diverged" in sweep.status and "done" in sweep.status

    b = losscape.basins(s, "gd", lr=0.05, steps=300, resolution=9, view=[-2, 2, -1, 1])
    assert [(m.x, m.y) for m in b.minima] == [(-1.0, 0.0), (1.0, 0.0)]
    assert set(b.label[:, 0]) == {0} and set(b.label[:, -1]) == {1}

    g = losscape.grid(s, resolution=30, arrows=5)
    assert g.values.shape == (30, 30) and g.arrow_x.shape == (25,)

    h = losscape.hessian(s, (0.0, 0.0))
    assert h.kind == "saddle"
    np.testing.assert_allclose(h.matrix, [[-4.0, 0.0], [0.0, 4.0]], atol=1e-6)

    ev = losscape.evaluate(s, np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(ev, [[2.0, 0.0, 4.0]])

    name = _momentum_optimizer()
    if name is not None:  # the (lr x momentum) map needs an optimizer with momentum
        m = losscape.lr_momentum_map(
            s, name, start=(0.5, 0.5), steps=50, lr_count=3, momentum_count=2
        )
        assert m.final_loss.shape == (2, 3)
    else:
        with pytest.raises(ValueError, match="has no momentum"):
            losscape.lr_momentum_map(s, "gd", steps=10)


def test_resolve_surface_dispatches_expressions():
    surf = resolve_surface({"expression": "x**2 + y**2"})
    assert isinstance(surf, ResolvedSurface)
    assert (surf.name, surf.sid, surf.expression) == (
        "expression",
        EXPRESSION_ID,
        "x ** 2 + y ** 2",
    )
    assert surf.params.shape == (1,)


def test_quadratic_formula_gets_the_edge_of_stability():
    sweep = losscape.lr_sweep({"expression": "x**2 + 3*y**2"}, "gd", steps=50, count=5)
    assert sweep.edge_lr == pytest.approx(2.0 / 6.0, rel=1e-6)


# --------------------------------------------------------------------------- view, minima, start


def kinds(surf: ResolvedSurface) -> list[tuple[float, float, str]]:
    return [(c.x, c.y, c.kind) for c in surf.critical_points]


def test_critical_points_of_a_double_well():
    surf = resolve_expression({"expression": "(x**2 - 1)**2 + y**2"})
    assert surf.view == (-3.0, 3.0, -3.0, 3.0)
    assert kinds(surf) == [(-1.0, 0.0, "minimum"), (1.0, 0.0, "minimum"), (0.0, 0.0, "saddle")]
    assert [c.f for c in surf.critical_points] == [0.0, 0.0, 1.0]


def test_critical_points_of_sines_include_saddles_and_maxima():
    surf = resolve_expression({"expression": "sin(x) + sin(y)"})
    h = math.pi / 2
    expected = [(-h, -h, "minimum"), (h, -h, "saddle"), (-h, h, "saddle"), (h, h, "maximum")]
    assert sorted(c.kind for c in surf.critical_points) == sorted(k for *_, k in expected)
    for c in surf.critical_points:
        assert any(
            c.kind == k
            and math.isclose(c.x, x, abs_tol=1e-12)
            and math.isclose(c.y, y, abs_tol=1e-12)
            for x, y, k in expected
        )


def test_himmelblau_gets_a_view_holding_all_four_minima():
    surf = resolve_expression({"expression": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"})
    minima = [(c.x, c.y) for c in surf.critical_points if c.kind == "minimum"]
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    assert len(minima) == 4
    for x, y in known:
        assert any(
            math.isclose(x, a, abs_tol=1e-6) and math.isclose(y, b, abs_tol=1e-6) for a, b in minima
        )
    assert [c.kind for c in surf.critical_points].count("saddle") == 4
    assert [c.kind for c in surf.critical_points].count("maximum") == 1
    x0, x1, y0, y1 = surf.view
    assert all(x0 < a < x1 and y0 < b < y1 for a, b in minima)
    assert surf.view == (-5.7, 5.5, -5.7, 5.5)


def test_an_oscillating_formula_keeps_the_default_view():
    surf = resolve_expression({"expression": "sin(5*x) * cos(5*y)"})
    assert surf.view == (-3.0, 3.0, -3.0, 3.0)
    assert len(surf.critical_points) == expressions.MAX_CRITICAL_POINTS


def test_kinks_and_degenerate_minima_are_found():
    assert kinds(resolve_expression({"expression": "abs(x) + abs(y - 1)"})) == [
        (0.0, 1.0, "minimum")
    ]
    assert kinds(resolve_expression({"expression": "x**4 + y**4"})) == [(0.0, 0.0, "minimum")]
    assert kinds(resolve_expression({"expression": "x**16 + y**16"})) == [(0.0, 0.0, "minimum")]
    assert kinds(resolve_expression({"expression": "max(abs(x), abs(y))"})) == [
        (0.0, 0.0, "minimum")
    ]
    assert kinds(resolve_expression({"expression": "x**3 - 3*x*y**2"})) == [(0.0, 0.0, "saddle")]


def test_flat_regions_are_not_critical_points():
    assert resolve_expression({"expression": "relu(x) + y**2"}).critical_points == ()
    assert resolve_expression({"expression": "x + y"}).critical_points == ()
    assert resolve_expression({"expression": "min(x**2, y**2)"}).critical_points == ()


def test_one_dimensional_formula():
    surf = resolve_expression({"expression": "x**3 - 3*x"})
    assert surf.dims == 1
    assert kinds(surf) == [(1.0, 0.0, "minimum"), (-1.0, 0.0, "maximum")]
    assert surf.unbounded_below  # x**3 falls without bound to the left


def test_view_moves_to_far_away_minima():
    surf = resolve_expression({"expression": "(x - 10)**2 + (y + 20)**2"})
    assert kinds(surf) == [(10.0, -20.0, "minimum")]
    x0, x1, y0, y1 = surf.view
    assert (x0, x1, y0, y1) == (7.0, 13.0, -23.0, -17.0)
    sx, sy = surf.default_start
    assert x0 < sx < x1 and y0 < sy < y1 and (sx, sy) != (10.0, -20.0)


def test_unbounded_below_for_a_saddle_and_bounded_for_a_bowl():
    assert resolve_expression({"expression": "x**2 - y**2"}).unbounded_below
    assert not resolve_expression({"expression": "x**2 + y**2"}).unbounded_below
    assert not resolve_expression({"expression": ROSENBROCK}).unbounded_below


def test_user_view_and_minima_are_used():
    surf = resolve_expression(
        {"expression": "(x**2 - 1)**2 + y**2", "view": [-2, 2, -1, 1], "minima": [[1, 0]]}
    )
    assert surf.view == (-2.0, 2.0, -1.0, 1.0)
    assert kinds(surf) == [(1.0, 0.0, "minimum")]
    assert surf.critical_points[0].f == 0.0
    surf = resolve_expression({"expression": "(x**2 - 1)**2 + y**2", "view": [0, 2, -1, 1]})
    assert kinds(surf) == [(1.0, 0.0, "minimum")]


def test_default_start_is_finite_and_away_from_the_minimum():
    surf = resolve_expression({"expression": ROSENBROCK})
    f, gx, gy = losscape.evaluate(surf, np.array([surf.default_start]))[0]
    assert np.isfinite([f, gx, gy]).all() and math.hypot(gx, gy) > 0
    assert math.dist(surf.default_start, (1.0, 1.0)) > 2.0


@pytest.mark.parametrize(
    ("surface", "message"),
    [
        ({"expression": "x", "name": "rosenbrock"}, "valid: expression, view, minima"),
        ({"expression": "x", "param": {}}, "unknown field(s) param"),
        ({"expression": "x", "view": [1, 0, 0, 1]}, "xmin < xmax"),
        ({"expression": "x", "view": [0, 1]}, "view must be four numbers"),
        ({"expression": "x", "view": [0, math.nan, 0, 1]}, "view[1]"),
        ({"expression": "x", "minima": "a"}, "minima must be a list"),
        ({"expression": "x", "minima": [[0, 0]] * 65}, "at most 64"),
        ({"expression": "x", "minima": [[0, math.inf]]}, "minima[0][1]"),
        ({"expression": "log(x) + y", "minima": [[-1, 0]]}, "outside the formula's domain"),
    ],
)
def test_bad_fields_are_value_errors_naming_the_valid_choices(surface, message):
    with pytest.raises(ValueError) as err:
        resolve_expression(surface)
    assert message in str(err.value)


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(
    max_examples=300,
    deadline=timedelta(seconds=10),  # a hang guard, far above any real case
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
GRAMMAR_TOKENS = [
    "x", "y", "pi", "e", "1", "2", "0", "0.5", "1e3", "16", "17", "-", "+", "*", "/", "**",
    "(", ")", ",", " ", "sin(", "cos(", "tan(", "exp(", "log(", "sqrt(", "tanh(", "abs(",
    "sigmoid(", "softplus(", "relu(", "min(", "max(", "__", ".", "[", "'", "os", "=", ":",
]  # fmt: skip


ATOMS = ["x", "y", "pi", "e", "0", "1", "2", "0.5", "3", "1e-3", "10", "100"]
EXPONENTS = ["2", "3", "-1", "0.5", "4", "16", "17", "-2", "(1/3)", "0"]


def _formulas() -> st.SearchStrategy[str]:
    """Formulas of the grammar (and some just outside it: exponent 17)."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(inner, st.sampled_from(EXPONENTS)).map(lambda t: f"({t[0]})**{t[1]}"),
            st.tuples(st.sampled_from(list(expressions.UNARY_FUNCTIONS)), inner).map(
                lambda t: f"{t[0]}({t[1]})"
            ),
            st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            inner.map(lambda a: f"-{a}"),
        )

    return st.recursive(st.sampled_from(ATOMS), extend, max_leaves=10)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A grammar formula with one token inserted, deleted or swapped."""
    text = draw(_formulas())
    i = draw(st.integers(0, len(text)))
    token = draw(st.sampled_from(GRAMMAR_TOKENS))
    how = draw(st.sampled_from(["insert", "delete", "replace"]))
    if how == "insert":
        return text[:i] + token + text[i:]
    if how == "delete":
        return text[:i] + text[i + 1 :]
    return text[:i] + token + text[i + len(token) :]


def _resolve_or_refuse(text: str) -> ResolvedSurface | None:
    try:
        return resolve_expression({"expression": text})
    except ExpressionError as err:
        assert 1 <= err.column <= len(text) + 1
        assert isinstance(err.token, str)
        return None
    except ValueError:
        return None


@FUZZ
@given(st.text(max_size=250))
def test_fuzz_random_text(text):
    _resolve_or_refuse(text)


@FUZZ
@given(
    st.one_of(
        _formulas(),
        _mutated(),
        st.lists(st.sampled_from(GRAMMAR_TOKENS), min_size=1, max_size=30).map("".join),
    )
)
def test_fuzz_formulas_through_the_kernels(text):
    surf = _resolve_or_refuse(text)
    if surf is None:
        return
    assert surf.view[0] < surf.view[1] and surf.view[2] < surf.view[3]
    assert all(math.isfinite(v) for c in surf.critical_points for v in (c.x, c.y, c.f))
    assert len(surf.critical_points) <= expressions.MAX_CRITICAL_POINTS
    s = {"expression": text}
    try:
        run = losscape.trajectory(s, "gd", steps=30, lr=0.01)
    except ValueError:
        pass  # the default start lies outside the formula's domain
    else:
        assert run.status in ("done", "converged", "stuck", "diverged", "escaped")
        assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.loss))
    g = losscape.grid(s, resolution=8, arrows=3)
    assert g.values.shape == (8, 8)
    with contextlib.suppress(ValueError):  # undefined at the start
        losscape.hessian(s, surf.default_start)


SMOOTH = ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "softplus"]


def _smooth_formulas() -> st.SearchStrategy[str]:
    """Grammar formulas without kinks (no abs, relu, min, max)."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(inner, st.sampled_from(["2", "3", "-1", "0.5", "4"])).map(
                lambda t: f"({t[0]})**{t[1]}"
            ),
            st.tuples(st.sampled_from(SMOOTH), inner).map(lambda t: f"{t[0]}({t[1]})"),
        )

    return st.recursive(st.sampled_from(["x", "y", "2", "0.5", "pi"]), extend, max_leaves=8)


@settings(FUZZ, max_examples=200)
@given(
    _smooth_formulas(),
    st.floats(-2.0, 2.0, allow_nan=False),
    st.floats(-2.0, 2.0, allow_nan=False),
)
def test_fuzz_exact_gradients_agree_with_finite_differences(text, x, y):
    try:
        p = compile_expression(text)
    except ExpressionError:
        assume(False)  # e.g. a constant part that is undefined
    f, gx, gy = p.at(x, y)
    assume(all(math.isfinite(v) and abs(v) < 1e6 for v in (f, gx, gy)))

    def fd(h: float) -> tuple[float, float]:
        return (
            (p.at(x + h, y)[0] - p.at(x - h, y)[0]) / (2 * h),
            (p.at(x, y + h)[0] - p.at(x, y - h)[0]) / (2 * h),
        )

    def one_sided(h: float) -> tuple[float, float]:
        return ((p.at(x + h, y)[0] - f) / h, (p.at(x, y + h)[0] - f) / h)

    fine, mid, coarse = fd(1e-6), fd(1e-5), fd(1e-4)
    # Near a pole or a domain edge, a kink ((y**2)**0.5 = |y| at y = 1e-160), or
    # where a large intermediate swallows the change of x ((x + 1e9) - 1e9), the
    # difference quotients disagree with each other: no reference there.
    for other in (mid, coarse, one_sided(1e-6), one_sided(-1e-6)):
        pairs = zip(fine, other, strict=True)
        assume(all(math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-5) for a, b in pairs))
    where = f"{text!r} at ({x!r}, {y!r}): value {f!r}, exact {(gx, gy)!r}, differences {fine!r}"
    assert gx == pytest.approx(fine[0], rel=1e-4, abs=1e-5), where
    assert gy == pytest.approx(fine[1], rel=1e-4, abs=1e-5), where


# --------------------------------------------------------------------------- named parameters


def test_named_parameters_take_their_values_without_recompiling():
    p = compile_expression("a*x**2 + b*y**2 + c")
    assert p.params == ("a", "b", "c") and p.quadratic  # parameters count as constants
    bound = p.bind({"a": 2.0, "b": 10.0, "c": -1.5})
    assert bound.code is p.code  # the same program, only its constants differ
    x, y = 0.7, -0.3
    f, gx, gy = bound.at(x, y)
    assert f == pytest.approx(2 * x * x + 10 * y * y - 1.5)
    assert (gx, gy) == pytest.approx((4 * x, 20 * y))
    assert p.at(x, y)[0] == pytest.approx(x * x + y * y + 1)  # unbound: every parameter 1
    assert compile_expression("a*x**2 + b*y**2 + c") is p  # cached per text


def test_parameters_reach_every_entry_point_and_move_the_minimum():
    s = {"expression": "(x - m)**2 + k*(y + m)**2", "params": {"m": 1.5, "k": 4}}
    surf = resolve_surface(s)
    assert surf.param_values == {"m": 1.5, "k": 4.0}
    (cp,) = surf.critical_points
    assert (cp.kind, cp.x, cp.y) == ("minimum", pytest.approx(1.5), pytest.approx(-1.5))
    run = losscape.trajectory(s, "gd", lr=0.05, steps=400, start=(0, 0))
    assert run.final[:2] == pytest.approx((1.5, -1.5), abs=1e-6)
    # The service's surface_params mechanism works for formulas as for catalogue surfaces.
    same = losscape.trajectory({"expression": s["expression"]}, "gd", lr=0.05, steps=400,
                               start=(0, 0), surface_params=s["params"])  # fmt: skip
    np.testing.assert_array_equal(same.path, run.path)
    g = losscape.grid({"expression": "a*x", "params": {"a": -2}}, view=(0, 1, 0, 1), resolution=2)
    np.testing.assert_array_equal(g.values, [[0, -2], [0, -2]])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"c": 1}, "unknown parameter 'c'; the formula's parameters: a, b"),
        ({"x": 1}, "parameter name 'x' is taken by a variable, constant or function"),
        ({"sin": 1}, "parameter name 'sin' is taken"),
        ({"lambda": 1}, "parameter name 'lambda' is a Python keyword"),
        ({"2a": 1}, "parameter name '2a' is not allowed"),
        ({"a": math.nan}, "parameter 'a' must be a finite number within +-1e+06, got nan"),
        ({"a": math.inf}, "parameter 'a' must be a finite number"),
        ({"a": 2e6}, "parameter 'a' must be a finite number within +-1e+06"),
        ({"b": True}, "parameter 'b' must be a number, got True"),
        ({"b": "3"}, "parameter 'b' must be a number, got '3'"),
        ([1, 2], "params must be a mapping"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter(params, message):
    with pytest.raises(ValueError, match="^" + message.replace("+", r"\+").replace("(", r"\(")):
        resolve_surface({"expression": "a*x**2 + b*y**2", "params": params})


def test_a_formula_without_parameters_says_so():
    with pytest.raises(ValueError, match=r"the formula's parameters: none"):
        resolve_surface({"expression": "x**2 + y**2", "params": {"a": 1}})


@pytest.mark.parametrize(
    ("text", "column", "token", "words"),
    [
        ("xy", 1, "xy", "(write x*y)"),
        ("sinx + y", 1, "sinx", "(write sin(x))"),
        ("2*ex", 3, "ex", "(write e*x)"),
        ("x**a", 4, "a", "must be a constant number"),
        ("a(x)", 1, "a", "unknown function 'a' at column 1; functions: sin, cos"),
        ("a b", 3, "b", "missing operator between 'a' and 'b'"),
        ("_a*x", 1, "_a", "unknown name '_a'"),
        ("abcdefghijklmnopq*x", 1, "abcdefghijklmnopq", "unknown name"),  # 17 characters
        ("p1+p2+p3+p4+p5+p6+p7+p8+p9*x", 25, "p9", "at most 8 in one formula"),
        ("while*x", 1, "while", "unknown name 'while'"),
    ],
)
def test_parameter_names_in_the_formula_are_checked(text, column, token, words):
    with pytest.raises(ExpressionError) as err:
        compile_expression(text)
    assert (err.value.column, err.value.token) == (column, token)
    assert words in str(err.value)
