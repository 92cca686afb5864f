"""Training runs: ``train`` and its ``TrainingHistory``."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..limits import DEFAULT_HISTOGRAM_RECORDS, DEFAULT_RECORDS
from ..networks import mlp
from ..networks import train as tr
from ..numerics.registry import check_number
from .catalogue import (
    JSON_SNAPSHOT_VALUES,
    MAX_EPOCHS,
    MAX_HISTOGRAM_BINS,
    MAX_RECORDS,
    MAX_RELU_RANGE,
    MAX_SEED,
    MAX_SNAPSHOT_VALUES,
    MAX_TRAIN_STEPS,
    MAX_TRAIN_WORK,
    DatasetArg,
    ModelArg,
    Progress,
    _bool,
    _choice,
    _finite_list,
    _int,
)
from .problem import Problem, RunSettings, _initial, _settings, prepare

# --------------------------------------------------------------------------- training


def _hist_range(problem: Problem, relu_range: float) -> tuple[float, float]:
    act = problem.model.arch.activation
    if act == mlp.ACT_TANH:
        return -1.0, 1.0
    if act == mlp.ACT_LOGISTIC:
        return 0.0, 1.0
    return 0.0, relu_range


def _run(
    problem: Problem,
    settings: RunSettings,
    theta0: np.ndarray,
    *,
    relu_range: float = 4.0,
    **kwargs: Any,
) -> tr.RunOutput:
    """One training run of ``problem`` with ``settings`` (see ``train.run``)."""
    return tr.run(
        problem.model.arch, problem.X, problem.T, problem.Xv, problem.Tv, settings.spec.id,
        settings.hp, settings.kid, settings.schp, settings.lr, theta0,
        hist_range=_hist_range(problem, relu_range), **kwargs,
    )  # fmt: skip


def _tick(cancel: Callable[[], None] | None) -> Any:
    """A run's chunk callback that only calls ``cancel`` (which may raise Cancelled)."""
    if cancel is None:
        return None
    return lambda _d, _t, _out: cancel()


def _record_at(steps: int, every: int) -> np.ndarray:
    return np.arange(0, steps, every, dtype=np.int64)


def stats_plan(records: int, wanted: int) -> np.ndarray:
    """Which of ``records`` records get hidden-activation statistics: (k,) sorted indices.

    The first and the last and the rest evenly between (rounded), k =
    min(wanted, records); one (the last) when wanted is 1, none when 0.
    Each costs a binning pass over every training point's activations.
    """
    return np.array(_stats_plan(records, wanted), dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _stats_plan(records: int, wanted: int) -> tuple[int, ...]:
    """``stats_plan`` as a tuple, kept: linspace and unique cost ~40 us a run."""
    k = min(wanted, records)
    if k <= 0:
        return ()
    if k == 1:
        return (records - 1,)
    return tuple(np.unique(np.rint(np.linspace(0, records - 1, k)).astype(np.int64)).tolist())


@dataclass(frozen=True)
class TrainingHistory:
    """One training run, per step and per record.

    Per step k = 0..n-1 (n = ``steps_taken``): ``batch_loss`` the loss of the
    batch used at theta_k, ``grad_norm`` its gradient's norm, ``lrs`` the
    learning rate. Per record r (theta_t at t = ``record_steps[r]``, every
    ``record_every`` steps and at the end): ``train_loss``,
    ``validation_loss`` over all training / validation points,
    ``train_accuracy`` / ``validation_accuracy`` (None for regression), and
    weight ``snapshots`` (R, P) for small nets. Per statistics record s (S
    of the records, first and last included, at ``histogram_steps[s]``):
    hidden-layer ``histograms`` (S, H, bins) over ``histogram_edges``,
    ``dead_fraction`` (S, H) the share of ReLU units silent on every
    training point, ``saturated_fraction`` (S, H) the share of logistic /
    tanh activations where phi' is below 1% of its peak. ``status`` is "done", "diverged"
    (a non-finite or huge loss at step ``stopped_at``; records stop before
    it) or "reached" (training loss <= target at ``stopped_at``).
    """

    dataset: str
    task: str
    model: str
    model_params: dict[str, Any]
    optimizer: str
    lr: float
    hyperparams: dict[str, float]
    schedule: str
    batch_size: int
    steps: int
    init: str
    normalize: bool
    seed: int
    status: str
    stopped_at: int | None
    steps_taken: int
    batch_loss: np.ndarray
    grad_norm: np.ndarray
    lrs: np.ndarray
    record_every: int
    record_steps: np.ndarray
    train_loss: np.ndarray
    validation_loss: np.ndarray | None
    train_accuracy: np.ndarray | None
    validation_accuracy: np.ndarray | None
    histograms: np.ndarray | None
    histogram_edges: np.ndarray | None
    dead_fraction: np.ndarray | None
    saturated_fraction: np.ndarray | None
    histogram_steps: np.ndarray | None
    snapshots: np.ndarray | None
    initial_theta: np.ndarray
    theta: np.ndarray
    param_names: list[str]
    layer_shapes: list[tuple[int, int]]
    problem: Problem = field(repr=False, compare=False)

    @property
    def epochs(self) -> float:
        """Passes over the training points made by the steps taken."""
        return self.steps_taken * min(self.batch_size, self.n_train) / max(self.n_train, 1)

    @property
    def n_train(self) -> int:
        return int(self.problem.X.shape[0])

    def weights(self, layer: int, theta: np.ndarray | None = None) -> np.ndarray:
        """W of layer ``layer`` (0-based) as (n_out, n_in), from theta (default: final)."""
        return self.problem.model.arch.weight(self.theta if theta is None else theta, layer).copy()

    def outputs(self, X: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
        """Model outputs (N, K) at raw features X (N, 2): predictions or logits."""
        return _outputs(self.problem, self.theta if theta is None else theta, X)

    def scores(self, split: str = "validation") -> tuple[np.ndarray, np.ndarray]:
        """(labels or targets (N,), scores) on a split ("train" or "validation").

        Scores are probabilities: (N,) of the positive class (binary), (N, K)
        of each class (multiclass), or the predictions (regression).
        """
        split = _choice(split, "split", ("train", "validation"))
        data = self.problem.data
        idx = data.train if split == "train" else data.validation
        z = self.outputs(data.X[idx])
        return data.t[idx].copy(), _probabilities(self.problem, z)

    def snapshot_rows(self, max_values: int = JSON_SNAPSHOT_VALUES) -> np.ndarray:
        """Indices of records whose snapshots fit in ``max_values`` numbers (evenly, last kept)."""
        if self.snapshots is None or self.snapshots.size == 0:
            return np.zeros(0, dtype=np.int64)
        r, p = self.snapshots.shape
        stride = max(1, -(-r * p // max(max_values, p)))
        rows = np.arange(0, r, stride)
        return rows if rows[-1] == r - 1 else np.append(rows, r - 1)

    def snapshot_norm(self, rows: np.ndarray) -> list | None:
        """Batch normalisation's evaluation statistics at the snapshots ``rows``, or None.

        Per snapshot, per hidden layer: [mean (width,), variance (width,)] of
        each unit's pre-activation over the training points (biased variance):
        what the page needs to evaluate a snapshot as the server does.
        """
        arch = self.problem.model.arch
        if not arch.batch_norm or self.snapshots is None:
            return None
        acts, _ = mlp.scratch(arch, self.problem.X.shape[0])
        stats = mlp.norm_stats(arch)
        out = []
        for r in rows:
            mlp.population_stats(
                self.problem.layout, self.snapshots[r], self.problem.X, acts, stats
            )
            per_layer = []
            for row in self.problem.layout[:-1]:
                units = slice(int(row[mlp.L_A]), int(row[mlp.L_A] + row[mlp.L_OUT]))
                per_layer.append([_finite_list(stats[0, units]), _finite_list(stats[1, units])])
            out.append(per_layer)
        return out

    def to_dict(self, *, snapshots: bool = True, histograms: bool = True) -> dict[str, Any]:
        """JSON-ready dict (see the class docstring for the fields).

        Snapshots are thinned to at most ``JSON_SNAPSHOT_VALUES`` numbers;
        ``snapshot_steps`` gives the step of each one kept.
        """
        rows = self.snapshot_rows() if snapshots else np.zeros(0, dtype=np.int64)
        return {
            "dataset": self.dataset,
            "task": self.task,
            "model": self.model,
            "model_params": self.model_params,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "hyperparams": self.hyperparams,
            "schedule": self.schedule,
            "batch_size": self.batch_size,
            "steps": self.steps,
            "epochs": self.epochs,
            "init": self.init,
            "normalize": self.normalize,
            "seed": self.seed,
            "status": self.status,
            "stopped_at": self.stopped_at,
            "steps_taken": self.steps_taken,
            "batch_loss": _finite_list(self.batch_loss),
            "grad_norm": _finite_list(self.grad_norm),
            "lrs": _finite_list(self.lrs),
            "record_every": self.record_every,
            "record_steps": self.record_steps.tolist(),
            "train_loss": _finite_list(self.train_loss),
            "validation_loss": _finite_list(self.validation_loss),
            "train_accuracy": _finite_list(self.train_accuracy),
            "validation_accuracy": _finite_list(self.validation_accuracy),
            "histograms": _finite_list(self.histograms) if histograms else None,
            "histogram_edges": _finite_list(self.histogram_edges),
            "dead_fraction": _finite_list(self.dead_fraction),
            "saturated_fraction": _finite_list(self.saturated_fraction),
            "histogram_steps": (
                self.histogram_steps.tolist() if self.histogram_steps is not None else None
            ),
            "snapshots": _finite_list(self.snapshots[rows]) if rows.size else None,
            "snapshot_steps": self.record_steps[rows].tolist() if rows.size else None,
            "snapshot_norm": self.snapshot_norm(rows) if rows.size else None,
            "initial_theta": _finite_list(self.initial_theta),
            "theta": _finite_list(self.theta),
            "param_names": self.param_names,
            "layer_shapes": [list(s) for s in self.layer_shapes],
            "normalization": {
                "mu": _finite_list(self.problem.mu),
                "sigma": _finite_list(self.problem.sigma),
            },
        }


def _outputs(problem: Problem, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    arch = problem.model.arch
    Xi = problem.inputs(np.asarray(X, dtype=np.float64).reshape(-1, arch.n_in))
    th = np.ascontiguousarray(theta, dtype=np.float64)
    # Batch normalisation evaluates with the training points' statistics at theta.
    acts, _ = mlp.scratch(arch, problem.X.shape[0])
    stats = mlp.norm_stats(arch)
    mlp.population_stats(problem.layout, th, problem.X, acts, stats)
    out = np.empty((Xi.shape[0], arch.n_out))
    mlp.outputs(problem.layout, th, Xi, acts, out, stats)
    return out


def _probabilities(problem: Problem, z: np.ndarray) -> np.ndarray:
    task = problem.data.task
    if task == "regression":
        return z[:, 0].copy()
    if task == "binary":
        return 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -745.0, 745.0)))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _steps_arg(steps: object, epochs: object, batch: int, n: int) -> int:
    if steps is not None and epochs is not None:
        raise ValueError("give steps or epochs, not both")
    if epochs is not None:
        e = check_number(epochs, "epochs", 1, MAX_EPOCHS, kind="int")
        total = int(e) * -(-n // batch)
        if total > MAX_TRAIN_STEPS:
            raise ValueError(
                f"{int(e)} epochs of batch {batch} are {total:,} steps; at most "
                f"{MAX_TRAIN_STEPS:,} are allowed"
            )
        return total
    return _int(500 if steps is None else steps, "steps", 1, MAX_TRAIN_STEPS)


def _batch_arg(batch_size: object, n: int, batch_norm: bool = False) -> int:
    """Points per step (None: all n). Batch normalisation needs two points to have a variance."""
    if batch_size is None:
        return n
    if batch_norm:
        return _int(batch_size, "batch_size (with batch_norm)", 2, n)
    return _int(batch_size, "batch_size", 1, n)


def _check_work(
    problem: Problem, steps: int, batch: int, records: int, what: str = "training"
) -> None:
    p = problem.model.arch.n_params
    # Each record evaluates the training and validation points; counted once more
    # for the training points, a bound for the hidden-layer statistics (binned in
    # the record's own pass, a second pass only at a full-batch record that has them).
    evals = 2 * problem.X.shape[0] + problem.Xv.shape[0]
    work = p * (steps * batch + records * evals)
    if work > MAX_TRAIN_WORK:
        raise ValueError(
            f"{what} too large: about {work:.2g} multiply-adds exceeds {MAX_TRAIN_WORK:.2g}; "
            "lower steps, batch_size, the record rate or the model's width"
        )


def train(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizer: str = "gd",
    *,
    lr: float | None = None,
    steps: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    schedule: str | None = None,
    schedule_params: Mapping[str, object] | None = None,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    validation: float = 0.2,
    record_every: int | None = None,
    histogram_bins: int = 20,
    histogram_records: int = DEFAULT_HISTOGRAM_RECORDS,
    relu_range: float = 4.0,
    snapshots: bool = True,
    target_loss: float | None = None,
    progress: Progress | None = None,
    **hyperparams: object,
) -> TrainingHistory:
    """Train ``model`` on ``dataset`` with ``optimizer``.

    Args:
        dataset: a name from ``datasets()``, ``{"name", "params"}`` or
            ``{"csv": text, "task": "auto"}``.
        model: a name from ``models()`` or ``{"name", "params": {"hidden": [16, 16],
            "activation": "tanh", "loss": ..., "bias": True}}``.
        optimizer: any optimizer of ``losscape.optimizers()`` except the
            surfaces-only ones (newton); hyperparameters as keyword arguments,
            named as in torch.optim.
        lr, schedule, schedule_params: base learning rate and its schedule.
        steps / epochs: the budget (default 500 steps); an epoch is
            ceil(N / batch_size) steps.
        batch_size: points per step (None: all, full batch; 1: SGD); batches
            walk a seeded shuffle, reshuffled every epoch.
        init, init_scale: zeros, constant, small_random, large_random, xavier, he.
        normalize: feed (x - mu) / sigma (training-set statistics) instead of raw x.
        seed: seeds the initialisation and the batch order.
        validation: share of points held out (stratified by class).
        record_every: steps between recorded evaluations (default: about
            ``DEFAULT_RECORDS`` records; down to 1 while there are at most ``MAX_RECORDS``).
        histogram_bins, relu_range: hidden-activation histograms (ReLU
            values over [0, relu_range], larger ones in the last bin).
        histogram_records: how many records get the histograms and the
            dead / saturated fractions (first, last, evenly between; 0: none;
            at most one per record, up to ``MAX_RECORDS + 1``).
        snapshots: keep theta at every record (when records x parameters <=
            ``MAX_SNAPSHOT_VALUES``).
        target_loss: stop as "reached" once the training loss is at or below it.
        progress: ``progress(done, total, partial_history)`` after each of
            about 20 chunks; it may raise ``Cancelled``.

    Returns:
        A ``TrainingHistory``.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=validation)
    settings = _settings(optimizer, lr, hyperparams, schedule, schedule_params)
    n = problem.X.shape[0]
    batch = _batch_arg(batch_size, n, problem.model.arch.batch_norm)
    n_steps = _steps_arg(steps, epochs, batch, n)
    s = _int(seed, "seed", 0, MAX_SEED)
    every = (
        max(1, -(-n_steps // DEFAULT_RECORDS))
        if record_every is None
        else _int(record_every, "record_every", max(1, -(-n_steps // MAX_RECORDS)), MAX_TRAIN_STEPS)
    )
    bins = _int(histogram_bins, "histogram_bins", 2, MAX_HISTOGRAM_BINS)
    n_stats = _int(histogram_records, "histogram_records", 0, MAX_RECORDS + 1)
    rr = check_number(relu_range, "relu_range", 1e-6, MAX_RELU_RANGE)
    target = (
        -math.inf if target_loss is None else check_number(target_loss, "target_loss", -1e12, 1e12)
    )
    record_at = _record_at(n_steps, every)
    _check_work(problem, n_steps, batch, record_at.shape[0] + 1)
    init_name = _choice(init, "init", mlp.INITS)
    theta0 = _initial(problem, init_name, init_scale, s)
    keep = _bool(snapshots, "snapshots") and (
        (record_at.shape[0] + 1) * problem.model.arch.n_params <= MAX_SNAPSHOT_VALUES
    )

    def build(out: tr.RunOutput) -> TrainingHistory:
        return _history(
            problem, settings, out, theta0, batch, n_steps, init_name, s, every, bins, rr
        )

    cb = None
    if progress is not None:

        def cb(done: int, total: int, out: tr.RunOutput) -> None:
            progress(done, total, build(out))

    out = _run(
        problem, settings, theta0, steps=n_steps, batch_size=batch, seed=s, record_at=record_at,
        target=target, bins=bins, relu_range=rr, snapshots=keep, progress=cb,
        stats=n_stats > 0, stats_at=stats_plan(record_at.shape[0] + 1, n_stats),
    )  # fmt: skip
    return build(out)


def _history(
    problem: Problem,
    settings: RunSettings,
    out: tr.RunOutput,
    theta0: np.ndarray,
    batch: int,
    steps: int,
    init: str,
    seed: int,
    every: int,
    bins: int,
    relu_range: float,
) -> TrainingHistory:
    arch = problem.model.arch
    classify = problem.data.task != "regression"
    has_val = problem.Xv.shape[0] > 0
    lo, hi = _hist_range(problem, relu_range)
    return TrainingHistory(
        dataset=problem.data.name,
        task=problem.data.task,
        model=problem.model.name,
        model_params=problem.model.params,
        optimizer=settings.spec.name,
        lr=settings.lr,
        hyperparams=settings.hyperparams,
        schedule=settings.schedule,
        batch_size=batch,
        steps=steps,
        init=init,
        normalize=problem.normalize,
        seed=seed,
        status=out.status,
        stopped_at=out.stopped_at,
        steps_taken=out.steps_taken,
        batch_loss=out.batch_loss,
        grad_norm=out.grad_norm,
        lrs=out.lrs,
        record_every=every,
        record_steps=out.record_steps,
        train_loss=out.train_loss,
        validation_loss=out.val_loss if has_val else None,
        train_accuracy=out.train_acc if classify else None,
        validation_accuracy=out.val_acc if classify and has_val else None,
        histograms=out.hist,
        histogram_edges=np.linspace(lo, hi, bins + 1) if out.hist is not None else None,
        dead_fraction=out.dead,
        saturated_fraction=out.sat,
        histogram_steps=out.stats_steps,
        snapshots=out.snapshots,
        initial_theta=theta0.copy(),
        theta=out.theta,
        param_names=arch.param_names(),
        layer_shapes=[(arch.widths[k + 1], arch.widths[k]) for k in range(len(arch.widths) - 1)],
        problem=problem,
    )
