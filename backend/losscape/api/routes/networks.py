"""``POST /api/networks/...``: training, landscapes, metrics and the diagnostics.

Over REST each request runs in one piece; the live channel streams training
(``network_train``: progress frames with the history so far) and can cancel it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from ..schemas import network_requests as nsch
from ..schemas import network_responses as out
from . import documented, run

router = APIRouter(prefix="/api/networks", tags=["networks"])


@router.post(
    "/train",
    response_model=None,
    responses=documented(out.TrainResponse, "The training history."),
    operation_id="network_train",
)
async def train(body: Annotated[nsch.TrainRequest, Body()], request: Request) -> Response:
    """Train a model: per-record train/validation loss, accuracy, gradient norm, lr,
    hidden-activation histograms, dead/saturated fractions and weight snapshots."""
    return await run(request, "network_train", body)


@router.post(
    "/metrics",
    response_model=None,
    responses=documented(out.MetricsResponse, "Metrics at the threshold."),
    operation_id="network_metrics",
)
async def metrics(body: Annotated[nsch.MetricsRequest, Body()], request: Request) -> Response:
    """Train, then accuracy, sensitivity, specificity, precision, the confusion matrix,
    the ROC curve with its AUC and the point at ``threshold``."""
    return await run(request, "network_metrics", body)


@router.post(
    "/boundary",
    response_model=None,
    responses=documented(out.BoundaryResponse, "Model output over the plane."),
    operation_id="network_boundary",
)
async def boundary(body: Annotated[nsch.BoundaryRequest, Body()], request: Request) -> Response:
    """Train, then the model's output over the data's bounding box (raw feature units)."""
    return await run(request, "network_boundary", body)


@router.post(
    "/landscape",
    response_model=None,
    responses=documented(out.LandscapeResponse, "The slice and trajectories."),
    operation_id="network_landscape",
)
async def landscape(body: Annotated[nsch.LandscapeRequest, Body()], request: Request) -> Response:
    """Loss over a 2-D slice (exact (w1, w2) plane, PCA or filter-normalised random
    directions) with every optimizer's trajectory projected onto it."""
    return await run(request, "network_landscape", body)


@router.post(
    "/gradient-check",
    response_model=None,
    responses=documented(out.GradientCheckResponse, "The comparison."),
    operation_id="network_gradient_check",
)
async def gradient_check(
    body: Annotated[nsch.GradientCheckRequest, Body()], request: Request
) -> Response:
    """Backprop against central differences; ``broken`` plants a bug the check catches."""
    return await run(request, "network_gradient_check", body)


@router.post(
    "/gradient-noise",
    response_model=None,
    responses=documented(out.GradientNoiseResponse, "Variance per size."),
    operation_id="network_gradient_noise",
)
async def gradient_noise(
    body: Annotated[nsch.GradientNoiseRequest, Body()], request: Request
) -> Response:
    """Mini-batch gradient variance for each batch size S (and the 1/S prediction)."""
    return await run(request, "network_gradient_noise", body)


@router.post(
    "/batch-size",
    response_model=None,
    responses=documented(out.BatchSizeResponse, "Steps per batch size."),
    operation_id="network_batch_size",
)
async def batch_size(body: Annotated[nsch.BatchSizeRequest, Body()], request: Request) -> Response:
    """Steps to reach a target loss for each batch size S (Shallue et al. 2018)."""
    return await run(request, "network_batch_size", body)


@router.post(
    "/dataset",
    response_model=None,
    responses=documented(out.DatasetResponse, "The points and the split."),
    operation_id="network_dataset",
)
async def dataset(body: Annotated[nsch.DatasetRequest, Body()], request: Request) -> Response:
    """A data set's points; ``{"csv": text}`` uploads your own (at most 5,000 rows), and
    a malformed file is refused with the line and column at fault."""
    return await run(request, "network_dataset", body)
