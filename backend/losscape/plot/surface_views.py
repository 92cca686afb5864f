"""Surface views: the contour with paths, the Hessian probe and the 3-D surface."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

from .internals import state_parts
from .style import (
    INK,
    MARKERS,
    RUN_COLORS,
    SURFACE3D_SCALE,
    SURFACE_SCALE,
    ZTransform,
    _fmt,
    _go,
    _layout,
    _runs,
    contour_levels,
    data_arrow,
    line_trace,
    log_scale_suggested,
    run_label,
)

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
        from .. import service

        if callable(surface) and not isinstance(surface, Mapping):
            from ..callables import grid_values

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
            line_trace(
                x,
                y,
                label,
                color,
                2.6,
                legendgroup=label,
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
    state_step: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Contour of ``surface`` with every run's path, like the page's contour view.

    ``log`` None follows the page (log levels when the range is over 15x the
    median height); ``probe`` = (x, y) adds the Hessian probe's arrows there;
    ``state_step`` = k draws the optimizer internals of runs made with
    ``record_state=True`` at step k (velocity arrows, step-scale crosses; see
    ``plot.internals``).
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
    if state_step is not None:
        data_s, ann = state_parts(rs, state_step, box)
        data += data_s
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
    from .. import service

    go = _go()
    h = service.hessian(surface, point, surface_params=surface_params)
    px, py = h.point
    length = 0.14 * min(box[1] - box[0], box[3] - box[2])
    ann: list[dict[str, Any]] = []

    def arrow(dx: float, dy: float, color: str, dash: bool = False) -> dict[str, Any]:
        return data_arrow((px, py), (px + dx, py + dy), color, 1.5 if dash else 2.5)

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
    from ..service import hessian

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
