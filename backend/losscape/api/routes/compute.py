"""``POST /api/trajectories``, ``/api/grid``, ``/api/hessian``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from .. import schemas
from . import documented, run

router = APIRouter(prefix="/api", tags=["surfaces"])


@router.post(
    "/trajectories",
    response_model=None,
    responses=documented(schemas.TrajectoriesResponse),
    summary="Optimizer runs on one surface",
    operation_id="trajectories",
)
async def trajectories(body: schemas.TrajectoriesRequest, request: Request) -> Response:
    """Each run's path (per-axis arrays), loss, Polyak average, lr per step, status and
    ``stopped_at`` (the step where a run diverged, converged or escaped)."""
    return await run(request, "trajectories", body)


@router.post(
    "/grid",
    response_model=None,
    responses=documented(schemas.GridResponse),
    summary="Surface values for contour and 3-D plots",
    operation_id="grid",
)
async def grid(body: schemas.GridRequest, request: Request) -> Response:
    """Values on a ``resolution``-square grid over ``view`` (the surface's default view if
    omitted), null where undefined, and an ``arrows``-square field of gradients."""
    return await run(request, "grid", body)


@router.post(
    "/hessian",
    response_model=None,
    responses=documented(schemas.HessianResponse),
    summary="Curvature at a point",
    operation_id="hessian",
)
async def hessian(body: schemas.HessianRequest, request: Request) -> Response:
    """Value, gradient, Hessian, its eigen-pairs (ascending) and the point's kind."""
    return await run(request, "hessian", body)
