"""Saved scenes' fields: every built-in step is valid; the bad-input table names the field."""

from __future__ import annotations

import copy

import pytest

from losscape import limits, scenes
from losscape.lectures import Invalid
from losscape.lectures import validate as v

SURFACE = scenes.step_state("gd-1d", 0)
NETWORK = scenes.network_step_state(scenes.network_scenes()[0]["id"], 0)


@pytest.mark.parametrize(
    ("page", "state"),
    [("surfaces", st["state"]) for s in scenes.scenes() for st in s["steps"]]
    + [("networks", st["state"]) for s in scenes.network_scenes() for st in s["steps"]],
)
def test_every_built_in_step_state_can_be_saved(page, state):
    assert v.page_state(page, state, ["state"]) == state


def test_dotted_paths():
    assert v.dotted(["scenes", 1, "state", "runs", 0, "lr"]) == "scenes[1].state.runs[0].lr"
    assert v.dotted([]) == ""


def _with(base, path, value):
    out = copy.deepcopy(base)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


DELETE = object()

# (page, path into the state, bad value, the error's path, words the message must say)
BAD = [
    ("surfaces", ["surface"], "nope", "state.surface", "valid: quadratic"),
    ("surfaces", ["runs", 0, "optimizer"], "sgdx", "state.runs[0].optimizer", "valid: gd"),
    ("surfaces", ["runs", 0, "lr"], -1.0, "state.runs[0].lr", "out of bounds"),
    ("surfaces", ["runs", 0, "lr"], "0.1", "state.runs[0].lr", "must be a number"),
    ("surfaces", ["runs", 0, "start"], [1.0], "state.runs[0].start", "has 1 items"),
    ("surfaces", ["runs", 0, "start", 0], 1e9, "state.runs[0].start[0]", "out of bounds"),
    ("surfaces", ["runs", 0, "color"], "red", "state.runs[0].color", "#0072B2"),
    ("surfaces", ["runs", 0, "evil"], 1, "state.runs[0].evil", "unknown field; valid"),
    ("surfaces", ["runs"], [], "state.runs", "has 0 items"),
    ("surfaces", ["steps"], limits.MAX_STEPS + 1, "state.steps", "out of bounds"),
    ("surfaces", ["steps"], 2.5, "state.steps", "whole number"),
    ("surfaces", ["seed"], True, "state.seed", "must be a number"),
    ("surfaces", ["schedule", "name"], "zigzag", "state.schedule.name", "valid: constant"),
    ("surfaces", ["arrows"], 1, "state.arrows", "true or false"),
    ("surfaces", ["click"], "drag", "state.click", "valid: start, probe"),
    ("surfaces", ["panels", 0], "<b>", "state.panels[0]", "not a panel id"),
    ("surfaces", ["formula"], "x" * 201, "state.formula", "at most 200"),
    ("surfaces", ["hacker"], 1, "state.hacker", "unknown field; valid: arrows"),
    ("networks", ["dataset"], "mnist", "state.dataset", "valid: ravine"),
    ("networks", ["model"], "gpt", "state.model", "valid: linear_regression"),
    ("networks", ["steps"], limits.MAX_TRAIN_STEPS + 1, "state.steps", "out of bounds"),
    ("networks", ["hidden"], "16;drop", "state.hidden", "layer widths"),
    ("networks", ["normalize"], "yes", "state.normalize", "true or false"),
    ("networks", ["surface"], "ravine", "state.surface", "unknown field"),
]


@pytest.mark.parametrize(("page", "where", "value", "path", "words"), BAD, ids=lambda x: str(x))
def test_bad_state_names_the_field(page, where, value, path, words):
    base = SURFACE if page == "surfaces" else NETWORK
    with pytest.raises(Invalid) as err:
        v.page_state(page, _with(base, where, value), ["state"])
    assert v.dotted(err.value.path) == path
    assert words in err.value.message


def test_non_finite_numbers_are_refused():
    with pytest.raises(Invalid, match=r"state\.noise: must be finite|not plain JSON"):
        v.page_state("surfaces", {**SURFACE, "noise": float("nan")}, ["state"])


def test_oversized_state_is_refused_before_it_is_read():
    huge = {**SURFACE, "params": {f"p{i}": 1.0 for i in range(3_000)}}
    with pytest.raises(Invalid, match=r"state: is \d+ bytes as JSON; at most 16384"):
        v.page_state("surfaces", huge, ["state"])


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"page": "slides", "title": "t", "state": SURFACE}, "page", "valid: surfaces, networks"),
        ({"page": "surfaces", "title": " ", "state": SURFACE}, "title", "must not be empty"),
        ({"page": "surfaces", "title": "t" * 121, "state": SURFACE}, "title", "at most 120"),
        ({"page": "surfaces", "title": "t\x00", "state": SURFACE}, "title", "control"),
        ({"page": "surfaces", "title": "t", "caption": 3, "state": SURFACE}, "caption", "string"),
        ({"page": "surfaces", "title": "t", "state": []}, "state", "must be an object"),
        ({"page": "networks", "title": "t", "state": SURFACE}, "state.surface", "unknown field"),
        ({"page": "surfaces", "title": "t", "state": SURFACE, "who": "me"}, "who", "unknown"),
    ],
)
def test_bad_scene_fields(body, path, words):
    with pytest.raises(Invalid) as err:
        v.scene_fields(body, [])
    assert v.dotted(err.value.path) == path and words in err.value.message


def test_the_pages_newer_keys_are_saved_and_checked():
    """A network's loss choice, a formula's named parameters and the internals toggle."""
    net = {**NETWORK, "loss": "logistic_squared_error"}
    assert v.page_state("networks", net, ["state"])["loss"] == "logistic_squared_error"
    with pytest.raises(Invalid) as err:
        v.page_state("networks", {**NETWORK, "loss": "hinge"}, ["state"])
    assert v.dotted(err.value.path) == "state.loss"
    surf = {**SURFACE, "fparams": {"a": 2.0}, "internals": True}
    assert v.page_state("surfaces", surf, ["state"])["fparams"] == {"a": 2.0}
    with pytest.raises(Invalid) as err:
        v.page_state("surfaces", {**SURFACE, "fparams": {"a": "two"}}, ["state"])
    assert v.dotted(err.value.path) == "state.fparams.a"
