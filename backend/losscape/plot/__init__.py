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

Optimizer internals: ``plot.contour(surface, runs, state_step=k)`` draws, for runs
made with ``record_state=True``, the velocity arrows and per-axis step-scale crosses
at step k (``plot.internals``).

Network views: ``network_data`` (points + decision boundary), ``network_curves``,
``roc``, ``metric_curves``, ``confusion``.

Result objects render themselves in Jupyter (``_repr_mimebundle_``) and have
``.figure()`` and ``.to_pandas()`` / ``.to_rows()`` through the mixins in
``plot.notebook``. Colours are the page's (Okabe & Ito, colour-blind safe); the
contour's log transform, level spacing and critical-point markers follow
frontend/js/plot.js.
"""

from .internals import state_parts
from .network_views import confusion, metric_curves, network_curves, network_data, roc
from .notebook import (
    BasinMapViews,
    FigureMixin,
    LRMomentumViews,
    LRSweepViews,
    TrainingHistoryViews,
    TrajectoryViews,
    attach_views,
    runs_frame,
    runs_rows,
)
from .style import (
    BASIN_COLORS,
    DIVERGED_COLOR,
    ESCAPED_COLOR,
    FONT,
    INK,
    MARKERS,
    NONE_COLOR,
    RUN_COLORS,
    SURFACE3D_SCALE,
    SURFACE_SCALE,
    ZTransform,
    contour_levels,
    log_scale_suggested,
    nice_step,
    run_label,
)
from .surface_views import SurfaceData, contour, hessian_probe, surface3d
from .sweep_views import basin_color, basin_map, curves, log_offset, lr_momentum, lr_sweep

__all__ = [
    "BASIN_COLORS",
    "DIVERGED_COLOR",
    "ESCAPED_COLOR",
    "FONT",
    "INK",
    "MARKERS",
    "NONE_COLOR",
    "RUN_COLORS",
    "SURFACE3D_SCALE",
    "SURFACE_SCALE",
    "BasinMapViews",
    "FigureMixin",
    "LRMomentumViews",
    "LRSweepViews",
    "SurfaceData",
    "TrainingHistoryViews",
    "TrajectoryViews",
    "ZTransform",
    "attach_views",
    "basin_color",
    "basin_map",
    "confusion",
    "contour",
    "contour_levels",
    "curves",
    "hessian_probe",
    "log_offset",
    "log_scale_suggested",
    "lr_momentum",
    "lr_sweep",
    "metric_curves",
    "network_curves",
    "network_data",
    "nice_step",
    "roc",
    "run_label",
    "runs_frame",
    "runs_rows",
    "state_parts",
    "surface3d",
]
