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

from . import limits
from .arguments import _noise_std, _schedule, _seed, _steps, _tol
from .numerics.registry import OPTIMIZER_BY_NAME, optimizer_spec
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
    if not hyperparams and schedule is None and not schedule_params and batch_size is None:
        plain = _plain_run(optimizer, start, steps, lr, noise, seed, tol, True)
        if plain is not None:
            return plain
    return _general_run(
        optimizer, start, steps, lr, schedule, schedule_params, noise, batch_size, seed, tol,
        hyperparams,
    )  # fmt: skip


def plain_run_arguments(
    optimizer: object,
    start: object,
    steps: object,
    lr: object,
    noise: object,
    seed: object,
    tol: object,
) -> RunArguments | None:
    """A plain run's arguments (``run_arguments`` with no hyperparameters, schedule or
    batch size given), checked in one pass, or None when anything else is given: then
    ``run_arguments`` decides and names the first bad argument. Positional, and ``hp``
    and ``schp`` are the cached vectors themselves, not copies: for a caller that only
    hands them to a kernel (which reads them) and never returns them
    (``service.trajectory``, once per run of the live channel: the copies and a second
    keyword call were ~1 us of its ~9 us around the kernel). ``plain_hyperparams``
    recognises them."""
    return _plain_run(optimizer, start, steps, lr, noise, seed, tol, False)


def plain_hyperparams(spec: OptimizerSpec, hp: np.ndarray) -> dict[str, float] | None:
    """A new {name: value} dict of ``spec``'s default hyperparameters when ``hp`` is the
    cached default vector ``plain_run_arguments`` hands out (a dict copy, not one built
    from the vector each run); None for any other vector."""
    known = _PLAIN.get(spec.name)
    if known is None or known[1] is not hp:
        return None
    return known[4].copy()


def _general_run(
    optimizer: str,
    start: Sequence[float],
    steps: int,
    lr: float | None,
    schedule: str | None,
    schedule_params: Mapping[str, object] | None,
    noise: float,
    batch_size: int | None,
    seed: int,
    tol: float,
    hyperparams: dict[str, object],
) -> RunArguments:
    """Every argument checked by its own check, in ``run_arguments``' order."""
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


# optimizer name -> (spec, default hyperparameters, constant schedule's (id, parameters),
# the hyperparameters by name), each validated once by the general path.
_PLAIN: dict[str, tuple[OptimizerSpec, np.ndarray, int, np.ndarray, dict[str, float]]] = {}
_M = limits.MAX_COORDINATE


def _plain_run(
    optimizer: object,
    start: object,
    steps: object,
    lr: object,
    noise: object,
    seed: object,
    tol: object,
    copy: bool = True,
) -> RunArguments | None:
    """The most common run, checked in one pass: a catalogue optimizer at its default
    hyperparameters and constant schedule, plain ints and floats within their bounds, a
    start of two plain floats. None when anything else is given (a bool, a numpy number,
    NaN, a bound crossed, a schedule, ...): the general checks then decide, and name the
    first bad argument. The result is the general path's, value for value (its
    ``check_number`` returns these plain values as they are, ints as floats); about 2 of
    the ~3 us the general path costs a run of the Python API."""
    if type(optimizer) is not str:
        return None
    known = _PLAIN.get(optimizer)
    if known is None:
        spec = OPTIMIZER_BY_NAME.get(optimizer)
        if spec is None:
            return None
        kid, schp = _schedule(None, None)
        hp = check_hyperparams(spec, {})
        names = {p.name: float(v) for p, v in zip(spec.hyperparams, hp.tolist(), strict=True)}
        known = _PLAIN[optimizer] = (spec, hp, kid, schp, names)
    spec, hp, kid, schp, _ = known
    lr0 = spec.lr_default if lr is None else lr
    if type(lr0) is not float or not spec.lr_min <= lr0 <= spec.lr_max:
        return None
    if type(steps) is not int or not 1 <= steps <= limits.MAX_STEPS:
        return None
    if type(start) is not tuple or len(start) != 2:
        return None
    x0, y0 = start
    if type(x0) is not float or type(y0) is not float or not (-_M <= x0 <= _M and -_M <= y0 <= _M):
        return None
    if type(noise) is float and 0.0 <= noise <= limits.MAX_NOISE:
        noise_std = noise
    elif type(noise) is int and noise == 0:
        noise_std = 0.0
    else:
        return None
    if type(seed) is not int or not 0 <= seed <= limits.MAX_SEED:
        return None
    if type(tol) is not float or not 0.0 <= tol <= 1e3:
        return None
    if copy:  # a caller may keep or change the vectors it is handed
        hp, schp = hp.copy(), schp.copy()
    return RunArguments(spec, hp, lr0, steps, start, kid, schp, noise_std, seed, tol)
