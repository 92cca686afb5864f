"""Training a small MLP: losscape's numba kernels against torch and numpy, side by side.

A 2-16-16-1 tanh MLP, squared error, 1,000 points, 1,000 full-batch steps of
Adam (gradient descent until the core's registry has Adam), float64
everywhere, the same data and initial weights. Prints the median of
``--repeats`` timed runs after a warm-up ("vs losscape": how many times
slower the peer is).
Torch runs with 2 threads (the target machine's cores) and with 1 (the numba
kernel is serial; on a busy machine torch's spinning threads can lose badly).

    PYTHONPATH=backend python benchmarks/bench_networks.py [--repeats 5] [--steps 1000]
    PYTHONPATH=backend python benchmarks/bench_networks.py --only-default
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from _timing import median_time, print_table
from losscape import network_service as ns
from losscape.numerics.registry import OPTIMIZER_BY_NAME

DATASET = {"name": "moons", "params": {"n": 1000, "noise": 0.2}}
MODEL = {
    "name": "mlp",
    "params": {"hidden": [16, 16], "activation": "tanh", "loss": "squared_error"},
}
LR = 1e-3


def optimizer_name() -> str:
    return "adam" if "adam" in OPTIMIZER_BY_NAME else "gd"


def problem() -> ns.Problem:
    # Binary labels fitted by squared error: the benchmark times the arithmetic, not the task.
    data = ns.resolve_dataset(DATASET, validation=0.0)
    data = ns.ds.Dataset("bench", "regression", data.X, data.t, 1, data.train, data.validation)
    return ns.prepare(data, MODEL, validation=0.0)


def run_losscape(steps: int, opt: str) -> Callable[[], float]:
    data = problem().data

    def go() -> float:
        h = ns.train(data, MODEL, opt, lr=LR, steps=steps, record_every=steps, snapshots=False,
                     validation=0.0)  # fmt: skip
        return float(h.batch_loss[-1])  # the loss at the last step's theta, as the peers report

    return go


def numpy_step_fn(p: ns.Problem, opt: str) -> Callable[[np.ndarray, np.ndarray, int], float]:
    arch = p.model.arch
    X, T = p.X, p.T
    n = X.shape[0]

    def loss_grad(theta: np.ndarray, grad: np.ndarray) -> float:
        W1, b1 = arch.weight(theta, 0), arch.bias_of(theta, 0)
        W2, b2 = arch.weight(theta, 1), arch.bias_of(theta, 1)
        W3, b3 = arch.weight(theta, 2), arch.bias_of(theta, 2)
        h1 = np.tanh(X @ W1.T + b1)
        h2 = np.tanh(h1 @ W2.T + b2)
        y = h2 @ W3.T + b3
        r = y[:, 0] - T
        dy = (r / n)[:, None]
        d2 = (dy @ W3) * (1 - h2**2)
        d1 = (d2 @ W2) * (1 - h1**2)
        arch.weight(grad, 2)[:] = dy.T @ h2
        arch.bias_of(grad, 2)[:] = dy.sum(axis=0)
        arch.weight(grad, 1)[:] = d2.T @ h1
        arch.bias_of(grad, 1)[:] = d2.sum(axis=0)
        arch.weight(grad, 0)[:] = d1.T @ X
        arch.bias_of(grad, 0)[:] = d1.sum(axis=0)
        return float(0.5 * np.mean(r**2))

    return loss_grad


def run_numpy(steps: int, opt: str) -> Callable[[], float]:
    p = problem()
    theta0 = ns.mlp.initial_theta(p.model.arch, "xavier", 0)
    loss_grad = numpy_step_fn(p, opt)

    def go() -> float:
        theta = theta0.copy()
        grad = np.zeros_like(theta)
        m = np.zeros_like(theta)
        v = np.zeros_like(theta)
        loss = 0.0
        for t in range(1, steps + 1):
            loss = loss_grad(theta, grad)
            if opt == "adam":
                m = 0.9 * m + 0.1 * grad
                v = 0.999 * v + 0.001 * grad**2
                theta -= LR / (1 - 0.9**t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**t) + 1e-8)
            else:
                theta -= LR * grad
        return loss

    return go


def run_torch(steps: int, opt: str, threads: int) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    p = problem()
    arch = p.model.arch
    theta0 = ns.mlp.initial_theta(arch, "xavier", 0)
    X = torch.from_numpy(p.X)
    T = torch.from_numpy(p.T)[:, None]

    def go() -> float:
        torch.set_num_threads(threads)
        layers = [
            torch.nn.Linear(a, b).double()
            for a, b in zip(arch.widths, arch.widths[1:], strict=False)
        ]
        with torch.no_grad():
            for k, lin in enumerate(layers):
                lin.weight.copy_(torch.from_numpy(arch.weight(theta0, k)))
                lin.bias.copy_(torch.from_numpy(arch.bias_of(theta0, k)))
        net = torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2])
        o = (
            torch.optim.Adam(net.parameters(), lr=LR)
            if opt == "adam"
            else torch.optim.SGD(net.parameters(), lr=LR)
        )
        loss = torch.zeros(())
        for _ in range(steps):
            o.zero_grad()
            loss = 0.5 * ((net(X) - T) ** 2).mean()
            loss.backward()
            o.step()
        return float(loss.item())

    return go


def cpu_medians(fns: list[Callable[[], object]], rounds: int) -> list[float]:
    """Median CPU time of this thread per function, seconds, the calls interleaved.

    On a shared 2-core machine wall times swing with the other jobs; the thread's
    CPU time is what the issue's target counts, and calling the functions in
    turn (one each per round) lets them share whatever load there is.
    """
    samples: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            t0 = time.thread_time()
            fn()
            samples[k].append(time.thread_time() - t0)
    return [statistics.median(x) for x in samples]


def train_floor(call: Callable[[], object]) -> Callable[[], object]:
    """The hand-written floor (``_floor_train``) on the kernel's own inputs for ``call()``.

    Runs ``call`` once with ``train_steps`` wrapped to capture what it is given, checks
    that the floor's answers match losscape's (per-step losses and gradient norms, the
    records' losses and accuracy, the final weights), and returns the floor's call,
    its output arrays allocated per call as losscape's are.
    """
    from _floor_train import N_PARAMS, floor_train
    from losscape.networks import train as kernel
    from losscape.networks.activations import LOSS_BCE

    seen: list[tuple] = []
    inner = kernel.train_steps

    def spy(*args: object) -> object:
        seen.append(args)
        return inner(*args)

    kernel.train_steps = spy
    try:
        h = call()
    finally:
        kernel.train_steps = inner
    args = seen[0]
    layout, loss_id, theta, X, T, Xv, Tv, oid, hp = args[:9]
    kid, lr, steps, t0, t1, bs, seed, record_at = args[10], *args[12:18], args[20]
    assert len(seen) == 1 and (t0, t1) == (0, steps) and loss_id == LOSS_BCE and kid == 0
    assert oid == OPTIMIZER_BY_NAME["adam"].id
    assert layout.tolist()[0][:2] == [2, 16] and theta.shape == (N_PARAMS,)
    assert hp[3] == 0.0 and hp[4] == 0.0  # Adam, no weight decay, no amsgrad
    theta0 = np.asarray(h.initial_theta, dtype=float)
    r_cap = record_at.shape[0] + 1

    def floor() -> np.ndarray:
        out = [np.zeros(steps), np.zeros(steps), np.zeros(r_cap), np.zeros(r_cap), np.zeros(r_cap)]
        theta = floor_train(
            X, T, Xv, Tv, theta0, lr, hp[0], hp[1], hp[2], steps, bs, seed, record_at, *out
        )
        return theta, out

    theta, (b_loss, g_norm, r_train, r_val, r_acc) = floor()
    close = {"rtol": 1e-9, "atol": 1e-12}
    np.testing.assert_allclose(b_loss, h.batch_loss, **close)
    np.testing.assert_allclose(g_norm, h.grad_norm, **close)
    np.testing.assert_allclose(r_train, h.train_loss, **close)
    np.testing.assert_allclose(r_val, h.validation_loss, **close)
    np.testing.assert_array_equal(r_acc, h.train_accuracy)
    np.testing.assert_allclose(theta, h.theta, **close)
    return floor


def bench_default_train(repeats: int) -> list:
    """``losscape.train("moons", mlp [16], "adam", steps=500, batch_size=32)``, default records.

    Rows: the default (about 100 records, the hidden-activation statistics at 21
    of them), the statistics at every record (the default before), none, and a
    record at every step; wall medians, then the same in CPU time.
    """
    import losscape

    model = {"name": "mlp", "params": {"hidden": [16]}}
    case = "moons, mlp [16], 500 Adam steps, S=32"
    variants = [
        ("losscape.train (default)", {}),
        ("statistics at every record", {"histogram_records": 1001}),
        ("no statistics", {"histogram_records": 0}),
        ("record every step", {"record_every": 1}),
    ]

    def call(extra: dict) -> Callable[[], object]:
        return lambda: losscape.train("moons", model, "adam", steps=500, batch_size=32, **extra)

    fns = [call(extra) for _, extra in variants]
    variants.append(("floor: numba, same outputs", {}))
    fns.append(train_floor(fns[0]))
    rows = []
    for (name, _), fn in zip(variants, fns, strict=True):
        t = median_time(fn, repeats=repeats)
        rows.append((case, name, t, rows[0][2] if rows else t))
    cpu = cpu_medians(fns, 40 * repeats)
    print(
        "CPU medians of losscape.train (interleaved): "
        + "; ".join(f"{name}: {c * 1e3:.2f} ms" for (name, _), c in zip(variants, cpu, strict=True))
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument(
        "--only-default",
        action="store_true",
        help="only the losscape.train rows (seconds, not the peers' minute under load)",
    )
    args = parser.parse_args()
    if args.only_default:
        print_table("losscape.train with its default history", bench_default_train(args.repeats))
        return
    opt = optimizer_name()
    case = f"2-16-16-1 tanh, {args.steps} {opt} steps"
    runs = [("losscape (numba, serial)", run_losscape(args.steps, opt))]
    for threads in (2, 1):
        fn = run_torch(args.steps, opt, threads)
        if fn is not None:
            runs.append((f"torch, {threads} thread(s)", fn))
    runs.append(("numpy", run_numpy(args.steps, opt)))
    rows = []
    losses = []
    base = None
    for name, fn in runs:
        t = median_time(fn, repeats=args.repeats)
        base = base or t
        rows.append((case, name, t, base))
        losses.append(f"{name}: {fn():.10f}")
    print_table("Training a small MLP on 1,000 points, full batch, float64", rows)
    print_table("losscape.train with its default history", bench_default_train(args.repeats))
    print("final loss, the same model and data everywhere: " + "; ".join(losses))
    if len(runs) < 4:
        print("(torch not installed: skipped)")


if __name__ == "__main__":
    main()
