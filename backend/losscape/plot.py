"""Plotly figures from Python with the classroom page's styling.

Every view of the page has a builder here returning a ``plotly.graph_objects.Figure``::

    import losscape
    from losscape import plot

    a = losscape.trajectory("rosenbrock", "adam", lr=0.02, steps=500)
    b = losscape.trajectory("rosenbrock", "momentum", lr=1e-3, steps=500)
    plot.contour("rosenbrock", [a, b])      # contour + paths, log levels, critical points
    plot.surface3d("rosenbrock", [a, b])    # 3-D surface with the paths on it
    plot.curves([a, b])                     # loss against step
    plot.lr_sweep(losscape.lr_sweep("quadratic", "gd"))   # with the 2/lambda_max edge
    plot.basin_map(losscape.basins("himmelblau", "gd", lr=0.01))
    plot.lr_momentum(losscape.lr_momentum_map("rosenbrock", "momentum"))
    plot.hessian_probe("himmelblau", (0.0, 0.0))

Network views: ``network_data`` (points + decision boundary), ``network_curves``,
``roc``, ``metric_curves``, ``confusion``.

Result objects render themselves in Jupyter (``_repr_mimebundle_``) and have
``.figure()`` and ``.to_pandas()`` / ``.to_rows()`` through the mixins at the end
of this module. Colours are the page's (Okabe & Ito, colour-blind safe); the
contour's log transform, level spacing and critical-point markers follow
frontend/js/plot.js.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

# --------------------------------------------------------------------------- palette (palette.js)

RUN_COLORS = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
BASIN_COLORS = (
    "#9ecae1",
    "#fdae6b",
    "#a1d99b",
    "#dadaeb",
    "#fdd0a2",
    "#c7e9c0",
    "#bcbddc",
    "#fcbba1",
)
DIVERGED_COLOR = "#3b3b3b"
ESCAPED_COLOR = "#8c6d31"
NONE_COLOR = "#f2f2f2"
SURFACE_SCALE = [[0, "#ffffff"], [0.35, "#e6e6e6"], [0.7, "#bdbdbd"], [1, "#8a8a8a"]]
SURFACE3D_SCALE = "Viridis"
FONT = {
    "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "size": 13,
    "color": "#1a1a1a",
}
MARKERS = {
    "minimum": ("star", "diamond"),
    "saddle": ("x-thin-open", "x"),
    "maximum": ("triangle-up-open", "x"),
}
INK = "#1a1a1a"
TINY = 1e-16


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _layout(title: str | None, **extra: Any) -> dict[str, Any]:
    """The page's layout: house font, white paper (it is pasted into slides), a legend."""
    out: dict[str, Any] = {
        "font": dict(FONT),
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 64, "r": 24, "t": 56 if title else 24, "b": 52},
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top"},
        "width": 760,
        "height": 560,
    }
    if title:
        out["title"] = {"text": title, "x": 0.01, "xanchor": "left"}
    out.update(extra)
    return out


def _fmt(v: float) -> str:
    """A short number like the page's fmt(): 4 significant digits."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:.4g}"


def run_label(run: Any, i: int) -> str:
    return f"run {i + 1}: {run.optimizer}, lr {_fmt(run.lr)}"


def _runs(runs: Any) -> list[Any]:
    if runs is None:
        return []
    if hasattr(runs, "path") and hasattr(runs, "loss"):
        return [runs]
    return list(runs)


# --------------------------------------------------------------------------- levels (plot.js)


def nice_step(raw: float) -> float:
    """The 1, 2, 2.5 or 5 times a power of ten nearest above ``raw``."""
    p = 10.0 ** math.floor(math.log10(raw))
    return next(m * p for m in (1, 2, 2.5, 5, 10) if m * p >= raw * 0.999)


def contour_levels(z: np.ndarray, count: int) -> dict[str, float]:
    """Explicit, round contour levels over the finite range of ``z``."""
    v = z[np.isfinite(z)]
    if v.size == 0 or not float(v.max()) > float(v.min()):
        lo = float(v.min()) if v.size else 0.0
        return {"start": lo, "end": lo + 1, "size": 1}
    lo, hi = float(v.min()), float(v.max())
    size = nice_step((hi - lo) / count)
    return {"start": math.ceil(lo / size) * size, "end": hi, "size": size}


class ZTransform:
    """The value transform of the contour, 3-D and basin views.

    With ``log`` on, f is drawn as log10(f - f_min + delta), delta = 1e-6 of the
    range, so evenly spaced levels of the drawn value are log-spaced levels of f.
    """

    def __init__(self, values: np.ndarray, log: bool) -> None:
        v = values[np.isfinite(values)]
        self.lo = float(v.min()) if v.size else 0.0
        self.hi = float(v.max()) if v.size else 1.0
        self.log = bool(log)
        self.delta = max(1e-12, (self.hi - self.lo) * 1e-6)
        self.label = "log₁₀(f − f_min)" if self.log else "f"

    def __call__(self, v: Any) -> Any:
        arr = np.asarray(v, dtype=np.float64)
        if not self.log:
            return arr
        with np.errstate(invalid="ignore"):
            return np.log10(np.maximum(arr - self.lo, 0) + self.delta)

    def inverse(self, u: float) -> float:
        return 10.0**u - self.delta + self.lo if self.log else u

    def colorbar(self, count: int = 6) -> dict[str, Any]:
        if not self.log:
            return {}
        a, b = float(self(self.lo)), float(self(self.hi))
        vals = [a + (b - a) * i / (count - 1) for i in range(count)]
        text = []
        for u in vals:
            v = self.inverse(u)
            text.append(f"{v:.0e}" if abs(v) >= 1e4 or (abs(v) < 1e-2 and v != 0) else f"{v:.2g}")
        return {"tickvals": vals, "ticktext": text}


def log_scale_suggested(values: np.ndarray) -> bool:
    """The server's rule (``Grid.log_scale_suggested``): range over 15x the median height."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return False
    lo, hi = float(v.min()), float(v.max())
    q = float(np.quantile(v - lo, 0.5))
    return hi > lo and q > 0 and (hi - lo) / q > 15.0


# --------------------------------------------------------------------------- surfaces


class SurfaceData:
    """What a surface figure needs: a grid of values, the view and known critical points."""

    def __init__(
        self,
        surface: Any,
        *,
        surface_params: Mapping[str, object] | None = None,
        view: Sequence[float] | None = None,
        resolution: int = 160,
    ) -> None:
        from . import service

        if callable(surface) and not isinstance(surface, Mapping):
            from .callables import grid_values

            if view is None:
                raise ValueError("a callable surface needs view=(xmin, xmax, ymin, ymax)")
            x0, x1, y0, y1 = service._check_view(view)
            self.name = getattr(surface, "__name__", "f")
            self.xs = np.linspace(x0, x1, resolution)
            self.ys = np.linspace(y0, y1, resolution)
            self.values = grid_values(surface, self.xs, self.ys)
            self.critical_points: tuple[Any, ...] = ()
            self.view = (x0, x1, y0, y1)
            self.dims = 2
            self.resolved = None
            return
        if isinstance(surface, str) and surface == "expression":
            raise ValueError(
                "this run is on a typed-in formula: pass surface={'expression': ...} to figure()"
            )
        surf = service.resolve_surface(surface, surface_params)
        g = service.grid(surface, view=view, resolution=resolution, surface_params=surface_params)
        self.name = surf.name if surf.expression is None else surf.expression
        self.xs, self.ys, self.values = g.xs, g.ys, g.values
        self.critical_points = surf.critical_points
        self.view = tuple(view) if view is not None else surf.view
        self.dims = surf.dims
        self.resolved = surf


def _critical_traces(points: Iterable[Any], *, z: Callable[[Any], float] | None = None) -> list:
    go = _go()
    out = []
    pts = list(points)
    for kind, (sym2, sym3) in MARKERS.items():
        sel = [p for p in pts if p.kind == kind]
        if not sel:
            continue
        marker = {
            "symbol": sym3 if z else sym2,
            "size": 6 if z else 12,
            "color": "#ffffff" if kind == "minimum" else INK,
            "line": {"color": INK, "width": 1.5},
        }
        common = dict(
            mode="markers",
            name=kind,
            marker=marker,
            hovertemplate=f"{kind} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        )
        xs, ys = [p.x for p in sel], [p.y for p in sel]
        if z:
            out.append(go.Scatter3d(x=xs, y=ys, z=[z(p) for p in sel], **common))
        else:
            out.append(go.Scatter(x=xs, y=ys, **common))
    return out


def _path_traces(runs: list[Any], box: Sequence[float] | None = None) -> list:
    """One line per run, then end markers (x for diverged/escaped) and white start markers."""
    go = _go()
    traces = []
    for i, run in enumerate(runs):
        color = RUN_COLORS[i % len(RUN_COLORS)]
        label = run_label(run, i)
        x, y = run.path[:, 0], run.path[:, 1]
        if box is not None:
            # Diverged runs leave the view by orders of magnitude: clip so the axes stay.
            pad_x, pad_y = 0.5 * (box[1] - box[0]), 0.5 * (box[3] - box[2])
            x = np.clip(x, box[0] - pad_x, box[1] + pad_x)
            y = np.clip(y, box[2] - pad_y, box[3] + pad_y)
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=label,
                legendgroup=label,
                line={"color": color, "width": 2.6},
                hovertemplate=f"{label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
        bad = run.status in ("diverged", "escaped")
        traces.append(
            go.Scatter(
                x=[x[-1]],
                y=[y[-1]],
                mode="markers",
                legendgroup=label,
                showlegend=False,
                name=f"{label} end",
                marker={
                    "size": 14 if bad else 10,
                    "symbol": "x-thin-open" if bad else "circle",
                    "color": color,
                    "line": {"color": color, "width": 3.5 if bad else 1.5},
                },
                hovertemplate=f"{label}<br>{run.status} (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
        traces.append(
            go.Scatter(
                x=[x[0]],
                y=[y[0]],
                mode="markers",
                legendgroup=label,
                showlegend=False,
                name=f"{label} start",
                marker={"size": 11, "color": "#ffffff", "line": {"color": color, "width": 2.5}},
                hovertemplate=f"{label}<br>start (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
    return traces


def _status_annotations(runs: list[Any], box: Sequence[float]) -> list[dict[str, Any]]:
    out = []
    for i, run in enumerate(runs):
        if run.status not in ("diverged", "escaped"):
            continue
        color = RUN_COLORS[i % len(RUN_COLORS)]
        cx = min(box[1], max(box[0], float(run.path[-1, 0])))
        cy = min(box[3], max(box[2], float(run.path[-1, 1])))
        where = f" at step {run.stopped_at}" if run.stopped_at is not None else ""
        out.append(
            dict(
                x=cx,
                y=cy,
                text=f"✕ {run.status}{where}",
                showarrow=True,
                arrowcolor=color,
                ax=-60 if cx > (box[0] + box[1]) / 2 else 60,
                ay=28 if cy > (box[2] + box[3]) / 2 else -28,
                font={"color": color},
                bgcolor="rgba(255,255,255,0.88)",
                bordercolor=color,
                borderpad=3,
            )
        )
    return out


def _surface_title(sd: SurfaceData, runs: list[Any], what: str) -> str:
    return f"{what}: {sd.name}" + (f", {len(runs)} run{'s' * (len(runs) != 1)}" if runs else "")


def contour(
    surface: Any,
    runs: Any = (),
    *,
    surface_params: Mapping[str, object] | None = None,
    view: Sequence[float] | None = None,
    resolution: int = 160,
    log: bool | None = None,
    levels: int = 26,
    probe: Sequence[float] | None = None,
    probe_lr: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """Contour of ``surface`` with every run's path, like the page's contour view.

    ``log`` None follows the page (log levels when the range is over 15x the
    median height); ``probe`` = (x, y) adds the Hessian probe's arrows there.
    """
    go = _go()
    rs = _runs(runs)
    sd = SurfaceData(surface, surface_params=surface_params, view=view, resolution=resolution)
    tr = ZTransform(sd.values, log_scale_suggested(sd.values) if log is None else log)
    z = tr(sd.values)
    box = sd.view
    data = [
        go.Contour(
            x=sd.xs,
            y=sd.ys,
            z=z,
            autocontour=False,
            colorscale=SURFACE_SCALE,
            hoverinfo="skip",
            contours={"coloring": "fill", "showlines": True, **contour_levels(z, levels)},
            line={"color": "rgba(60,60,60,0.55)", "width": 0.8, "smoothing": 0.6},
            colorbar={
                "thickness": 12,
                "len": 0.9,
                "outlinewidth": 0,
                "title": {"text": "f (log)" if tr.log else "f", "side": "top"},
                **tr.colorbar(),
            },
            connectgaps=False,
            showlegend=False,
            name="f",
        )
    ]
    data += _critical_traces(sd.critical_points) if sd.dims == 2 else []
    data += _path_traces(rs, box)
    annotations = _status_annotations(rs, box)
    if probe is not None:
        data_p, ann = _probe_parts(surface, probe, rs, box, surface_params, lr=probe_lr)
        data += data_p
        annotations += ann
    layout = _layout(
        title or _surface_title(sd, rs, "Contour"),
        xaxis={"range": [box[0], box[1]], "title": {"text": "x"}, "constrain": "domain"},
        yaxis={
            "range": [box[2], box[3]],
            "title": {"text": "y"},
            "scaleanchor": "x",
            "constrain": "domain",
        },
        annotations=annotations,
    )
    return go.Figure(data=data, layout=layout)


def _probe_parts(
    surface: Any,
    point: Sequence[float],
    runs: list[Any],
    box: Sequence[float],
    surface_params: Mapping[str, object] | None,
    lr: float | None = None,
) -> tuple[list, list[dict[str, Any]]]:
    from . import service

    go = _go()
    h = service.hessian(surface, point, surface_params=surface_params)
    px, py = h.point
    length = 0.14 * min(box[1] - box[0], box[3] - box[2])
    ann: list[dict[str, Any]] = []

    def arrow(dx: float, dy: float, color: str, dash: bool = False) -> dict[str, Any]:
        return dict(
            x=px + dx,
            y=py + dy,
            ax=px,
            ay=py,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2,
            arrowwidth=1.5 if dash else 2.5,
            arrowcolor=color,
            text="",
        )

    def label(dx: float, dy: float, color: str, text: str) -> dict[str, Any]:
        return dict(
            x=px + dx,
            y=py + dy,
            showarrow=False,
            text=text,
            font={"color": color},
            bgcolor="rgba(255,255,255,0.8)",
        )

    for j, lam in enumerate(h.eigenvalues):
        v = h.eigenvectors[:, j]
        color = "#332288" if lam >= 0 else "#882255"
        s = length * 0.9
        ann += [arrow(v[0] * s, v[1] * s, color), arrow(-v[0] * s, -v[1] * s, color)]
        ann.append(label(v[0] * s * 1.25, v[1] * s * 1.25, color, f"λ{j + 1}={_fmt(lam)}"))
    gx, gy = h.gradient
    gn = math.hypot(gx, gy)
    if gn > 0:
        ann.append(arrow(-gx / gn * length, -gy / gn * length, "#000000"))
        ann.append(label(-gx / gn * length * 1.3, -gy / gn * length * 1.3, "#000000", "−∇f"))
        step_lr = lr if lr is not None else (runs[0].lr if runs else None)
        if step_lr is not None:
            ann.append(arrow(-step_lr * gx, -step_lr * gy, "#009E73", dash=True))
    marker = go.Scatter(
        x=[px],
        y=[py],
        mode="markers",
        name=f"probe: {h.kind}",
        marker={"symbol": "circle-open", "size": 14, "color": INK, "line": {"width": 2}},
        hovertemplate=f"probe ({px:.4g}, {py:.4g}) f = {h.value:.4g}<extra>{h.kind}</extra>",
    )
    return [marker], ann


def hessian_probe(
    surface: Any,
    point: Sequence[float],
    runs: Any = (),
    *,
    surface_params: Mapping[str, object] | None = None,
    view: Sequence[float] | None = None,
    lr: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """The contour with the Hessian probe at ``point``: eigen-directions (labelled by
    eigenvalue), -grad f and one GD step of ``lr`` (run 1's lr by default)."""
    from .service import hessian

    h = hessian(surface, point, surface_params=surface_params)
    lams = ", ".join(_fmt(v) for v in h.eigenvalues)
    return contour(
        surface,
        runs,
        surface_params=surface_params,
        view=view,
        probe=point,
        probe_lr=lr,
        title=title or f"Hessian at ({h.point[0]:.4g}, {h.point[1]:.4g}): {h.kind}, λ = {lams}",
    )


def surface3d(
    surface: Any,
    runs: Any = (),
    *,
    surface_params: Mapping[str, object] | None = None,
    view: Sequence[float] | None = None,
    resolution: int = 100,
    log: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """3-D surface (viridis, log-transformed like the contour when the range is wide) with
    every run's path lifted onto it."""
    go = _go()
    rs = _runs(runs)
    sd = SurfaceData(surface, surface_params=surface_params, view=view, resolution=resolution)
    tr = ZTransform(sd.values, log_scale_suggested(sd.values) if log is None else log)
    data = [
        go.Surface(
            x=sd.xs,
            y=sd.ys,
            z=tr(sd.values),
            colorscale=SURFACE3D_SCALE,
            opacity=0.92,
            showscale=True,
            name="f",
            hoverinfo="skip",
            colorbar={"thickness": 12, "len": 0.8, "title": {"text": tr.label}, **tr.colorbar()},
        )
    ]
    for i, run in enumerate(rs):
        color = RUN_COLORS[i % len(RUN_COLORS)]
        keep = np.isfinite(run.loss)
        data.append(
            go.Scatter3d(
                x=run.path[keep, 0],
                y=run.path[keep, 1],
                z=tr(run.loss[keep]) + 0.0,
                mode="lines",
                line={"color": color, "width": 6},
                name=run_label(run, i),
            )
        )
    if sd.dims == 2:

        def zf(p: Any) -> float:
            return float(tr(p.f)) if math.isfinite(p.f) else float("nan")

        data += _critical_traces(sd.critical_points, z=zf)
    layout = _layout(
        title or _surface_title(sd, rs, "Surface"),
        scene={
            "xaxis": {"title": {"text": "x"}},
            "yaxis": {"title": {"text": "y"}},
            "zaxis": {"title": {"text": tr.label}},
            "aspectmode": "cube",
        },
    )
    return go.Figure(data=data, layout=layout)


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
        data.append(
            go.Scatter(
                x=np.arange(y.shape[0]),
                y=y,
                mode="lines",
                name=run_label(run, i),
                line={"color": color, "width": 2.4},
            )
        )
        if averaged:
            ya = np.maximum(run.averaged_loss - offset, TINY) if log else run.averaged_loss
            data.append(
                go.Scatter(
                    x=np.arange(ya.shape[0]),
                    y=ya,
                    mode="lines",
                    name=f"run {i + 1} iterate average",
                    line={"color": color, "width": 1.8, "dash": "dot"},
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
        shapes.append(
            dict(
                type="line",
                x0=sweep.edge_lr,
                x1=sweep.edge_lr,
                yref="paper",
                y0=0,
                y1=1,
                line={"color": "#D55E00", "width": 2, "dash": "dash"},
            )
        )
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


# --------------------------------------------------------------------------- networks


def network_data(
    history: Any, *, boundary: Any = None, resolution: int = 80, title: str | None = None
) -> go.Figure:
    """The data points by class over the model's output, with the p = 0.5 boundary (binary)."""
    go = _go()
    from .network_service import decision_boundary

    b = boundary if boundary is not None else decision_boundary(history, resolution=resolution)
    data_set = history.problem.data
    task = data_set.task
    data = [
        go.Contour(
            x=b.xs,
            y=b.ys,
            z=b.values,
            colorscale="RdBu",
            reversescale=True,
            opacity=0.55,
            showscale=False,
            hoverinfo="skip",
            name="model output",
            contours={"coloring": "fill", "start": 0, "end": 1, "size": 0.1},
            showlegend=False,
        )
    ]
    if task == "binary":
        data.append(
            go.Contour(
                x=b.xs,
                y=b.ys,
                z=b.values,
                showscale=False,
                hoverinfo="skip",
                contours={"coloring": "none", "start": 0.5, "end": 0.5, "size": 1},
                line={"color": "#111111", "width": 2.5},
                name="boundary (p = 0.5)",
                showlegend=True,
            )
        )
    X, t = data_set.X, data_set.t
    if task == "regression":
        data.append(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name="points",
                marker={
                    "size": 6,
                    "color": t,
                    "colorscale": "Viridis",
                    "line": {"width": 0.5, "color": "#ffffff"},
                },
            )
        )
    else:
        for c in range(data_set.classes):
            sel = t == c
            data.append(
                go.Scatter(
                    x=X[sel, 0],
                    y=X[sel, 1],
                    mode="markers",
                    name=f"class {c}",
                    marker={
                        "size": 6,
                        "color": RUN_COLORS[c % len(RUN_COLORS)],
                        "line": {"width": 0.5, "color": "#ffffff"},
                    },
                )
            )
    names = data_set.feature_names
    layout = _layout(
        title or f"{history.model} on {history.dataset}: data and model output",
        xaxis={"title": {"text": names[0]}, "zeroline": False},
        yaxis={"title": {"text": names[1]}, "zeroline": False},
    )
    return go.Figure(data=data, layout=layout)


def network_curves(histories: Any, *, log: bool = True, title: str | None = None) -> go.Figure:
    """Training (solid) and validation (dashed) loss at the recorded steps of each run."""
    go = _go()
    hs = [histories] if hasattr(histories, "train_loss") else list(histories)
    data = []
    for i, h in enumerate(hs):
        color = RUN_COLORS[i % len(RUN_COLORS)]
        label = f"run {i + 1}: {h.optimizer}, lr {_fmt(h.lr)}"
        data.append(
            go.Scatter(
                x=h.record_steps,
                y=h.train_loss,
                mode="lines",
                name=f"{label} (train)",
                line={"color": color, "width": 2.4},
            )
        )
        if h.validation_loss is not None and np.isfinite(h.validation_loss).any():
            data.append(
                go.Scatter(
                    x=h.record_steps,
                    y=h.validation_loss,
                    mode="lines",
                    name=f"{label} (validation)",
                    line={"color": color, "width": 2, "dash": "dash"},
                )
            )
    layout = _layout(
        title or "Training and validation loss",
        xaxis={"title": {"text": "step"}, "showline": True},
        yaxis={"title": {"text": "loss"}, "type": "log" if log else "linear", "showline": True},
    )
    return go.Figure(data=data, layout=layout)


def roc(report: Any, *, title: str | None = None) -> go.Figure:
    """The ROC curve (binary), its AUC and the point of the report's threshold."""
    go = _go()
    if report.task != "binary" or report.roc_fpr is None:
        raise ValueError("a ROC curve needs a binary task")
    data = [
        go.Scatter(
            x=report.roc_fpr,
            y=report.roc_tpr,
            mode="lines",
            name=f"ROC (AUC {report.auc:.3f})",
            line={"color": RUN_COLORS[0], "width": 2.6},
            line_shape="hv",
        ),
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="chance",
            line={"color": "#777777", "width": 1, "dash": "dot"},
        ),
        go.Scatter(
            x=[1 - report.specificity],
            y=[report.sensitivity],
            mode="markers",
            name=f"threshold {_fmt(report.threshold)}",
            marker={"size": 12, "color": RUN_COLORS[1], "line": {"color": "#fff", "width": 1.5}},
        ),
    ]
    layout = _layout(
        title or "ROC curve",
        xaxis={"title": {"text": "false positive rate (1 − specificity)"}, "range": [0, 1]},
        yaxis={
            "title": {"text": "true positive rate (sensitivity)"},
            "range": [0, 1.02],
            "scaleanchor": "x",
            "constrain": "domain",
        },
    )
    return go.Figure(data=data, layout=layout)


def metric_curves(report: Any, *, title: str | None = None) -> go.Figure:
    """Accuracy, sensitivity, specificity and precision against the threshold (binary)."""
    go = _go()
    c = report.curves
    if report.task != "binary" or c is None:
        raise ValueError("metric curves need a binary task")
    data = [
        go.Scatter(
            x=c.thresholds,
            y=getattr(c, name),
            mode="lines",
            name=name,
            line={"color": RUN_COLORS[i], "width": 2.2},
        )
        for i, name in enumerate(("accuracy", "sensitivity", "specificity", "precision"))
    ]
    shapes = [
        dict(
            type="line",
            x0=report.threshold,
            x1=report.threshold,
            yref="paper",
            y0=0,
            y1=1,
            line={"color": INK, "width": 1.5, "dash": "dash"},
        )
    ]
    layout = _layout(
        title or "Metrics against the threshold",
        xaxis={"title": {"text": "threshold"}, "range": [0, 1]},
        yaxis={"title": {"text": "value"}, "range": [0, 1.02]},
        shapes=shapes,
    )
    return go.Figure(data=data, layout=layout)


def confusion(report: Any, *, title: str | None = None) -> go.Figure:
    """The confusion matrix, rows = true class, columns = predicted, counts written in."""
    go = _go()
    cm = np.asarray(report.confusion)
    k = cm.shape[0]
    names = (
        ["negative (0)", "positive (1)"]
        if report.task == "binary"
        else [f"class {i}" for i in range(k)]
    )
    data = [
        go.Heatmap(
            z=cm,
            x=names,
            y=names,
            colorscale="Blues",
            showscale=False,
            text=cm.astype(str),
            texttemplate="%{text}",
            textfont={"size": 16},
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
            showlegend=False,
        )
    ]
    layout = _layout(
        title or f"Confusion matrix (accuracy {report.accuracy:.3f})",
        xaxis={"title": {"text": "predicted"}, "side": "bottom"},
        yaxis={"title": {"text": "true"}, "autorange": "reversed"},
        showlegend=False,
    )
    return go.Figure(data=data, layout=layout)


# --------------------------------------------------------------------------- result mixins


def _mimebundle(fig_fn: Callable[[], Any], text: str) -> dict[str, Any]:
    try:
        fig = fig_fn()
    except ValueError as exc:  # e.g. a run on a formula: the figure needs the formula back
        return {"text/plain": f"{text}\n(no figure: {exc})"}
    import json

    import plotly.io as pio

    # Plotly's own mime type (JupyterLab, VS Code and nbconvert draw it with their bundled
    # plotly.js; nothing comes from a CDN), whatever the default renderer of this process.
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["config"] = {"displaylogo": False}
    return {"application/vnd.plotly.v1+json": spec, "text/plain": text}


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is an optional extra
        raise ImportError(
            "to_pandas() needs pandas: pip install 'losscape[notebook]' (or use to_rows())"
        ) from None
    return pd


class FigureMixin:
    """``.figure()``, ``.to_rows()``, ``.to_pandas()`` and Jupyter rendering for a result."""

    def figure(self, **kwargs: Any) -> go.Figure:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_rows(self) -> list[dict[str, Any]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def summary(self) -> str:
        return f"<{type(self).__name__}>"

    def to_pandas(self) -> Any:
        """A long-format ``pandas.DataFrame`` of ``to_rows()`` (needs the notebook extra)."""
        return _pandas().DataFrame.from_records(self.to_rows())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _mimebundle(self.figure, self.summary())


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


class TrajectoryViews(FigureMixin):
    """For ``Trajectory``: the contour with its path; rows (run, step, x, y, loss, lr)."""

    def figure(self, kind: str = "contour", **kwargs: Any) -> go.Figure:
        """``kind`` "contour" (default), "surface3d" or "curves"; ``surface=`` overrides the
        surface by name (needed for typed-in formulas and callables), ``surface_params=``
        gives its parameters."""
        surface = kwargs.pop("surface", self.surface)  # type: ignore[attr-defined]
        if kind == "curves":
            return curves([self], **kwargs)
        builders = {"contour": contour, "surface3d": surface3d}
        if kind not in builders:
            raise ValueError(f"unknown figure kind {kind!r}; valid: contour, curves, surface3d")
        return builders[kind](surface, [self], **kwargs)

    def to_rows(self, run: int = 1) -> list[dict[str, Any]]:
        t: Any = self
        n = t.path.shape[0]
        return [
            {
                "run": run,
                "optimizer": t.optimizer,
                "step": k,
                "x": float(t.path[k, 0]),
                "y": float(t.path[k, 1]),
                "loss": _num(t.loss[k]),
                "lr": float(t.lrs[k]) if k < t.lrs.shape[0] else None,
            }
            for k in range(n)
        ]

    def summary(self) -> str:
        t: Any = self
        x, y, f = t.final
        stop = f" at step {t.stopped_at}" if t.stopped_at is not None else ""
        return (
            f"Trajectory: {t.optimizer} on {t.surface}, lr {t.lr:g}: {t.status}{stop}; "
            f"{t.steps_taken} steps, final ({x:.6g}, {y:.6g}) loss {f:.6g}"
        )


class LRSweepViews(FigureMixin):
    def figure(self, **kwargs: Any) -> go.Figure:
        return lr_sweep(self, **kwargs)

    def to_rows(self) -> list[dict[str, Any]]:
        s: Any = self
        return [
            {
                "lr": float(s.lrs[i]),
                "final_loss": _num(s.final_loss[i]),
                "best_loss": _num(s.best_loss[i]),
                "status": s.status[i],
                "stopped_at": int(s.stopped_at[i]),
            }
            for i in range(s.lrs.shape[0])
        ]

    def summary(self) -> str:
        s: Any = self
        edge = f", 2/λ_max = {s.edge_lr:.4g}" if s.edge_lr else ""
        return (
            f"LRSweep: {s.optimizer} on {s.surface}, {s.lrs.shape[0]} lrs "
            f"{s.lrs[0]:.3g}..{s.lrs[-1]:.3g}{edge}"
        )


class BasinMapViews(FigureMixin):
    def figure(self, **kwargs: Any) -> go.Figure:
        return basin_map(self, **kwargs)

    def to_rows(self) -> list[dict[str, Any]]:
        b: Any = self
        rows = []
        for j in range(b.ys.shape[0]):
            for i in range(b.xs.shape[0]):
                lab = int(b.label[j, i])
                rows.append(
                    {
                        "x": float(b.xs[i]),
                        "y": float(b.ys[j]),
                        "label": lab,
                        "final_loss": _num(b.final_loss[j, i]),
                        "steps": int(b.steps[j, i]),
                    }
                )
        return rows

    def summary(self) -> str:
        b: Any = self
        return (
            f"BasinMap: {b.optimizer} on {b.surface}, {b.xs.shape[0]}x{b.ys.shape[0]} starts, "
            f"{len(b.minima)} minima"
        )


class LRMomentumViews(FigureMixin):
    def figure(self, **kwargs: Any) -> go.Figure:
        return lr_momentum(self, **kwargs)

    def to_rows(self) -> list[dict[str, Any]]:
        m: Any = self
        return [
            {
                "lr": float(m.lrs[i]),
                m.hyperparam: float(m.momenta[j]),
                "final_loss": _num(m.final_loss[j, i]),
                "status": m.status[j][i],
            }
            for j in range(m.momenta.shape[0])
            for i in range(m.lrs.shape[0])
        ]

    def summary(self) -> str:
        m: Any = self
        return (
            f"LRMomentumMap: {m.optimizer} on {m.surface}, "
            f"{m.lrs.shape[0]} lrs x {m.momenta.shape[0]} {m.hyperparam}"
        )


class TrainingHistoryViews(FigureMixin):
    """For ``TrainingHistory``: the data with the decision boundary (or the loss curves)."""

    def figure(self, kind: str = "data", **kwargs: Any) -> go.Figure:
        """``kind`` "data" (points + model output, default) or "curves"."""
        if kind == "curves":
            return network_curves(self, **kwargs)
        if kind != "data":
            raise ValueError(f"unknown figure kind {kind!r}; valid: curves, data")
        return network_data(self, **kwargs)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per recorded step: step, train/validation loss and accuracy, lr."""
        h: Any = self
        rows = []
        for r, step in enumerate(h.record_steps):
            k = int(step)
            row = {
                "step": k,
                "train_loss": _num(h.train_loss[r]),
                "lr": float(h.lrs[min(k, h.lrs.shape[0] - 1)]) if h.lrs.shape[0] else None,
            }
            for name in ("validation_loss", "train_accuracy", "validation_accuracy"):
                arr = getattr(h, name)
                row[name] = None if arr is None else _num(arr[r])
            rows.append(row)
        return rows

    def summary(self) -> str:
        h: Any = self
        last = float(h.train_loss[-1]) if h.train_loss.shape[0] else float("nan")
        return (
            f"TrainingHistory: {h.model} on {h.dataset}, {h.optimizer} lr {h.lr:g}: {h.status}; "
            f"{h.steps_taken} steps, train loss {last:.4g}"
        )


def runs_rows(runs: Any) -> list[dict[str, Any]]:
    """Long-format rows (run, optimizer, step, x, y, loss, lr) of several trajectories."""
    out: list[dict[str, Any]] = []
    for i, r in enumerate(_runs(runs)):
        out += TrajectoryViews.to_rows(r, run=i + 1)
    return out


def runs_frame(runs: Any) -> Any:
    """``runs_rows`` as a pandas DataFrame."""
    return _pandas().DataFrame.from_records(runs_rows(runs))


def attach_views(cls: type, views: type) -> None:
    """Give ``cls`` the methods of a views mixin it does not define itself."""
    for name in ("figure", "to_rows", "to_pandas", "summary", "_repr_mimebundle_"):
        if name not in cls.__dict__:
            setattr(cls, name, getattr(views, name))
