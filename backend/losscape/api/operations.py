"""The computations the API offers, shared by the REST routes and the live channel.

Each operation takes a validated request model, calls the service (in a worker
thread: the caller runs it through ``anyio.to_thread`` under one of the
runtime's pools) and returns the response as a dict of numpy arrays and plain
values; ``Operation.encode`` turns it into JSON (REST) or a binary frame (the
live channel) in the same thread, so neither the numerics nor the encoding ever
run on the event loop.

Every operation accepts a ``Progress``: its ``check()`` raises
``service.Cancelled`` once the client cancels, supersedes or leaves (REST too:
the route watches for the client hanging up), and ``emit()`` hands a partial
result to the live channel. ``heavy`` operations (sweeps, networks) run in the
heavy pool, chunked; a basin map runs row-major over y, so the starts done so
far fill whole rows of the map from the bottom up.

The table ``OPERATIONS`` holds the surfaces' and the networks' operations,
built once here (the networks' runners live in ``network_operations``, which
imports nothing from this module).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, TypeAdapter

from .. import limits, service
from . import encoding, schemas
from . import network_operations as nop
from .scene_claims import SceneClaimsRequest, run_scene_claims
from .schemas import network_requests as nsch


class Progress(Protocol):
    """What a long operation reports to (live channel) or asks of (cancel) its caller."""

    def check(self) -> None:
        """Raise ``service.Cancelled`` if the work is no longer wanted."""

    def emit(self, done: int, total: int, partial: dict[str, Any] | None) -> None:
        """Report ``done`` of ``total`` units and the newly finished part of the result."""

    @property
    def partials(self) -> bool:
        """Whether partial results are wanted (REST only checks for cancellation)."""


@dataclass(frozen=True)
class Operation:
    """One computation: its live-channel type, request model and runner."""

    name: str
    model: Any  # a model class or an Annotated union
    run: Callable[[Any, Progress | None], Any]
    streams: bool = False  # long job: progress frames, cancellable at each chunk
    heavy: bool = False  # runs in the heavy pool, admitted against the class-wide queue
    # A request for which this says True is small enough to run on the live channel's event
    # loop (limits.INLINE_*): no thread hop, no cancellation point needed.
    inline: Callable[[Any], bool] | None = None
    # The binary frame's payload made directly (the trajectories' fast encoding); without
    # it a binary answer is ``encoding.binary_body`` of ``run``'s result.
    run_binary: Callable[[Any, Progress | None], encoding.BinaryBody] | None = None

    @property
    def adapter(self) -> TypeAdapter:
        return _adapter(self.name, self.model)

    def validate(self, body: Any) -> Any:
        """The request model of ``body`` (``adapter.validate_python``), or its ValidationError.

        Unknown fields are refused by pydantic-core (``extra="forbid"``);
        ``errors.validation_detail(..., self.model)`` names the valid ones.
        """
        return self.adapter.validate_python(body)

    def encode(
        self, body: Any, progress: Progress | None, binary: bool = False
    ) -> bytes | encoding.BinaryBody:
        """Run and encode: JSON bytes, or with ``binary`` a binary frame's payload parts."""
        if progress is not None:
            progress.check()  # cancelled while it waited for a thread: do no work
        if binary and self.run_binary is not None:
            return self.run_binary(body, progress)
        result = self.run(body, progress)
        if binary:
            return encoding.binary_body(result)
        return encoding.dumps(result)


_ADAPTERS: dict[str, TypeAdapter] = {}


def _adapter(name: str, model: Any) -> TypeAdapter:
    if name not in _ADAPTERS:
        _ADAPTERS[name] = TypeAdapter(model)
    return _ADAPTERS[name]


EXPRESSIONS_AVAILABLE = schemas.EXPRESSIONS_AVAILABLE


def _surface(body: BaseModel) -> dict[str, Any]:
    return schemas.surface_arg(body.surface)  # type: ignore[attr-defined]


def _noise_args(body: BaseModel) -> dict[str, Any]:
    return {
        **schemas.schedule_args(body.schedule),  # type: ignore[attr-defined]
        "noise": body.noise,  # type: ignore[attr-defined]
        "batch_size": body.batch_size,  # type: ignore[attr-defined]
        "seed": body.seed,  # type: ignore[attr-defined]
    }


# --------------------------------------------------------------------------- runners


def _check_state_size(runs: int, steps: int, points: int | None) -> None:
    """ValueError (a 422) when the requested optimizer states would exceed the bound."""
    kept = steps + 1 if points is None else min(points, steps + 1)
    values = runs * kept * 2 * limits.MAX_STATE_QUANTITIES
    if values > limits.MAX_STATE_VALUES:
        most = limits.MAX_STATE_VALUES // (runs * 2 * limits.MAX_STATE_QUANTITIES)
        raise ValueError(
            f"record_state for {runs} runs of {kept} points would send up to {values:,} numbers "
            f"(at most {limits.MAX_STATE_VALUES:,}); pass points <= {most}, or fewer steps or runs"
        )


# Catalogue surfaces at the parameters requests asked for, resolved: (name, parameter
# values) -> ResolvedSurface. A class drags on a few surfaces at a few settings, and
# resolving one (parameter checks, critical points, then its stop box) cost ~12 us of
# every drag's answer; a resolved surface is never modified (service.resolve_surface
# shares its default ones the same way). Bounded: emptied when full.
_RESOLVED: dict[tuple[Any, ...], service.ResolvedSurface] = {}
_RESOLVED_MAX = 256


def resolved_surface(body: BaseModel) -> service.ResolvedSurface:
    """``service.resolve_surface`` of a request's surface; a catalogue one from ``_RESOLVED``."""
    arg = _surface(body)
    if "name" not in arg:  # a typed formula: resolved each time (its own cache is the parser's)
        return service.resolve_surface(arg)
    key = (arg["name"], *arg["params"].items())
    resolved = _RESOLVED.get(key)
    if resolved is None:
        resolved = service.resolve_surface(arg)
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = resolved
    return resolved


def _trajectory_results(
    body: schemas.TrajectoriesRequest, progress: Progress | None
) -> tuple[service.ResolvedSurface, list[service.Trajectory]]:
    """Every run of a trajectories request, computed (not yet encoded)."""
    # Resolved once for every run: each run's service call takes it as it is.
    resolved = resolved_surface(body)
    common = {"steps": body.steps, "tol": body.tol, **_noise_args(body)}
    if body.record_state:
        _check_state_size(len(body.runs), body.steps, body.points)
        common["record_state"] = True
    results = []
    for run in body.runs:
        if progress is not None:
            progress.check()
        results.append(
            service.trajectory(
                resolved,
                run.optimizer,  # type: ignore[attr-defined]
                start=run.start,  # type: ignore[attr-defined]
                lr=run.lr,  # type: ignore[attr-defined]
                **common,
                **schemas.hyperparams_of(run),
            )
        )
    return resolved, results


def run_trajectories(body: schemas.TrajectoriesRequest, progress: Progress | None) -> Any:
    t0 = time.perf_counter()
    resolved, results = _trajectory_results(body, progress)
    runs = [
        encoding.trajectory_run(result, body.precision, body.points, body.fields)
        for result in results
    ]
    return {
        "surface": encoding.surface_info(resolved),
        "runs": runs,
        "elapsed_ms": (time.perf_counter() - t0) * 1e3,
    }


def binary_trajectories(
    body: schemas.TrajectoriesRequest, progress: Progress | None
) -> encoding.BinaryBody:
    """The live channel's binary answer: the same bytes as ``binary_body(run_trajectories)``,
    encoded straight from the kernels' arrays when it can (float32 rows, no ``points``, no
    optimizer state: a drag's request), else through the general path."""
    t0 = time.perf_counter()
    resolved, results = _trajectory_results(body, progress)
    if body.precision == "float32" and body.points is None and not body.record_state:
        fast = encoding.trajectories_binary(
            encoding.surface_info(resolved),
            results,
            body.fields,
            lambda: (time.perf_counter() - t0) * 1e3,
        )
        if fast is not None:
            return fast
    runs = [
        encoding.trajectory_run(result, body.precision, body.points, body.fields)
        for result in results
    ]
    answer = {
        "surface": encoding.surface_info(resolved),
        "runs": runs,
        "elapsed_ms": (time.perf_counter() - t0) * 1e3,
    }
    return encoding.binary_body(answer)


def _typed(body: BaseModel) -> bool:
    return isinstance(body.surface, schemas.ExpressionSurface)  # type: ignore[attr-defined]


def small_trajectories(body: schemas.TrajectoriesRequest) -> bool:
    """Few enough runs x steps to answer on the event loop."""
    limit = limits.INLINE_MAX_STEPS_EXPRESSION if _typed(body) else limits.INLINE_MAX_STEPS
    return len(body.runs) * body.steps <= limit


def small_grid(body: schemas.GridRequest) -> bool:
    """A contour of a catalogue surface at a modest resolution."""
    return not _typed(body) and body.resolution**2 <= limits.INLINE_MAX_GRID_VALUES


def run_grid(body: schemas.GridRequest, progress: Progress | None) -> Any:
    result = service.grid(
        _surface(body), view=body.view, resolution=body.resolution, arrows=body.arrows
    )
    return encoding.grid(result, body.precision)


def run_hessian(body: schemas.HessianRequest, progress: Progress | None) -> Any:
    return encoding.hessian(service.hessian(_surface(body), body.point))


class _Rows:
    """Turns chunk callbacks into row-sized partial results (rows finished since the last).

    Chunks come every ``MAX_CHUNK_S`` or so (that bounds the wait for a cancel);
    partial rows go out at most every ``EMIT_S`` so a long sweep does not flood
    the socket.
    """

    EMIT_S = 0.1

    def __init__(
        self,
        progress: Progress | None,
        width: int,
        encode: Callable[[service.BatchResult, int, int], dict[str, Any]],
    ) -> None:
        self.progress, self.width, self.encode, self.sent = progress, width, encode, 0
        self.last = 0.0

    def callback(self) -> Callable[[int, int, service.BatchResult], None] | None:
        if self.progress is None:
            return None
        return self

    def __call__(self, done: int, total: int, partial: service.BatchResult) -> None:
        assert self.progress is not None
        self.progress.check()
        now = time.monotonic()
        if done < total and now - self.last < self.EMIT_S:
            return
        self.last = now
        if not self.progress.partials:
            self.progress.emit(done, total, None)
            return
        rows = done // self.width
        chunk = self.encode(partial, self.sent, rows) if rows > self.sent else None
        self.sent = max(self.sent, rows)
        self.progress.emit(done, total, chunk)


def _sweep_args(body: Any, rows: _Rows) -> dict[str, Any]:
    """What every sweep passes the service: its tolerance, the row callback, the hyperparameters."""
    return {"tol": body.tol, "progress": rows.callback(), **schemas.hyperparams_of(body)}


def run_lr_sweep(body: Any, progress: Progress | None) -> Any:
    rows = _Rows(progress, 1, lambda p, lo, hi: encoding.lr_sweep_rows(p, lo, hi, body.precision))
    result = service.lr_sweep(
        _surface(body),
        body.optimizer,
        **schemas.fields_of(body, "start", "steps", "lr_min", "lr_max", "count", "curves"),
        **_sweep_args(body, rows),
        **_noise_args(body),
    )
    return encoding.lr_sweep(result, body.precision)


def run_basins(body: Any, progress: Progress | None) -> Any:
    surface = _surface(body)
    encode = None
    if progress is not None and progress.partials:
        minima, radius = service.basin_targets(
            service.resolve_surface(surface), view=body.view, minima=body.minima, radius=body.radius
        )

        def encode(p: service.BatchResult, lo: int, hi: int) -> dict[str, Any]:
            return encoding.basin_rows(p, lo, hi, body.resolution, minima, radius, body.precision)

    rows = _Rows(progress, body.resolution, encode or (lambda p, lo, hi: {}))
    result = service.basins(
        surface,
        body.optimizer,
        **schemas.fields_of(body, "lr", "steps", "resolution", "view", "minima", "radius"),
        **_sweep_args(body, rows),
        **_noise_args(body),
    )
    return encoding.basins(result, body.precision)


def run_lr_momentum(body: Any, progress: Progress | None) -> Any:
    rows = _Rows(
        progress,
        body.lr_count,
        lambda p, lo, hi: encoding.lr_momentum_rows(p, lo, hi, body.lr_count, body.precision),
    )
    result = service.lr_momentum_map(
        _surface(body),
        body.optimizer,
        **schemas.fields_of(
            body,
            "start",
            "steps",
            "lr_min",
            "lr_max",
            "lr_count",
            "momentum_min",
            "momentum_max",
            "momentum_count",
        ),
        **_sweep_args(body, rows),
    )
    return encoding.lr_momentum(result, body.precision)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "trajectories",
            schemas.TrajectoriesRequest,
            run_trajectories,
            inline=small_trajectories,
            run_binary=binary_trajectories,
        ),
        Operation("grid", schemas.GridRequest, run_grid, inline=small_grid),
        Operation("hessian", schemas.HessianRequest, run_hessian, inline=lambda body: True),
        Operation("sweep_lr", schemas.LRSweepRequest, run_lr_sweep, True, True),
        Operation("sweep_basins", schemas.BasinsRequest, run_basins, True, True),
        Operation("sweep_lr_momentum", schemas.LRMomentumRequest, run_lr_momentum, True, True),
        Operation("scene_claims", SceneClaimsRequest, run_scene_claims, heavy=True),
        Operation("network_train", nsch.TrainRequest, nop.run_train, True, True),
        Operation("network_metrics", nsch.MetricsRequest, nop.run_metrics, True, True),
        Operation("network_boundary", nsch.BoundaryRequest, nop.run_boundary, True, True),
        Operation("network_landscape", nsch.LandscapeRequest, nop.run_landscape, True, True),
        Operation(
            "network_gradient_check", nsch.GradientCheckRequest, nop.run_gradient_check, True, True
        ),
        Operation(
            "network_gradient_noise", nsch.GradientNoiseRequest, nop.run_gradient_noise, True, True
        ),
        Operation("network_batch_size", nsch.BatchSizeRequest, nop.run_batch_size, True, True),
        Operation("network_dataset", nsch.DatasetRequest, nop.run_dataset),
    )
}
