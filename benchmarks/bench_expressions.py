"""Typed-in formulas vs the catalogue's compiled surface, side by side.

Run: ``PYTHONPATH=backend python benchmarks/bench_expressions.py`` (``--quick``
for fewer repeats). The typed formula is ``(1-x)**2 + 100*(y-x**2)**2``, run by
the stack-program evaluator; the peer is the catalogue's ``rosenbrock``, an
``@njit`` function. The two are timed in alternation (one sample of each per
repeat) so that load on a shared machine hits both alike; the table prints the
median of each and "vs compiled" = the median of the per-repeat ratios typed /
compiled (the target is within 3x). Also times what a new formula costs before
its first run (parse, compile, critical-point search) and a cache hit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

import losscape
from _timing import fmt_time, median_time
from losscape import expressions
from losscape.numerics import kernels
from losscape.numerics.optimizers import OPTIMIZERS
from losscape.numerics.registry import optimizer_spec, param_vector
from losscape.service import resolve_surface

TYPED = {"expression": "(1-x)**2 + 100*(y-x**2)**2"}
START = (-1.5, 2.0)


def _sample(fn: Callable[[], object], min_time: float) -> float:
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return elapsed / n


def paired(
    compiled: Callable[[], object], typed: Callable[[], object], repeats: int
) -> tuple[float, float, float]:
    """Medians of alternating samples (compiled, typed) and the median per-repeat ratio."""
    compiled()
    typed()  # warm-up: numba compile, caches
    a, b = [], []
    for _ in range(repeats):
        a.append(_sample(compiled, 0.05))
        b.append(_sample(typed, 0.05))
    ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
    return statistics.median(a), statistics.median(b), ratio


def _optimizer() -> tuple[str, float]:
    """Adam at lr 0.02 when the registry has it, else plain gradient descent."""
    names = {o.name for o in OPTIMIZERS}
    return ("adam", 0.02) if "adam" in names else ("gd", 1e-3)


Row = tuple[str, str, float, float]


def bench_trajectory(repeats: int) -> list[Row]:
    steps = 1000
    name, lr = _optimizer()
    spec = optimizer_spec(name)
    hp = param_vector(spec.hyperparams, None, name)
    path, lrs = np.empty((steps + 1, 3)), np.empty(steps)
    kernel, api = {}, {}
    for label, surface in (("compiled", "rosenbrock"), ("typed", TYPED)):
        surf = resolve_surface(surface)
        box, box_status = surf.stop_box()

        def raw(surf=surf, box=box, box_status=box_status) -> None:
            kernels.trajectory(
                *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), lr, *START, steps, 0.0, 0,
                0.0, box, box_status, path, lrs, np.empty((0, 3)), np.empty(3),
            )  # fmt: skip

        kernel[label] = raw
        api[label] = lambda surface=surface: losscape.trajectory(
            surface, name, start=START, steps=steps, lr=lr, tol=0.0
        )
    case = f"{name} trajectory, {steps} steps"
    return _rows(case, kernel, api, repeats)


def _rows(case: str, kernel: dict, api: dict, repeats: int) -> list[Row]:
    rows = []
    for layer, fns in (("kernel", kernel), ("api", api)):
        tc, tt, ratio = paired(fns["compiled"], fns["typed"], repeats)
        rows.append((case, f"compiled, {layer}", tc, 1.0))
        rows.append((case, f"typed, {layer}", tt, ratio))
    return rows


def bench_grid(repeats: int) -> list[Row]:
    n = 400
    xs = np.linspace(-2.0, 2.0, n)
    ys = np.linspace(-1.0, 3.0, n)
    values = np.empty((n, n))
    kernel, api = {}, {}
    for label, surface in (("compiled", "rosenbrock"), ("typed", TYPED)):
        surf = resolve_surface(surface)
        kernel[label] = lambda surf=surf: kernels.grid_values(*surf.kernel_args(), xs, ys, values)
        api[label] = lambda surface=surface: losscape.grid(
            surface, view=[-2.0, 2.0, -1.0, 3.0], resolution=n
        )
    return _rows(f"grid {n}x{n}", kernel, api, repeats)


def bench_basins(repeats: int) -> list[Row]:
    """A basin map: lockstep sweeps evaluate a block of runs per step."""
    args = dict(lr=1e-3, steps=200, resolution=64, view=[-2.0, 2.0, -1.0, 3.0], tol=0.0)
    api = {
        label: (lambda surface=surface: losscape.basins(surface, "gd", **args))
        for label, surface in (("compiled", "rosenbrock"), ("typed", TYPED))
    }
    tc, tt, ratio = paired(api["compiled"], api["typed"], repeats)
    case = "basins 64x64 x 200, gd"
    return [(case, "compiled, api", tc, 1.0), (case, "typed, api", tt, ratio)]


def bench_new_formula(repeats: int) -> list[Row]:
    """A formula never seen before (a fresh constant each call) vs a cached one."""
    counter = iter(range(10**9))

    def fresh() -> None:
        k = next(counter)
        resolve_surface({"expression": f"(1-x)**2 + {100 + k * 1e-6!r}*(y-x**2)**2"})

    t_fresh = median_time(fresh, repeats=repeats, min_time=0.2)
    t_parse = median_time(
        lambda: expressions.compile_expression(f"(1-x)**2 + {100 + next(counter)}*(y-x**2)**2"),
        repeats=repeats,
    )
    t_hit = median_time(lambda: resolve_surface(TYPED), repeats=repeats)
    t_cat = median_time(lambda: resolve_surface("rosenbrock"), repeats=repeats)
    case = "resolve a surface"
    return [
        (case, "compiled (catalogue lookup)", t_cat, 1.0),
        (case, "typed, cached", t_hit, t_hit / t_cat),
        (case, "typed, new: parse + compile", t_parse, t_parse / t_cat),
        (case, "typed, new: + view, minima", t_fresh, t_fresh / t_cat),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    rows = (
        bench_trajectory(repeats)
        + bench_grid(repeats)
        + bench_basins(repeats)
        + bench_new_formula(repeats)
    )
    print(f"\ntyped-in formulas vs compiled surfaces ({os.cpu_count()} cores), medians")
    print(f"{'case':<30} {'implementation':<30} {'median':>12} {'vs compiled':>12}")
    print("-" * 88)
    for case, impl, t, ratio in rows:
        print(f"{case:<30} {impl:<30} {fmt_time(t):>12} {ratio:11.2f}x")


if __name__ == "__main__":
    main()
