"""One optimizer run's arguments, validated in one order for every path that runs one.

The catalogue path (``service.trajectory``, through the kernels) and the Python-callable
path (``callables.trajectory``, a Python loop) take the same keyword arguments; this
module owns their defaults and the order they are checked in, so the first bad argument
is named with the same message whichever path a caller takes. The single checks
themselves belong to ``validation`` and ``arguments``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from .arguments import _noise_std, _schedule, _seed, _steps, _tol
from .numerics.registry import optimizer_spec
from .numerics.specs import OptimizerSpec
from .validation import check_point
from .validation import hyperparams as check_hyperparams
from .validation import lr as check_lr


class RunArguments(NamedTuple):
    """A validated run: ``hp`` (n_hyperparams,) in the spec's order, ``lr`` the base rate,
    ``kid`` / ``schp`` the schedule's id and parameter vector, ``noise_std`` the gradient
    noise's standard deviation, noise / sqrt(batch_size).

    A named tuple rather than a frozen dataclass: every catalogue run builds one, and a
    frozen dataclass's ``__init__`` (one ``object.__setattr__`` per field) cost about
    1 us of a 40 us run; a tuple is as immutable and builds in a third of that."""

    spec: OptimizerSpec
    hp: np.ndarray
    lr: float
    steps: int
    start: tuple[float, float]
    kid: int
    schp: np.ndarray
    noise_std: float
    seed: int
    tol: float

    @property
    def hyperparams(self) -> dict[str, float]:
        """The hyperparameters by name, as a result reports them."""
        return {p.name: float(self.hp[i]) for i, p in enumerate(self.spec.hyperparams)}


def run_arguments(
    optimizer: str,
    start: Sequence[float],
    *,
    steps: int = 200,
    lr: float | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float = 1e-10,
    **hyperparams: object,
) -> RunArguments:
    """Check a run's arguments in the catalogue path's order: optimizer, hyperparameters,
    lr, steps, start, schedule, noise, seed, tol; ``ValueError`` names the first bad one."""
    spec = optimizer_spec(optimizer)
    hp = check_hyperparams(spec, hyperparams)
    lr0 = check_lr(spec, lr)
    n_steps = _steps(steps)
    x0, y0 = check_point(start, "start")
    kid, schp = _schedule(schedule, schedule_params)
    noise_std = _noise_std(noise, batch_size)
    return RunArguments(
        spec, hp, lr0, n_steps, (x0, y0), kid, schp, noise_std, _seed(seed), _tol(tol)
    )
