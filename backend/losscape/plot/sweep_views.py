"""Curves and sweeps: loss against step, the lr sweep, the basin map, the lr x momentum map."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

from .style import (
    BASIN_COLORS,
    DIVERGED_COLOR,
    ESCAPED_COLOR,
    INK,
    NONE_COLOR,
    RUN_COLORS,
    TINY,
    ZTransform,
    _fmt,
    _go,
    _layout,
    _runs,
    contour_levels,
    line_trace,
    log_scale_suggested,
    run_label,
    vertical_line,
)
from .surface_views import SurfaceData, _critical_traces, _path_traces

# --------------------------------------------------------------------------- curves and sweeps


def log_offset(runs: list[Any], points: Iterable[Any] = ()) -> float:
    """What the page subtracts before a log axis: the lowest minimum or loss when <= 0."""
    lo = math.inf
    for p in points:
        if p.kind == "minimum" and math.isfinite(p.f):
            lo = min(lo, p.f)
    for r in runs:
        v = r.loss[np.isfinite(r.loss)]
        if v.size:
            lo = min(lo, float(v.min()))
    return lo if lo <= 0 else 0.0


def curves(runs: Any, *, log: bool = True, averaged: bool = False, title: str | None = None):
    """Loss against step for every run (log axis, shifted when losses go below 0)."""
    go = _go()
    rs = _runs(runs)
    offset = log_offset(rs) if log else 0.0
    data = []
    ann = []
    for i, run in enumerate(rs):
        color = RUN_COLORS[i % len(RUN_COLORS)]
        y = np.maximum(run.loss - offset, TINY) if log else run.loss
        data.append(line_trace(np.arange(y.shape[0]), y, run_label(run, i), color, 2.4))
        if averaged:
            ya = np.maximum(run.averaged_loss - offset, TINY) if log else run.averaged_loss
            data.append(
                line_trace(
                    np.arange(ya.shape[0]), ya, f"run {i + 1} iterate average", color, 1.8, "dot"
                )
            )
        if run.status in ("diverged", "escaped") and np.isfinite(y[-1]):
            k = y.shape[0] - 1
            data.append(
                go.Scatter(
                    x=[k],
                    y=[y[-1]],
                    mode="markers",
                    showlegend=False,
                    marker={
                        "symbol": "x-thin-open",
                        "size": 14,
                        "color": color,
                        "line": {"width": 3},
                    },
                    name=f"run {i + 1} {run.status}",
                )
            )
            ann.append(
                dict(
                    x=k,
                    y=math.log10(y[-1]) if log else y[-1],
                    text=run.status,
                    font={"color": color},
                    showarrow=False,
                    yshift=14,
                )
            )
    ylabel = ("f − f* (log)" if offset else "f (log)") if log else "f"
    layout = _layout(
        title or "Loss against step",
        xaxis={"title": {"text": "step"}, "showline": True},
        yaxis={"title": {"text": ylabel}, "type": "log" if log else "linear", "showline": True},
        annotations=ann,
    )
    return go.Figure(data=data, layout=layout)


def lr_sweep(sweep: Any, *, runs: Any = (), title: str | None = None) -> go.Figure:
    """Final loss against learning rate (log-log), diverged rates marked at the top, the
    2/lambda_max edge as a dashed line when the surface is quadratic."""
    go = _go()
    fl = np.asarray(sweep.final_loss, dtype=np.float64)
    finite = fl[np.isfinite(fl)]
    offset = min(0.0, float(finite.min())) if finite.size else 0.0
    y = np.where(np.isfinite(fl), np.maximum(fl - offset, TINY), np.nan)
    top = float(np.nanmax(y)) * 3 if np.isfinite(y).any() else 1.0
    bad = np.array([s in ("diverged", "escaped") for s in sweep.status])
    data = [
        go.Scatter(
            x=sweep.lrs,
            y=y,
            mode="lines+markers",
            name="final loss",
            line={"color": INK, "width": 2},
            marker={"size": 5, "color": INK},
            hovertemplate="lr %{x:.3g}: %{y:.4g}<extra></extra>",
        )
    ]
    if bad.any():
        data.append(
            go.Scatter(
                x=sweep.lrs[bad],
                y=np.full(int(bad.sum()), top),
                mode="markers",
                name="diverged",
                marker={"symbol": "x", "size": 9, "color": RUN_COLORS[1]},
            )
        )
    for i, run in enumerate(_runs(runs)):
        f = float(run.loss[-1])
        ok = math.isfinite(f) and run.status not in ("diverged", "escaped")
        data.append(
            go.Scatter(
                x=[run.lr],
                y=[max(f - offset, TINY) if ok else top],
                mode="markers",
                name=f"run {i + 1}",
                marker={
                    "size": 13,
                    "color": RUN_COLORS[i % len(RUN_COLORS)],
                    "symbol": "circle" if ok else "x",
                    "line": {"color": "#ffffff", "width": 1.5},
                },
            )
        )
    shapes, ann = [], []
    if sweep.edge_lr:
        shapes.append(vertical_line(sweep.edge_lr, "#D55E00", 2))
        ann.append(
            dict(
                x=math.log10(sweep.edge_lr),
                y=0.02,
                xref="x",
                yref="paper",
                xanchor="right",
                yanchor="bottom",
                showarrow=False,
                text=f"2/λ_max = {_fmt(sweep.edge_lr)}",
                font={"color": "#D55E00"},
            )
        )
    layout = _layout(
        title or f"Learning-rate sweep: {sweep.optimizer} on {sweep.surface}",
        xaxis={
            "type": "log",
            "title": {"text": f"learning rate ({sweep.optimizer})"},
            "showline": True,
        },
        yaxis={
            "type": "log",
            "title": {"text": "final f − f* (log)" if offset else "final f (log)"},
            "showline": True,
        },
        shapes=shapes,
        annotations=ann,
    )
    return go.Figure(data=data, layout=layout)


def basin_color(label: int) -> str:
    """Colour of a basin label (index into minima, -1 none, -2 diverged, -3 escaped)."""
    if label == -2:
        return DIVERGED_COLOR
    if label == -3:
        return ESCAPED_COLOR
    if label == -1:
        return NONE_COLOR
    return BASIN_COLORS[label % len(BASIN_COLORS)]


def basin_map(
    basins: Any,
    *,
    runs: Any = (),
    surface_params: Mapping[str, object] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Basin map: each start coloured by the minimum it reaches, the level sets over it, the
    minima starred and the runs' paths on top; the legend names every colour."""
    go = _go()
    n = len(basins.minima)
    codes = n + 3
    scale = []
    for c in range(codes):
        color = basin_color(c - 3)
        scale += [[c / codes, color], [(c + 1) / codes, color]]
    z = np.asarray(basins.label) + 3
    ys = basins.ys if basins.ys.shape[0] > 1 else np.array([-1.0, 1.0])
    if basins.ys.shape[0] == 1:
        z = np.vstack([z, z])
    data = [
        go.Heatmap(
            x=basins.xs,
            y=ys,
            z=z,
            colorscale=scale,
            zmin=-0.5,
            zmax=codes - 0.5,
            showscale=False,
            hoverinfo="skip",
            zsmooth=False,
            showlegend=False,
        )
    ]
    box = (float(basins.xs[0]), float(basins.xs[-1]), float(ys[0]), float(ys[-1]))
    try:  # level sets under the map; a formula or function is not known by its name
        g = SurfaceData(basins.surface, surface_params=surface_params, view=box, resolution=120)
    except ValueError:
        g = None
    if basins.ys.shape[0] > 1 and g is not None:
        tr = ZTransform(g.values, log_scale_suggested(g.values))
        gz = tr(g.values)
        data.append(
            go.Contour(
                x=g.xs,
                y=g.ys,
                z=gz,
                autocontour=False,
                showscale=False,
                contours={"coloring": "none", **contour_levels(gz, 18)},
                line={"color": "rgba(0,0,0,0.28)", "width": 0.7},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    present = set(np.unique(basins.label).tolist())
    legend = [
        (basin_color(i), f"→ min {i + 1} ({_fmt(m.x)}, {_fmt(m.y)})")
        for i, m in enumerate(basins.minima)
    ]
    for code, text in ((-1, "no known minimum"), (-2, "diverged"), (-3, "escaped")):
        if code in present:
            legend.append((basin_color(code), text))
    for color, text in legend:  # legend-only swatches
        data.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=text,
                marker={
                    "symbol": "square",
                    "size": 14,
                    "color": color,
                    "line": {"color": "#777", "width": 0.5},
                },
            )
        )
    if basins.ys.shape[0] > 1:
        data += _critical_traces(basins.minima)
        data += _path_traces(_runs(runs), box)
    layout = _layout(
        title or f"Basins of attraction: {basins.optimizer} on {basins.surface}",
        xaxis={"range": [box[0], box[1]], "title": {"text": "x"}, "constrain": "domain"},
        yaxis={
            "range": [box[2], box[3]],
            "title": {"text": "y"},
            "scaleanchor": "x",
            "constrain": "domain",
        },
    )
    return go.Figure(data=data, layout=layout)


def lr_momentum(m: Any, *, runs: Any = (), title: str | None = None) -> go.Figure:
    """log10 final loss over (lr, momentum), diverged cells dark, reversed viridis like the page."""
    go = _go()
    fl = np.asarray(m.final_loss, dtype=np.float64)
    finite = fl[np.isfinite(fl)]
    offset = min(0.0, float(finite.min())) if finite.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(np.isfinite(fl), np.log10(np.maximum(fl - offset, TINY)), np.nan)
    diverged = np.where(np.isfinite(fl), np.nan, 1.0)
    lx = np.log10(m.lrs)
    label = "log₁₀(f−f*)" if offset else "log₁₀ f"
    data = [
        go.Heatmap(
            x=lx,
            y=m.momenta,
            z=z,
            colorscale="Viridis",
            reversescale=True,
            colorbar={"thickness": 12, "title": {"text": label, "side": "top"}},
            hovertemplate="lr 10^%{x:.2f}, " + m.hyperparam + " %{y:.3f}: %{z:.3g}<extra></extra>",
            showlegend=False,
            name=label,
        ),
        go.Heatmap(
            x=lx,
            y=m.momenta,
            z=diverged,
            showscale=False,
            hoverinfo="skip",
            colorscale=[[0, DIVERGED_COLOR], [1, DIVERGED_COLOR]],
            zmin=0,
            zmax=1,
            showlegend=False,
        ),
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="diverged",
            marker={"symbol": "square", "size": 14, "color": DIVERGED_COLOR},
        ),
    ]
    for i, run in enumerate(_runs(runs)):
        if m.hyperparam in run.hyperparams:
            data.append(
                go.Scatter(
                    x=[math.log10(run.lr)],
                    y=[run.hyperparams[m.hyperparam]],
                    mode="markers",
                    name=f"run {i + 1}",
                    marker={
                        "size": 14,
                        "color": RUN_COLORS[i % len(RUN_COLORS)],
                        "line": {"color": "#ffffff", "width": 2},
                    },
                )
            )
    ticks = list(range(math.floor(lx.min()), math.ceil(lx.max()) + 1))
    layout = _layout(
        title or f"Final loss over learning rate × {m.hyperparam}: {m.optimizer} on {m.surface}",
        xaxis={
            "title": {"text": f"learning rate ({m.optimizer})"},
            "showline": True,
            "tickvals": ticks,
            "ticktext": [f"1e{t}" for t in ticks],
        },
        yaxis={"title": {"text": m.hyperparam}, "showline": True},
    )
    return go.Figure(data=data, layout=layout)
