"""Notebook integration: result mixins giving ``.figure()``, ``.to_rows()``, ``.to_pandas()``
and Jupyter rendering (``_repr_mimebundle_``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

from .network_views import network_curves, network_data
from .style import _runs
from .surface_views import contour, surface3d
from .sweep_views import basin_map, curves, lr_momentum, lr_sweep

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
        """One row per point; with ``record_state=True`` also ``<quantity>_x`` / ``_y`` columns
        (the optimizer's state after that many steps, see ``losscape.optimizer_state``)."""
        t: Any = self
        n = t.path.shape[0]
        state = t.state.quantities if getattr(t, "state", None) is not None else {}
        return [
            {
                "run": run,
                "optimizer": t.optimizer,
                "step": k,
                "x": float(t.path[k, 0]),
                "y": float(t.path[k, 1]),
                "loss": _num(t.loss[k]),
                "lr": float(t.lrs[k]) if k < t.lrs.shape[0] else None,
                **{f"{q}_{a}": _num(v[k, i]) for q, v in state.items() for i, a in enumerate("xy")},
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
