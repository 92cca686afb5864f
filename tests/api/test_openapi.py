"""Schema fuzzing: schemathesis over the whole OpenAPI document, in process (ASGI), all checks.

The documented schemas are exact enough that every body they allow is accepted
(positive data) and every body they forbid is refused with a 4xx (negative
data). The hooks below state the few rules JSON Schema cannot express, for
generated *valid* bodies only: ordered pairs (xmin < xmax, lr_min < lr_max,
momentum_min < momentum_max), the sweep work budget, a basin radius within the
view's diagonal, and typed-in formulas (a grammar, not a schema). They also cap
the work of each generated request so the suite stays quick.
"""

from __future__ import annotations

import math
from typing import Any

import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from losscape.api import schemas  # noqa: E402
from losscape.api.app import create_app  # noqa: E402
from losscape.api.operations import EXPRESSIONS_AVAILABLE  # noqa: E402

FUZZ_WORK = 200_000  # runs x steps per generated request
VALID_FORMULA = "x**2 + 3*y**2"

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


def _positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


def _fix_pair(body: dict[str, Any], lo: str, hi: str) -> bool:
    a, b = body.get(lo), body.get(hi)
    if (a is None) != (b is None):  # one given: the defaults (ordered) for both
        body.pop(lo, None)
        body.pop(hi, None)
        return True
    if a is None or b is None:
        return True
    if a == b:
        return False
    if a > b:
        body[lo], body[hi] = b, a
    return True


def _fix_view(view: Any) -> bool:
    if not isinstance(view, list) or len(view) != 4:
        return True
    for i in (0, 2):
        if view[i] == view[i + 1]:
            return False
        if view[i] > view[i + 1]:
            view[i], view[i + 1] = view[i + 1], view[i]
    return True


def _fix_surface(surface: Any) -> bool:
    if isinstance(surface, dict) and "expression" in surface:
        if not EXPRESSIONS_AVAILABLE:
            return False
        surface["expression"] = VALID_FORMULA
        return _fix_view(surface.get("view"))
    return True


def _cap(body: dict[str, Any], runs: int) -> None:
    steps = body.get("steps", 200)
    if runs * steps > FUZZ_WORK:
        body["steps"] = max(1, FUZZ_WORK // runs)


@schema.hook
def filter_case(context: Any, case: Any) -> bool:
    """Make generated valid bodies satisfy the cross-field rules; drop the unfixable."""
    body = case.body
    if not _positive(case) or not isinstance(body, dict):
        return True
    path = case.operation.path
    ok = _fix_surface(body.get("surface")) and _fix_view(body.get("view"))
    ok = ok and _fix_pair(body, "lr_min", "lr_max")
    ok = ok and _fix_pair(body, "momentum_min", "momentum_max")
    if path == "/api/trajectories":
        _cap(body, len(body.get("runs", [])))
    elif path == "/api/sweeps/lr":
        _cap(body, body.get("count", 50))
        if body.get("curves"):
            body["count"] = min(body.get("count", 50), 50)
    elif path == "/api/sweeps/basins":
        g = body.get("resolution", 64)
        _cap(body, g * g)
        body.setdefault("steps", 500)
        _cap(body, g * g)
        view = body.get("view")
        if body.get("radius") is not None and isinstance(view, list):
            diag = math.hypot(view[1] - view[0], view[3] - view[2])
            body["radius"] = min(body["radius"], diag)
        elif body.get("radius") is not None:
            body.pop("radius")
    elif path == "/api/sweeps/lr-momentum":
        _cap(body, body.get("lr_count", 40) * body.get("momentum_count", 40))
    return ok


@schema.parametrize()
@hypothesis.settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi(case: Any) -> None:
    if (
        case.operation.path == "/api/sweeps/lr-momentum"
        and not schemas.MOMENTUM_OPTIMIZERS
        and _positive(case)
    ):
        # no optimizer with momentum in the registry yet: no body is valid
        assert case.call().status_code == 422
        return
    case.call_and_validate()
