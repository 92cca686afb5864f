"""Compile (or load from numba's disk cache) the kernels before anyone waits for them.

Kernels dispatch on the surface and optimizer ids at run time, so each
compiles once whatever the pair; a warm-up is a list of *groups* of kernels,
most urgent first: the page's first scene in two groups that share little
compile work (its paths: the trajectory kernel, with the Hessian and point
kernels a run's end check uses; its contours: the grid kernel), then the
sweeps, typed formulas, every catalogue pair and schedule (cheap once the
kernels exist), then the networks. Each group prints one progress line, and
``warm`` leaves a marker per group in numba's cache folder (``is_warm``), so
a later start knows which groups would only be loaded.

``losscape serve`` compiles the first scene's groups side by side in child
processes before uvicorn starts any worker, serves as soon as they are
cached, and compiles the rest in a background process meanwhile
(``first_start``); workers then load numba's cache instead of all compiling
at once. The app prints its URL when it can answer (``announce_ready``).
``losscape warm`` (the Dockerfile runs it) compiles every group ahead of time.
Anything not warmed compiles on first use and is cached on disk from then on.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from . import service

log = logging.getLogger("losscape.warmup")

URL_ENV = "LOSSCAPE_URL"  # set by ``losscape serve``: the app prints it once it can answer


@dataclass(frozen=True)
class Group:
    """Kernels compiled together, announced with one line.

    ``run`` returns how many catalogue (surface, optimizer) pairs it ran (0 for groups
    that warm other kernels), so a caller can check none was skipped.
    """

    label: str
    run: Callable[[], int]
    key: str = ""  # stable name for the group's cache marker (the label by default)

    @property
    def marker(self) -> str:
        """The file name of this group's marker: ``key`` or the label, filesystem-safe."""
        raw = self.key or self.label
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in raw)[:80]


def _ignore(done: int, total: int, partial: object) -> None:
    return None


def _first_scene() -> tuple[str, str, list[dict[str, Any]]]:
    """(scene id, surface, runs) of the page's first scene, first step."""
    from . import scenes

    first = scenes.scenes()[0]
    state = scenes.step_state(first["id"], 0) if first.get("steps") else first["state"]
    return first["id"], state["surface"], list(state.get("runs", []))


def _first_scene_groups() -> list[Group]:
    """The first scene's paths and contours: two groups, compiled side by side on a first start.

    They share little compile work (measured: the trajectory kernel 11 CPU-s
    alone, the grid kernel 11 alone, both in one process 20), so two processes
    halve the wait. A run's end check (``saddles.is_stuck``) reads the Hessian its
    trajectory kernel computed; the page's Hessian view calls the Hessian kernel and
    that the point kernel: the paths group compiles both, and the contours group
    leaves out the gradient arrows (the point kernel again).
    """
    scene_id, surface, runs = _first_scene()

    def paths() -> int:
        surf = service.resolve_surface(surface)
        for r in runs:
            service.trajectory(
                surface, r["optimizer"], steps=3, lr=r.get("lr"), **r.get("hyperparams", {})
            )
        service.hessian(surface, surf.default_start)
        return 0

    def contours() -> int:
        # No arrows (the page's default): their point kernel compiles with the paths.
        service.grid(surface, resolution=3)
        return 0

    names = ", ".join(dict.fromkeys(r["optimizer"] for r in runs)) or "no runs"
    return [
        Group(f"first scene ({scene_id}: {surface} x {names}), paths", paths, "first-paths"),
        Group(f"first scene ({scene_id}: {surface}), contours", contours, "first-contours"),
    ]


def _sweeps_group() -> Group:
    _, surface, runs = _first_scene()
    name = runs[0]["optimizer"] if runs else service.optimizers()[0]["name"]

    def run() -> int:
        service.lr_sweep(surface, name, steps=3, count=2, curves=True, progress=_ignore)
        service.basins(surface, name, steps=3, resolution=2, progress=_ignore)
        service.lr_momentum_map(
            surface, "momentum", steps=3, lr_count=2, momentum_count=2, progress=_ignore
        )
        return 0

    return Group("sweeps (lr, basins, lr x momentum)", run, "sweeps")


def _catalogue_group(expressions: bool) -> Group:
    """Every optimizer on every surface (and a typed formula), then every schedule."""

    def run() -> int:
        surfaces: list[Any] = [s["name"] for s in service.surfaces()]
        if expressions:
            surfaces.append({"expression": "x**2 + 3*y**2"})
        optimizers = [o["name"] for o in service.optimizers()]
        runs = 0
        for surface in surfaces:
            for name in optimizers:
                try:
                    service.trajectory(surface, name, steps=3)
                    runs += 1
                except ValueError as exc:  # an optimizer a surface does not support
                    log.debug("warm-up skipped %s on %s: %s", name, surface, exc)
        first = surfaces[0]
        service.grid(surfaces[-1], resolution=3, arrows=2)
        for schedule in service.schedules():
            service.trajectory(first, optimizers[0], steps=3, schedule=schedule["name"])
        # amsgrad / centered on run kernels of their own (``trajectory._make_kernel``'s flag)
        for name, flag in (("adam", "amsgrad"), ("rmsprop", "centered")):
            service.trajectory(first, name, steps=3, **{flag: True})
        return runs

    what = "every surface, a typed formula" if expressions else "every surface"
    return Group(f"catalogue ({what} x every optimizer, schedules)", run, "catalogue")


def _networks_group() -> Group:
    def run() -> int:
        if importlib.util.find_spec("losscape.network_service") is None:
            return 0
        from . import network_service

        network_service.warm_up()
        return 0

    return Group("networks", run, "networks")


def first_groups() -> list[Group]:
    """What the page's first scene needs before its paths can be drawn."""
    return _first_scene_groups()


def later_groups() -> list[Group]:
    """Everything else, in the order a class is likely to ask for it."""
    expressions = importlib.util.find_spec("losscape.expressions") is not None
    return [_sweeps_group(), _catalogue_group(expressions), _networks_group()]


def groups() -> list[Group]:
    """Every group, the first scene's first."""
    return first_groups() + later_groups()


# --------------------------------------------------------------------------- markers
# numba's cache keeps no list of what it holds; a marker per warmed group does.
# Its content is the CPU numba compiled for: a cache copied to another CPU
# (a Docker image built elsewhere) recompiles, so its markers must not count.

MARKERS = "losscape-warm"


def _marker_path(group: Group) -> str | None:
    cache = os.environ.get("NUMBA_CACHE_DIR")
    return os.path.join(cache, MARKERS, group.marker) if cache else None


def _host_cpu() -> str:
    from llvmlite import binding

    return binding.get_host_cpu_name()


def is_warm(group: Group) -> bool:
    """Whether ``group`` was warmed into the current numba cache on this CPU."""
    path = _marker_path(group)
    try:
        with open(path or "", encoding="utf-8") as f:
            return f.read() == _host_cpu()
    except OSError:
        return False


def mark_warm(group: Group) -> None:
    """Leave ``group``'s marker (nothing without a numba cache folder; errors ignored)."""
    path = _marker_path(group)
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(_host_cpu())
    except OSError as exc:  # a read-only cache: the next start just loads again
        log.debug("no warm-up marker for %s: %s", group.label, exc)


def warm(todo: Iterable[Group], *, out: TextIO | None = sys.stderr) -> dict[str, Any]:
    """Run each group, printing a line per group to ``out`` (None: silent).

    Returns {"seconds", "runs", "failed"}. A group that fails is reported and
    skipped: a warm-up never stops the app.
    """
    t0 = time.perf_counter()
    runs = 0
    failed: list[str] = []
    for g in todo:
        t = time.perf_counter()
        if out is not None:
            print(f"losscape: compiling {g.label} ...", end="", file=out, flush=True)
        try:
            runs += g.run()
            mark_warm(g)
        except Exception as exc:
            failed.append(g.label)
            log.exception("losscape: warming %s failed", g.label)
            if out is not None:
                print(f" failed ({type(exc).__name__}: {exc})", file=out, flush=True)
            continue
        if out is not None:
            print(f" {time.perf_counter() - t:.1f} s", file=out, flush=True)
    return {"seconds": time.perf_counter() - t0, "runs": runs, "failed": failed}


def announce_ready(*, out: TextIO | None = None) -> None:
    """Print the page's URL (set by ``losscape serve``) once the app can answer."""
    url = os.environ.get(URL_ENV)
    if url:
        print(
            f"losscape: ready, serving the classroom page at {url} (API docs at {url}docs)",
            file=out or sys.stdout,
            flush=True,
        )


class compile_notice:  # lower case: used like contextlib's context managers
    """Print a notice on stderr when the work inside takes over ``after`` seconds.

    The first run after an install compiles the kernels (seconds, once: numba
    caches them on disk); this says so instead of leaving the user waiting blindly.
    """

    MESSAGE = (
        "losscape: compiling the kernels (first run only; `losscape warm` compiles them ahead)..."
    )

    def __init__(self, after: float = 0.5, *, out: TextIO | None = None) -> None:
        stream = out or sys.stderr
        self._timer = threading.Timer(after, lambda: print(self.MESSAGE, file=stream, flush=True))
        self._timer.daemon = True

    def __enter__(self) -> compile_notice:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def with_compile_notice(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """A CLI command wrapped in ``compile_notice``."""

    def wrapped(args: argparse.Namespace) -> int:
        with compile_notice():
            return command(args)

    return wrapped


# --------------------------------------------------------------------------- `losscape warm`


def add_parser(sub: Any) -> None:
    """Add ``losscape warm`` to the CLI's subparsers."""
    sub.add_parser(
        "warm", help="compile the kernels into numba's cache now (a first serve then starts fast)"
    )


def command(args: argparse.Namespace) -> int:
    """``losscape warm``: every group, a line each; exit 1 if any failed."""
    done = warm(groups(), out=sys.stdout)
    print(f"losscape: kernels ready in {done['seconds']:.1f} s", flush=True)
    return 1 if done["failed"] else 0
