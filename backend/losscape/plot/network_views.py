"""Network views: data with the decision boundary, curves, ROC, metric curves, confusion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

from .style import INK, RUN_COLORS, _fmt, _go, _layout, line_trace, vertical_line

# --------------------------------------------------------------------------- networks


def network_data(
    history: Any, *, boundary: Any = None, resolution: int = 80, title: str | None = None
) -> go.Figure:
    """The data points by class over the model's output, with the p = 0.5 boundary (binary)."""
    go = _go()
    from ..network_service import decision_boundary

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
        data.append(line_trace(h.record_steps, h.train_loss, f"{label} (train)", color, 2.4))
        if h.validation_loss is not None and np.isfinite(h.validation_loss).any():
            data.append(
                line_trace(
                    h.record_steps, h.validation_loss, f"{label} (validation)", color, 2, "dash"
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
        line_trace(
            report.roc_fpr,
            report.roc_tpr,
            f"ROC (AUC {report.auc:.3f})",
            RUN_COLORS[0],
            2.6,
            line_shape="hv",
        ),
        line_trace([0, 1], [0, 1], "chance", "#777777", 1, "dot"),
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
        line_trace(c.thresholds, getattr(c, name), name, RUN_COLORS[i], 2.2)
        for i, name in enumerate(("accuracy", "sensitivity", "specificity", "precision"))
    ]
    shapes = [vertical_line(report.threshold, INK, 1.5)]
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
