"""Validation at pydantic-core's depth: ``Operation.validate`` is the adapter itself (unknown
fields refused by ``extra="forbid"``, no Python per model instance), and the error handlers'
``validation_detail`` rewords every unknown field's refusal to name the valid fields of the
model that refused it, however deep (found through the core schema by the error's loc)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from losscape.api import errors, operations

OPERATIONS = list(operations.OPERATIONS.values())


def _examples(op: operations.Operation) -> list[Any]:
    """The operation's request examples, as the OpenAPI document shows them."""
    schema = op.adapter.json_schema()
    found = list(schema.get("examples", []))
    for name, definition in schema.get("$defs", {}).items():
        if name.endswith("Request"):
            found.extend(definition.get("examples", []))
    return found


def _errors(fn: Any, body: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        fn(body)
    return info.value.errors(include_url=False)


def _objects(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every JSON object in ``node`` (itself included)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        found.append(path)
        for key, value in node.items():
            found.extend(_objects(value, (*path, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_objects(value, (*path, i)))
    return found


def _insert(body: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(body)
    node = out
    for step in path:
        node = node[step]
    node["bogus"] = 1
    return out


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_valid_bodies_give_the_adapters_model(op: operations.Operation) -> None:
    examples = _examples(op)
    if not examples:
        pytest.skip(f"{op.name} documents no example body")
    for body in examples:
        slow = op.adapter.validate_python(copy.deepcopy(body))
        fast = op.validate(copy.deepcopy(body))
        assert type(fast) is type(slow)
        assert fast == slow


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_every_unknown_field_is_reworded_at_any_depth(op: operations.Operation) -> None:
    examples = [e for e in _examples(op) if isinstance(e, dict)]
    if not examples:
        pytest.skip(f"{op.name} documents no example body")
    checked = 0
    for body in examples:
        for path in _objects(body):
            try:
                op.validate(_insert(body, path))
            except ValidationError as exc:
                raw = exc.errors(include_url=False)
                detail = errors.validation_detail(raw, op.model)
                for err, d in zip(raw, detail, strict=True):
                    if err["type"] == "extra_forbidden":
                        assert d["msg"].startswith("unknown "), (path, d)
                        assert "'bogus'" in d["msg"] and "; valid: " in d["msg"], (path, d)
                        checked += 1
            # (a free mapping, e.g. a formula's parameters, may take any name)
    assert checked > 0


def test_nested_unknown_fields_still_name_the_valid_ones() -> None:
    op = operations.OPERATIONS["trajectories"]
    body = {
        "surface": {"name": "rosenbrock", "params": {"a": 1, "c": 2}},
        "runs": [{"optimizer": "adam", "lr": 0.01, "hyperparams": {"beta3": 0.9}}],
    }
    detail = errors.validation_detail(_errors(op.validate, body), op.model)
    messages = " | ".join(e["msg"] for e in detail)
    assert "unknown parameter 'c' for rosenbrock; valid: a, b" in messages
    assert "unknown parameter 'beta3' for adam; valid:" in messages


def test_without_the_validated_type_pydantics_message_stays() -> None:
    op = operations.OPERATIONS["grid"]
    raw = _errors(op.validate, {"surface": {"name": "quadratic"}, "bogus": 1})
    (d,) = errors.validation_detail(raw)
    assert (d["loc"], d["type"]) == (["bogus"], "extra_forbidden")
    assert d["msg"] == raw[0]["msg"]
