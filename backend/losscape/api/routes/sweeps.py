"""``POST /api/sweeps/lr``, ``/api/sweeps/basins``, ``/api/sweeps/lr-momentum``.

Over REST a sweep runs in one piece; the live channel streams the same sweeps
with progress frames and can cancel them.
"""

from __future__ import annotations

from fastapi import APIRouter

from .. import schemas
from . import PostRoute, add_post_routes

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])

add_post_routes(
    router,
    [
        PostRoute(
            "/lr",
            "sweep_lr",
            schemas.LRSweepResponse,
            "One start, ``count`` log-spaced learning rates in [lr_min, lr_max]: final and best "
            "loss, status and stop step per lr; ``edge_lr`` = 2 / lambda_max on a quadratic.",
            summary="Learning-rate sweep",
        ),
        PostRoute(
            "/basins",
            "sweep_basins",
            schemas.BasinsResponse,
            "A ``resolution``-square grid of starts over ``view``, each labelled by the minimum "
            "its run ends near (-1 none, -2 diverged, -3 escaped).",
            summary="Basins of attraction",
        ),
        PostRoute(
            "/lr-momentum",
            "sweep_lr_momentum",
            schemas.LRMomentumResponse,
            "Final loss for every (lr, momentum) pair: log-spaced lrs, linearly spaced momentum "
            "(``momentum`` or Adam's ``beta1``).",
            summary="Learning rate x momentum map",
        ),
    ],
)
