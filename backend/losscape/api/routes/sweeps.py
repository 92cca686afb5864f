"""``POST /api/sweeps/lr``, ``/api/sweeps/basins``, ``/api/sweeps/lr-momentum``.

Over REST a sweep runs in one piece; the live channel streams the same sweeps
with progress frames and can cancel them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from .. import schemas
from . import documented, run

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])


@router.post(
    "/lr",
    response_model=None,
    responses=documented(schemas.LRSweepResponse),
    summary="Learning-rate sweep",
    operation_id="sweep_lr",
)
async def lr_sweep(body: Annotated[schemas.LRSweepRequest, Body()], request: Request) -> Response:
    """One start, ``count`` log-spaced learning rates in [lr_min, lr_max]: final and best
    loss, status and stop step per lr; ``edge_lr`` = 2 / lambda_max on a quadratic."""
    return await run(request, "sweep_lr", body)


@router.post(
    "/basins",
    response_model=None,
    responses=documented(schemas.BasinsResponse),
    summary="Basins of attraction",
    operation_id="sweep_basins",
)
async def basins(body: Annotated[schemas.BasinsRequest, Body()], request: Request) -> Response:
    """A ``resolution``-square grid of starts over ``view``, each labelled by the minimum
    its run ends near (-1 none, -2 diverged, -3 escaped)."""
    return await run(request, "sweep_basins", body)


@router.post(
    "/lr-momentum",
    response_model=None,
    responses=documented(schemas.LRMomentumResponse),
    summary="Learning rate x momentum map",
    operation_id="sweep_lr_momentum",
)
async def lr_momentum(
    body: Annotated[schemas.LRMomentumRequest, Body()], request: Request
) -> Response:
    """Final loss for every (lr, momentum) pair: log-spaced lrs, linearly spaced momentum
    (``momentum`` or Adam's ``beta1``)."""
    return await run(request, "sweep_lr_momentum", body)
