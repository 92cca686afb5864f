"""The Python API for small networks: validated arguments -> arrays -> kernels -> results.

``losscape.train`` trains a model on a data set with any optimizer and
schedule of the core and returns a ``TrainingHistory``; ``landscape`` draws
the loss over a 2-D slice with the trajectories of several optimizers on it;
``gradient_check``, ``gradient_noise``, ``batch_size_study`` and
``metrics_at`` serve the lecture's diagnostics. ``datasets()`` and
``models()`` are the catalogue entries. Every size is bounded by the
constants of ``losscape.limits`` (also readable here as ``network_service.MAX_*``);
bad names, types or values raise ``ValueError`` naming the valid choices or bounds.
Results carry ``to_dict()`` giving JSON-ready dicts (lists, finite floats, ``None``
where a value is undefined).

The package splits by concept: ``catalogue`` (limits, data sets, models),
``problem`` (preparation, optimizer arguments), ``training``, ``evaluation``
(boundary, metrics), ``diagnostics`` (gradient check and noise, batch-size
study) and ``landscape``; this package re-exports them.
"""

from __future__ import annotations

from .. import limits as _limits
from ..networks import datasets as ds  # noqa: F401  (re-exported for scripts)
from ..networks import mlp  # noqa: F401
from ..service import Cancelled
from .catalogue import (  # noqa: F401  (re-exported: the package facade)
    MIN_NETWORK_LR,
    MODEL_BY_NAME,
    MODELS,
    TASK_LOSSES,
    DatasetArg,
    ModelArg,
    ModelSpec,
    Progress,
    ResolvedModel,
    datasets,
    limits,
    models,
    resolve_dataset,
    resolve_model,
)
from .diagnostics import (  # noqa: F401  (re-exported: the package facade)
    GRADCHECK_TOLERANCE,
    BatchSizeStudy,
    GradientCheck,
    GradientNoise,
    batch_size_study,
    gradient_check,
    gradient_noise,
)
from .evaluation import (  # noqa: F401  (re-exported: the package facade)
    Boundary,
    MetricsReport,
    decision_boundary,
    metrics_at,
)
from .landscape import (  # noqa: F401  (re-exported: the package facade)
    Landscape,
    LandscapeRun,
    landscape,
)
from .problem import (  # noqa: F401  (re-exported: the package facade)
    Problem,
    RunSettings,
    prepare,
)
from .training import (
    TrainingHistory,
    train,
)

__all__ = [
    "BatchSizeStudy",
    "Cancelled",
    "GradientCheck",
    "GradientNoise",
    "Landscape",
    "MetricsReport",
    "TrainingHistory",
    "batch_size_study",
    "datasets",
    "decision_boundary",
    "gradient_check",
    "gradient_noise",
    "landscape",
    "metrics_at",
    "models",
    "train",
    "warm_up",
]


def __getattr__(name: str) -> int | float:
    """``network_service.MAX_*`` for scripts and schemas: answered by the one table of limits
    (``losscape.limits``) rather than a second list of the same names here."""
    if name.isupper() and hasattr(_limits, name):
        return getattr(_limits, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- warm-up


def warm_up() -> None:
    """Compile (or load from numba's cache) every networks kernel with tiny inputs.

    For the web app's start-up, so no request pays the compile time.
    """
    tiny = {"name": "xor", "params": {"n": 24}}
    net = {"name": "mlp", "params": {"hidden": [3]}}
    h = train(tiny, net, "gd", steps=3)
    train(tiny, net, "gd", steps=3, batch_size=4, validation=0.0)
    decision_boundary(h, resolution=3)
    metrics_at(h, split="train")
    gradient_check(tiny, net)
    landscape(tiny, net, steps=3, resolution=3)
