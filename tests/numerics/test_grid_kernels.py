"""Grid kernels (``kernels.grid_values``): every value is the surface's own, rows over y,
undefined points NaN or left as they are."""

from __future__ import annotations

import numpy as np
import pytest

import losscape
from losscape.numerics import kernels
from losscape.numerics.surfaces import SURFACES
from losscape.service import resolve_surface


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
