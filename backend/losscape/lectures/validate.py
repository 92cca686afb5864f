"""Checks of saved scenes and lecture documents: every error names its field by path.

A saved scene's ``state`` is a page state as the page's hash codec holds it
(``frontend/js/state.js`` for the surfaces page, ``frontend/js/network/state.js``
for the networks page): only those keys, only catalogue names, numbers finite
and within the catalogue's bounds, and at most ``MAX_SCENE_STATE_BYTES`` as JSON.
The view keys a link carries (scene, step, timeline position, speed, presenter
mode) belong to whoever opens the scene, so they are dropped, not stored.

``Invalid`` is a ``ValueError`` whose ``path`` is the list of keys and indices
from the document's root to the first bad field, e.g.
``["scenes", 1, "state", "runs", 0, "optimizer"]``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from .. import limits, scenes, service

Path = list[str | int]

PAGES = scenes.PAGES
VIEW_KEYS = frozenset({"scene", "step", "t", "speed", "present"})
SURFACE_KEYS = frozenset(
    {
        "surface",
        "formula",
        "fview",
        "params",
        "runs",
        "steps",
        "schedule",
        "noise",
        "batch_size",
        "seed",
        "panels",
        "arrows",
        "logy",
        "averaging",
        "sweep",
        "basins",
        "lrm",
        "probe",
        "gradbug",
        "click",
        "fparams",
        "internals",
    }
)
NETWORK_KEYS = frozenset(
    {
        "dataset",
        "model",
        "hidden",
        "activation",
        "optimizer",
        "lr",
        "steps",
        "batch",
        "init",
        "normalize",
        "seed",
        "threshold",
        "n",
        "rate",
        "panels",
        "broken",
        "batch_norm",
        "target",
        "loss",
    }
)
RUN_KEYS = frozenset({"optimizer", "lr", "hyperparams", "start", "color", "schedule", "batch_size"})
EXPRESSION = "expression"  # the surfaces page's typed-in formula (formula.js EXPRESSION)
MAX_EXPRESSION_LENGTH = 200  # as the API's typed-in formulas
MAX_NAME_LENGTH = 64  # a name, id or colour inside a state
MAX_PANELS = 16
_NAME = re.compile(r"[A-Za-z0-9_.,:#\- ]*")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_HIDDEN = re.compile(r"[0-9x, ]{0,64}")


class Invalid(ValueError):
    """A bad field: ``path`` from the document's root, and what is wrong with it."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = list(path)
        self.message = message
        super().__init__(f"{dotted(path)}: {message}" if path else message)


def dotted(path: Path) -> str:
    """``["scenes", 1, "state"]`` -> ``scenes[1].state``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# --------------------------------------------------------------------------- scalars


def text(value: Any, path: Path, max_length: int, *, empty: bool = True) -> str:
    """A string of at most ``max_length`` characters, with no control characters but newline."""
    if not isinstance(value, str):
        raise Invalid(path, f"must be a string, not {type(value).__name__}")
    if len(value) > max_length:
        raise Invalid(path, f"is {len(value)} characters long; at most {max_length}")
    if not empty and not value.strip():
        raise Invalid(path, "must not be empty")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise Invalid(path, "contains control characters")
    return value


def number(value: Any, path: Path, lo: float, hi: float, *, integer: bool = False) -> float:
    """A finite number in [lo, hi] (bools refused; an integer where ``integer``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(path, f"must be a number, not {type(value).__name__}")
    if not math.isfinite(value):
        raise Invalid(path, "must be finite")
    if integer and value != int(value):
        raise Invalid(path, "must be a whole number")
    if not lo <= value <= hi:
        raise Invalid(path, f"{value:g} is out of bounds [{lo:g}, {hi:g}]")
    return value


def flag(value: Any, path: Path) -> bool:
    if not isinstance(value, bool):
        raise Invalid(path, f"must be true or false, not {type(value).__name__}")
    return value


def one_of(value: Any, path: Path, choices: Sequence[str], what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Invalid(path, f"unknown {what} {value!r}; valid: {', '.join(choices)}")
    return value


def obj(value: Any, path: Path, keys: frozenset[str] | None = None) -> Mapping[str, Any]:
    """A JSON object; with ``keys``, none but those (the error lists them)."""
    if not isinstance(value, Mapping):
        raise Invalid(path, f"must be an object, not {type(value).__name__}")
    for k in value:
        if not isinstance(k, str):
            raise Invalid(path, "keys must be strings")
        if keys is not None and k not in keys:
            raise Invalid([*path, k], f"unknown field; valid: {', '.join(sorted(keys))}")
    return value


def seq(value: Any, path: Path, lo: int, hi: int) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(path, f"must be a list, not {type(value).__name__}")
    if not lo <= len(value) <= hi:
        raise Invalid(path, f"has {len(value)} items; between {lo} and {hi}")
    return value


def numbers(value: Any, path: Path, *, lo: float = -1e300, hi: float = 1e300) -> None:
    """An object of name -> finite number (parameters, sweep settings)."""
    for k, v in obj(value, path).items():
        text(k, [*path, k], MAX_NAME_LENGTH)
        number(v, [*path, k], lo, hi)


def point(value: Any, path: Path, size: int = 2) -> None:
    c = limits.MAX_COORDINATE
    for i, v in enumerate(seq(value, path, size, size)):
        number(v, [*path, i], -c, c)


# --------------------------------------------------------------------------- catalogue names


@cache
def _names() -> dict[str, tuple[str, ...]]:
    out = {
        "surface": (*(s["name"] for s in service.surfaces()), EXPRESSION),
        "optimizer": tuple(o["name"] for o in service.optimizers()),
        "schedule": tuple(s["name"] for s in service.schedules()),
        "dataset": (),
        "model": (),
        "loss": (),
    }
    try:
        from .. import network_service
        from ..network_service.catalogue import TASK_LOSSES
    except ImportError:  # a build without the networks: their scenes cannot be saved
        return out
    out["dataset"] = tuple(d["name"] for d in network_service.datasets())
    out["model"] = tuple(m["name"] for m in network_service.models())
    out["loss"] = tuple(sorted({loss for losses in TASK_LOSSES.values() for loss in losses}))
    return out


def builtin_ids(page: str | None = None) -> tuple[str, ...]:
    """The built-in scenes' ids (read-only), of one page or of both."""
    lists = {"surfaces": scenes.scenes, "networks": scenes.network_scenes}
    return tuple(s["id"] for p in ((page,) if page else PAGES) for s in lists[p]())


# --------------------------------------------------------------------------- page states


def _panels(value: Any, path: Path) -> None:
    if isinstance(value, str):  # the network page's hash form: "data,training"
        value = value.split(",") if value else []
    for i, p in enumerate(seq(value, path, 0, MAX_PANELS)):
        text(p, [*path, i], MAX_NAME_LENGTH)
        if not re.fullmatch(r"[a-z0-9_-]+", p):
            raise Invalid([*path, i], f"{p!r} is not a panel id")


def _schedule(value: Any, path: Path) -> None:
    sch = obj(value, path, frozenset({"name", "params"}))
    one_of(sch.get("name"), [*path, "name"], _names()["schedule"], "schedule")
    numbers(sch.get("params", {}), [*path, "params"])


def _run(value: Any, path: Path) -> None:
    run = obj(value, path, RUN_KEYS)
    one_of(run.get("optimizer"), [*path, "optimizer"], _names()["optimizer"], "optimizer")
    number(run.get("lr"), [*path, "lr"], 0.0, 1e6)
    numbers(run.get("hyperparams", {}), [*path, "hyperparams"])
    point(run.get("start"), [*path, "start"])
    if "color" in run and not _COLOR.fullmatch(text(run["color"], [*path, "color"], 7)):
        raise Invalid([*path, "color"], "must be a colour like #0072B2")
    if run.get("schedule") is not None:
        _schedule(run["schedule"], [*path, "schedule"])
    if run.get("batch_size") is not None:
        number(run["batch_size"], [*path, "batch_size"], 1, limits.MAX_BATCH_SIZE, integer=True)


def _surface_state(s: Mapping[str, Any], path: Path) -> None:
    names = _names()
    one_of(s.get("surface"), [*path, "surface"], names["surface"], "surface")
    for i, run in enumerate(seq(s.get("runs"), [*path, "runs"], 1, limits.MAX_RUNS)):
        _run(run, [*path, "runs", i])
    checks = {
        "params": lambda v, p: numbers(v, p),
        "fparams": lambda v, p: numbers(v, p),
        "steps": lambda v, p: number(v, p, 1, limits.MAX_STEPS, integer=True),
        "schedule": _schedule,
        "noise": lambda v, p: number(v, p, 0, limits.MAX_NOISE),
        "seed": lambda v, p: number(v, p, 0, limits.MAX_SEED, integer=True),
        "panels": _panels,
        "formula": lambda v, p: text(v, p, MAX_EXPRESSION_LENGTH),
        "click": lambda v, p: one_of(v, p, ("start", "probe"), "click mode"),
        "sweep": lambda v, p: numbers(v, p),
        "basins": lambda v, p: numbers(v, p),
        "lrm": lambda v, p: numbers(v, p),
    }
    for key, check in checks.items():
        if key in s:
            check(s[key], [*path, key])
    for key in ("arrows", "logy", "averaging", "gradbug", "internals"):
        if key in s:
            flag(s[key], [*path, key])
    for key, size in (("probe", 2), ("fview", 4)):
        if s.get(key) is not None:
            point(s[key], [*path, key], size)
    if s.get("batch_size") is not None:
        number(s["batch_size"], [*path, "batch_size"], 1, limits.MAX_BATCH_SIZE, integer=True)


def _network_state(s: Mapping[str, Any], path: Path) -> None:
    names = _names()
    one_of(s.get("dataset"), [*path, "dataset"], names["dataset"], "dataset")
    one_of(s.get("model"), [*path, "model"], names["model"], "model")
    if "optimizer" in s:
        one_of(s["optimizer"], [*path, "optimizer"], names["optimizer"], "optimizer")
    bounds: dict[str, tuple[float, float, bool]] = {
        "lr": (0.0, 1e6, False),
        "steps": (1, limits.MAX_TRAIN_STEPS, True),
        "batch": (0, limits.MAX_BATCH_SIZE, True),
        "seed": (0, limits.MAX_SEED, True),
        "threshold": (0.0, 1.0, False),
        "n": (0, 1_000_000, True),
        "rate": (0.0, 1.0, False),
        "target": (0.0, 1e6, False),
    }
    for key, (lo, hi, integer) in bounds.items():
        if key in s:
            number(s[key], [*path, key], lo, hi, integer=integer)
    if s.get("loss"):  # "" is the task's default loss
        one_of(s["loss"], [*path, "loss"], names["loss"], "loss")
    for key in ("activation", "init"):
        if key in s and not _NAME.fullmatch(text(s[key], [*path, key], MAX_NAME_LENGTH)):
            raise Invalid([*path, key], "is not a name")
    if "hidden" in s and not _HIDDEN.fullmatch(text(s["hidden"], [*path, "hidden"], 64)):
        raise Invalid([*path, "hidden"], "must be layer widths like 16 or 16,8")
    for key in ("normalize", "broken", "batch_norm"):
        if key in s:
            flag(s[key], [*path, key])
    if "panels" in s:
        _panels(s["panels"], [*path, "panels"])


def page_state(page: str, state: Any, path: Path) -> dict[str, Any]:
    """The state to store for ``page``: checked, view keys dropped, at most the size limit."""
    one_of(page, [*path[:-1], "page"], PAGES, "page")
    keys = SURFACE_KEYS if page == "surfaces" else NETWORK_KEYS
    raw = obj(state, path, keys | VIEW_KEYS)
    out = {k: v for k, v in raw.items() if k not in VIEW_KEYS}
    try:
        size = len(json.dumps(out, allow_nan=False, separators=(",", ":")))
    except (ValueError, TypeError) as exc:
        raise Invalid(path, f"is not plain JSON ({exc})") from exc
    if size > limits.MAX_SCENE_STATE_BYTES:
        raise Invalid(path, f"is {size} bytes as JSON; at most {limits.MAX_SCENE_STATE_BYTES}")
    (_surface_state if page == "surfaces" else _network_state)(out, path)
    return out


def scene_fields(body: Any, path: Path) -> dict[str, Any]:
    """A saved scene's fields {page, title, caption, state}, checked."""
    raw = obj(body, path, frozenset({"page", "title", "caption", "state", "key"}))
    page = one_of(raw.get("page"), [*path, "page"], PAGES, "page")
    return {
        "page": page,
        "title": text(raw.get("title"), [*path, "title"], limits.MAX_TITLE_LENGTH, empty=False),
        "caption": text(raw.get("caption", ""), [*path, "caption"], limits.MAX_CAPTION_LENGTH),
        "state": page_state(page, raw.get("state"), [*path, "state"]),
    }
