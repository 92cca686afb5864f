"""Grid kernels (``kernels.grid_values``): every value is the surface's own, rows over y,
undefined points NaN or left as they are."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape.numerics import kernels
from losscape.numerics.surfaces import SURFACES
from losscape.service import _EMPTY_CODE, _EMPTY_CONSTS, resolve_surface


@pytest.mark.parametrize("name", [s.name for s in SURFACES])
def test_catalogue_grid_equals_point_evaluations(name):
    surf = resolve_surface(name)
    x0, x1, y0, y1 = surf.view
    xs, ys = np.linspace(x0, x1, 37), np.linspace(y0, y1, 23)  # not square: rows are y
    values = np.empty((23, 37))
    kernels.grid_values(*surf.kernel_args(), xs, ys, values)
    mx, my = np.meshgrid(xs, ys)
    points = losscape.evaluate(surf, np.column_stack([mx.ravel(), my.ravel()]))
    assert np.array_equal(values.ravel(), points[:, 0])


@pytest.mark.parametrize(
    "surface", ["beale", {"expression": "x**2 + y**2"}], ids=["catalogue", "formula"]
)
def test_overflow_is_nan_only_when_asked(surface):
    surf = resolve_surface(surface)
    xs = np.array([0.5, 1e200])  # beale: x y^3 overflows to inf; the formula's x**2 too
    ys = np.array([1.0, 1e110])
    kept, gaps = np.empty((2, 2)), np.empty((2, 2))
    kernels.grid_values(*surf.kernel_args(), xs, ys, kept)
    kernels.grid_values(*surf.kernel_args(), xs, ys, gaps, nan_undefined=True)
    assert np.isfinite(kept[0, 0]) and kept[0, 0] == gaps[0, 0]
    assert np.isinf(kept[1, 1]) and np.isnan(gaps[1, 1])
    assert np.array_equal(np.isfinite(kept), np.isfinite(gaps))


def test_grid_of_a_formula_equals_the_catalogue_surface():
    expr = resolve_surface({"expression": "(1 - x)**2 + 100*(y - x**2)**2"})
    cat = resolve_surface("rosenbrock")
    xs, ys = np.linspace(-2, 2, 41), np.linspace(-1, 3, 41)
    a, b = np.empty((41, 41)), np.empty((41, 41))
    kernels.grid_values(*expr.kernel_args(), xs, ys, a)
    kernels.grid_values(*cat.kernel_args(), xs, ys, b)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-12)


def test_service_grid_maps_undefined_points_to_nan():
    g = losscape.grid({"expression": "log(x) + y"}, view=(-1.0, 1.0, -1.0, 1.0), resolution=5)
    assert np.all(np.isnan(g.values[:, :2])) and np.all(np.isfinite(g.values[:, 3:]))
    assert g.values.shape == (5, 5)


def _random_params(spec, rng: np.random.Generator) -> dict[str, float]:
    """Parameters drawn inside their bounds (log-uniform for log sliders)."""
    return {
        p.name: float(np.exp(rng.uniform(np.log(p.min), np.log(p.max))))
        if p.log
        else float(rng.uniform(p.min, p.max))
        for p in spec.params
    }


def _same_bits_or_both_nan(got: np.ndarray, want: np.ndarray) -> bool:
    """Equal bit for bit where ``want`` is a number (so -0.0 differs from 0.0), NaN where NaN."""
    nan = np.isnan(want)
    return bool(
        np.array_equal(np.isnan(got), nan)
        and np.array_equal(got[~nan].view(np.int64), want[~nan].view(np.int64))
    )


@pytest.mark.parametrize("spec", SURFACES, ids=lambda s: s.name)
def test_catalogue_grid_with_gaps_is_the_point_values_or_nan(spec):
    # Random parameters, 1.5x the view and a far column and row: the polynomial
    # surfaces overflow to inf out there, which the grid must show as NaN.
    rng = np.random.default_rng(spec.id)
    surf = resolve_surface({"name": spec.name, "params": _random_params(spec, rng)})
    x0, x1, y0, y1 = (1.5 * v for v in spec.view)
    xs = np.append(np.sort(rng.uniform(x0, x1, 29)), 1e160)
    ys = np.append(np.sort(rng.uniform(y0, y1, 17)), -1e160)
    gaps = np.empty((18, 30))
    kernels.grid_values(*surf.kernel_args(), xs, ys, gaps, nan_undefined=True)
    mx, my = np.meshgrid(xs, ys)
    f = losscape.evaluate(surf, np.column_stack([mx.ravel(), my.ravel()]))[:, 0]
    want = np.where(np.isfinite(f), f, np.nan).reshape(18, 30)
    assert _same_bits_or_both_nan(gaps, want)


def test_signed_zero_values_keep_their_sign_in_a_grid_with_gaps():
    # The plane sx x + sy y at its positive default slopes is -0.0 at (-0.0, -0.0) and
    # 0.0 at (0, -0.0); mapping non-finite values to NaN must not touch either.
    surf = resolve_surface("tilted_plane")
    xs, ys = np.array([-0.0, 0.0]), np.array([-0.0])
    kept, gaps = np.empty((1, 2)), np.empty((1, 2))
    kernels.grid_values(*surf.kernel_args(), xs, ys, kept)
    kernels.grid_values(*surf.kernel_args(), xs, ys, gaps, nan_undefined=True)
    assert list(np.signbit(kept[0])) == [True, False]
    assert _same_bits_or_both_nan(gaps, kept)


def test_an_unknown_surface_id_gives_a_grid_of_nan():
    values = np.zeros((3, 4))
    kernels.grid_values(55, np.zeros(2), _EMPTY_CODE, _EMPTY_CONSTS, np.arange(4.0),
                        np.arange(3.0), values)  # fmt: skip
    assert np.all(np.isnan(values))


@pytest.mark.parametrize(
    "lo, hi, n",
    [
        (-2.0, 2.0, 400),
        (-1.0, 3.0, 2),
        (0.1, 0.7, 3),
        (-4.5, 4.5, 600),
        (1e-3, 1e-3 + 1e-12, 151),
        (5.0, -3.0, 7),  # a falling range
        (0.0, 5e-324, 4),  # the step underflows to 0: numpy's other branch
        (-7.25, 3.5, 1),
    ],
)
def test_grid_axes_are_numpys_linspace_bit_for_bit(lo, hi, n):
    xs, ys = np.empty(n), np.empty(n)
    kernels.grid_axes(lo, hi, -hi, -lo, xs, ys)
    assert _same_bits_or_both_nan(xs, np.linspace(lo, hi, n))
    assert _same_bits_or_both_nan(ys, np.linspace(-hi, -lo, n))


def test_grid_axes_on_random_views_are_numpys_linspace():
    rng = np.random.default_rng(7)
    for _ in range(200):
        lo, hi = np.sort(rng.uniform(-1e3, 1e3, 2) * 10.0 ** rng.integers(-6, 3))
        n = int(rng.integers(2, 601))
        xs, ys = np.empty(n), np.empty(3)
        kernels.grid_axes(float(lo), float(hi), float(-hi), float(lo), xs, ys)
        assert _same_bits_or_both_nan(xs, np.linspace(lo, hi, n))
        assert _same_bits_or_both_nan(ys, np.linspace(-hi, lo, 3))


@pytest.mark.parametrize(
    "surface", ["rosenbrock", "ackley", {"expression": "log(x) + y**2"}], ids=str
)
@pytest.mark.parametrize("gaps", [False, True])
def test_a_grid_over_a_view_is_the_axes_then_the_values(surface, gaps):
    # The service's one call: the same axes and values as grid_axes then grid_values.
    surf = resolve_surface(surface)
    view = (-1.5, 2.25, -0.75, 3.0)
    xs, ys, values = np.full(41, -7.0), np.full(29, -7.0), np.full((29, 41), -7.0)
    kernels.grid_over_view(*surf.kernel_args(), *view, xs, ys, values, gaps)
    xs2, ys2, values2 = np.empty(41), np.empty(29), np.empty((29, 41))
    kernels.grid_axes(*view, xs2, ys2)
    kernels.grid_values(*surf.kernel_args(), xs2, ys2, values2, gaps)
    assert np.array_equal(xs, xs2) and np.array_equal(ys, ys2)
    assert np.array_equal(values, values2, equal_nan=True)
