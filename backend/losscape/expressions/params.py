"""Values of a formula's named parameters: checked, then written into its program.

A parameter (``a`` in ``a*x**2``) has its own constant slot in the compiled program
(``emit``), so new values are a copy of the constants (``Program.bind``), never a
recompilation; ``bound_program`` caches the bound copies so the analysis cache,
keyed by program, serves repeated values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np

from .emit import Program
from .lexer import MAX_PARAM_VALUE, MAX_PARAMS, check_param_name


def check_params(p: Program, params: object) -> dict[str, float]:
    """The formula's parameter values: ``params`` checked, the rest at the default (1).

    ValueError naming the bad parameter: a name the formula does not use (with the
    ones it does), a badly formed name, or a value that is not a finite number
    within +-MAX_PARAM_VALUE.
    """
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ValueError("params must be a mapping of parameter name -> number")
    if len(params) > MAX_PARAMS:
        raise ValueError(f"at most {MAX_PARAMS} parameters, got {len(params)}")
    known = ", ".join(p.params) if p.params else "none (the formula has no parameters)"
    values = {name: 1.0 for name in p.params}
    for name, value in params.items():
        check_param_name(name)
        if name not in values:
            raise ValueError(f"unknown parameter {name!r}; the formula's parameters: {known}")
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"parameter {name!r} must be a number, got {value!r}")
        v = float(value)
        if not (math.isfinite(v) and abs(v) <= MAX_PARAM_VALUE):
            raise ValueError(
                f"parameter {name!r} must be a finite number within +-{MAX_PARAM_VALUE:g}, "
                f"got {value!r}"
            )
        values[name] = v
    return values


@functools.lru_cache(maxsize=256)
def bound_program(p: Program, values: tuple[tuple[str, float], ...]) -> Program:
    """``p.bind`` cached, so the analysis cache (keyed by program) serves repeated values."""
    return p.bind(dict(values))
