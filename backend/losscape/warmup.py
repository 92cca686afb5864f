"""Compile (or load from numba's disk cache) the kernels before anyone waits for them.

Kernels are specialised per (surface, optimizer) and compile lazily, so a
warm-up is a list of *groups*, most urgent first: the page's first scene
(its surface's grid, Hessian and its runs), the sweeps on that surface, the
networks' kernels, then the other scenes. Each group prints one progress line.
``losscape serve`` warms the first groups once, in the parent process before
uvicorn starts its workers (they then load the cache instead of all
compiling at once), and prints its URL when the app can answer; ``losscape
warm`` (the Dockerfile runs it) warms every scene, or with ``--all`` every
(surface, optimizer) pair. Anything not warmed compiles on first use and is
cached on disk from then on.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from . import service

URL_ENV = "LOSSCAPE_URL"  # set by ``losscape serve``: the app prints it once it can answer


@dataclass(frozen=True)
class Group:
    """Kernels compiled together, announced with one line."""

    label: str
    run: Callable[[], object]


def _runs_of(state: dict[str, Any]) -> list[str]:
    return [r["optimizer"] for r in state.get("runs", [])]


def _scene_surfaces() -> list[tuple[str, str, list[str]]]:
    """(scene id, surface, optimizers) for every scene step, the first scene first."""
    from . import scenes

    out: list[tuple[str, str, list[str]]] = []
    for sc in scenes.scenes():
        for k in range(len(sc.get("steps", [])) or 1):
            try:
                state = scenes.step_state(sc["id"], k)
            except (KeyError, IndexError, ValueError):
                state = sc["state"]
            out.append((sc["id"], state["surface"], _runs_of(state)))
    return out


def _surface_group(label: str, surface: str, optimizers: Iterable[str]) -> Group:
    names = list(dict.fromkeys(optimizers))

    def run() -> None:
        surf = service.resolve_surface(surface)
        service.grid(surface, resolution=3, arrows=2)
        service.hessian(surf, surf.default_start)
        for name in names:
            service.trajectory(surface, name, steps=3)

    return Group(f"{label}: {surface} x {', '.join(names) or 'no runs'}", run)


def _sweep_group(surface: str, optimizers: list[str]) -> Group:
    def run() -> None:
        for name in list(dict.fromkeys(optimizers))[:3]:
            service.lr_sweep(surface, name, steps=3, count=2, curves=True, progress=_ignore)
            service.basins(surface, name, steps=3, resolution=2, progress=_ignore)
        service.lr_momentum_map(
            surface, "momentum", steps=3, lr_count=2, momentum_count=2, progress=_ignore
        )

    return Group(f"sweeps on {surface}", run)


def _networks_group() -> Group:
    def run() -> None:
        from . import network_service

        network_service.warm_up()

    return Group("networks", run)


def _ignore(done: int, total: int, partial: object) -> None:
    return None


def server_groups() -> list[Group]:
    """What ``losscape serve`` warms before printing its URL: the first scene, its sweeps,
    and the networks' kernels."""
    scene_id, surface, optimizers = _scene_surfaces()[0]
    return [
        _surface_group(f"first scene ({scene_id})", surface, optimizers),
        _sweep_group(surface, optimizers),
        _networks_group(),
    ]


def all_groups(*, every_pair: bool = False) -> list[Group]:
    """Every scene's kernels (the server's groups first); with ``every_pair`` also every
    (surface, optimizer) pair of the catalogue."""
    groups = server_groups()
    seen: dict[str, list[str]] = {}
    for _, surface, optimizers in _scene_surfaces()[1:]:
        seen.setdefault(surface, []).extend(optimizers)
    for surface, optimizers in seen.items():
        groups.append(_surface_group("scene", surface, optimizers))
    if every_pair:
        names = [o["name"] for o in service.optimizers() if not o["surfaces_only"]]
        names += [o["name"] for o in service.optimizers() if o["surfaces_only"]]
        for s in service.surfaces():
            groups.append(_surface_group("catalogue", s["name"], names))
            groups.append(_sweep_group(s["name"], names))
    return groups


def warm(groups: Iterable[Group], *, out: TextIO | None = sys.stderr) -> float:
    """Run each group, printing a line per group; returns the seconds taken.

    A group that fails is reported and skipped: a warm-up never stops the app.
    """
    t0 = time.perf_counter()
    for g in groups:
        t = time.perf_counter()
        if out is not None:
            print(f"losscape: compiling {g.label} ...", end="", file=out, flush=True)
        try:
            g.run()
        except Exception as exc:
            if out is not None:
                print(f" failed ({type(exc).__name__}: {exc})", file=out, flush=True)
            continue
        if out is not None:
            print(f" {time.perf_counter() - t:.1f} s", file=out, flush=True)
    return time.perf_counter() - t0


def announce_ready(*, out: TextIO = sys.stdout) -> None:
    """Print the page's URL (set by ``losscape serve``) once the app can answer."""
    url = os.environ.get(URL_ENV)
    if url:
        print(f"losscape: ready, serving the classroom page at {url} (API docs at {url}docs)",
              file=out, flush=True)  # fmt: skip


class compile_notice:  # lower case: used as a context manager, like contextlib's
    """Print a notice on stderr when the work inside takes over ``after`` seconds.

    The first run of a (surface, optimizer) pair compiles its kernels (a few
    seconds, once: numba caches them on disk); this says so instead of leaving
    the user waiting blindly.
    """

    def __init__(self, after: float = 0.5, *, out: TextIO = sys.stderr) -> None:
        import threading

        msg = (
            "losscape: compiling the kernels of this surface and optimizer "
            "(first run only; `losscape warm` compiles them ahead)..."
        )
        self._timer = threading.Timer(after, lambda: print(msg, file=out, flush=True))
        self._timer.daemon = True

    def __enter__(self) -> compile_notice:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
