"""Shared pieces of the commands: flag parsing, the output check (before any computing),
progress on a terminal only, and the writers chosen by the output's extension."""

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


def version() -> str:
    from .. import __version__

    return __version__


# --------------------------------------------------------------------------- argument helpers


def kv_pairs(items: Sequence[str] | None, what: str) -> dict[str, float]:
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


def surface_arg(args: argparse.Namespace) -> Any:
    if getattr(args, "expression", None):
        return {"expression": args.expression}
    return args.surface


def find_browser() -> str | None:
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
        if find_browser() is None:
            raise UsageError(
                f"{ext} output needs Chrome or Chromium installed (kaleido drives it); none found "
                "on PATH or in BROWSER_PATH. Install one (e.g. the chromium package) or write .html"
            )
    if ext in (".webm", ".mp4"):
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise UsageError(
                f"{ext} output needs imageio-ffmpeg: pip install 'losscape[video]' (or write .gif)"
            ) from None
    if ext == ".gif":
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise UsageError(".gif output needs Pillow: pip install 'losscape[animate]'") from None
    return ext


def refuse_changed(args: argparse.Namespace, flags: dict[str, object], why: str) -> None:
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


def progress_for(args: argparse.Namespace, label: str) -> Progress:
    mode = args.progress
    enabled = mode == "always" or (mode == "auto" and sys.stderr.isatty())
    return Progress(label, enabled)


# --------------------------------------------------------------------------- writers


def jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {
            k: jsonable(getattr(value, k))
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
    os.environ.setdefault("BROWSER_PATH", find_browser() or "")
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
            json.dump(jsonable(json_data()), fh)
    elif ext == ".csv":
        write_rows(path, rows())
    elif ext == ".npz":
        np.savez_compressed(path, **arrays())
    else:
        write_figure(path, figure(), ext)
    print(f"wrote {path}")


# --------------------------------------------------------------------------- parser
