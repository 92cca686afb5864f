"""``POST /api/networks/...``: training, landscapes, metrics and the diagnostics.

Over REST each request runs in one piece; the live channel streams training
(``network_train``: progress frames with the history so far) and can cancel it.
"""

from __future__ import annotations

from fastapi import APIRouter

from ..schemas import network_responses as out
from . import PostRoute, add_post_routes

router = APIRouter(prefix="/api/networks", tags=["networks"])

add_post_routes(
    router,
    [
        PostRoute(
            "/train",
            "network_train",
            out.TrainResponse,
            "Train a model: per-record train/validation loss, accuracy, gradient norm, lr, "
            "hidden-activation histograms, dead/saturated fractions and weight snapshots.",
            "The training history.",
        ),
        PostRoute(
            "/metrics",
            "network_metrics",
            out.MetricsResponse,
            "Train, then accuracy, sensitivity, specificity, precision, the confusion matrix, "
            "the ROC curve with its AUC and the point at ``threshold``.",
            "Metrics at the threshold.",
        ),
        PostRoute(
            "/boundary",
            "network_boundary",
            out.BoundaryResponse,
            "Train, then the model's output over the data's bounding box (raw feature units).",
            "Model output over the plane.",
        ),
        PostRoute(
            "/landscape",
            "network_landscape",
            out.LandscapeResponse,
            "Loss over a 2-D slice (exact (w1, w2) plane, PCA or filter-normalised random "
            "directions) with every optimizer's trajectory projected onto it.",
            "The slice and trajectories.",
        ),
        PostRoute(
            "/gradient-check",
            "network_gradient_check",
            out.GradientCheckResponse,
            "Backprop against central differences; ``broken`` plants a bug the check catches.",
            "The comparison.",
        ),
        PostRoute(
            "/gradient-noise",
            "network_gradient_noise",
            out.GradientNoiseResponse,
            "Mini-batch gradient variance for each batch size S (and the 1/S prediction).",
            "Variance per size.",
        ),
        PostRoute(
            "/batch-size",
            "network_batch_size",
            out.BatchSizeResponse,
            "Steps to reach a target loss for each batch size S (Shallue et al. 2018).",
            "Steps per batch size.",
        ),
        PostRoute(
            "/dataset",
            "network_dataset",
            out.DatasetResponse,
            'A data set\'s points; ``{"csv": text}`` uploads your own (at most 5,000 rows), '
            "and a malformed file is refused with the line and column at fault.",
            "The points and the split.",
        ),
    ],
)
