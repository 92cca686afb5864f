"""``Operation.validate`` (the live channel's validation without the models' wrap validators)
gives the same model as the adapter for a valid body, and the same errors for an invalid one."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from losscape.api import operations

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
        assert fast.model_dump() == slow.model_dump()


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_invalid_bodies_give_the_adapters_errors(op: operations.Operation) -> None:
    examples = [e for e in _examples(op) if isinstance(e, dict)]
    if not examples:
        pytest.skip(f"{op.name} documents no example body")
    body = examples[0]
    bad = [{**body, "bogus": 1}, "not an object", {}]
    for key, value in body.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            bad.append({**body, key: "3"})  # strict types: no strings for numbers
            bad.append({**body, key: float("nan")})
    for b in bad:
        assert _errors(op.validate, b) == _errors(op.adapter.validate_python, b)


def test_nested_unknown_fields_still_name_the_valid_ones() -> None:
    op = operations.OPERATIONS["trajectories"]
    body = {
        "surface": {"name": "rosenbrock", "params": {"a": 1, "c": 2}},
        "runs": [{"optimizer": "adam", "lr": 0.01, "hyperparams": {"beta3": 0.9}}],
    }
    errors = _errors(op.validate, body)
    assert errors == _errors(op.adapter.validate_python, body)
    messages = " | ".join(e["msg"] for e in errors)
    assert "unknown parameter 'c' for rosenbrock; valid: a, b" in messages
    assert "unknown parameter 'beta3' for adam; valid:" in messages
