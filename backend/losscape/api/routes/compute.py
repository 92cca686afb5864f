"""``POST /api/trajectories``, ``/api/grid``, ``/api/hessian``."""

from __future__ import annotations

from fastapi import APIRouter

from .. import schemas
from . import PostRoute, add_post_routes

router = APIRouter(prefix="/api", tags=["surfaces"])

add_post_routes(
    router,
    [
        PostRoute(
            "/trajectories",
            "trajectories",
            schemas.TrajectoriesResponse,
            "Each run's path (per-axis arrays), loss, Polyak average, lr per step, status and "
            "``stopped_at`` (the step where a run diverged, converged or escaped).",
            summary="Optimizer runs on one surface",
        ),
        PostRoute(
            "/grid",
            "grid",
            schemas.GridResponse,
            "Values on a ``resolution``-square grid over ``view`` (the surface's default view "
            "if omitted), null where undefined, and an ``arrows``-square field of gradients.",
            summary="Surface values for contour and 3-D plots",
        ),
        PostRoute(
            "/hessian",
            "hessian",
            schemas.HessianResponse,
            "Value, gradient, Hessian, its eigen-pairs (ascending) and the point's kind.",
            summary="Curvature at a point",
        ),
    ],
)
