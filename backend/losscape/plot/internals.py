"""Optimizer internals on the contour, as lilipads draws them: at one step of the timeline,
each run's velocity as an arrow and its per-axis step scales as a cross.

Both are drawn at the run's point after ``step`` steps from the state recorded with
``record_state=True`` (``run.state``; see ``losscape.optimizer_state``):

- velocity arrow: from the point to point + gain * velocity, one ``gain`` for every
  run and step so lengths compare (the longest velocity of all runs over all steps
  is drawn at ``ARROW_SHARE`` of the view's width); the hover gives the gain.
- step-scale cross: half-arms along x and y of ``CROSS_SHARE`` of the view's width
  times step_scale / (largest step scale of all runs, steps and axes): a long thin
  cross is an optimizer giving one axis a larger learning rate than the other
  (Adam on a ravine), a shrinking cross Adagrad's falling rates.

The page's contour draws the same (frontend/js/views/internals.js).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .style import RUN_COLORS, _fmt, _go, data_arrow, run_label

ARROW_SHARE = 0.18
CROSS_SHARE = 0.08


def _largest(arrays: list[np.ndarray], norm: bool) -> float:
    """The largest finite |row| (norm) or |entry| over ``arrays``; 0 when there is none."""
    best = 0.0
    for a in arrays:
        v = np.hypot(a[:, 0], a[:, 1]) if norm else np.abs(a).ravel()
        v = v[np.isfinite(v)]
        if v.size:
            best = max(best, float(v.max()))
    return best


def state_parts(
    runs: list[Any], step: int, box: Sequence[float]
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Traces (step-scale crosses) and annotations (velocity arrows, a key) at ``step``.

    A run without recorded state, or with none of the two quantities, adds nothing;
    a run shorter than ``step`` is drawn at its last point (as the timeline does).
    """
    go = _go()
    width = float(box[1] - box[0])
    with_state = [(i, r) for i, r in enumerate(runs) if getattr(r, "state", None) is not None]
    velocities = [r.state.velocity for _, r in with_state if r.state.velocity is not None]
    scales = [r.state.step_scale for _, r in with_state if r.state.step_scale is not None]
    vmax, smax = _largest(velocities, True), _largest(scales, False)
    gain = ARROW_SHARE * width / vmax if vmax > 0 else 0.0
    traces: list[Any] = []
    arrows: list[dict[str, Any]] = []
    for i, run in with_state:
        color = RUN_COLORS[i % len(RUN_COLORS)]
        label = run_label(run, i)
        k = int(min(max(step, 0), run.path.shape[0] - 1))
        x, y = float(run.path[k, 0]), float(run.path[k, 1])
        vel, scale = run.state.velocity, run.state.step_scale
        if vel is not None and gain > 0 and np.all(np.isfinite(vel[k])) and np.any(vel[k] != 0):
            arrows.append(
                data_arrow(
                    (x, y),
                    (x + gain * float(vel[k, 0]), y + gain * float(vel[k, 1])),
                    color,
                    2.4,
                    hovertext=f"{label}: velocity ({_fmt(vel[k, 0])}, {_fmt(vel[k, 1])}) "
                    f"at step {k}, drawn x{gain:.3g}",
                )
            )
        if scale is not None and smax > 0 and np.all(np.isfinite(scale[k])) and np.any(scale[k]):
            hx = CROSS_SHARE * width * float(scale[k, 0]) / smax
            hy = CROSS_SHARE * width * float(scale[k, 1]) / smax
            traces.append(
                go.Scatter(
                    x=[x - hx, x + hx, None, x, x],
                    y=[y, y, None, y - hy, y + hy],
                    mode="lines",
                    line={"color": color, "width": 3},
                    name=f"{label} step scale",
                    legendgroup=label,
                    showlegend=False,
                    hovertemplate=f"{label}<br>step scale at step {k}: "
                    f"x {_fmt(scale[k, 0])}, y {_fmt(scale[k, 1])}<extra></extra>",
                )
            )
    # A key in the corner, so a pasted slide says what the marks are.
    what = " · ".join(
        w for w, drawn in ((f"arrows: velocity ×{gain:.3g}", arrows),
                           ("crosses: step scale per axis", traces)) if drawn
    )  # fmt: skip
    if what:
        arrows.append(
            dict(xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="top",
                 showarrow=False, text=what, bgcolor="rgba(255,255,255,0.85)")
        )  # fmt: skip
    return traces, arrows
