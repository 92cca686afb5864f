"""losscape: interactive loss landscapes and optimizer trajectories.

The Python API::

    import losscape
    run = losscape.trajectory("rosenbrock", "adam", start=(-1.5, 2), steps=1000, lr=0.02)
    run.path, run.loss, run.status
    run.figure()        # the page's contour with the path (a plotly Figure)
    run.to_pandas()     # long format: run, optimizer, step, x, y, loss, lr

In Jupyter a result draws itself; ``losscape.plot`` builds every view of the page,
``losscape.widget()`` is the classroom in a cell. ``surface`` may also be a Python
function f(x, y) (see ``losscape.callables``).
"""

from __future__ import annotations

from ._numba_cache import configure_numba_cache

configure_numba_cache()

from . import callables as _callables  # noqa: E402
from . import plot  # noqa: E402
from . import service as _service  # noqa: E402
from .network_service import (  # noqa: E402
    BatchSizeStudy,
    GradientCheck,
    GradientNoise,
    Landscape,
    MetricsReport,
    TrainingHistory,
    batch_size_study,
    datasets,
    decision_boundary,
    gradient_check,
    gradient_noise,
    landscape,
    metrics_at,
    models,
    train,
)
from .networks import metrics  # noqa: E402
from .service import (  # noqa: E402
    BasinMap,
    Grid,
    HessianInfo,
    LRMomentumMap,
    LRSweep,
    Trajectory,
    evaluate,
    grid,
    hessian,
    lr_momentum_map,
    optimizers,
    schedules,
    surfaces,
)

trajectory = _callables.accepting_callables(_service.trajectory, _callables.trajectory)
lr_sweep = _callables.accepting_callables(_service.lr_sweep, _callables.lr_sweep)
basins = _callables.accepting_callables(_service.basins, _callables.basins)

# Results draw themselves (figure(), to_pandas(), Jupyter); attached here so the service
# modules never import the plotting layer (no import circle).
for _cls, _views in (
    (_service.Trajectory, plot.TrajectoryViews),
    (_service.LRSweep, plot.LRSweepViews),
    (_service.BasinMap, plot.BasinMapViews),
    (_service.LRMomentumMap, plot.LRMomentumViews),
    (TrainingHistory, plot.TrainingHistoryViews),
):
    plot.attach_views(_cls, _views)


def widget(scene: str | None = "momentum", **kwargs: object) -> object:
    """The classroom views as a live notebook widget (needs ``losscape[notebook]``)."""
    from .widget import LosscapeWidget

    return LosscapeWidget(scene=scene, **kwargs)


__version__ = "0.1.0"
__all__ = [
    "BasinMap",
    "BatchSizeStudy",
    "GradientCheck",
    "GradientNoise",
    "Grid",
    "HessianInfo",
    "LRMomentumMap",
    "LRSweep",
    "Landscape",
    "MetricsReport",
    "TrainingHistory",
    "Trajectory",
    "basins",
    "batch_size_study",
    "datasets",
    "decision_boundary",
    "evaluate",
    "gradient_check",
    "gradient_noise",
    "grid",
    "hessian",
    "landscape",
    "lr_momentum_map",
    "lr_sweep",
    "metrics",
    "metrics_at",
    "models",
    "optimizers",
    "plot",
    "schedules",
    "surfaces",
    "train",
    "trajectory",
    "widget",
]
