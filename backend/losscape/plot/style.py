"""The page's styling for Plotly figures: palette (palette.js), layout, labels and the
contour's value transform and level spacing (plot.js)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    pass

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


def line_trace(
    x: Any, y: Any, name: str, color: str, width: float, dash: str | None = None, **extra: Any
) -> Any:
    """A ``go.Scatter`` line; ``dash`` is "dash", "dot" or None (solid)."""
    line = {"color": color, "width": width}
    if dash is not None:
        line["dash"] = dash
    return _go().Scatter(x=x, y=y, mode="lines", name=name, line=line, **extra)


def data_arrow(
    tail: tuple[float, float], head: tuple[float, float], color: str, width: float, **extra: Any
) -> dict[str, Any]:
    """An arrow annotation from ``tail`` to ``head``, both in data coordinates (Plotly
    measures ``ax``/``ay`` in pixels unless ``axref``/``ayref`` name the axes)."""
    return dict(
        x=head[0],
        y=head[1],
        ax=tail[0],
        ay=tail[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=width,
        arrowcolor=color,
        **extra,
    )


def vertical_line(x: float, color: str, width: float) -> dict[str, Any]:
    """A dashed layout shape at ``x`` across the plot's full height."""
    return dict(
        type="line",
        x0=x,
        x1=x,
        yref="paper",
        y0=0,
        y1=1,
        line={"color": color, "width": width, "dash": "dash"},
    )


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
