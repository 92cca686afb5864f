"""The ``scene_claims`` operation: a scene step's claims checked on its own results.

Shared by ``POST /api/scenes/claims`` and the live channel (``api/operations.py``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from .. import claims
from .schemas import Out, Strict, bounded_int

_VERDICT = {
    "id": "stuck",
    "text": "blue is stuck at the saddle (not converged to a minimum)",
    "passed": True,
    "value": None,
    "detail": "stuck == stuck",
}


class SceneClaimsRequest(Strict):
    """A scene step: ``page`` "surfaces" (the classroom page, default) or "networks"."""

    scene: str = Field(min_length=1, max_length=64, description="a scene id from the catalog")
    step: bounded_int(0, 99, "the presenter step, from 0")  # type: ignore[valid-type]
    page: Literal["surfaces", "networks"] = "surfaces"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scene": "saddle", "step": 0, "page": "surfaces"}]}
    )


class ClaimVerdict(Out):
    id: str
    text: str
    passed: bool
    value: float | None = Field(description="the claim's left-hand side, when a finite number")
    detail: str = Field(description="the comparison as evaluated, e.g. '1.2e-05 < 0.01'")

    model_config = ConfigDict(json_schema_extra={"examples": [_VERDICT]})


class SceneClaimsResponse(Out):
    scene: str
    step: int
    page: Literal["surfaces", "networks"]
    claims: list[ClaimVerdict]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"scene": "saddle", "step": 0, "page": "surfaces", "claims": [_VERDICT]}]
        }
    )


def run_scene_claims(body: SceneClaimsRequest, progress: Any) -> dict[str, Any]:
    cancel = progress.check if progress is not None else None
    verdicts = claims.evaluate(body.scene, body.step, page=body.page, cancel=cancel)
    return {
        "scene": body.scene,
        "step": body.step,
        "page": body.page,
        "claims": [v.to_dict() for v in verdicts],
    }
