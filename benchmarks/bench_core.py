"""Compute-core timings, losscape side by side with numpy, pure Python and torch.optim.

Run: ``python benchmarks/bench_core.py`` (add ``--quick`` for fewer repeats).
Prints medians; the "vs losscape" column is how many times slower the peer is.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import losscape
from _timing import median_time, print_table
from losscape.numerics.registry import optimizer_spec, param_vector
from losscape.service import resolve_surface


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
def bench_trajectory(repeats: int) -> list:
    steps, lr = 1000, 0.02
    rows = []
    t_ls = median_time(
        lambda: losscape.trajectory("rosenbrock", "adam", start=(-1.5, 2.0), steps=steps, lr=lr),
        repeats=repeats,
    )
    surf = resolve_surface("rosenbrock")
    spec = optimizer_spec("adam")
    hp = param_vector(spec.hyperparams, None, "adam")
    box, box_status = surf.stop_box()
    path, lrs = np.empty((steps + 1, 3)), np.empty(steps)
    from losscape.numerics import kernels

    def raw() -> None:
        kernels.trajectory(
            *surf.kernel_args(), spec.id, hp, 0, np.zeros(1), lr, -1.5, 2.0, steps, 0.0, 0,
            1e-10, box, box_status, path, lrs,
        )  # fmt: skip

    t_raw = median_time(raw, repeats=repeats)
    case = "Adam trajectory, 1000 steps"
    rows.append((case, "losscape.trajectory", t_ls, t_ls))
    rows.append((case, "losscape kernel alone", t_raw, t_ls))
    rows.append(
        (
            case,
            "pure Python loop",
            median_time(lambda: adam_pure_python(steps, lr), repeats=3),
            t_ls,
        )
    )
    rows.append(
        (
            case,
            "numpy per step",
            median_time(lambda: adam_numpy(steps, lr, np.array([-1.5, 2.0])), repeats=3),
            t_ls,
        )
    )
    try:
        import torch

        # One thread each: a 2-vector step gains nothing from more, and on a busy
        # 2-core machine extra threads only contend.
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        rows.append(
            (case, "torch.optim.Adam", median_time(lambda: adam_torch(steps, lr), repeats=3), t_ls)
        )
    except ImportError:
        pass
    return rows


def bench_basins(repeats: int) -> list:
    g, steps, lr, mu = 256, 500, 0.002, 0.9
    case = "basin map 256x256 x 500, momentum"
    args = dict(lr=lr, steps=steps, resolution=g, momentum=mu, tol=0.0)
    t_par = median_time(
        lambda: losscape.basins("himmelblau", "momentum", parallel=True, **args),
        repeats=repeats,
        min_time=0,
    )
    t_ser = median_time(
        lambda: losscape.basins("himmelblau", "momentum", **args), repeats=repeats, min_time=0
    )
    xs = np.linspace(-5, 5, g)
    mx, my = np.meshgrid(xs, xs)
    starts = np.column_stack([mx.ravel(), my.ravel()])
    t_np = median_time(
        lambda: himmelblau_momentum_numpy(starts, steps, lr, mu), repeats=3, min_time=0
    )
    return [
        (case, "losscape, serial (web)", t_ser, t_ser),
        (case, "losscape, parallel (CLI)", t_par, t_ser),
        (case, "numpy, vectorised over starts", t_np, t_ser),
    ]


def bench_lr_sweep(repeats: int) -> list:
    n, steps = 1000, 1000
    case = "lr sweep 1000 lrs x 1000, Adam"
    args = dict(start=(-1.5, 2.0), steps=steps, lr_min=1e-4, lr_max=1.0, count=n, tol=0.0)
    t_par = median_time(
        lambda: losscape.lr_sweep("rosenbrock", "adam", parallel=True, **args),
        repeats=repeats,
        min_time=0,
    )
    t_ser = median_time(
        lambda: losscape.lr_sweep("rosenbrock", "adam", **args), repeats=repeats, min_time=0
    )
    lrs = np.geomspace(1e-4, 1.0, n)
    starts = np.tile([-1.5, 2.0], (n, 1))
    with np.errstate(all="ignore"):
        t_np = median_time(lambda: adam_numpy(steps, lrs, starts), repeats=3, min_time=0)
    return [
        (case, "losscape, serial (web)", t_ser, t_ser),
        (case, "losscape, parallel (CLI)", t_par, t_ser),
        (case, "numpy, vectorised over lrs", t_np, t_ser),
    ]


def bench_grid(repeats: int) -> list:
    case = "contour grid 400x400, Rosenbrock"
    t_ls = median_time(lambda: losscape.grid("rosenbrock", resolution=400), repeats=repeats)
    t_np = median_time(lambda: rosenbrock_grid_numpy(400), repeats=repeats)
    return [(case, "losscape.grid", t_ls, t_ls), (case, "numpy meshgrid", t_np, t_ls)]


def bench_cold_start() -> list:
    code = (
        "import time; t0 = time.perf_counter(); import losscape; "
        "losscape.trajectory('rosenbrock', 'adam', steps=1000, lr=0.02); "
        "print(time.perf_counter() - t0)"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("LOSSCAPE_NUMBA_BASE", "NUMBA_CACHE_DIR")
    }
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache  # an empty base: the first run compiles everything it needs

        def run() -> float:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
            return time.perf_counter() - t0

        cold = run()  # empty cache: compiles and writes the cache
        warm = sorted(run() for _ in range(3))[1]
    case = "process start to first trajectory"
    rows.append((case, "numba cache warm", warm, warm))
    rows.append((case, "numba cache empty", cold, warm))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--only", choices=["trajectory", "basins", "lr", "grid", "cold"], default=None
    )
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    cases = {
        "trajectory": lambda: bench_trajectory(repeats),
        "basins": lambda: bench_basins(repeats),
        "lr": lambda: bench_lr_sweep(repeats),
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
