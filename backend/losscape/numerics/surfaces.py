"""The surface catalogue and the dispatch on surface ids.

Surfaces live in modules by concept, each a set of ``@njit`` value-and-gradient
functions ``f(x, y, p) -> (value, dvalue/dx, dvalue/dy)`` (``p``: a float64
array of the surface's parameters in the order its spec lists them) with
their ``SurfaceSpec`` rows: ``surfaces_bowls`` (convex quadratics),
``surfaces_classic`` (Rosenbrock, Beale, Himmelblau, ...) and
``surfaces_saddles`` (saddles, plateaux, wells). ``SURFACES`` gathers the rows
in id order; it is the registry (validation, the catalog, the page's controls,
the CLI and the parametrized tests read it). ``surface_eval`` and
``surface_eval_block`` dispatch on the integer id (numba rule: dispatch by id
inside njit, never pass jitted functions to cached kernels);
``catalogue_values_row`` evaluates one row of a grid, values only. Id
``EXPRESSION_ID`` is a typed-in formula evaluated by ``program.program_eval``.

The dispatch is built from the rows: each ``SurfaceSpec`` carries its
function (``fn``), and ``switch`` turns the rows' ``(id, fn)`` pairs into the
bodies of the three catalogue dispatchers below (one LLVM ``switch`` on the
id, a case per row calling its function: the code a hand-written
``if sid == 0: return quadratic(x, y, p)`` chain compiled to). A new surface
is one function and one row in its module, with no edit here. Every surface
function stays importable from here by its row's name (``surfaces.rosenbrock``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from . import switch
from .program import program_eval, program_eval_block
from .specs import SurfaceSpec
from .surfaces_bowls import BOWLS
from .surfaces_classic import CLASSICS
from .surfaces_saddles import SADDLES_AND_WELLS

EXPRESSION_ID = 99


# ---------------------------------------------------------------- the catalogue

SURFACES: tuple[SurfaceSpec, ...] = tuple(
    sorted(BOWLS + CLASSICS + SADDLES_AND_WELLS, key=lambda spec: spec.id)
)

_BY_NAME: dict[str, SurfaceSpec] = {spec.name: spec for spec in SURFACES}


def __getattr__(name: str) -> Any:
    """``surfaces.<row name>`` is that row's function (PEP 562): every surface function stays
    importable from here without an import line per surface."""
    spec = _BY_NAME.get(name)
    if spec is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return spec.fn


# ---------------------------------------------------------------- dispatch built from the rows


def _dispatch_table(rows: tuple[SurfaceSpec, ...]) -> tuple[tuple[int, Any], ...]:
    """((id, fn), ...) in row order, the table ``switch`` builds the dispatchers from."""
    for spec in rows:
        if spec.fn is None:
            raise RuntimeError(f"surface row {spec.name!r} has no fn (its @njit function)")
    return tuple((spec.id, spec.fn) for spec in rows)


_TABLE = _dispatch_table(SURFACES)


def catalogue_table() -> tuple[tuple[int, Any], ...]:
    """((id, fn), ...) of the catalogue rows, for switches built elsewhere (``lanes``)."""
    return _TABLE


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False, inline="always")
def _value_or_gap(v: float, nan_undefined: bool) -> float:
    """v, or NaN where v is not finite and ``nan_undefined``.

    v * 0.0 is a zero of v's sign for a finite v, so v + v * 0.0 is v exactly
    (signed zeros too), and NaN for inf or NaN: two vector operations, where a
    compare-and-select took three (measured 35 -> 32 us for a 400 x 400 grid).
    """
    return v + v * 0.0 if nan_undefined else v


# The three dispatchers' switches on the catalogue's ids, built from the rows (see ``switch``).
_eval_switch = switch.make_eval(_TABLE)
_block_switch = switch.make_eval_block(_TABLE)
_row_switch = switch.make_values_row(_TABLE, _value_or_gap)


# ---------------------------------------------------------------- dispatch


# _nrt=False: this dispatcher never allocates, and without reference counting
# the calls that pass arrays on skip atomic incref/decref pairs (measured: 24 ns
# -> 11 ns per evaluation of Himmelblau). error_model="numpy": a division by
# zero gives inf/NaN, which the kernels' divergence checks handle, instead of
# raising inside a kernel.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def surface_eval(
    sid: int,
    x: float,
    y: float,
    p: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    stack: np.ndarray,
) -> tuple[float, float, float]:
    """Value and gradient of surface ``sid`` at (x, y).

    ``code`` (int64), ``consts`` (float64) and ``stack`` (float64, (depth, 3))
    are only read for ``EXPRESSION_ID``; catalogue surfaces get empty arrays.
    """
    if sid == EXPRESSION_ID:
        return program_eval(code, consts, x, y, stack)
    return catalogue_eval(sid, x, y, p)


# _nrt=False, as above.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_eval(sid: int, x: float, y: float, p: np.ndarray) -> tuple[float, float, float]:
    """``surface_eval`` for the catalogue surfaces, without the typed-formula evaluator.

    Kernels that run a catalogue surface call this (and a typed formula's
    kernels ``program.program_eval``), so neither compiles the other's code.
    One branch per row of ``SURFACES`` (``_eval_switch``, from ``_TABLE``). Unknown
    ids give NaN.
    """
    return _eval_switch(sid, x, y, p)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def surface_eval_block(
    sid: int,
    theta: np.ndarray,
    n: int,
    p: np.ndarray,
    code: np.ndarray,
    consts: np.ndarray,
    stack: np.ndarray,
    values: np.ndarray,
    grad: np.ndarray,
) -> None:
    """Value and gradient of surface ``sid`` at n points at once.

    ``theta`` (2n,) holds the x of every point, then every y; ``values`` (n,)
    receives f and ``grad`` (2n,) the gradient in the same layout. A typed
    formula runs ``program_eval_block``, a catalogue surface
    ``catalogue_eval_block``; per point the arithmetic is exactly
    ``surface_eval``'s.
    """
    if sid == EXPRESSION_ID:
        program_eval_block(code, consts, theta, n, values, grad, stack)
    else:
        catalogue_eval_block(sid, theta, n, p, values, grad)


@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_eval_block(
    sid: int, theta: np.ndarray, n: int, p: np.ndarray, values: np.ndarray, grad: np.ndarray
) -> None:
    """``surface_eval_block`` for the catalogue surfaces, without the typed-formula evaluator.

    The dispatch happens once, outside a tight loop over points (each row's
    case of ``_block_switch`` is one loop), so LLVM can vectorise each
    surface's loop (a sweep's blocked layout depends on it). Kernels that never
    see a typed formula in block form (a trajectory's Polyak average) call this
    and do not compile the block interpreter. Unknown ids give NaN.
    """
    _block_switch(sid, theta, n, p, values, grad)


# _nrt=False, as above.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def catalogue_values_row(
    sid: int, xs: np.ndarray, y: float, p: np.ndarray, nan_undefined: bool, row: np.ndarray
) -> None:
    """row[i] = f(xs[i], y) for the catalogue surface ``sid``: values only, one row of a grid.

    ``xs`` and ``row`` (n,); with ``nan_undefined`` a non-finite value (an
    overflow to inf, NaN) is stored as NaN (a gap in a contour plot), else as
    it is. Each branch (``_eval_switch``, from ``_TABLE``) is one loop whose body is the surface's
    scalar function with only its value kept: numba inlines the small function,
    LLVM drops the unused gradient, computes the terms of y alone once per row
    and vectorises the loop (SIMD, several points per instruction). The
    arithmetic per point is exactly ``catalogue_eval``'s, so the values agree
    bit for bit. Dispatched once per row, not per point: a switch inside the
    loop keeps LLVM from vectorising it (measured ~20x slower). The gap test
    sits in the same loop, not a second pass over the row (that pass cost half
    as much again as the values). Unknown ids give NaN.
    """
    _row_switch(sid, xs, y, p, nan_undefined, row)
