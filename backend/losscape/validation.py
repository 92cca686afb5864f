"""Argument checks shared by the surface and the network services (one owner per rule).

Every check takes the raw value a caller passed (Python, REST or CLI) and
returns it converted, or raises ``ValueError`` naming the argument and the
valid choices or bounds. Nothing here knows a service: ``service``,
``network_service`` and ``expressions`` all sit above it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from . import limits
from .numerics.registry import check_number, param_vector, schedule_spec
from .numerics.specs import OptimizerSpec, ScheduleSpec

_DEFAULT_HYPERPARAMS: dict[str, np.ndarray] = {}  # optimizer name -> its default vector
_CONSTANT: list = []  # the constant schedule's (spec, parameter vector), once validated


def integer(value: object, name: str, lo: int, hi: int) -> int:
    """A whole number in [lo, hi] (bools refused)."""
    return int(check_number(value, name, lo, hi, kind="int"))


def boolean(value: object, name: str) -> bool:
    return bool(check_number(value, name, 0, 1, kind="bool"))


def choice(value: object, name: str, choices: Sequence[str]) -> str:
    """One of ``choices``; the error lists them all."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid {name}s: {', '.join(choices)}")
    return value


def seed(value: object, hi: int = limits.MAX_SEED) -> int:
    return integer(value, "seed", 0, hi)


def check_point(point: object, name: str) -> tuple[float, float]:
    """A pair (x, y) of bounded coordinates; a single number is (x, 0) on a 1-D surface."""
    m = limits.MAX_COORDINATE
    if type(point) is tuple and len(point) == 2:  # the usual start: two plain floats
        x, y = point
        if type(x) is float and type(y) is float and -m <= x <= m and -m <= y <= m:
            return x, y  # (NaN fails the bounds and takes the checks below)
    if isinstance(point, np.ndarray):
        point = point.tolist()
    if not isinstance(point, Sequence) or isinstance(point, str) or len(point) not in (1, 2):
        raise ValueError(f"{name} must be a pair (x, y)")
    x = check_number(point[0], f"{name}[0]", -m, m)
    y = check_number(point[1], f"{name}[1]", -m, m) if len(point) == 2 else 0.0
    return x, y


def check_view(view: object) -> tuple[float, float, float, float]:
    """A view box (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax."""
    if not isinstance(view, Sequence) or isinstance(view, str) or len(view) != 4:
        raise ValueError("view must be four numbers (xmin, xmax, ymin, ymax)")
    m = limits.MAX_COORDINATE
    v = tuple(check_number(c, f"view[{i}]", -m, m) for i, c in enumerate(view))
    if not (v[0] < v[1] and v[2] < v[3]):
        raise ValueError("view must have xmin < xmax and ymin < ymax")
    return v  # type: ignore[return-value]


def hyperparams(spec: OptimizerSpec, given: Mapping[str, object]) -> np.ndarray:
    """The optimizer's hyperparameters in spec order; an unknown name lists the valid ones.

    Accepts torch's spelling of Adam's pair, ``betas=(beta1, beta2)``.
    """
    if not given:  # the defaults, validated once per optimizer (most calls)
        defaults = _DEFAULT_HYPERPARAMS.get(spec.name)
        if defaults is None:
            defaults = _DEFAULT_HYPERPARAMS[spec.name] = param_vector(
                spec.hyperparams, {}, spec.name
            )
        return defaults.copy()
    given = dict(given)
    if "betas" in given:
        betas = given.pop("betas")
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError("betas must be a pair (beta1, beta2)")
        given.setdefault("beta1", betas[0])
        given.setdefault("beta2", betas[1])
    return param_vector(spec.hyperparams, given, spec.name)


def lr(spec: OptimizerSpec, value: object, lo: float | None = None) -> float:
    """The learning rate (the spec's default when None) within [lo or spec.lr_min, lr_max]."""
    if value is None:
        return spec.lr_default
    return check_number(value, "lr", spec.lr_min if lo is None else lo, spec.lr_max)


def schedule(name: object, params: Mapping[str, object] | None) -> tuple[ScheduleSpec, np.ndarray]:
    """A learning-rate schedule (constant when None) and its parameter vector."""
    if name is None and not params:  # the constant schedule, validated once (most calls)
        if not _CONSTANT:
            _CONSTANT.append(schedule_spec("constant"))
            _CONSTANT.append(param_vector(_CONSTANT[0].params, None, "schedule constant"))
        return _CONSTANT[0], _CONSTANT[1].copy()
    spec = schedule_spec(name or "constant")
    return spec, param_vector(spec.params, params, f"schedule {spec.name}")
