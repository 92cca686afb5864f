"""The stack-program evaluator: every opcode's value against math, every derivative
against central differences of the math reference, the domain and subgradient
conventions, and a hand-assembled Rosenbrock against the catalogue's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from losscape.numerics import program as prog
from losscape.numerics.program import (
    MAX_PROGRAM_DEPTH,
    PROGRAM_STACK,
    program_eval,
    program_eval_block,
)
from losscape.numerics.surfaces import rosenbrock

STACK = np.empty((PROGRAM_STACK, 3))


def run(code: list[int], consts: list[float], x: float, y: float) -> tuple[float, float, float]:
    return program_eval(
        np.array(code, dtype=np.int64), np.array(consts or [0.0]), float(x), float(y), STACK
    )


def central(ref, x: float, y: float, h: float = 1e-6) -> tuple[float, float]:
    """Central differences of a pure-Python reference function."""
    return (
        (ref(x + h, y) - ref(x - h, y)) / (2 * h),
        (ref(x, y + h) - ref(x, y - h)) / (2 * h),
    )


def sigmoid(u: float) -> float:
    return 1.0 / (1.0 + math.exp(-u))


UNARY = [
    (prog.OP_NEG, lambda u: -u),
    (prog.OP_SIN, math.sin),
    (prog.OP_COS, math.cos),
    (prog.OP_TAN, math.tan),
    (prog.OP_EXP, math.exp),
    (prog.OP_LOG, math.log),
    (prog.OP_SQRT, math.sqrt),
    (prog.OP_TANH, math.tanh),
    (prog.OP_ABS, abs),
    (prog.OP_SIGMOID, sigmoid),
    (prog.OP_SOFTPLUS, lambda u: math.log(1.0 + math.exp(u))),
    (prog.OP_RELU, lambda u: max(u, 0.0)),
]
# u = x + 0.5 y at points away from kinks and poles, inside every domain.
POINTS = [(0.3, 0.4), (1.1, -0.6), (0.05, 1.7), (2.0, 0.9)]


@pytest.mark.parametrize(("op", "ref"), UNARY, ids=[str(op) for op, _ in UNARY])
@pytest.mark.parametrize(("x", "y"), POINTS)
def test_unary_value_and_gradient(op, ref, x, y):
    code = [prog.OP_X, prog.OP_Y, prog.OP_MUL_C, 0, prog.OP_ADD, op]
    f, gx, gy = run(code, [0.5], x, y)

    def composed(a, b):
        return ref(a + 0.5 * b)

    assert f == pytest.approx(composed(x, y), rel=1e-14, abs=1e-15)
    fx, fy = central(composed, x, y)
    assert gx == pytest.approx(fx, rel=1e-7, abs=1e-8)
    assert gy == pytest.approx(fy, rel=1e-7, abs=1e-8)
    assert gy == pytest.approx(0.5 * gx, rel=1e-15)  # chain rule through u = x + y/2


BINARY = [
    (prog.OP_ADD, lambda a, b: a + b),
    (prog.OP_SUB, lambda a, b: a - b),
    (prog.OP_MUL, lambda a, b: a * b),
    (prog.OP_DIV, lambda a, b: a / b),
    (prog.OP_MIN, min),
    (prog.OP_MAX, max),
]


@pytest.mark.parametrize(("op", "ref"), BINARY, ids=[str(op) for op, _ in BINARY])
@pytest.mark.parametrize(("x", "y"), [(0.7, -1.3), (-2.0, 0.25), (1.5, 1.6)])
def test_binary_value_and_gradient(op, ref, x, y):
    # (sin x) op (y^2 + 1): both sides depend on the variables.
    code = [prog.OP_X, prog.OP_SIN, prog.OP_Y, prog.OP_POWI, 2, prog.OP_ADD_C, 0, op]

    def composed(a, b):
        return ref(math.sin(a), b * b + 1.0)

    f, gx, gy = run(code, [1.0], x, y)
    assert f == pytest.approx(composed(x, y), rel=1e-15)
    fx, fy = central(composed, x, y)
    assert gx == pytest.approx(fx, rel=1e-7, abs=1e-9)
    assert gy == pytest.approx(fy, rel=1e-7, abs=1e-9)


CONST_OPS = [
    (prog.OP_ADD_C, lambda u, c: u + c),
    (prog.OP_SUB_C, lambda u, c: u - c),
    (prog.OP_MUL_C, lambda u, c: u * c),
    (prog.OP_DIV_C, lambda u, c: u / c),
    (prog.OP_RSUB_C, lambda u, c: c - u),
    (prog.OP_RDIV_C, lambda u, c: c / u),
]


@pytest.mark.parametrize(("op", "ref"), CONST_OPS, ids=[str(op) for op, _ in CONST_OPS])
def test_constant_operand_ops(op, ref):
    x, y, c = 0.8, -0.35, 2.5
    code = [prog.OP_X, prog.OP_Y, prog.OP_MUL, op, 0]

    def composed(a, b):
        return ref(a * b, c)

    f, gx, gy = run(code, [c], x, y)
    assert f == pytest.approx(composed(x, y), rel=1e-15)
    fx, fy = central(composed, x, y)
    assert gx == pytest.approx(fx, rel=1e-7)
    assert gy == pytest.approx(fy, rel=1e-7)


@pytest.mark.parametrize("n", [*range(-4, 0), *range(1, 17)])
def test_integer_powers(n):
    x = 1.3
    f, gx, gy = run([prog.OP_X, prog.OP_POWI, n], [], x, 0.0)
    assert f == pytest.approx(x**n, rel=1e-14)
    assert gx == pytest.approx(n * x ** (n - 1), rel=1e-14)
    assert gy == 0.0


def test_power_zero_is_one_with_zero_gradient():
    assert run([prog.OP_X, prog.OP_POWI, 0], [], 0.0, 0.0) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("p", [0.5, 1.5, -0.5, 2.25, 1.0 / 3.0])
def test_real_powers(p):
    x = 1.7
    f, gx, _ = run([prog.OP_X, prog.OP_POWF, 0], [p], x, 0.0)
    assert f == pytest.approx(x**p, rel=1e-14)
    assert gx == pytest.approx(p * x ** (p - 1), rel=1e-14)


def test_square_is_exact_multiplication():
    # x**2 is x*x (no pow call): the typed Rosenbrock reproduces the catalogue's bits.
    x = 0.1 + 0.2
    assert run([prog.OP_X, prog.OP_POWI, 2], [], x, 0.0)[0] == x * x


@pytest.mark.parametrize(
    ("code", "consts", "x", "expect"),
    [
        ([prog.OP_X, prog.OP_LOG], [], -1.0, "nan"),
        ([prog.OP_X, prog.OP_LOG], [], 0.0, "-inf"),
        ([prog.OP_X, prog.OP_SQRT], [], -1.0, "nan"),
        ([prog.OP_X, prog.OP_RDIV_C, 0], [1.0], 0.0, "inf"),
        ([prog.OP_CONST, 0, prog.OP_X, prog.OP_DIV], [1.0], 0.0, "inf"),
        ([prog.OP_X, prog.OP_X, prog.OP_DIV], [], 0.0, "nan"),
        ([prog.OP_X, prog.OP_POWI, -1], [], 0.0, "inf"),
        ([prog.OP_X, prog.OP_POWF, 0], [0.5], -4.0, "nan"),
        ([prog.OP_X, prog.OP_EXP], [], 1000.0, "inf"),
        ([prog.OP_X, prog.OP_TAN], [], math.pi / 2, "finite"),
    ],
)
def test_domain_errors_give_nan_or_inf_and_never_raise(code, consts, x, expect):
    f, _, _ = run(code, consts, x, 0.0)
    if expect == "nan":
        assert math.isnan(f)
    elif expect == "finite":
        assert math.isfinite(f)
    else:
        assert f == float(expect)


def test_subgradient_conventions_at_kinks():
    # abs'(0) = relu'(0) = 0
    assert run([prog.OP_X, prog.OP_ABS], [], 0.0, 0.0) == (0.0, 0.0, 0.0)
    assert run([prog.OP_X, prog.OP_RELU], [], 0.0, 0.0) == (0.0, 0.0, 0.0)
    assert run([prog.OP_X, prog.OP_RELU], [], -2.0, 0.0) == (0.0, 0.0, 0.0)
    # min / max on a tie take the first argument's derivative
    assert run([prog.OP_X, prog.OP_Y, prog.OP_MIN], [], 1.0, 1.0) == (1.0, 1.0, 0.0)
    assert run([prog.OP_X, prog.OP_Y, prog.OP_MAX], [], 1.0, 1.0) == (1.0, 1.0, 0.0)
    assert run([prog.OP_X, prog.OP_Y, prog.OP_MIN], [], 2.0, 1.0) == (1.0, 0.0, 1.0)
    assert run([prog.OP_X, prog.OP_Y, prog.OP_MAX], [], 2.0, 1.0) == (2.0, 1.0, 0.0)


@pytest.mark.parametrize("op", [prog.OP_MIN, prog.OP_MAX])
def test_min_max_propagate_nan(op):
    # log(x) at x = -1 is NaN; min(NaN, y) must not silently return y.
    f, gx, gy = run([prog.OP_X, prog.OP_LOG, prog.OP_Y, op], [], -1.0, 3.0)
    assert math.isnan(f) and math.isnan(gx) and math.isnan(gy)


def test_relu_propagates_nan():
    assert math.isnan(run([prog.OP_X, prog.OP_LOG, prog.OP_RELU], [], -1.0, 0.0)[0])


@pytest.mark.parametrize("u", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_sigmoid_and_softplus_do_not_overflow(u):
    s, ds, _ = run([prog.OP_X, prog.OP_SIGMOID], [], u, 0.0)
    sp, dsp, _ = run([prog.OP_X, prog.OP_SOFTPLUS], [], u, 0.0)
    assert all(math.isfinite(v) for v in (s, ds, sp, dsp))
    # softplus(u) = u + log1p(exp(-u)) for u > 0, log1p(exp(u)) otherwise;
    # sigmoid(u) = exp(u - softplus(u)).
    sp_ref = u + math.log1p(math.exp(-u)) if u > 0 else math.log1p(math.exp(u))
    assert sp == pytest.approx(sp_ref, rel=1e-15, abs=1e-300)
    assert s == pytest.approx(math.exp(u - sp_ref), rel=1e-14, abs=1e-300)
    assert ds == pytest.approx(s * (1.0 - s), rel=1e-14, abs=1e-300)
    assert dsp == s  # softplus' = sigmoid


def block(code: list[int], consts: list[float], xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """program_eval_block at the points (xs[r], ys[r]): (values (n,), grad (2n,))."""
    n = len(xs)
    theta = np.concatenate([np.asarray(xs, float), np.asarray(ys, float)])
    values = np.full(n, -7.0)
    grad = np.full(2 * n, -7.0)
    program_eval_block(
        np.array(code, dtype=np.int64), np.array(consts or [0.0]), theta, n, values, grad, STACK
    )
    return values, grad


def test_deepest_program_in_both_evaluators():
    # x + (x + (... + x)): MAX_PROGRAM_DEPTH values on the stack at once.
    d = MAX_PROGRAM_DEPTH
    code = [prog.OP_X] * d + [prog.OP_ADD] * (d - 1)
    assert run(code, [], 0.5, 0.0) == (0.5 * d, float(d), 0.0)
    xs = np.linspace(-1.0, 1.0, 37)
    values, grad = block(code, [], xs, xs)
    np.testing.assert_allclose(values, d * xs, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(grad, np.r_[np.full(37, d), np.zeros(37)])
    scalar = [run(code, [], x, x)[0] for x in xs]
    np.testing.assert_array_equal(values, scalar)


# Every opcode at least once, and NaN / inf where a domain ends.
BLOCK_PROGRAMS = [
    [prog.OP_X, prog.OP_RSUB_C, 0, prog.OP_POWI, 2, prog.OP_Y, prog.OP_X, prog.OP_POWI, 2,
     prog.OP_SUB, prog.OP_POWI, 2, prog.OP_MUL_C, 1, prog.OP_ADD],
    [prog.OP_X, prog.OP_Y, prog.OP_MUL, prog.OP_X, prog.OP_Y, prog.OP_DIV, prog.OP_SUB],
    [prog.OP_X, prog.OP_Y, prog.OP_MIN, prog.OP_X, prog.OP_LOG, prog.OP_Y, prog.OP_MAX,
     prog.OP_ADD],
    [prog.OP_X, prog.OP_ADD_C, 0, prog.OP_SUB_C, 1, prog.OP_DIV_C, 1, prog.OP_RDIV_C, 0,
     prog.OP_NEG],
    [prog.OP_X, prog.OP_SIN, prog.OP_Y, prog.OP_COS, prog.OP_MUL, prog.OP_TAN, prog.OP_EXP],
    [prog.OP_X, prog.OP_SQRT, prog.OP_Y, prog.OP_TANH, prog.OP_ABS, prog.OP_ADD, prog.OP_SIGMOID],
    [prog.OP_X, prog.OP_SOFTPLUS, prog.OP_Y, prog.OP_RELU, prog.OP_ADD, prog.OP_POWF, 2],
    [prog.OP_X, prog.OP_POWI, -3, prog.OP_Y, prog.OP_POWI, 7, prog.OP_ADD, prog.OP_POWI, 0,
     prog.OP_CONST, 1, prog.OP_ADD],
]  # fmt: skip


@pytest.mark.parametrize("code", BLOCK_PROGRAMS)
@pytest.mark.parametrize("n", [0, 1, 5, 256, 257, 700])
def test_block_evaluator_matches_the_scalar_one_bit_for_bit(code, n):
    rng = np.random.default_rng(n)
    xs = rng.uniform(-3.0, 3.0, n)
    ys = rng.uniform(-3.0, 3.0, n)
    xs[: n // 7] = 0.0  # poles and domain edges too
    values, grad = block(code, [1.0, 100.0, 0.5], xs, ys)
    for r in range(n):
        f, gx, gy = run(code, [1.0, 100.0, 0.5], xs[r], ys[r])
        np.testing.assert_array_equal([values[r], grad[r], grad[n + r]], [f, gx, gy])


def test_unknown_opcode_gives_nan():
    assert all(math.isnan(v) for v in run([prog.OP_X, 999], [], 1.0, 1.0))
    values, grad = block([prog.OP_X, 999], [], [1.0, 2.0], [1.0, 2.0])
    assert np.isnan(values).all() and np.isnan(grad).all()


def test_hand_assembled_rosenbrock_matches_the_catalogue():
    # (1 - x)**2 + 100*(y - x**2)**2
    code = [
        prog.OP_X, prog.OP_RSUB_C, 0, prog.OP_POWI, 2,
        prog.OP_Y, prog.OP_X, prog.OP_POWI, 2, prog.OP_SUB, prog.OP_POWI, 2,
        prog.OP_MUL_C, 1, prog.OP_ADD,
    ]  # fmt: skip
    rng = np.random.default_rng(0)
    p = np.array([1.0, 100.0])
    for x, y in rng.uniform(-2.0, 2.0, size=(200, 2)):
        ours = run(code, [1.0, 100.0], x, y)
        ref = rosenbrock(x, y, p)
        assert ours[0] == pytest.approx(ref[0], rel=1e-15)
        assert ours[2] == ref[2]
        assert ours[1] == pytest.approx(ref[1], rel=1e-14, abs=1e-12)
