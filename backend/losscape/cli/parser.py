"""The ``losscape`` argument parser: every command and flag is declared here, in one place."""

from __future__ import annotations

import argparse
from typing import Any

from .. import warmup
from .output import version


class DataDirAction(argparse.Action):
    """``serve --data DIR``: ``lectures.paths.DataDirAction``, imported only when the flag is
    given. Importing ``losscape.lectures`` loads its store, validation, the built-in scenes
    and YAML: 55-75 ms that every command (a first ``losscape run`` too) paid at start-up."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from ..lectures.paths import DataDirAction as Checked

        Checked.__call__(self, parser, namespace, values, option_string)


def add_common(p: argparse.ArgumentParser, *, surface: bool = True) -> None:
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


def add_progress_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar on stderr: auto = only on a terminal (default)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="losscape",
        description="Interactive loss landscapes and optimizer trajectories.",
    )
    parser.add_argument("--version", action="version", version=f"losscape {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the web app (classroom page + REST + live channel)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--open", action="store_true", help="open the classroom page in a browser")
    serve.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="share classroom rooms through Redis (redis://host:6379/0; default: "
        "$LOSSCAPE_REDIS_URL, else in this process)",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.add_argument(
        "--data", metavar="DIR", action=DataDirAction, default=None,
        help="folder of the saved scenes and lectures (default: $LOSSCAPE_DATA_DIR, "
        "else the user's data folder, e.g. ~/.local/share/losscape)",
    )  # fmt: skip

    out_help = "write the run: .json .csv .npz (data) or .html .png .svg (the contour figure)"
    run = sub.add_parser("run", help="run one optimizer on one surface and print a summary")
    add_common(run)
    run.add_argument("--json", action="store_true", help="print the whole run as JSON")
    run.add_argument(
        "--record-state",
        action="store_true",
        help="also record the optimizer's state per step (velocity, moments, step scales): "
        "in --json, in .csv/.npz columns, and drawn on the figure at the last step",
    )
    run.add_argument("-o", "--output", default=None, help=out_help)

    lst = sub.add_parser("list", help="list surfaces, optimizers and schedules")
    lst.add_argument("--json", action="store_true")

    sweep = sub.add_parser(
        "sweep",
        help="lr sweep, basin map or (lr x momentum) map to .json .csv .npz .html .png .svg",
    )
    sweep.add_argument("kind", choices=["lr", "basins", "lr-momentum"])
    add_common(sweep)
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
    add_progress_flag(sweep)
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
    add_progress_flag(train)
    train.add_argument("-o", "--output", default=None, help="file.json .csv .npz .html .png .svg")

    anim = sub.add_parser("animate", help="runs growing on the contour: .gif, .webm or .mp4")
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
    anim.add_argument("-o", "--output", required=True, help="file.gif .webm .mp4")
    warmup.add_parser(sub)  # `losscape warm`: compile and cache the kernels
    return parser


# --------------------------------------------------------------------------- commands
