"""Figures from Python (losscape.plot) and the notebook views of the result objects."""

from __future__ import annotations

import math

import numpy as np
import pytest

import losscape
from losscape import plot


@pytest.fixture(scope="module")
def rosen_runs():
    a = losscape.trajectory("rosenbrock", "adam", lr=0.02, steps=200)
    b = losscape.trajectory("rosenbrock", "gd", lr=0.01, steps=50)  # diverges
    return a, b


def test_contour_draws_log_levels_critical_points_and_every_path(rosen_runs):
    a, b = rosen_runs
    fig = plot.contour("rosenbrock", [a, b], resolution=60)
    cont = fig.data[0]
    # Independent reference: the page's log transform log10(f - f_min + 1e-6 range).
    g = losscape.grid("rosenbrock", resolution=60)
    lo, hi = np.nanmin(g.values), np.nanmax(g.values)
    expect = np.log10(g.values - lo + max(1e-12, (hi - lo) * 1e-6))
    assert np.allclose(np.asarray(cont.z), expect)
    assert cont.contours.coloring == "fill" and cont.colorbar.title.text == "f (log)"
    assert fig.data[1].name == "minimum"
    assert (fig.data[1].x[0], fig.data[1].y[0]) == (1.0, 1.0)
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]
    assert [t.name for t in lines] == ["run 1: adam, lr 0.02", "run 2: gd, lr 0.01"]
    assert np.array_equal(np.asarray(lines[0].x), a.path[:, 0])
    assert lines[0].line.color == "#0072B2" and lines[1].line.color == "#D55E00"
    assert b.status == "diverged"
    assert any("diverged at step" in ann.text for ann in fig.layout.annotations)
    assert fig.layout.title.text == "Contour: rosenbrock, 2 runs"


def test_linear_levels_on_a_bowl():
    fig = plot.contour("quadratic", resolution=41)
    g = losscape.grid("quadratic", resolution=41)
    assert np.allclose(np.asarray(fig.data[0].z), g.values)
    # round levels: 26 over [0, 4] -> step 0.2 (the 1-2-2.5-5 rule of the page)
    assert fig.data[0].contours.size == pytest.approx(0.2)
    assert plot.nice_step(0.13) == pytest.approx(0.2) and plot.nice_step(0.021) == 0.025


def test_results_render_in_jupyter_and_give_long_rows(rosen_runs):
    a, _ = rosen_runs
    bundle = a._repr_mimebundle_()
    spec = bundle["application/vnd.plotly.v1+json"]
    assert spec["data"][0]["type"] == "contour"
    assert bundle["text/plain"].startswith("Trajectory: adam on rosenbrock, lr 0.02")
    df = a.to_pandas()
    assert list(df.columns) == ["run", "optimizer", "step", "x", "y", "loss", "lr"]
    assert len(df) == a.path.shape[0]
    assert np.allclose(df["loss"], a.loss) and np.allclose(df["lr"].iloc[:-1], a.lrs)
    assert math.isnan(df["lr"].iloc[-1])  # the last point takes no step
    both = plot.runs_frame(list(rosen_runs))
    assert sorted(set(both["run"])) == [1, 2]


def test_figure_kinds_and_a_formula_run_needs_its_formula():
    r = losscape.trajectory({"expression": "x**2 + 3*y**2"}, "gd", start=(1, 1), lr=0.1)
    assert "no figure" in r._repr_mimebundle_()["text/plain"]
    fig = r.figure(surface={"expression": "x**2 + 3*y**2"})
    assert np.array_equal(np.asarray(fig.data[-1].x), [1.0])  # the start marker
    assert r.figure("curves").layout.yaxis.type == "log"
    assert r.figure("surface3d", surface={"expression": "x**2 + 3*y**2"}).data[0].type == "surface"
    with pytest.raises(ValueError, match="valid: contour, curves, surface3d"):
        r.figure("pie")


def test_curves_shift_a_loss_that_goes_below_zero():
    r = losscape.trajectory("himmelblau", "gd", lr=0.01, steps=100)
    fig = plot.curves(r)
    assert np.allclose(np.asarray(fig.data[0].y), np.maximum(r.loss, 1e-16))
    r2 = losscape.trajectory({"expression": "x**2 + y**2 - 3"}, "gd", start=(1, 1), lr=0.1)
    fig2 = plot.curves(r2)
    assert fig2.layout.yaxis.title.text == "f − f* (log)"
    assert np.allclose(np.asarray(fig2.data[0].y), np.maximum(r2.loss - r2.loss.min(), 1e-16))


def test_lr_sweep_marks_the_stability_edge_and_diverged_rates():
    sw = losscape.lr_sweep("ravine", "gd", lr_min=1e-3, lr_max=0.5, count=30)
    # ravine's Hessian is diag(1, kappa = 20): 2 / lambda_max = 0.1
    assert sw.edge_lr == pytest.approx(0.1)
    fig = sw.figure()
    edge = fig.layout.shapes[0]
    assert edge.x0 == pytest.approx(0.1) and edge.line.dash == "dash"
    assert fig.layout.annotations[0].text == "2/λ_max = 0.1"
    div = next(t for t in fig.data if t.name == "diverged")
    assert np.all(np.asarray(div.x) > 0.1)
    rows = sw.to_rows()
    assert len(rows) == 30 and rows[-1]["status"] == "diverged" and rows[-1]["final_loss"] is None


def test_basin_map_colours_and_names_every_basin():
    bm = losscape.basins("himmelblau", "gd", lr=0.01, resolution=12, steps=300)
    fig = bm.figure()
    heat = fig.data[0]
    assert np.array_equal(np.asarray(heat.z), bm.label + 3)
    names = [t.name for t in fig.data if t.type == "scatter" and t.x == (None,)]
    assert names[:4] == [f"→ min {i + 1} ({m.x:.4g}, {m.y:.4g})" for i, m in enumerate(bm.minima)]
    # The colour scale gives code c = label + 3 the page's basin colour.
    scale = heat.colorscale
    assert scale[2 * 3][1] == plot.BASIN_COLORS[0] and scale[2 * 1][1] == plot.DIVERGED_COLOR
    df = bm.to_pandas()
    assert len(df) == 144 and set(df["label"]) <= {-3, -2, -1, 0, 1, 2, 3}


def test_lr_momentum_heatmap_is_log10_of_the_final_loss():
    m = losscape.lr_momentum_map("ravine", "momentum", lr_count=6, momentum_count=4, steps=50)
    fig = m.figure(runs=[losscape.trajectory("ravine", "momentum", lr=0.01, momentum=0.5)])
    z = np.asarray(fig.data[0].z, dtype=float)
    ok = np.isfinite(m.final_loss)
    assert np.allclose(z[ok], np.log10(np.maximum(m.final_loss[ok], 1e-16)))
    assert fig.data[-1].y == (0.5,) and fig.data[-1].x == (pytest.approx(-2.0),)
    assert m.to_pandas().shape == (24, 4)


def test_hessian_probe_labels_the_eigenvalues():
    fig = plot.hessian_probe("ravine", (1.0, 1.0), surface_params={"kappa": 4.0})
    texts = [a.text for a in fig.layout.annotations if a.text]
    assert "λ1=1" in texts and "λ2=4" in texts and "−∇f" in texts
    assert fig.layout.title.text.endswith("regular, λ = 1, 4")


def test_hessian_probe_arrows_start_at_the_point_along_the_eigenvectors():
    """(x^2 + 4 y^2) / 2 at (1, 1): eigenvectors are the axes, the gradient is (1, 4)."""
    fig = plot.hessian_probe("ravine", (1.0, 1.0), surface_params={"kappa": 4.0})
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == 5  # two per eigenvector, one for -grad f (no lr: no step arrow)
    for a in arrows:
        assert (a.ax, a.ay) == (1.0, 1.0) and (a.axref, a.ayref) == ("x", "y")
    unit = [np.array([a.x - 1.0, a.y - 1.0]) / np.hypot(a.x - 1.0, a.y - 1.0) for a in arrows]
    assert np.allclose(np.abs(unit[0]), [1, 0]) and np.allclose(unit[0], -unit[1])
    assert np.allclose(np.abs(unit[2]), [0, 1]) and np.allclose(unit[2], -unit[3])
    assert np.allclose(unit[4], -np.array([1.0, 4.0]) / np.sqrt(17.0))


def test_three_d_lifts_paths_onto_the_surface(rosen_runs):
    a, _ = rosen_runs
    fig = plot.surface3d("rosenbrock", a, resolution=30)
    tr = plot.ZTransform(fig.data[0].z, False)  # the surface is drawn transformed already
    assert tr.log is False
    path = fig.data[1]
    g = losscape.grid("rosenbrock", resolution=30).values
    lo, hi = np.nanmin(g), np.nanmax(g)
    expect = np.log10(a.loss - lo + (hi - lo) * 1e-6)
    assert np.allclose(np.asarray(path.z), expect)


@pytest.fixture(scope="module")
def moons():
    h = losscape.train("moons", "mlp", "adam", lr=0.01, steps=150, seed=1)
    return h, losscape.metrics_at(h)


def test_network_views(moons):
    h, rep = moons
    fig = h.figure()
    classes = [t for t in fig.data if t.name and t.name.startswith("class ")]
    data = h.problem.data
    assert [t.name for t in classes] == ["class 0", "class 1"]
    assert len(classes[0].x) == int(np.sum(data.t == 0))
    assert classes[1].marker.color == "#D55E00"  # a hex colour, not the palette object
    b = losscape.decision_boundary(h, resolution=20)
    assert np.allclose(np.asarray(plot.network_data(h, boundary=b).data[0].z), b.values)
    conf = plot.confusion(rep)
    assert np.array_equal(np.asarray(conf.data[0].z), rep.confusion)
    roc = plot.roc(rep)
    assert roc.data[0].name == f"ROC (AUC {rep.auc:.3f})"
    assert np.allclose(np.asarray(roc.data[0].x), rep.roc_fpr)
    assert len(plot.metric_curves(rep).data) == 4
    curves = h.figure("curves")
    assert np.allclose(np.asarray(curves.data[0].y), h.train_loss)
    df = h.to_pandas()
    assert list(df["step"]) == [int(s) for s in h.record_steps]
    assert "application/vnd.plotly.v1+json" in h._repr_mimebundle_()


def test_network_functions_are_public():
    for name in ("landscape", "decision_boundary", "gradient_check", "gradient_noise",
                 "metrics_at", "batch_size_study", "train", "datasets", "models"):  # fmt: skip
        assert callable(getattr(losscape, name)), name
        assert name in losscape.__all__


def test_contour_draws_optimizer_internals_at_the_scrubbed_step():
    adam = losscape.trajectory("ravine", "adam", steps=120, lr=0.05, record_state=True)
    ball = losscape.trajectory("ravine", "heavy_ball", steps=120, lr=0.01, record_state=True)
    plain = losscape.trajectory("ravine", "momentum", steps=120, lr=0.01)  # no state asked
    k = 12
    fig = plot.contour("ravine", [adam, ball, plain], state_step=k)
    arrows = [a for a in fig.layout.annotations if a.axref == "x"]
    assert len(arrows) == 2  # adam and heavy_ball; the run without state draws nothing
    for a, run in zip(arrows, (adam, ball), strict=True):
        assert (a.ax, a.ay) == tuple(run.path[k])  # the tail sits on the run's point k
        drawn = np.array([a.x - a.ax, a.y - a.ay])
        v = run.state.velocity[k]
        assert abs(drawn[0] * v[1] - drawn[1] * v[0]) < 1e-9 * np.hypot(*drawn) * np.hypot(*v)
        assert drawn @ v > 0  # same direction, scaled
    # One gain for every run: the drawn lengths keep the velocities' ratio.
    lengths = [np.hypot(a.x - a.ax, a.y - a.ay) for a in arrows]
    speeds = [np.hypot(*r.state.velocity[k]) for r in (adam, ball)]
    assert lengths[0] / lengths[1] == pytest.approx(speeds[0] / speeds[1])
    (cross,) = [t for t in fig.data if (t.name or "").endswith("step scale")]
    xs, ys = cross.x, cross.y
    half_x, half_y = (xs[1] - xs[0]) / 2, (ys[4] - ys[3]) / 2
    sx, sy = adam.state.step_scale[k]
    assert half_x / half_y == pytest.approx(sx / sy)  # arms in the ratio of the step scales
    assert (xs[3], (ys[3] + ys[4]) / 2) == pytest.approx(tuple(adam.path[k]))
    assert len(plot.contour("ravine", [plain], state_step=k).layout.annotations) == 0


def test_line_trace_draws_a_solid_or_a_dashed_line():
    from losscape.plot.style import line_trace

    solid = line_trace([0, 1], [1, 0], "a", "#000000", 2)
    dashed = line_trace([0, 1], [1, 0], "b", "#111111", 1, "dot", legendgroup="g")
    assert solid.mode == "lines" and solid.line.dash is None and solid.line.width == 2
    assert dashed.line.dash == "dot" and dashed.line.color == "#111111"
    assert dashed.legendgroup == "g" and dashed.name == "b"
