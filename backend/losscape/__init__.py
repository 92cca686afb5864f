"""losscape: interactive loss landscapes and optimizer trajectories.

The Python API::

    import losscape
    run = losscape.trajectory("rosenbrock", "adam", start=(-1.5, 2), steps=1000, lr=0.02)
    run.path, run.loss, run.status
"""

from __future__ import annotations

from ._numba_cache import configure_numba_cache

configure_numba_cache()

from .network_service import TrainingHistory, datasets, models, train  # noqa: E402
from .networks import metrics  # noqa: E402
from .service import (  # noqa: E402
    BasinMap,
    Grid,
    HessianInfo,
    LRMomentumMap,
    LRSweep,
    Trajectory,
    basins,
    evaluate,
    grid,
    hessian,
    lr_momentum_map,
    lr_sweep,
    optimizers,
    schedules,
    surfaces,
    trajectory,
)

__version__ = "0.1.0"
__all__ = [
    "BasinMap",
    "Grid",
    "HessianInfo",
    "LRMomentumMap",
    "LRSweep",
    "TrainingHistory",
    "Trajectory",
    "basins",
    "datasets",
    "evaluate",
    "grid",
    "hessian",
    "lr_momentum_map",
    "lr_sweep",
    "metrics",
    "models",
    "optimizers",
    "schedules",
    "surfaces",
    "train",
    "trajectory",
]
