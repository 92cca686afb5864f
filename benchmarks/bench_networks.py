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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Captured:
    """What one ``losscape.train`` call handed its kernel, and the history it returned."""

    X: np.ndarray
    T: np.ndarray
    Xv: np.ndarray
    Tv: np.ndarray
    hp: np.ndarray
    lr: float
    steps: int
    batch_size: int
    seed: int
    record_at: np.ndarray
    history: object


def capture(call: Callable[[], object]) -> Captured:
    """Run ``call`` once with ``train_steps`` wrapped to see its inputs; the default row's
    network (2-16-1 tanh, binary cross-entropy, Adam without weight decay or amsgrad, a
    constant rate, one kernel call) is checked, since the floor and the peer assume it."""
    from _floor_train import N_PARAMS
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
    return Captured(X, T, Xv, Tv, hp, lr, steps, bs, seed, record_at, h)


def train_floor(c: Captured) -> Callable[[], object]:
    """The hand-written floor (``_floor_train``) on the captured inputs, its answers
    checked against losscape's (per-step losses and gradient norms, the records' losses
    and accuracy, the final weights); its output arrays are allocated per call as
    losscape's are."""
    from _floor_train import floor_train

    h = c.history
    theta0 = np.asarray(h.initial_theta, dtype=float)
    r_cap = c.record_at.shape[0] + 1

    def floor() -> tuple:
        out = [np.zeros(c.steps), np.zeros(c.steps)] + [np.zeros(r_cap) for _ in range(3)]
        theta = floor_train(
            c.X, c.T, c.Xv, c.Tv, theta0, c.lr, c.hp[0], c.hp[1], c.hp[2], c.steps,
            c.batch_size, c.seed, c.record_at, *out,
        )  # fmt: skip
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


def train_torch(c: Captured) -> Callable[[], object] | None:
    """torch.optim.Adam (one thread) on the same network, data, initial weights and
    batches (the same seeded shuffle, drawn before timing), with the same records (the
    loss and accuracy over the training points, the loss over the validation points);
    its per-step losses and final weights are checked against losscape's."""
    try:
        import torch
    except ImportError:
        return None
    from losscape.networks.train import shuffle

    h = c.history
    theta0 = np.asarray(h.initial_theta, dtype=float)
    n = c.X.shape[0]
    perm, pos, epoch, batches = np.arange(n), 0, 0, []
    for _ in range(c.steps):  # the kernel's batch walk (``train.next_batch``)
        if pos == 0:
            shuffle(perm, c.seed, epoch)
            epoch += 1
        m = min(c.batch_size, n - pos)
        batches.append(torch.from_numpy(perm[pos : pos + m].copy()))
        pos = 0 if pos + m >= n else pos + m
    X, T = torch.from_numpy(c.X), torch.from_numpy(c.T)
    Xv, Tv = torch.from_numpy(c.Xv), torch.from_numpy(c.Tv)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    records = set(c.record_at.tolist()) | {c.steps}

    def go() -> tuple:
        torch.set_num_threads(1)
        first, second = torch.nn.Linear(2, 16).double(), torch.nn.Linear(16, 1).double()
        with torch.no_grad():
            first.weight.copy_(torch.from_numpy(theta0[:32].reshape(16, 2)))
            first.bias.copy_(torch.from_numpy(theta0[32:48]))
            second.weight.copy_(torch.from_numpy(theta0[48:64].reshape(1, 16)))
            second.bias.copy_(torch.from_numpy(theta0[64:]))
        net = torch.nn.Sequential(first, torch.nn.Tanh(), second)
        b1, b2, eps = (float(v) for v in c.hp[:3])
        opt = torch.optim.Adam(net.parameters(), lr=c.lr, betas=(b1, b2), eps=eps)
        losses, recs = [], []
        for t in range(c.steps + 1):
            if t in records:
                with torch.no_grad():
                    z = net(X)[:, 0]
                    recs.append((bce(z, T), ((z >= 0) == (T > 0.5)).double().mean(),
                                 bce(net(Xv)[:, 0], Tv)))  # fmt: skip
            if t == c.steps:
                break
            opt.zero_grad()
            idx = batches[t]
            loss = bce(net(X[idx])[:, 0], T[idx])
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        theta = torch.cat([p.detach().reshape(-1) for p in net.parameters()]).numpy()
        return theta, torch.stack(losses).numpy(), recs

    theta, losses, _ = go()
    np.testing.assert_allclose(losses, h.batch_loss, rtol=1e-7)
    np.testing.assert_allclose(theta, h.theta, rtol=1e-6, atol=1e-9)
    return go


def bench_default_train(repeats: int) -> list:
    """``losscape.train("moons", mlp [16], "adam", steps=500, batch_size=32)``, default records.

    Rows: the default (about 100 records, the hidden-activation statistics at 21
    of them), the statistics at every record (the default before), none, a record at
    every step, the hand-written floor and torch (the peer, when installed); wall
    medians, then the same in CPU time (torch's over fewer calls: ~0.2 s each).
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
    captured = capture(fns[0])
    variants.append(("floor: numba, same outputs", {}))
    fns.append(train_floor(captured))
    rows = []
    for (name, _), fn in zip(variants, fns, strict=True):
        t = median_time(fn, repeats=repeats)
        rows.append((case, name, t, rows[0][2] if rows else t))
    cpu = cpu_medians(fns, 40 * repeats)
    peer = train_torch(captured)
    if peer is not None:
        name = "torch.optim.Adam, 1 thread"
        rows.append((case, name, median_time(peer, repeats=3), rows[0][2]))
        variants.append((name, {}))
        cpu += cpu_medians([peer], repeats)
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
