"""Command line: ``losscape serve | run | sweep``.

``run`` prints a summary (or JSON) of one trajectory; ``sweep`` writes a learning-rate
sweep, basin map or (lr x momentum) map to JSON or NPZ with a progress bar.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np


def _kv(items: Sequence[str] | None, what: str) -> dict[str, float]:
    """Parse NAME=VALUE pairs (numbers, or true/false for flags)."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"{what} must be NAME=VALUE, got {item!r}")
        low = value.strip().lower()
        if low in ("true", "false"):
            out[name.strip()] = low == "true"
            continue
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise SystemExit(f"{what} {name}: {value!r} is not a number") from None
    return out


def _surface_arg(args: argparse.Namespace) -> Any:
    if getattr(args, "expression", None):
        return {"expression": args.expression}
    return args.surface


def _common(p: argparse.ArgumentParser, *, surface: bool = True) -> None:
    if surface:
        p.add_argument("surface", help="surface name (see `losscape run --list`)")
        p.add_argument("optimizer", help="optimizer name")
    p.add_argument("--lr", type=float, default=None, help="learning rate (optimizer default)")
    p.add_argument("--steps", type=int, default=200, help="step budget (default 200)")
    p.add_argument("--start", type=float, nargs=2, metavar=("X", "Y"), help="start point")
    p.add_argument(
        "--hp",
        action="append",
        metavar="NAME=VALUE",
        help="hyperparameter, repeatable (torch.optim names)",
    )
    p.add_argument(
        "--param", action="append", metavar="NAME=VALUE", help="surface parameter, repeatable"
    )
    p.add_argument("--schedule", default=None, help="learning-rate schedule name")
    p.add_argument(
        "--schedule-param",
        action="append",
        metavar="NAME=VALUE",
        help="schedule setting, repeatable",
    )
    p.add_argument("--noise", type=float, default=0.0, help="gradient noise sigma")
    p.add_argument(
        "--batch-size", type=int, default=None, help="mini-batch size S: noise std sigma/sqrt(S)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--expression", default=None, help="a typed-in formula in x and y instead of SURFACE"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="losscape",
        description="Interactive loss landscapes and optimizer trajectories.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the web app (classroom page + REST + live channel)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--open", action="store_true", help="open the classroom page in a browser")
    serve.add_argument("--log-level", default="info")

    run = sub.add_parser("run", help="run one optimizer on one surface and print a summary")
    _common(run)
    run.add_argument("--json", action="store_true", help="print the whole run as JSON")

    lst = sub.add_parser("list", help="list surfaces, optimizers and schedules")
    lst.add_argument("--json", action="store_true")

    sweep = sub.add_parser("sweep", help="lr sweep, basin map or (lr x momentum) map to JSON/NPZ")
    sweep.add_argument("kind", choices=["lr", "basins", "lr-momentum"])
    _common(sweep)
    sweep.add_argument("--lr-min", type=float, default=1e-4)
    sweep.add_argument("--lr-max", type=float, default=1.0)
    sweep.add_argument(
        "--count", type=int, default=50, help="lrs in an lr sweep / lr-momentum side"
    )
    sweep.add_argument("--momentum-count", type=int, default=40)
    sweep.add_argument("--resolution", type=int, default=64, help="basin map starts per axis")
    sweep.add_argument("--curves", action="store_true", help="keep every loss curve (lr sweep)")
    sweep.add_argument("--serial", action="store_true", help="one thread (default: all cores)")
    sweep.add_argument("-o", "--output", required=True, help="file.json or file.npz")

    warm = sub.add_parser("warm", help="compile the kernels into numba's cache (the scenes')")
    warm.add_argument("--all", action="store_true", help="every surface x optimizer pair too")
    return parser


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _cmd_run(args: argparse.Namespace) -> int:
    import losscape

    from .warmup import compile_notice

    with compile_notice():
        run = losscape.trajectory(
            _surface_arg(args),
            args.optimizer,
            start=args.start,
            steps=args.steps,
            lr=args.lr,
            schedule=args.schedule,
            schedule_params=_kv(args.schedule_param, "--schedule-param"),
            noise=args.noise,
            batch_size=args.batch_size,
            seed=args.seed,
            surface_params=_kv(args.param, "--param"),
            **_kv(args.hp, "--hp"),
        )
    if args.json:
        print(json.dumps(_jsonable(run)))
        return 0
    x, y, f = run.final
    stop = f" at step {run.stopped_at}" if run.stopped_at is not None else ""
    print(f"{run.optimizer} on {run.surface}, lr {run.lr:g}: {run.status}{stop}")
    print(
        f"  steps taken {run.steps_taken}; start ({run.path[0, 0]:.6g}, {run.path[0, 1]:.6g})"
        f" loss {run.loss[0]:.6g}"
    )
    print(f"  final ({x:.6g}, {y:.6g}) loss {f:.6g}; best loss {np.min(run.loss):.6g}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    import losscape

    cat = {
        "surfaces": losscape.surfaces(),
        "optimizers": losscape.optimizers(),
        "schedules": losscape.schedules(),
    }
    if args.json:
        print(json.dumps(_jsonable(cat)))
        return 0
    for key, items in cat.items():
        print(f"{key}:")
        for item in items:
            print(f"  {item['name']:<18} {item['title']}")
    return 0


class _Progress:
    """A one-line progress bar on stderr, driven by chunks of a sweep."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.done, self.label, self.t0 = total, 0, label, time.perf_counter()

    def advance(self, n: int) -> None:
        self.done += n
        frac = self.done / max(self.total, 1)
        bar = "#" * int(30 * frac)
        sys.stderr.write(
            f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}% {time.perf_counter() - self.t0:6.2f}s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _cmd_sweep(args: argparse.Namespace) -> int:
    import losscape

    common = dict(
        surface_params=_kv(args.param, "--param"),
        parallel=not args.serial,
        **_kv(args.hp, "--hp"),
    )
    surface = _surface_arg(args)
    start = args.start
    bar = _Progress(1, f"{args.kind} sweep")

    def progress(done: int, total: int, _partial: object) -> None:
        bar.total = total
        bar.advance(done - bar.done)

    common["progress"] = progress
    if args.kind == "lr":
        res = losscape.lr_sweep(
            surface, args.optimizer, start=start, steps=args.steps, lr_min=args.lr_min,
            lr_max=args.lr_max, count=args.count, curves=args.curves, schedule=args.schedule,
            schedule_params=_kv(args.schedule_param, "--schedule-param"), noise=args.noise,
            batch_size=args.batch_size, seed=args.seed, **common,
        )  # fmt: skip
        result = {
            "lrs": res.lrs, "final_loss": res.final_loss, "best_loss": res.best_loss,
            "status": np.array(res.status), "stopped_at": res.stopped_at,
        }  # fmt: skip
        if args.curves:
            result["curves"] = res.curves
    elif args.kind == "basins":
        res = losscape.basins(
            surface, args.optimizer, lr=args.lr, steps=args.steps, resolution=args.resolution,
            noise=args.noise, batch_size=args.batch_size, seed=args.seed, **common,
        )  # fmt: skip
        result = {
            "xs": res.xs, "ys": res.ys, "label": res.label, "final_loss": res.final_loss,
            "steps": res.steps, "minima": np.array([[m.x, m.y] for m in res.minima]),
        }  # fmt: skip
    else:
        res = losscape.lr_momentum_map(
            surface, args.optimizer, start=start, steps=args.steps, lr_min=args.lr_min,
            lr_max=args.lr_max, lr_count=args.count, momentum_count=args.momentum_count, **common,
        )  # fmt: skip
        result = {
            "lrs": res.lrs,
            "momenta": res.momenta,
            "final_loss": res.final_loss,
            "status": np.array(res.status),
        }
    if args.output.endswith(".npz"):
        np.savez_compressed(args.output, **result)
    else:
        with open(args.output, "w") as fh:
            json.dump(_jsonable(result), fh)
    print(f"wrote {args.output}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .api.server import serve

    return serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        open_browser=args.open,
        log_level=args.log_level,
    )


def _cmd_warm(args: argparse.Namespace) -> int:
    from . import warmup

    seconds = warmup.warm(warmup.all_groups(every_pair=args.all), out=sys.stdout)
    print(f"losscape: kernels ready in {seconds:.1f} s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losscape`` command."""
    args = _parser().parse_args(argv)
    handlers = {"run": _cmd_run, "list": _cmd_list, "sweep": _cmd_sweep, "serve": _cmd_serve}
    handlers["warm"] = _cmd_warm
    try:
        return handlers[args.command](args)
    except ValueError as exc:
        print(f"losscape: error: {exc}", file=sys.stderr)
        return 2
