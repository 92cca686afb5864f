"""``POST /api/scenes/claims``: a scene step's claims, checked on that step's own results."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ..scene_claims import SceneClaimsRequest, SceneClaimsResponse
from . import documented, run

router = APIRouter(prefix="/api/scenes", tags=["scenes"])


@router.post(
    "/claims",
    response_model=None,
    responses=documented(SceneClaimsResponse),
    summary="Check a scene step's claims",
)
async def scene_claims(body: SceneClaimsRequest, request: Request) -> Response:
    """Computes the step's results (seeded: exactly what the page draws) and checks each
    claim: ``passed``, the measured ``value`` and the comparison in ``detail``. An unknown
    scene or step is a 422 naming the valid ones."""
    return await run(request, "scene_claims", body)
