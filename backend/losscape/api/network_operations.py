"""The networks' operations (``/api/networks/...`` and the live channel's ``network_*`` types).

Each runner turns a validated request into ``network_service`` arguments and
returns the response as a dict (``operations.Operation.encode`` encodes it).
Every runner is chunked and cancelable: training streams every chunk's partial
history (curves without snapshots or histograms, which the final result
carries) to the live channel, the others report progress, and
``Progress.check()`` stops the work once the client cancels or leaves.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .. import network_service as ns
from . import schemas
from .schemas import network_requests as nsch


def _setup(body: Any) -> dict[str, Any]:
    return {
        "dataset": nsch.dataset_arg(body.dataset),
        "model": nsch.model_arg(body.model),
        "init": body.init,
        "init_scale": body.init_scale,
        "normalize": body.normalize,
        "seed": body.seed,
    }


def _train_args(body: Any) -> dict[str, Any]:
    return {
        **_setup(body),
        "optimizer": body.optimizer,
        "lr": body.lr,
        "steps": body.steps,
        "epochs": body.epochs,
        "batch_size": body.batch_size,
        **schemas.schedule_args(body.schedule),
        "validation": body.validation,
        "record_every": body.record_every,
        "histogram_bins": body.histogram_bins,
        "histogram_records": body.histogram_records,
        "relu_range": body.relu_range,
        "snapshots": body.snapshots,
        "target_loss": body.target_loss,
        **schemas.hyperparams_of(body),
    }


def _train(body: Any, progress: Any, partial: bool = True) -> ns.TrainingHistory:
    callback = None
    if progress is not None:

        def callback(done: int, total: int, history: ns.TrainingHistory) -> None:
            progress.check()
            wanted = partial and progress.partials
            data = history.to_dict(snapshots=False, histograms=False) if wanted else None
            progress.emit(done, total, data)

    return ns.train(**_train_args(body), progress=callback)


def run_train(body: BaseModel, progress: Any) -> Any:
    return _train(body, progress).to_dict()


def run_metrics(body: Any, progress: Any) -> Any:
    history = _train(body, progress, partial=False)
    report = ns.metrics_at(
        history, body.threshold, split=body.split, curve_points=body.curve_points
    )
    return report.to_dict()


def run_boundary(body: Any, progress: Any) -> Any:
    history = _train(body, progress, partial=False)
    boundary = ns.decision_boundary(history, resolution=body.resolution)
    return boundary.to_dict()


def _checked(progress: Any) -> Any:
    if progress is None:
        return None

    def callback(done: int, total: int, partial: Any) -> None:
        progress.check()
        progress.emit(done, total, None)

    return callback


def _watched(progress: Any) -> dict[str, Any]:
    """A chunked job's ``progress`` callback and ``cancel`` check (both None over no channel)."""
    return {
        "progress": _checked(progress),
        "cancel": None if progress is None else progress.check,
    }


def run_landscape(body: Any, progress: Any) -> Any:
    runs = [r.model_dump(exclude_none=True) for r in body.optimizers]
    result = ns.landscape(
        **_setup(body),
        optimizers=runs,
        **schemas.fields_of(body, "directions", "resolution", "span", "steps", "batch_size"),
        **schemas.schedule_args(body.schedule),
        **schemas.fields_of(body, "view", "records"),
        **_watched(progress),
    )
    return result.to_dict()


def run_gradient_check(body: Any, progress: Any) -> Any:
    result = ns.gradient_check(
        **_setup(body), broken=body.broken, eps=body.eps, progress=_checked(progress)
    )
    return result.to_dict()


def run_gradient_noise(body: Any, progress: Any) -> Any:
    result = ns.gradient_noise(
        **_setup(body), sizes=body.sizes, draws=body.draws, progress=_checked(progress)
    )
    return result.to_dict()


def run_batch_size(body: Any, progress: Any) -> Any:
    result = ns.batch_size_study(
        **_setup(body),
        **schemas.fields_of(
            body, "optimizer", "target_loss", "sizes", "count", "lrs", "lr", "max_steps"
        ),
        **_watched(progress),
        **schemas.hyperparams_of(body),
    )
    return result.to_dict()


def dataset_dict(data: Any) -> dict[str, Any]:
    """A split data set as JSON: points (N, 2), targets, split indices, task and classes."""
    return {
        "name": data.name,
        "task": data.task,
        "classes": int(data.classes),
        "feature_names": list(data.feature_names),
        "x": data.X.tolist(),
        "t": data.t.tolist(),
        "train": data.train.tolist(),
        "validation": data.validation.tolist(),
    }


def run_dataset(body: Any, progress: Any) -> Any:
    data = ns.resolve_dataset(nsch.dataset_arg(body.dataset), validation=body.validation)
    return dataset_dict(data)
