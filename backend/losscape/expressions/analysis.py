"""``resolve_expression``: a typed-in formula, checked and analysed, as a resolved surface.

When the user gives no view or no minima, the formula is analysed numerically:
``critical_points`` finds its minima, saddles and maxima in a box, ``framing``
chooses the view, decides whether it is unbounded below and picks the default
start (each module's docstring gives the rules). The analysis of one bound
program is cached.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..numerics.specs import CriticalPoint
from ..numerics.surfaces import EXPRESSION_ID
from ..resolved import ResolvedSurface
from ..validation import check_point, check_view
from .critical_points import MAX_CRITICAL_POINTS, evaluate, find_critical_points
from .emit import Program
from .framing import DEFAULT_VIEW, auto_view, default_start, unbounded_below, view_around
from .params import bound_program, check_params
from .parser import compile_expression

__all__ = ["DEFAULT_VIEW", "MAX_CRITICAL_POINTS", "VALID_KEYS", "resolve_expression"]

VALID_KEYS = ("expression", "view", "minima", "params")


@dataclass(frozen=True)
class _Analysis:
    view: tuple[float, float, float, float]
    critical_points: tuple[CriticalPoint, ...]
    default_start: tuple[float, float]
    unbounded_below: bool


@functools.lru_cache(maxsize=256)
def _analyse(
    p: Program,
    view: tuple[float, float, float, float] | None,
    minima: tuple[tuple[float, float], ...] | None,
) -> _Analysis:
    dims = 2 if p.uses_y else 1
    with np.errstate(all="ignore"):
        if minima is not None:
            val = evaluate(p, np.array(minima))
            for i, (pt, v) in enumerate(zip(minima, val[:, 0], strict=True)):
                if not math.isfinite(v):
                    raise ValueError(
                        f"minima[{i}] ({pt[0]:g}, {pt[1]:g}) is outside the formula's domain"
                    )
            crit = tuple(
                CriticalPoint(pt[0], pt[1], float(v), "minimum")
                for pt, v in zip(minima, val[:, 0], strict=True)
            )
            if view is None:
                view = view_around(list(minima))
        elif view is not None:
            crit = find_critical_points(p, view, dims)
        else:
            view, crit = auto_view(p, dims)
        unbounded = unbounded_below(p, view, dims)
        start = default_start(p, view, crit, dims)
    return _Analysis(view, crit, start, unbounded)


def resolve_expression(surface: Mapping[str, Any]) -> ResolvedSurface:
    """A typed-in formula as a ``resolved.ResolvedSurface`` (sid ``EXPRESSION_ID``).

    ``surface`` holds "expression" (required), "view" ([xmin, xmax, ymin, ymax]),
    "minima" ([[x, y], ...]) and "params" (values of the formula's named
    parameters, default 1), all optional: ``framing`` and ``critical_points``
    say what is computed when they are missing. Raises ``ExpressionError`` for a
    formula the grammar refuses and ``ValueError`` for other bad fields.
    """
    extra = sorted(str(k) for k in surface if k not in VALID_KEYS)
    if extra:
        raise ValueError(
            f"unknown field(s) {', '.join(extra)} in an expression surface; "
            f"valid: {', '.join(VALID_KEYS)}"
        )
    if "expression" not in surface:
        raise ValueError("an expression surface needs the field 'expression'")
    compiled = compile_expression(surface["expression"])
    values = check_params(compiled, surface.get("params"))
    p = bound_program(compiled, tuple(values.items()))
    view_arg = surface.get("view")
    view = check_view(view_arg) if view_arg is not None else None
    minima_arg = surface.get("minima")
    minima = None
    if minima_arg is not None:
        if not isinstance(minima_arg, list | tuple) or len(minima_arg) > 64:
            raise ValueError("minima must be a list of at most 64 (x, y) points")
        minima = tuple(check_point(m, f"minima[{i}]") for i, m in enumerate(minima_arg)) or None
    a = _analyse(p, view, minima)
    return ResolvedSurface(
        name="expression",
        sid=EXPRESSION_ID,
        params=np.zeros(1),
        code=p.code,
        consts=p.consts,
        view=a.view,
        critical_points=a.critical_points,
        unbounded_below=a.unbounded_below,
        quadratic=p.quadratic,
        dims=2 if p.uses_y else 1,
        default_start=a.default_start,
        expression=p.text,
        param_values=values,
    )
