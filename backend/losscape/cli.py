"""Command line: ``losscape serve | list | run | sweep | train | animate``.

Every flag is honoured or refused with a message (never silently ignored); the
output format follows the extension of ``-o``: .json .csv .npz (data), .html
(an interactive figure with plotly.js embedded from the installed package),
.png .svg (a static figure through kaleido, which drives a locally installed
Chrome or Chromium: ``pip install 'losscape[export]'``), .gif (``animate``, with
Pillow: ``losscape[animate]``). The output path is checked before any computing.
Progress goes to stderr through tqdm, only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DATA_FORMATS = (".json", ".csv", ".npz")
FIGURE_FORMATS = (".html", ".png", ".svg")
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class UsageError(Exception):
    """A flag or output the command refuses (exit 2, with the message)."""


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------------- argument helpers


def _kv(items: Sequence[str] | None, what: str) -> dict[str, float]:
    """Parse NAME=VALUE pairs (numbers, or true/false for flags)."""
    out: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{what} must be NAME=VALUE, got {item!r}")
        low = value.strip().lower()
        if low in ("true", "false"):
            out[name.strip()] = low == "true"
            continue
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"{what} {name}: {value!r} is not a number") from None
    return out


def _surface_arg(args: argparse.Namespace) -> Any:
    if getattr(args, "expression", None):
        return {"expression": args.expression}
    return args.surface


def _browser() -> str | None:
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.path.exists(env) else None
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def check_output(path: str, allowed: Sequence[str]) -> str:
    """The output's format (its extension), after checking it can be written; else UsageError."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in allowed:
        raise UsageError(
            f"cannot tell the format of {path!r} from its extension; valid: {', '.join(allowed)}"
        )
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {path!r}: the directory {parent!r} does not exist")
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path!r}: it is a directory")
    target = path if os.path.exists(path) else parent
    if not os.access(target, os.W_OK):
        raise UsageError(f"cannot write {path!r}: permission denied")
    if ext in (".png", ".svg"):
        try:
            import kaleido  # noqa: F401
        except ImportError:
            raise UsageError(
                f"{ext} output needs kaleido: pip install 'losscape[export]' "
                "(or write .html, which needs nothing more)"
            ) from None
        if _browser() is None:
            raise UsageError(
                f"{ext} output needs Chrome or Chromium installed (kaleido drives it); none found "
                "on PATH or in BROWSER_PATH. Install one (e.g. the chromium package) or write .html"
            )
    if ext == ".gif":
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise UsageError(".gif output needs Pillow: pip install 'losscape[animate]'") from None
    return ext


def _refuse(args: argparse.Namespace, flags: dict[str, object], why: str) -> None:
    """UsageError naming every flag in ``flags`` (dest -> default) that was changed."""
    given = [
        "--" + dest.replace("_", "-") for dest, default in flags.items()
        if getattr(args, dest) != default
    ]  # fmt: skip
    if given:
        raise UsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply {why}"
        )


class Progress:
    """tqdm on stderr when it is a terminal (or ``force``); silent otherwise."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label, self.enabled, self.bar = label, enabled, None

    def __call__(self, done: int, total: int, _partial: object = None) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit="run", file=sys.stderr)
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(args: argparse.Namespace, label: str) -> Progress:
    mode = args.progress
    enabled = mode == "always" or (mode == "auto" and sys.stderr.isatty())
    return Progress(label, enabled)


# --------------------------------------------------------------------------- writers


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {
            k: _jsonable(getattr(value, k))
            for k, f in value.__dataclass_fields__.items()
            if f.repr and not callable(getattr(value, k))
        }
    return value


def write_rows(path: str, rows: list[dict[str, Any]]) -> None:
    """CSV through the csv module; None (a diverged value) is an empty cell."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        if not rows:
            return
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for row in rows:
            w.writerow({k: "" if v is None else v for k, v in row.items()})


def write_figure(path: str, fig: Any, ext: str) -> None:
    if ext == ".html":
        # plotly.js embedded from the installed package: the file works offline, no CDN.
        fig.write_html(path, include_plotlyjs=True, full_html=True, config={"displaylogo": False})
        return
    os.environ.setdefault("BROWSER_PATH", _browser() or "")
    fig.write_image(path, format=ext[1:], scale=2 if ext == ".png" else 1)


def write_output(
    path: str,
    ext: str,
    *,
    json_data: Callable[[], Any],
    rows: Callable[[], list[dict[str, Any]]],
    arrays: Callable[[], dict[str, np.ndarray]],
    figure: Callable[[], Any],
) -> None:
    if ext == ".json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_jsonable(json_data()), fh)
    elif ext == ".csv":
        write_rows(path, rows())
    elif ext == ".npz":
        np.savez_compressed(path, **arrays())
    else:
        write_figure(path, figure(), ext)
    print(f"wrote {path}")


# --------------------------------------------------------------------------- parser


def _common(p: argparse.ArgumentParser, *, surface: bool = True) -> None:
    if surface:
        p.add_argument("surface", help="surface name (see `losscape list`)")
        p.add_argument("optimizer", help="optimizer name (see `losscape list`)")
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
    p.add_argument("--seed", type=int, default=0, help="seeds the gradient noise")
    p.add_argument(
        "--expression", default=None, help="a typed-in formula in x and y instead of SURFACE"
    )


def _progress_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar on stderr: auto = only on a terminal (default)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="losscape",
        description="Interactive loss landscapes and optimizer trajectories.",
    )
    parser.add_argument("--version", action="version", version=f"losscape {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the web app (classroom page + REST + live channel)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--open", action="store_true", help="open the classroom page in a browser")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    from .lectures.paths import DataDirAction

    serve.add_argument(
        "--data", metavar="DIR", action=DataDirAction, default=None,
        help="folder of the saved scenes and lectures (default: $LOSSCAPE_DATA_DIR, "
        "else the user's data folder, e.g. ~/.local/share/losscape)",
    )  # fmt: skip

    out_help = "write the run: .json .csv .npz (data) or .html .png .svg (the contour figure)"
    run = sub.add_parser("run", help="run one optimizer on one surface and print a summary")
    _common(run)
    run.add_argument("--json", action="store_true", help="print the whole run as JSON")
    run.add_argument("-o", "--output", default=None, help=out_help)

    lst = sub.add_parser("list", help="list surfaces, optimizers and schedules")
    lst.add_argument("--json", action="store_true")

    sweep = sub.add_parser(
        "sweep",
        help="lr sweep, basin map or (lr x momentum) map to .json .csv .npz .html .png .svg",
    )
    sweep.add_argument("kind", choices=["lr", "basins", "lr-momentum"])
    _common(sweep)
    sweep.add_argument("--lr-min", type=float, default=1e-4, help="lr and lr-momentum")
    sweep.add_argument("--lr-max", type=float, default=1.0, help="lr and lr-momentum")
    sweep.add_argument(
        "--count", type=int, default=50, help="lrs in an lr sweep / lr-momentum side"
    )
    sweep.add_argument("--momentum-count", type=int, default=40, help="lr-momentum only")
    sweep.add_argument(
        "--resolution", type=int, default=64, help="basin map starts per axis (basins only)"
    )
    sweep.add_argument("--curves", action="store_true", help="keep every loss curve (lr only)")
    sweep.add_argument("--serial", action="store_true", help="one thread (default: all cores)")
    _progress_flag(sweep)
    sweep.add_argument("-o", "--output", required=True, help="file.json .csv .npz .html .png .svg")

    train = sub.add_parser("train", help="train a small network on a 2-D data set")
    train.add_argument("dataset", help="data set name (see `losscape list`)")
    train.add_argument("optimizer", help="optimizer name")
    train.add_argument("--model", default="mlp", help="model name (default mlp)")
    train.add_argument("--hidden", type=int, nargs="+", default=None, help="hidden layer widths")
    train.add_argument("--activation", default=None, help="hidden-unit nonlinearity")
    train.add_argument("--lr", type=float, default=None)
    budget = train.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, default=None, help="step budget (default 500)")
    budget.add_argument("--epochs", type=int, default=None, help="budget in passes over the data")
    train.add_argument("--batch-size", type=int, default=None, help="points per step (default all)")
    train.add_argument("--hp", action="append", metavar="NAME=VALUE", help="hyperparameter")
    train.add_argument("--schedule", default=None)
    train.add_argument("--schedule-param", action="append", metavar="NAME=VALUE")
    train.add_argument("--init", default="xavier", help="initialisation (default xavier)")
    train.add_argument("--no-normalize", action="store_true", help="feed raw features")
    train.add_argument("--seed", type=int, default=0, help="seeds the init and batch order")
    train.add_argument("--validation", type=float, default=0.2, help="held-out share (0.2)")
    train.add_argument(
        "--figure", choices=["data", "curves"], default="data",
        help="what .html/.png/.svg show: data + model output (default) or loss curves",
    )  # fmt: skip
    _progress_flag(train)
    train.add_argument("-o", "--output", default=None, help="file.json .csv .npz .html .png .svg")

    anim = sub.add_parser("animate", help="an animated GIF of runs growing on the contour")
    anim.add_argument("surface", help="surface name")
    anim.add_argument("optimizers", nargs="+", help="one run per optimizer")
    anim.add_argument("--lr", type=float, action="append", help="lr per run, repeatable")
    anim.add_argument("--steps", type=int, default=200)
    anim.add_argument("--start", type=float, nargs=2, metavar=("X", "Y"))
    anim.add_argument("--param", action="append", metavar="NAME=VALUE")
    anim.add_argument("--frames", type=int, default=60)
    anim.add_argument("--fps", type=float, default=12.0)
    anim.add_argument("--size", type=int, nargs=2, default=(640, 560), metavar=("W", "H"))
    anim.add_argument("--title", default=None)
    anim.add_argument("-o", "--output", required=True, help="file.gif")
    # `warm` (compile and cache the kernels) is added by _add_warm when present.
    return parser


# --------------------------------------------------------------------------- commands


def _cmd_run(args: argparse.Namespace) -> int:
    import losscape

    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS) if args.output else None
    if args.json and args.output:
        raise UsageError("--json prints the run; with -o, write file.json instead")
    surface = _surface_arg(args)
    surface_params = _kv(args.param, "--param")
    run = losscape.trajectory(
        surface,
        args.optimizer,
        start=args.start,
        steps=args.steps,
        lr=args.lr,
        schedule=args.schedule,
        schedule_params=_kv(args.schedule_param, "--schedule-param"),
        noise=args.noise,
        batch_size=args.batch_size,
        seed=args.seed,
        surface_params=surface_params,
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
    if ext:
        write_output(
            args.output, ext,
            json_data=lambda: run,
            rows=run.to_rows,
            arrays=lambda: {"path": run.path, "loss": run.loss, "lrs": run.lrs,
                            "averaged_path": run.averaged_path, "status": np.array(run.status)},
            figure=lambda: losscape.plot.contour(surface, run, surface_params=surface_params),
        )  # fmt: skip
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    import losscape

    cat = {
        "surfaces": losscape.surfaces(),
        "optimizers": losscape.optimizers(),
        "schedules": losscape.schedules(),
        "datasets": losscape.datasets(),
        "models": losscape.models(),
    }
    if args.json:
        print(json.dumps(_jsonable(cat)))
        return 0
    for key, items in cat.items():
        print(f"{key}:")
        for item in items:
            print(f"  {item['name']:<18} {item.get('title', '')}")
    return 0


_SWEEP_ONLY = {
    "lr": ({"momentum_count": 40, "resolution": 64, "lr": None}, "to an lr sweep"),
    "basins": (
        {"lr_min": 1e-4, "lr_max": 1.0, "count": 50, "momentum_count": 40, "curves": False,
         "start": None},
        "to a basin map (it starts from every point of a grid at one --lr)",
    ),
    "lr-momentum": (
        {"resolution": 64, "curves": False, "lr": None, "schedule": None, "schedule_param": None,
         "noise": 0.0, "batch_size": None, "seed": 0},
        "to an lr x momentum map (constant lr, no noise; the map sweeps --lr)",
    ),
}  # fmt: skip


def _cmd_sweep(args: argparse.Namespace) -> int:
    import losscape

    flags, why = _SWEEP_ONLY[args.kind]
    _refuse(args, flags, why)
    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS)
    surface = _surface_arg(args)
    surface_params = _kv(args.param, "--param")
    hp = _kv(args.hp, "--hp")
    bar = _progress(args, f"{args.kind} sweep")
    common: dict[str, Any] = dict(
        surface_params=surface_params, parallel=not args.serial, progress=bar, **hp
    )
    noise = dict(noise=args.noise, batch_size=args.batch_size, seed=args.seed)
    sched = dict(
        schedule=args.schedule, schedule_params=_kv(args.schedule_param, "--schedule-param")
    )
    try:
        if args.kind == "lr":
            res = losscape.lr_sweep(
                surface, args.optimizer, start=args.start, steps=args.steps, lr_min=args.lr_min,
                lr_max=args.lr_max, count=args.count, curves=args.curves, **sched, **noise,
                **common,
            )  # fmt: skip
            arrays = {
                "lrs": res.lrs, "final_loss": res.final_loss, "best_loss": res.best_loss,
                "status": np.array(res.status), "stopped_at": res.stopped_at,
            }  # fmt: skip
            if args.curves:
                arrays["curves"] = res.curves
        elif args.kind == "basins":
            res = losscape.basins(
                surface, args.optimizer, lr=args.lr, steps=args.steps, resolution=args.resolution,
                **sched, **noise, **common,
            )  # fmt: skip
            arrays = {
                "xs": res.xs, "ys": res.ys, "label": res.label, "final_loss": res.final_loss,
                "steps": res.steps, "minima": np.array([[m.x, m.y] for m in res.minima]),
            }  # fmt: skip
        else:
            res = losscape.lr_momentum_map(
                surface, args.optimizer, start=args.start, steps=args.steps, lr_min=args.lr_min,
                lr_max=args.lr_max, lr_count=args.count, momentum_count=args.momentum_count,
                **common,
            )  # fmt: skip
            arrays = {
                "lrs": res.lrs, "momenta": res.momenta, "final_loss": res.final_loss,
                "status": np.array(res.status),
            }  # fmt: skip
    finally:
        bar.close()
    fig_kw = {"surface_params": surface_params} if args.kind == "basins" else {}
    write_output(
        args.output, ext,
        json_data=lambda: arrays if args.kind != "basins" else {**arrays, "radius": res.radius},
        rows=res.to_rows, arrays=lambda: arrays, figure=lambda: res.figure(**fig_kw),
    )  # fmt: skip
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    import losscape

    ext = check_output(args.output, DATA_FORMATS + FIGURE_FORMATS) if args.output else None
    params: dict[str, Any] = {}
    if args.hidden is not None:
        params["hidden"] = args.hidden
    if args.activation is not None:
        params["activation"] = args.activation
    model: Any = {"name": args.model, "params": params} if params else args.model
    bar = _progress(args, "training")
    try:
        h = losscape.train(
            args.dataset, model, args.optimizer, lr=args.lr, steps=args.steps, epochs=args.epochs,
            batch_size=args.batch_size, schedule=args.schedule,
            schedule_params=_kv(args.schedule_param, "--schedule-param"), init=args.init,
            normalize=not args.no_normalize, seed=args.seed, validation=args.validation,
            progress=bar, **_kv(args.hp, "--hp"),
        )  # fmt: skip
    finally:
        bar.close()
    stop = f" at step {h.stopped_at}" if h.stopped_at is not None else ""
    print(f"{h.model} on {h.dataset}, {h.optimizer} lr {h.lr:g}: {h.status}{stop}")
    acc = h.validation_accuracy if h.validation_accuracy is not None else h.train_accuracy
    extra = f", accuracy {acc[-1]:.4g}" if acc is not None and acc.shape[0] else ""
    print(f"  steps {h.steps_taken}; train loss {h.train_loss[-1]:.6g}{extra}")
    if ext:
        arrays = {
            k: v for k in ("batch_loss", "grad_norm", "lrs", "record_steps", "train_loss",
                           "validation_loss", "train_accuracy", "validation_accuracy", "theta")
            if (v := getattr(h, k)) is not None
        }  # fmt: skip
        write_output(
            args.output, ext, json_data=lambda: h.to_dict(snapshots=False), rows=h.to_rows,
            arrays=lambda: arrays, figure=lambda: h.figure(args.figure),
        )  # fmt: skip
    return 0


def _cmd_animate(args: argparse.Namespace) -> int:
    import losscape
    from losscape.animate import animate_runs

    ext = check_output(args.output, (".gif",))
    del ext
    lrs = args.lr or []
    if len(lrs) not in (0, 1, len(args.optimizers)):
        raise UsageError(
            f"give one --lr for all runs or one per optimizer ({len(args.optimizers)}), "
            f"got {len(lrs)}"
        )
    surface_params = _kv(args.param, "--param")
    runs = []
    for i, opt in enumerate(args.optimizers):
        lr = lrs[i] if len(lrs) > 1 else (lrs[0] if lrs else None)
        runs.append(
            losscape.trajectory(
                args.surface,
                opt,
                lr=lr,
                steps=args.steps,
                start=args.start,
                surface_params=surface_params,
            )
        )
    n = animate_runs(
        args.surface, runs, args.output, surface_params=surface_params, frames=args.frames,
        fps=args.fps, size=tuple(args.size), title=args.title,
    )  # fmt: skip
    print(f"wrote {args.output} ({n} frames)")
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


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _cmd_run,
    "list": _cmd_list,
    "sweep": _cmd_sweep,
    "train": _cmd_train,
    "animate": _cmd_animate,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losscape`` command."""
    args = _parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except (UsageError, ValueError, ImportError) as exc:
        print(f"losscape: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the disk filled up while writing
        print(f"losscape: error: {exc}", file=sys.stderr)
        return 1
