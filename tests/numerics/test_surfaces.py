"""The surface catalogue: gradients, critical points, specs and dispatch.

Parametrized from ``SURFACES`` so a new surface is checked by every test
without edits here. Gradients are checked against central differences of the
values; critical points against the Hessian that ``losscape.hessian`` reports
and, where published, against reference coordinates.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.polynomial.polynomial as npoly
import pytest

import losscape
from losscape.numerics import surfaces as surf_mod
from losscape.numerics.specs import CriticalPoint, SurfaceSpec
from losscape.numerics.surfaces import EXPRESSION_ID, SURFACES, surface_eval
from losscape.service import evaluate, resolve_surface

BY_NAME = {s.name: s for s in SURFACES}
WITH_PARAMS = [s for s in SURFACES if s.params]
WITH_FN = [s for s in SURFACES if s.critical_points_fn is not None]
KINDS = {"minimum", "maximum", "saddle", "degenerate"}
N_POINTS = 60


def _ids(specs: list[SurfaceSpec] | tuple[SurfaceSpec, ...]) -> list[str]:
    return [s.name for s in specs]


def _rng(spec: SurfaceSpec, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng(1000 * spec.id + salt)


def _random_params(spec: SurfaceSpec, rng: np.random.Generator) -> dict[str, float]:
    """Parameters drawn inside their bounds (log-uniform for log sliders)."""
    out = {}
    for p in spec.params:
        if p.log:
            out[p.name] = float(math.exp(rng.uniform(math.log(p.min), math.log(p.max))))
        else:
            out[p.name] = float(rng.uniform(p.min, p.max))
    return out


def _random_points(spec: SurfaceSpec, rng: np.random.Generator, n: int = N_POINTS) -> np.ndarray:
    x0, x1, y0, y1 = spec.view
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def _central_differences(surface, pts: np.ndarray) -> np.ndarray:
    """(K, 2) gradient by central differences of the values, step 1e-6 (1 + |coordinate|)."""
    out = np.empty_like(pts)
    for j in range(2):
        h = 1e-6 * (1.0 + np.abs(pts[:, j]))
        step = np.zeros_like(pts)
        step[:, j] = h
        fp = evaluate(surface, pts + step)[:, 0]
        fm = evaluate(surface, pts - step)[:, 0]
        out[:, j] = (fp - fm) / (2.0 * h)
    return out


def _assert_gradient_matches(spec: SurfaceSpec, params: dict[str, float] | None, salt: int):
    surface = resolve_surface(spec.name, params)
    pts = _random_points(spec, _rng(spec, salt))
    vals = evaluate(surface, pts)
    assert np.all(np.isfinite(vals))
    fd = _central_differences(surface, pts)
    g = vals[:, 1:]
    scale = np.maximum(1.0, np.linalg.norm(g, axis=1))
    err = np.linalg.norm(g - fd, axis=1) / scale
    worst = int(np.argmax(err))
    assert err[worst] < 1e-6, (
        f"{spec.name} {params}: analytic {g[worst]} vs finite differences {fd[worst]} "
        f"at {pts[worst]}"
    )


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_gradient_matches_central_differences_at_default_params(spec: SurfaceSpec) -> None:
    _assert_gradient_matches(spec, None, salt=1)


@pytest.mark.parametrize("spec", WITH_PARAMS, ids=_ids(WITH_PARAMS))
@pytest.mark.parametrize("draw", range(3))
def test_gradient_matches_central_differences_at_random_params(
    spec: SurfaceSpec, draw: int
) -> None:
    params = _random_params(spec, _rng(spec, 100 + draw))
    _assert_gradient_matches(spec, params, salt=200 + draw)


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_surface_is_finite_over_its_view_at_every_parameter_extreme(spec: SurfaceSpec) -> None:
    x0, x1, y0, y1 = spec.view
    gx, gy = np.meshgrid(np.linspace(x0, x1, 41), np.linspace(y0, y1, 41))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    corners = itertools.product(*[(p.min, p.default, p.max) for p in spec.params])
    for values in corners:
        params = {p.name: v for p, v in zip(spec.params, values, strict=True)}
        vals = evaluate(resolve_surface(spec.name, params), pts)
        assert np.all(np.isfinite(vals)), f"{spec.name} not finite over its view at {params}"


def test_values_at_hand_computed_points() -> None:
    """Values worked out by hand from each formula (not from the code)."""
    e = math.e
    cases = [
        ("quadratic", None, (1.0, 2.0), 2.5),
        ("ravine", {"kappa": 10.0}, (1.0, 1.0), 5.5),
        ("rotated_ravine", {"kappa": 20.0, "angle": 90.0}, (1.0, 0.0), 10.0),
        ("rotated_ravine", {"kappa": 20.0, "angle": 0.0}, (1.0, 0.0), 0.5),
        ("rosenbrock", None, (0.0, 0.0), 1.0),
        ("beale", None, (1.0, 1.5), 41.25),
        ("himmelblau", None, (0.0, 0.0), 170.0),
        ("six_hump_camel", None, (1.0, 1.0), 4.0 - 2.1 + 1.0 / 3.0 + 1.0),
        ("rastrigin", None, (0.5, 0.0), 20.25),
        ("ackley", None, (0.0, 0.0), 0.0),
        ("ackley", None, (1.0, 1.0), -20.0 * math.exp(-0.2) - e + e + 20.0),
        ("saddle", None, (1.0, 2.0), -3.0),
        ("bounded_saddle", None, (1.0, 2.0), 1.0),
        ("monkey_saddle", None, (1.0, 1.0), -2.0),
        ("plateau", None, (1.0, 0.0), 1.0 - math.exp(-0.5)),
        ("plateau", {"s": 2.0}, (2.0, 2.0), 1.0 - math.exp(-1.0)),
        ("two_gaussians", None, (1.0, 0.0), 1.0 - 2.0 - 3.0 * math.exp(-20.0)),
        ("tilted_plane", None, (2.0, 3.0), 3.5),
        ("double_well", None, (1.0, 5.0), 0.25 - 0.5 + 0.2),
        ("booth", None, (0.0, 0.0), 74.0),
        ("matyas", None, (1.0, 1.0), 0.04),
    ]
    for name, params, (x, y), expected in cases:
        got = evaluate(resolve_surface(name, params), np.array([[x, y]]))[0, 0]
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (name, params, x, y)


# --------------------------------------------------------------------------- dispatch and specs


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_dispatch_reaches_the_function_of_the_same_name(spec: SurfaceSpec) -> None:
    fn = getattr(surf_mod, spec.name)
    p = np.array([q.default for q in spec.params] or [0.0])
    empty_code = np.zeros(1, dtype=np.int64)
    empty = np.zeros(1)
    stack = np.zeros((4, 3))
    for x, y in _random_points(spec, _rng(spec, 3), 5):
        assert surface_eval(spec.id, x, y, p, empty_code, empty, stack) == fn(x, y, p)


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_dispatch_built_from_the_rows_is_each_rows_function_bit_for_bit(spec: SurfaceSpec) -> None:
    """The three switches generated from the rows (one point, a block, a grid row) give
    exactly what the row's own ``fn`` gives, gradient included where they return it."""
    assert spec.fn is not None and spec.fn.py_func.__name__ == spec.name
    p = np.array([q.default for q in spec.params] or [0.0])
    pts = np.array(_random_points(spec, _rng(spec, 4), 7))
    want = np.array([spec.fn(x, y, p) for x, y in pts])
    one = np.array([surf_mod.catalogue_eval(spec.id, x, y, p) for x, y in pts])
    n = len(pts)
    theta = np.concatenate([pts[:, 0], pts[:, 1]])
    values, grad = np.empty(n), np.empty(2 * n)
    surf_mod.catalogue_eval_block(spec.id, theta, n, p, values, grad)
    block = np.column_stack([values, grad[:n], grad[n:]])
    row = np.empty(n)
    y = float(pts[0, 1])
    surf_mod.catalogue_values_row(spec.id, pts[:, 0].copy(), y, p, False, row)
    row_want = np.array([spec.fn(x, y, p)[0] for x in pts[:, 0]])
    for got, expected in ((one, want), (block, want), (row, row_want)):
        assert np.array_equal(got.view(np.int64), expected.view(np.int64))


def test_unknown_id_gives_nan_in_every_dispatcher() -> None:
    p = np.zeros(1)
    values, grad, row = np.zeros(3), np.zeros(6), np.zeros(4)
    surf_mod.catalogue_eval_block(12345, np.ones(6), 3, p, values, grad)
    surf_mod.catalogue_values_row(12345, np.ones(4), 0.5, p, True, row)
    assert np.all(np.isnan(values)) and np.all(np.isnan(grad)) and np.all(np.isnan(row))
    assert all(math.isnan(v) for v in surf_mod.catalogue_eval(12345, 0.5, 0.5, p))


def test_unknown_id_gives_nan() -> None:
    empty = np.zeros(1)
    out = surface_eval(12345, 0.5, 0.5, empty, np.zeros(1, np.int64), empty, np.zeros((4, 3)))
    assert all(math.isnan(v) for v in out)


def test_names_and_ids_are_unique_and_avoid_the_expression_id() -> None:
    names = [s.name for s in SURFACES]
    ids = [s.id for s in SURFACES]
    assert len(set(names)) == len(names)
    assert len(set(ids)) == len(ids)
    assert EXPRESSION_ID not in ids
    assert len(SURFACES) >= 16


def test_catalogue_has_the_names_other_modules_use() -> None:
    expected = {
        "quadratic": 0, "ravine": 1, "rotated_ravine": 2, "rosenbrock": 3, "beale": 4,
        "himmelblau": 5, "six_hump_camel": 6, "rastrigin": 7, "ackley": 8, "saddle": 9,
        "bounded_saddle": 10, "monkey_saddle": 11, "plateau": 12, "two_gaussians": 13,
        "tilted_plane": 14, "double_well": 15, "booth": 16, "matyas": 17,
    }  # fmt: skip
    assert {s.name: s.id for s in SURFACES} == expected


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_spec_is_sane(spec: SurfaceSpec) -> None:
    x0, x1, y0, y1 = spec.view
    assert x0 < x1 and y0 < y1
    assert spec.title and spec.formula and spec.concept
    assert spec.dims in (1, 2)
    for p in spec.params:
        assert p.min < p.max, p
        assert p.min <= p.default <= p.max, p
        assert not p.log or p.min > 0.0, p
        assert p.description, p
    sx, sy = spec.default_start
    assert x0 < sx < x1 and y0 <= sy <= y1, spec.default_start
    # the default start shows motion: it is not a critical point
    g = evaluate(resolve_surface(spec.name), np.array([spec.default_start]))[0, 1:]
    assert np.linalg.norm(g) > 1e-3
    for c in spec.critical_points:
        assert c.kind in KINDS
        assert x0 <= c.x <= x1 and y0 <= c.y <= y1, c
    if spec.unbounded_below:
        assert not any(c.kind == "minimum" for c in spec.critical_points)
    else:
        assert any(c.kind == "minimum" for c in spec.critical_points)


@pytest.mark.parametrize("spec", [s for s in SURFACES if s.dims == 1], ids=lambda s: s.name)
def test_one_d_surface_ignores_y(spec: SurfaceSpec) -> None:
    rng = _rng(spec, 4)
    surface = resolve_surface(spec.name, _random_params(spec, rng))
    pts = _random_points(spec, rng, 200)
    vals = evaluate(surface, pts)
    assert np.all(vals[:, 2] == 0.0)
    moved = pts.copy()
    moved[:, 1] = rng.uniform(-100.0, 100.0, pts.shape[0])
    np.testing.assert_array_equal(evaluate(surface, moved), vals)
    for c in spec.critical_points:
        assert c.y == 0.0


# --------------------------------------------------------------------------- critical points


def _check_point(name: str, c: CriticalPoint, params: dict[str, float] | None = None) -> None:
    h = losscape.hessian(name, (c.x, c.y), surface_params=params)
    scale = max(1.0, float(np.max(np.abs(h.eigenvalues))))
    assert np.linalg.norm(h.gradient) < 1e-8 * scale, (name, params, c, h.gradient)
    assert h.value == pytest.approx(c.f, rel=1e-9, abs=1e-9), (name, params, c)
    assert h.kind == c.kind, (name, params, c, h.eigenvalues)


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_listed_critical_points_are_critical_with_the_listed_value_and_kind(
    spec: SurfaceSpec,
) -> None:
    for c in spec.critical_points:
        _check_point(spec.name, c)


@pytest.mark.parametrize("spec", WITH_FN, ids=_ids(WITH_FN))
def test_critical_points_fn_at_defaults_equals_the_static_list(spec: SurfaceSpec) -> None:
    defaults = {p.name: p.default for p in spec.params}
    got = sorted(spec.critical_points_fn(defaults), key=lambda c: (c.x, c.y))
    want = sorted(spec.critical_points, key=lambda c: (c.x, c.y))
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a.kind == b.kind
        assert isinstance(a.x, float) and isinstance(a.y, float) and isinstance(a.f, float)
        assert (a.x, a.y, a.f) == pytest.approx((b.x, b.y, b.f), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("spec", WITH_FN, ids=_ids(WITH_FN))
@pytest.mark.parametrize("draw", range(6))
def test_critical_points_fn_at_random_params(spec: SurfaceSpec, draw: int) -> None:
    params = _random_params(spec, _rng(spec, 300 + draw))
    points = spec.critical_points_fn(params)
    assert any(c.kind == "minimum" for c in points), params
    for c in points:
        _check_point(spec.name, c, params)
    # resolve_surface hands the moved points to the kernels (basin labels)
    assert resolve_surface(spec.name, params).critical_points == tuple(points)


@pytest.mark.parametrize("spec", WITH_FN, ids=_ids(WITH_FN))
def test_critical_points_fn_at_every_parameter_corner(spec: SurfaceSpec) -> None:
    """Bounds included: e.g. narrow wells (small c) add a third minimum at the origin."""
    for values in itertools.product(*[(p.min, p.default, p.max) for p in spec.params]):
        params = {p.name: v for p, v in zip(spec.params, values, strict=True)}
        points = spec.critical_points_fn(params)
        assert any(c.kind == "minimum" for c in points), params
        for c in points:
            _check_point(spec.name, c, params)


def test_himmelblau_matches_the_published_minima_and_maximum() -> None:
    published = [
        (3.0, 2.0),
        (-2.805118, 3.131312),
        (-3.779310, -3.283186),
        (3.584428, -1.848126),
    ]
    spec = BY_NAME["himmelblau"]
    minima = [(c.x, c.y) for c in spec.critical_points if c.kind == "minimum"]
    assert len(minima) == 4
    for ref in published:
        assert min(math.dist(ref, m) for m in minima) < 1e-6
    (top,) = [c for c in spec.critical_points if c.kind == "maximum"]
    assert math.dist((top.x, top.y), (-0.270845, -0.923039)) < 1e-6
    assert sum(c.kind == "saddle" for c in spec.critical_points) == 4


def test_six_hump_camel_lists_every_critical_point() -> None:
    """All 15: with x = 8y - 16y^3 from df/dy = 0, df/dx = 0 is a degree-15 polynomial in y."""
    xpoly = np.array([0.0, 8.0, 0.0, -16.0])
    gx = npoly.polyadd(8.0 * xpoly, -8.4 * npoly.polypow(xpoly, 3))
    gx = npoly.polyadd(gx, 2.0 * npoly.polypow(xpoly, 5))
    gx = npoly.polyadd(gx, [0.0, 1.0])
    ys = npoly.polyroots(gx)
    assert np.all(np.abs(ys.imag) < 1e-9)
    refs = [(8.0 * y - 16.0 * y**3, y) for y in ys.real]
    listed = [(c.x, c.y) for c in BY_NAME["six_hump_camel"].critical_points]
    assert len(listed) == 15
    for ref in refs:
        assert min(math.dist(ref, p) for p in listed) < 1e-9
    kinds = [c.kind for c in BY_NAME["six_hump_camel"].critical_points]
    assert (kinds.count("minimum"), kinds.count("saddle"), kinds.count("maximum")) == (6, 7, 2)
    best = sorted(
        (c for c in BY_NAME["six_hump_camel"].critical_points if c.kind == "minimum"),
        key=lambda c: c.f,
    )[:2]
    assert {(round(c.x, 4), round(c.y, 4)) for c in best} == {(0.0898, -0.7127), (-0.0898, 0.7127)}
    assert all(c.f == pytest.approx(-1.0316, abs=1e-4) for c in best)


def test_simple_minima_match_their_references() -> None:
    def minima(name: str) -> set[tuple[float, float, float]]:
        return {(c.x, c.y, c.f) for c in BY_NAME[name].critical_points if c.kind == "minimum"}

    assert minima("beale") == {(3.0, 0.5, 0.0)}
    assert minima("booth") == {(1.0, 3.0, 0.0)}
    assert minima("matyas") == {(0.0, 0.0, 0.0)}
    assert minima("rosenbrock") == {(1.0, 1.0, 0.0)}
    assert minima("bounded_saddle") == {(0.0, math.sqrt(2.0), -1.0), (0.0, -math.sqrt(2.0), -1.0)}
    for name in ("quadratic", "ravine", "rotated_ravine", "rastrigin", "ackley", "plateau"):
        assert minima(name) == {(0.0, 0.0, 0.0)}


def test_two_gaussians_has_a_shallow_and_a_deep_minimum_with_a_saddle_between() -> None:
    left, mid, right = sorted(BY_NAME["two_gaussians"].critical_points, key=lambda c: c.x)
    assert (left.kind, mid.kind, right.kind) == ("minimum", "saddle", "minimum")
    assert left.x < mid.x < right.x
    assert left.f < right.f < mid.f  # b = 3 > a = 2: the well at x = -1 is deeper


def test_double_well_points_are_the_roots_of_the_derivative() -> None:
    for c_tilt in (-0.3, 0.0, 0.2, 0.38):
        points = BY_NAME["double_well"].critical_points_fn({"c": c_tilt})
        assert [c.kind for c in points] == ["minimum", "maximum", "minimum"]
        for c in points:
            assert c.x**3 - c.x + c_tilt == pytest.approx(0.0, abs=1e-14)
    (only,) = BY_NAME["double_well"].critical_points_fn({"c": 0.45})
    assert only.kind == "minimum" and only.x < -1.0
    deep, _, shallow = BY_NAME["double_well"].critical_points
    assert deep.f < shallow.f  # c > 0 tilts the right well up


def test_rosenbrock_minimum_moves_with_a() -> None:
    (c,) = BY_NAME["rosenbrock"].critical_points_fn({"a": -1.5, "b": 7.0})
    assert (c.x, c.y, c.f, c.kind) == (-1.5, 2.25, 0.0, "minimum")


def test_monkey_saddle_is_degenerate_and_plane_has_no_critical_point() -> None:
    h = losscape.hessian("monkey_saddle", (0.0, 0.0))
    assert h.kind == "degenerate"
    np.testing.assert_array_equal(h.matrix, np.zeros((2, 2)))
    assert BY_NAME["tilted_plane"].critical_points == ()
    g = evaluate(resolve_surface("tilted_plane", {"sx": -2.0, "sy": 3.0}), np.zeros((1, 2)))
    np.testing.assert_array_equal(g[0, 1:], [-2.0, 3.0])


# --------------------------------------------------------------------------- curvature


@pytest.mark.parametrize("kappa", [1.0, 7.5, 20.0, 1000.0])
@pytest.mark.parametrize("angle", [-90.0, -30.0, 0.0, 45.0, 77.0, 90.0])
def test_rotated_ravine_eigenvalues_are_one_and_kappa(kappa: float, angle: float) -> None:
    params = {"kappa": kappa, "angle": angle}
    h = losscape.hessian("rotated_ravine", (0.7, -1.3), surface_params=params)
    np.testing.assert_allclose(h.eigenvalues, [1.0, kappa], rtol=1e-6)
    if kappa > 1.0:
        # the flat (curvature 1) axis points at the given angle
        t = math.radians(angle)
        flat = h.eigenvectors[:, 0]
        assert abs(flat @ np.array([math.cos(t), math.sin(t)])) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("spec", [s for s in SURFACES if s.quadratic], ids=lambda s: s.name)
def test_quadratic_surfaces_have_a_constant_hessian(spec: SurfaceSpec) -> None:
    pts = _random_points(spec, _rng(spec, 5), 5)
    mats = [losscape.hessian(spec.name, tuple(p)).matrix for p in pts]
    scale = float(np.abs(mats[0]).max())
    for m in mats[1:]:
        np.testing.assert_allclose(m, mats[0], rtol=0, atol=1e-7 * scale)


# --------------------------------------------------------------------------- trajectories


@pytest.mark.parametrize("spec", SURFACES, ids=_ids(SURFACES))
def test_gd_trajectories_stay_finite(spec: SurfaceSpec) -> None:
    starts = [spec.default_start, *map(tuple, _random_points(spec, _rng(spec, 6), 5))]
    for start in starts:
        run = losscape.trajectory(spec.name, "gd", start=start, steps=300, lr=1e-3)
        assert run.status in {"done", "converged", "stuck", "escaped"}, (start, run.status)
        for arr in (run.path, run.loss, run.averaged_path, run.averaged_loss, run.lrs):
            assert np.all(np.isfinite(arr)), start
