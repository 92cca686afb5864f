"""Plain-data specs behind the registry: surfaces, optimizers, schedules.

Nothing here imports numba; the specs describe what the kernels compute so that
validation, the catalog endpoint, the frontend controls and the parametrized
tests all read one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    """One numeric parameter: a surface parameter, a hyperparameter or a schedule setting.

    ``kind`` is "float", "int" or "bool"; bools travel to kernels as 0.0 / 1.0.
    ``log`` asks the frontend for a log-scaled slider.
    """

    name: str
    default: float
    min: float
    max: float
    description: str = ""
    kind: str = "float"
    log: bool = False


def param_dict(p: ParamSpec) -> dict[str, Any]:
    """A parameter as a catalogue row: its default, bounds, kind ("float", "int", "bool"),
    log flag and text. Here, beside ``ParamSpec``, so the core catalogue and the networks'
    data sets (which may not import the catalogue above them) list parameters alike."""
    return {
        "name": p.name,
        "default": p.default,
        "min": p.min,
        "max": p.max,
        "kind": p.kind,
        "log": p.log,
        "description": p.description,
    }


@dataclass(frozen=True)
class CriticalPoint:
    """A known critical point of a surface at its default parameters."""

    x: float
    y: float
    f: float
    kind: str  # "minimum", "maximum", "saddle" or "degenerate"


@dataclass(frozen=True)
class SurfaceSpec:
    """A 2-D (or 1-D, y ignored) test surface evaluated by ``surfaces.surface_eval``.

    ``view`` is (xmin, xmax, ymin, ymax). ``critical_points`` lists minima,
    saddles and maxima at the default parameters; ``critical_points_fn`` (if set)
    returns them for any parameter dict, for surfaces whose minima move.
    ``unbounded_below``: leaving the (enlarged) view box is a stop ("escaped"),
    not a divergence. ``fn`` is the surface's ``@njit`` function
    ``f(x, y, p) -> (value, df/dx, df/dy)``: ``surfaces`` builds its dispatch
    on ids from the rows, so a row and its function are the whole surface.
    """

    name: str
    id: int
    title: str
    formula: str  # LaTeX
    view: tuple[float, float, float, float]
    params: tuple[ParamSpec, ...] = ()
    critical_points: tuple[CriticalPoint, ...] = ()
    concept: str = ""
    dims: int = 2
    unbounded_below: bool = False
    quadratic: bool = False  # Hessian constant: the lr sweep can mark 2 / lambda_max
    default_start: tuple[float, float] = (0.0, 0.0)
    # Not compared or shown: a numba dispatcher, (x, y, p (float64 array)) -> (f, gx, gy).
    fn: Callable[..., tuple[float, float, float]] | None = field(
        default=None, compare=False, repr=False
    )
    critical_points_fn: Callable[[dict[str, float]], tuple[CriticalPoint, ...]] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer stepped by ``optimizers.optimizer_step``.

    ``hyperparams`` are in the order of the kernel's ``hp`` array, named as in
    ``torch.optim``. ``state_slots`` rows of state of shape (n,) each.
    ``surfaces_only``: needs a Hessian, so it runs on 2-D surfaces, not networks.
    ``step`` names the ``@njit`` function in ``numerics/optimizers.py`` that takes
    one step, ``step(theta, grad, state, t, lr, hp) -> None`` in place (theta,
    grad (n,), state (MAX_STATE_SLOTS, n), t from 1); ``init`` (optional) names
    one that sets the state after it is zeroed, ``init(state, hp) -> None``.
    Names, not the functions: ``optimizers`` imports these rows, so the rows
    cannot import its functions; ``optimizers`` builds its dispatch on ids from
    the named functions when it is imported, so a row and its function are the
    whole optimizer.
    """

    name: str
    id: int
    title: str
    update: str  # LaTeX of the update rule
    hyperparams: tuple[ParamSpec, ...]
    state_slots: int
    lr_default: float = 0.01
    lr_min: float = 1e-6
    lr_max: float = 10.0
    torch_name: str | None = None
    surfaces_only: bool = False
    description: str = ""
    step: str = ""  # the step function's name in ``optimizers``
    init: str | None = None  # the state initialiser's name there; None: the state stays 0


@dataclass(frozen=True)
class ScheduleSpec:
    """A learning-rate schedule evaluated by ``schedules.schedule_lr``."""

    name: str
    id: int
    title: str
    formula: str
    params: tuple[ParamSpec, ...] = ()
    torch_name: str | None = None
    description: str = ""
