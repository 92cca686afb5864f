"""Compute-core timings, losscape side by side with numpy, pure Python and torch.optim.

Run: ``python benchmarks/bench_core.py`` (add ``--quick`` for fewer repeats).
Prints medians; the "vs losscape" column is how many times slower the peer is.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from numba import njit

import losscape
from _floor_checked import floor_adam_lanes_checked, floor_momentum_lanes_checked
from _timing import median_time, print_table
from losscape.numerics import kernels
from losscape.numerics.registry import optimizer_spec, param_vector
from losscape.service import resolve_surface

# --------------------------------------------------------------------------- floors
# Minimal hand-written numba loops doing the same work with nothing else: no
# validation, no stop rules, no recording. What losscape could at best reach.


@njit(cache=False, nogil=True, error_model="numpy")
def floor_adam_trajectory(steps: int, lr: float) -> tuple[float, float]:
    x, y = -1.5, 2.0
    mx = my = vx = vy = 0.0
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        r = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * r
        gy = 200.0 * r
        mx = b1 * mx + (1.0 - b1) * gx
        my = b1 * my + (1.0 - b1) * gy
        vx = b2 * vx + (1.0 - b2) * gx * gx
        vy = b2 * vy + (1.0 - b2) * gy * gy
        c1 = 1.0 - b1 ** float(t)
        c2 = math.sqrt(1.0 - b2 ** float(t))
        x -= lr / c1 * mx / (math.sqrt(vx) / c2 + eps)
        y -= lr / c1 * my / (math.sqrt(vy) / c2 + eps)
    return x, y


@njit(cache=False, nogil=True, error_model="numpy")
def floor_adam_trajectory_hoisted(
    steps: int, lr: float, c1: np.ndarray, c2: np.ndarray
) -> tuple[float, float]:
    """Adam on Rosenbrock as an expert writes it: the bias corrections hoisted into tables
    c1[t - 1] = 1 - b1^t and c2[t - 1] = sqrt(1 - b2^t), (steps,) each, made once (as the
    kernel's per-(b1, b2) table is), the step size lr / c1 a division off the latency
    chain. No recording, no stop rules, no schedule, no noise: what is left per step is
    Adam's own chain x -> g -> v -> sqrt -> / c2 -> + eps -> m / denom -> x."""
    x, y = -1.5, 2.0
    mx = my = vx = vy = 0.0
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(steps):
        r = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * r
        gy = 200.0 * r
        mx = b1 * mx + (1.0 - b1) * gx
        my = b1 * my + (1.0 - b1) * gy
        vx = b2 * vx + (1.0 - b2) * gx * gx
        vy = b2 * vy + (1.0 - b2) * gy * gy
        s = lr / c1[t]
        x -= s * mx / (math.sqrt(vx) / c2[t] + eps)
        y -= s * my / (math.sqrt(vy) / c2[t] + eps)
    return x, y


def adam_bias_rows(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(1 - 0.9^t, sqrt(1 - 0.999^t)) for t = 1 .. steps: the hoisted floor's tables."""
    t = np.arange(1, steps + 1, dtype=np.float64)
    return 1.0 - 0.9**t, np.sqrt(1.0 - 0.999**t)


# The lane floors keep each block's lanes in block-local arrays indexed by the loop
# variable alone: an index such as ``lo + i`` may be negative as far as LLVM knows, so
# numba's wraparound check stays in the loop and the loop is not vectorised (that
# version measured 3.6x (lr x momentum) and 5x (basin map) slower than these).
FLOOR_BLOCK = 256


@njit(cache=False, nogil=True, error_model="numpy")
def floor_adam_lanes(lrs: np.ndarray, steps: int, out: np.ndarray) -> None:
    """Adam on Rosenbrock, one lane per lr, blocks of FLOOR_BLOCK lanes in lockstep."""
    n_all = lrs.shape[0]
    b1, b2, eps = 0.9, 0.999, 1e-8
    x, y = np.empty(FLOOR_BLOCK), np.empty(FLOOR_BLOCK)
    mx, my = np.empty(FLOOR_BLOCK), np.empty(FLOOR_BLOCK)
    vx, vy = np.empty(FLOOR_BLOCK), np.empty(FLOOR_BLOCK)
    for lo in range(0, n_all, FLOOR_BLOCK):
        n = min(FLOOR_BLOCK, n_all - lo)
        lr = lrs[lo : lo + n]
        for i in range(n):
            x[i], y[i], mx[i], my[i], vx[i], vy[i] = -1.5, 2.0, 0.0, 0.0, 0.0, 0.0
        for t in range(1, steps + 1):
            c1 = 1.0 - b1 ** float(t)
            c2 = math.sqrt(1.0 - b2 ** float(t))
            for i in range(n):
                xi, yi = x[i], y[i]
                r = yi - xi * xi
                gx = -2.0 * (1.0 - xi) - 400.0 * xi * r
                gy = 200.0 * r
                a = b1 * mx[i] + (1.0 - b1) * gx
                b = b1 * my[i] + (1.0 - b1) * gy
                c = b2 * vx[i] + (1.0 - b2) * gx * gx
                d = b2 * vy[i] + (1.0 - b2) * gy * gy
                mx[i], my[i], vx[i], vy[i] = a, b, c, d
                s = lr[i] / c1
                x[i] = xi - s * a / (math.sqrt(c) / c2 + eps)
                y[i] = yi - s * b / (math.sqrt(d) / c2 + eps)
        for i in range(n):
            out[lo + i, 0] = x[i]
            out[lo + i, 1] = y[i]


@njit(cache=False, nogil=True, error_model="numpy")
def floor_momentum_lanes(
    starts: np.ndarray, lrs: np.ndarray, mus: np.ndarray, steps: int, himmelblau: bool,
    out: np.ndarray,
) -> None:  # fmt: skip
    """SGD momentum (torch form), per-lane start, lr and mu, blocks of FLOOR_BLOCK lanes."""
    n_all = lrs.shape[0]
    x, y = np.empty(FLOOR_BLOCK), np.empty(FLOOR_BLOCK)
    bx, by = np.empty(FLOOR_BLOCK), np.empty(FLOOR_BLOCK)
    for lo in range(0, n_all, FLOOR_BLOCK):
        n = min(FLOOR_BLOCK, n_all - lo)
        lr = lrs[lo : lo + n]
        mu = mus[lo : lo + n]
        for i in range(n):
            x[i], y[i], bx[i], by[i] = starts[lo + i, 0], starts[lo + i, 1], 0.0, 0.0
        for t in range(steps):
            first = t == 0
            for i in range(n):
                xi, yi = x[i], y[i]
                if himmelblau:  # loop-invariant: LLVM unswitches it
                    a = xi * xi + yi - 11.0
                    b = xi + yi * yi - 7.0
                    gx = 4.0 * xi * a + 2.0 * b
                    gy = 2.0 * a + 4.0 * yi * b
                else:
                    r = yi - xi * xi
                    gx = -2.0 * (1.0 - xi) - 400.0 * xi * r
                    gy = 200.0 * r
                nbx = gx if first else mu[i] * bx[i] + gx
                nby = gy if first else mu[i] * by[i] + gy
                bx[i], by[i] = nbx, nby
                x[i] = xi - lr[i] * nbx
                y[i] = yi - lr[i] * nby
        for i in range(n):
            out[lo + i, 0] = x[i]
            out[lo + i, 1] = y[i]


@njit(cache=False, nogil=True, error_model="numpy")
def floor_grid(xs: np.ndarray, ys: np.ndarray, out: np.ndarray) -> None:
    for j in range(ys.shape[0]):
        y = ys[j]
        for i in range(xs.shape[0]):
            x = xs[i]
            out[j, i] = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


# --------------------------------------------------------------------------- peers
def rosenbrock_grad_py(x: float, y: float) -> tuple[float, float, float]:
    r = y - x * x
    return (1 - x) ** 2 + 100 * r * r, -2 * (1 - x) - 400 * x * r, 200 * r


def adam_pure_python(steps: int, lr: float) -> tuple[float, float]:
    x, y = -1.5, 2.0
    mx = my = vx = vy = 0.0
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        _, gx, gy = rosenbrock_grad_py(x, y)
        mx = b1 * mx + (1 - b1) * gx
        my = b1 * my + (1 - b1) * gy
        vx = b2 * vx + (1 - b2) * gx * gx
        vy = b2 * vy + (1 - b2) * gy * gy
        c1, c2 = 1 - b1**t, math.sqrt(1 - b2**t)
        x -= lr / c1 * mx / (math.sqrt(vx) / c2 + eps)
        y -= lr / c1 * my / (math.sqrt(vy) / c2 + eps)
    return x, y


def adam_numpy(steps: int, lr: float, theta: np.ndarray) -> np.ndarray:
    """Adam on Rosenbrock for a batch of parameter rows theta (R, 2), or one row per step."""
    theta = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    lr = np.asarray(lr)
    for t in range(1, steps + 1):
        x, y = theta[..., 0], theta[..., 1]
        r = y - x * x
        g = np.stack([-2 * (1 - x) - 400 * x * r, 200 * r], axis=-1)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= (lr / (1 - b1**t))[..., None] * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)
    return theta


def adam_torch(steps: int, lr: float):
    import torch

    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
    return p


def himmelblau_momentum_numpy(starts: np.ndarray, steps: int, lr: float, mu: float) -> np.ndarray:
    theta = starts.copy()
    buf = np.zeros_like(theta)
    for t in range(steps):
        x, y = theta[:, 0], theta[:, 1]
        a = x * x + y - 11
        b = x + y * y - 7
        g = np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=1)
        buf = g if t == 0 else mu * buf + g
        theta -= lr * buf
    return theta


def rosenbrock_grid_numpy(n: int) -> np.ndarray:
    xs = np.linspace(-2, 2, n)
    ys = np.linspace(-1, 3, n)
    x, y = np.meshgrid(xs, ys)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


# --------------------------------------------------------------------------- cases
FLOOR = "floor: hand-written numba"
# The maps' second floor: the same outputs as the map (final loss, steps taken, the stop
# rules at every step), see _floor_checked.py.
FLOOR_CHECKED = "floor: numba, same outputs"
# The trajectory's two floors: corrections from a per-run table (as the kernel reads
# them), and the older loop that calls pow twice per step (slower than the kernel now).
FLOOR_HOISTED = "floor: numba, table"
FLOOR_POW = "floor: numba, 2 pow/step"
CPU = ", CPU time"


def cpu_median(fn, repeats: int) -> float:
    """Median thread CPU time of ``fn()``: on a busy 2-core machine wall times of the
    sweeps swing 3 to 5 times above it, CPU time of a serial call much less."""
    fn()  # warm-up (numba compile, caches)
    samples = []
    for _ in range(repeats):
        t0 = time.thread_time()
        fn()
        samples.append(time.thread_time() - t0)
    return statistics.median(samples)


def bench_trajectory(repeats: int) -> list:
    steps, lr = 1000, 0.02
    t_ls = median_time(
        lambda: losscape.trajectory("rosenbrock", "adam", start=(-1.5, 2.0), steps=steps, lr=lr),
        repeats=repeats,
    )
    surf = resolve_surface("rosenbrock")
    spec = optimizer_spec("adam")
    hp = param_vector(spec.hyperparams, None, "adam")
    box, box_status = surf.stop_box()
    xy, loss, lrs = np.empty((steps + 1, 2)), np.empty(steps + 1), np.empty(steps)
    avg_xy, avg_loss, end = np.empty((steps + 1, 2)), np.empty(steps + 1), np.empty(3)

    def raw() -> None:  # the kernel as the API calls it: path, lrs, Polyak average, end point
        kernels.run_trajectory(
            *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), lr, -1.5, 2.0, steps, 0.0, 0,
            1e-10, box, box_status, xy, loss, lrs, avg_xy, avg_loss, end,
        )  # fmt: skip

    c1, c2 = adam_bias_rows(steps)
    case = "Adam trajectory, 1000 steps"
    rows = [
        (case, "losscape.trajectory", t_ls, t_ls),
        (case, "losscape kernel alone", median_time(raw, repeats=repeats), t_ls),
        (case, FLOOR_HOISTED,
         median_time(lambda: floor_adam_trajectory_hoisted(steps, lr, c1, c2), repeats=repeats),
         t_ls),
        (case, FLOOR_POW,
         median_time(lambda: floor_adam_trajectory(steps, lr), repeats=repeats), t_ls),
        (case, "pure Python loop", median_time(lambda: adam_pure_python(steps, lr), repeats=3),
         t_ls),
        (case, "numpy per step",
         median_time(lambda: adam_numpy(steps, lr, np.array([-1.5, 2.0])), repeats=3), t_ls),
    ]  # fmt: skip
    try:
        import torch

        # One thread each: a 2-vector step gains nothing from more, and on a busy
        # 2-core machine extra threads only contend.
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        rows.append(
            (case, "torch.optim.Adam", median_time(lambda: adam_torch(steps, lr), repeats=3), t_ls)
        )
    except (ImportError, RuntimeError):
        pass
    return rows


def bench_basins(repeats: int) -> list:
    g, steps, lr, mu = 256, 500, 0.002, 0.9
    case = "basin map 256x256 x 500, momentum"
    args = dict(lr=lr, steps=steps, resolution=g, momentum=mu, tol=0.0)
    t_ser = median_time(
        lambda: losscape.basins("himmelblau", "momentum", **args), repeats=repeats, min_time=0
    )
    t_par = median_time(
        lambda: losscape.basins("himmelblau", "momentum", parallel=True, **args),
        repeats=repeats,
        min_time=0,
    )
    xs = np.linspace(-5, 5, g)
    mx, my = np.meshgrid(xs, xs)
    starts = np.column_stack([mx.ravel(), my.ravel()])
    out = np.empty_like(starts)
    lrs, mus = np.full(g * g, lr), np.full(g * g, mu)
    t_floor = median_time(
        lambda: floor_momentum_lanes(starts, lrs, mus, steps, True, out), repeats=repeats,
        min_time=0,
    )  # fmt: skip
    t_np = median_time(
        lambda: himmelblau_momentum_numpy(starts, steps, lr, mu), repeats=3, min_time=0
    )
    c_ser = cpu_median(lambda: losscape.basins("himmelblau", "momentum", **args), repeats)
    c_floor = cpu_median(lambda: floor_momentum_lanes(starts, lrs, mus, steps, True, out), repeats)
    checked = _checked_floor(starts, lrs, mus, steps, "himmelblau", repeats)
    res = losscape.basins("himmelblau", "momentum", **args)
    _same_outputs(checked[2], res.final_loss.ravel(), res.steps.ravel(), case)
    return [
        (case, "losscape, serial (web)", t_ser, t_ser),
        (case, "losscape, parallel (CLI)", t_par, t_ser),
        (case, FLOOR, t_floor, t_ser),
        (case, FLOOR_CHECKED, checked[0], t_ser),
        (case, "numpy, vectorised over starts", t_np, t_ser),
        (case, "losscape, serial" + CPU, c_ser, c_ser),
        (case, "floor" + CPU, c_floor, c_ser),
        (case, "floor, same outputs" + CPU, checked[1], c_ser),
    ]


def _checked_floor(
    starts: np.ndarray, lrs: np.ndarray, mus: np.ndarray, steps: int, surface: str, repeats: int
) -> tuple[float, float, tuple]:
    """(wall median, CPU median, (finals, taken)) of the same-outputs floor with tol 0
    (no convergence test: limit -1) and the surface's stop box."""
    box, _ = resolve_surface(surface).stop_box()
    r = lrs.shape[0]
    finals, taken = np.empty((r, 3)), np.empty(r)
    hb = surface == "himmelblau"

    def run() -> None:
        floor_momentum_lanes_checked(starts, lrs, mus, steps, hb, -1.0, box, finals, taken)

    wall = median_time(run, repeats=repeats, min_time=0)
    return wall, cpu_median(run, repeats), (finals, taken)


def _same_outputs(floor_out: tuple, final_loss: np.ndarray, taken: np.ndarray, case: str) -> None:
    """The same-outputs floor must answer what losscape answers (final loss where the run did
    not diverge, steps taken): else it is not a floor for the same work."""
    finals, steps = floor_out
    ok = np.isfinite(final_loss)
    same_steps = np.array_equal(steps.astype(np.int64), np.asarray(taken, dtype=np.int64))
    close = np.allclose(finals[ok, 2], final_loss[ok], rtol=1e-9, atol=1e-12)
    if not (same_steps and close):
        raise SystemExit(f"{case}: the same-outputs floor disagrees with losscape")


def bench_lr_sweep(repeats: int) -> list:
    n, steps = 1000, 1000
    case = "lr sweep 1000 lrs x 1000, Adam"
    args = dict(start=(-1.5, 2.0), steps=steps, lr_min=1e-4, lr_max=1.0, count=n, tol=0.0)
    t_ser = median_time(
        lambda: losscape.lr_sweep("rosenbrock", "adam", **args), repeats=repeats, min_time=0
    )
    t_par = median_time(
        lambda: losscape.lr_sweep("rosenbrock", "adam", parallel=True, **args),
        repeats=repeats,
        min_time=0,
    )
    lrs = np.geomspace(1e-4, 1.0, n)
    out = np.empty((n, 2))
    t_floor = median_time(lambda: floor_adam_lanes(lrs, steps, out), repeats=repeats, min_time=0)
    starts = np.tile([-1.5, 2.0], (n, 1))
    with np.errstate(all="ignore"):
        t_np = median_time(lambda: adam_numpy(steps, lrs, starts), repeats=3, min_time=0)
    c_ser = cpu_median(lambda: losscape.lr_sweep("rosenbrock", "adam", **args), repeats)
    c_floor = cpu_median(lambda: floor_adam_lanes(lrs, steps, out), repeats)
    # The same-outputs floor: each lr's last accepted loss, its best loss and steps taken,
    # under the stop rules, checked against losscape's answers before it is timed.
    box, _ = resolve_surface("rosenbrock").stop_box()
    finals, best, taken = np.empty((n, 3)), np.empty(n), np.empty(n)

    def checked() -> None:
        floor_adam_lanes_checked(-1.5, 2.0, lrs, steps, -1.0, box, finals, best, taken)

    t_checked = median_time(checked, repeats=repeats, min_time=0)
    c_checked = cpu_median(checked, repeats)
    res = losscape.lr_sweep("rosenbrock", "adam", **args)
    np.testing.assert_allclose(res.lrs, lrs, rtol=1e-15)
    _same_outputs((finals, taken), res.final_loss, np.where(res.stopped_at < 0, steps, -1), case)
    ok = np.isfinite(res.best_loss)
    if not np.allclose(best[ok], res.best_loss[ok], rtol=1e-9, atol=1e-12):
        raise SystemExit(f"{case}: the same-outputs floor's best losses disagree with losscape")
    return [
        (case, "losscape, serial (web)", t_ser, t_ser),
        (case, "losscape, parallel (CLI)", t_par, t_ser),
        (case, FLOOR, t_floor, t_ser),
        (case, FLOOR_CHECKED, t_checked, t_ser),
        (case, "numpy, vectorised over lrs", t_np, t_ser),
        (case, "losscape, serial" + CPU, c_ser, c_ser),
        (case, "floor" + CPU, c_floor, c_ser),
        (case, "floor, same outputs" + CPU, c_checked, c_ser),
    ]


def bench_lr_momentum(repeats: int) -> list:
    side, steps = 100, 1000
    case = "lr x momentum map 100x100 x 1000"
    args = dict(
        start=(-1.5, 2.0), steps=steps, lr_min=1e-5, lr_max=1e-3, lr_count=side,
        momentum_min=0.0, momentum_max=0.99, momentum_count=side, tol=0.0,
    )  # fmt: skip
    t_ser = median_time(
        lambda: losscape.lr_momentum_map("rosenbrock", "momentum", **args),
        repeats=repeats,
        min_time=0,
    )
    mm, ll = np.meshgrid(
        np.linspace(0.0, 0.99, side), np.geomspace(1e-5, 1e-3, side), indexing="ij"
    )
    mus, lrs = mm.ravel().copy(), ll.ravel().copy()
    starts = np.tile([-1.5, 2.0], (side * side, 1))
    out = np.empty_like(starts)
    t_floor = median_time(
        lambda: floor_momentum_lanes(starts, lrs, mus, steps, False, out), repeats=repeats,
        min_time=0,
    )  # fmt: skip

    def numpy_map() -> np.ndarray:
        theta = starts.copy()
        buf = np.zeros_like(theta)
        for t in range(steps):
            x, y = theta[:, 0], theta[:, 1]
            r = y - x * x
            g = np.stack([-2 * (1 - x) - 400 * x * r, 200 * r], axis=1)
            buf = g if t == 0 else mus[:, None] * buf + g
            theta -= lrs[:, None] * buf
        return theta

    with np.errstate(all="ignore"):
        t_np = median_time(numpy_map, repeats=3, min_time=0)
    c_ser = cpu_median(lambda: losscape.lr_momentum_map("rosenbrock", "momentum", **args), repeats)
    c_floor = cpu_median(lambda: floor_momentum_lanes(starts, lrs, mus, steps, False, out), repeats)
    checked = _checked_floor(starts, lrs, mus, steps, "rosenbrock", repeats)
    res = losscape.lr_momentum_map("rosenbrock", "momentum", **args)
    taken = np.where(np.array(res.status).ravel() == "done", steps, -1)
    _same_outputs(checked[2], res.final_loss.ravel(), taken, case)
    return [
        (case, "losscape, serial (web)", t_ser, t_ser),
        (case, FLOOR, t_floor, t_ser),
        (case, FLOOR_CHECKED, checked[0], t_ser),
        (case, "numpy, vectorised over pairs", t_np, t_ser),
        (case, "losscape, serial" + CPU, c_ser, c_ser),
        (case, "floor" + CPU, c_floor, c_ser),
        (case, "floor, same outputs" + CPU, checked[1], c_ser),
    ]


def bench_grid(repeats: int) -> list:
    case = "contour grid 400x400, Rosenbrock"
    t_ls = median_time(lambda: losscape.grid("rosenbrock", resolution=400), repeats=repeats)
    xs, ys = np.linspace(-2, 2, 400), np.linspace(-1, 3, 400)
    out = np.empty((400, 400))
    surf = resolve_surface("rosenbrock")

    def raw() -> None:  # the kernel as the API calls it: undefined values become NaN
        kernels.grid_values(*surf.kernel_args(), xs, ys, out, True)

    def api() -> None:
        losscape.grid("rosenbrock", resolution=400)

    def floor() -> None:
        floor_grid(xs, ys, out)

    c_ls = cpu_median(api, 25 * repeats)  # one call is ~40 us: more samples, the same time
    return [
        (case, "losscape.grid", t_ls, t_ls),
        (case, "losscape kernel alone", median_time(raw, repeats=repeats), t_ls),
        (case, FLOOR, median_time(floor, repeats=repeats), t_ls),
        (case, "numpy meshgrid", median_time(lambda: rosenbrock_grid_numpy(400), repeats=repeats),
         t_ls),
        (case, "losscape.grid" + CPU, c_ls, c_ls),
        (case, "kernel alone" + CPU, cpu_median(raw, 25 * repeats), c_ls),
        (case, "floor" + CPU, cpu_median(floor, 25 * repeats), c_ls),
    ]  # fmt: skip


def bench_cold_start() -> list:
    """First ``losscape run`` and first ``losscape serve`` (to its ready line) on an empty cache."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("LOSSCAPE_NUMBA_BASE", "NUMBA_CACHE_DIR")
    }
    run_cmd = [sys.executable, "-m", "losscape", "run", "rosenbrock", "adam", "--steps", "1000"]
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env["LOSSCAPE_NUMBA_BASE"] = cache  # empty: the first run compiles what it needs

        def run() -> float:
            t0 = time.perf_counter()
            subprocess.run(run_cmd, env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        cold = run()  # empty cache: compiles and writes the cache
        warm = sorted(run() for _ in range(3))[1]
    case = "first `losscape run` (process)"
    rows.append((case, "numba cache warm", warm, warm))
    rows.append((case, "numba cache empty", cold, warm))
    with tempfile.TemporaryDirectory() as cache:
        env["LOSSCAPE_NUMBA_BASE"] = cache
        port = 8600 + os.getpid() % 300
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "losscape", "serve", "--port", str(port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        ready = drawn = math.nan
        try:
            for line in proc.stdout:  # type: ignore[union-attr]
                print(f"  {time.perf_counter() - t0:5.1f} s  {line}", end="", file=sys.stderr)
                if "losscape: ready" in line:
                    ready = time.perf_counter() - t0
                    break
            if not math.isnan(ready):
                _first_scene_answers(f"http://127.0.0.1:{port}")
                drawn = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    rows.append(("first `losscape serve`, to ready", "numba cache empty", ready, warm))
    rows.append(("first `losscape serve`, first scene answered", "numba cache empty", drawn, warm))
    return rows


def _first_scene_answers(url: str) -> None:
    """The requests the page sends for its first scene: the contour grid and the runs."""
    import json
    import urllib.request

    from losscape import warmup

    _, surface, runs = warmup._first_scene()
    bodies = {
        "/api/grid": {"surface": {"name": surface}, "resolution": 151},
        "/api/trajectories": {
            "surface": {"name": surface},
            "steps": 300,
            "runs": [{k: r[k] for k in ("optimizer", "lr", "hyperparams", "start")} for r in runs],
        },
    }
    for path, body in bodies.items():
        request = urllib.request.Request(
            url + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--only", choices=["trajectory", "basins", "lr", "lrm", "grid", "cold"], default=None
    )
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    cases = {
        "trajectory": lambda: bench_trajectory(repeats),
        "basins": lambda: bench_basins(repeats),
        "lr": lambda: bench_lr_sweep(repeats),
        "lrm": lambda: bench_lr_momentum(repeats),
        "grid": lambda: bench_grid(repeats),
        "cold": bench_cold_start,
    }
    rows = []
    for name, fn in cases.items():
        if args.only in (None, name):
            rows.extend(fn())
    print_table(f"losscape compute core ({os.cpu_count()} cores), medians", rows)


if __name__ == "__main__":
    main()
