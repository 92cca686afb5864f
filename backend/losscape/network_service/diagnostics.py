"""The lecture's diagnostics: gradient check, gradient noise, batch-size study."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..networks import landscape as ls
from ..networks import mlp
from ..numerics.registry import check_number
from .catalogue import (
    MAX_GRADCHECK_PARAMS,
    MAX_NOISE_DRAWS,
    MAX_NOISE_SIZES,
    MAX_SEED,
    MAX_STUDY_LRS,
    MAX_STUDY_SIZES,
    MAX_STUDY_WORK,
    MAX_TRAIN_STEPS,
    MAX_TRAIN_WORK,
    DatasetArg,
    ModelArg,
    Progress,
    _bool,
    _finite_list,
    _int,
    _num,
)
from .evaluation import _theta_arg
from .problem import _initial, _lr, _network_optimizer, _settings, prepare
from .training import _run, _tick

# --------------------------------------------------------------------------- gradient check


@dataclass(frozen=True)
class GradientCheck:
    """Backprop against central finite differences at one theta.

    ``indices`` (C,) the checked parameters (all, or a seeded sample of
    ``MAX_GRADCHECK_PARAMS``), ``names`` theirs, ``analytic`` / ``numeric``
    (C,) the two gradients, ``relative_error`` (C,) = |a - n| / max(|a|, |n|,
    1e-4 max|a|, 1e-8); ``passed`` when the largest is below ``tolerance``.
    """

    model: str
    broken: bool
    loss: float
    indices: np.ndarray
    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray
    max_relative_error: float
    tolerance: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "broken": self.broken,
            "loss": _num(self.loss),
            "indices": self.indices.tolist(),
            "names": self.names,
            "analytic": _finite_list(self.analytic),
            "numeric": _finite_list(self.numeric),
            "relative_error": _finite_list(self.relative_error),
            "max_relative_error": _num(self.max_relative_error),
            "tolerance": self.tolerance,
            "passed": self.passed,
        }


GRADCHECK_TOLERANCE = 1e-5


def gradient_check(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    *,
    broken: bool = False,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    theta: Sequence[float] | None = None,
    eps: float = 1e-5,
    progress: Progress | None = None,
) -> GradientCheck:
    """Compare the backward pass with (E(theta + h e_k) - E(theta - h e_k)) / 2h.

    ``broken`` plants the deliberate bug of ``mlp.backward_chunk`` (a missing
    phi'(z), or a weight gradient without its input) so the check can be seen
    to catch it. h = eps (1 + |theta_k|). ReLU kinks crossed by the
    difference can show a genuine mismatch on a few parameters.
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    bk = _bool(broken, "broken")
    s = _int(seed, "seed", 0, MAX_SEED)
    h0 = check_number(eps, "eps", 1e-10, 1e-2)
    th = _initial(problem, init, init_scale, s) if theta is None else _theta_arg(theta, problem)
    arch = problem.model.arch
    acts, deltas = mlp.scratch(arch, problem.X.shape[0])
    stats = mlp.norm_stats(arch)
    grad = np.zeros(arch.n_params)
    idx = np.arange(problem.X.shape[0], dtype=np.int64)
    loss, _ = mlp.loss_grad(
        problem.layout, problem.loss_id, th, problem.X, problem.T, idx, acts, deltas, grad, bk,
        stats,
    )  # fmt: skip
    p = arch.n_params
    if p <= MAX_GRADCHECK_PARAMS:
        chosen = np.arange(p)
    else:
        chosen = np.sort(np.random.default_rng(s).choice(p, MAX_GRADCHECK_PARAMS, replace=False))
    thetas = np.repeat(th[None, :], 2 * chosen.shape[0], axis=0)
    steps = h0 * (1.0 + np.abs(th[chosen]))
    rows = np.arange(chosen.shape[0])
    thetas[2 * rows, chosen] += steps
    thetas[2 * rows + 1, chosen] -= steps
    # h is rounded to what theta can represent so the difference quotient divides by the true step.
    true_steps = thetas[2 * rows, chosen] - thetas[2 * rows + 1, chosen]
    values = np.empty(thetas.shape[0])
    # In chunks of 64 thetas: ``progress`` (which may raise Cancelled) runs between them.
    for lo in range(0, thetas.shape[0], 64):
        hi = min(lo + 64, thetas.shape[0])
        ls.losses_at(
            problem.layout, problem.loss_id, problem.X, problem.T, thetas[lo:hi], acts, stats,
            values[lo:hi],
        )  # fmt: skip
        if progress is not None:
            progress(hi, thetas.shape[0], None)
    numeric = (values[0::2] - values[1::2]) / true_steps
    analytic = grad[chosen]
    # Floor the denominator at 1e-4 of the largest component: a tiny component's
    # difference quotient is mostly rounding (about 1e-16 |E| / h), not a bug.
    floor = max(1e-8, 1e-4 * float(np.abs(analytic).max(initial=0.0)))
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    rel = np.abs(analytic - numeric) / denom
    worst = float(rel.max()) if rel.size else 0.0
    names = arch.param_names()
    return GradientCheck(
        model=problem.model.name, broken=bk, loss=float(loss), indices=chosen,
        names=[names[k] for k in chosen], analytic=analytic, numeric=numeric,
        relative_error=rel, max_relative_error=worst, tolerance=GRADCHECK_TOLERANCE,
        passed=bool(np.isfinite(worst) and worst < GRADCHECK_TOLERANCE),
    )  # fmt: skip


# --------------------------------------------------------------------------- gradient noise


@dataclass(frozen=True)
class GradientNoise:
    """Variance of the mini-batch gradient against the batch size S, at one theta.

    ``sizes`` (M,), ``variance`` (M,): the mean over parameters of the
    variance over ``draws`` batches (sampled with replacement, as the
    lecture's Var = Var_1 / S assumes); ``per_example`` the same for S = 1
    computed exactly over all points, so ``per_example / sizes`` is the
    lecture's prediction.
    """

    sizes: np.ndarray
    variance: np.ndarray
    per_example: float
    draws: int

    @property
    def predicted(self) -> np.ndarray:
        return self.per_example / self.sizes

    def to_dict(self) -> dict[str, Any]:
        return {
            "sizes": self.sizes.tolist(),
            "variance": _finite_list(self.variance),
            "predicted": _finite_list(self.predicted),
            "per_example": _num(self.per_example),
            "draws": self.draws,
        }


def _sizes_arg(sizes: object, n: int, count: int, name: str) -> np.ndarray:
    if sizes is None:
        return np.unique(np.round(np.geomspace(1, n, count)).astype(np.int64))
    if not isinstance(sizes, Sequence) or isinstance(sizes, str) or not 1 <= len(sizes) <= count:
        raise ValueError(f"{name} must be a list of 1 to {count} batch sizes")
    vals = sorted({_int(s, f"{name}[{i}]", 1, n) for i, s in enumerate(sizes)})
    return np.array(vals, dtype=np.int64)


def gradient_noise(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    *,
    sizes: Sequence[int] | None = None,
    draws: int = 200,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
) -> GradientNoise:
    """Mini-batch gradient variance for each batch size at the seeded initial theta."""
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    n = problem.X.shape[0]
    sz = _sizes_arg(sizes, n, MAX_NOISE_SIZES, "sizes")
    d = _int(draws, "draws", 2, MAX_NOISE_DRAWS)
    s = _int(seed, "seed", 0, MAX_SEED)
    theta = _initial(problem, init, init_scale, s)
    arch = problem.model.arch
    if arch.batch_norm:
        raise ValueError(
            "gradient noise needs a model without batch_norm: with batch normalisation a "
            "batch's gradient is not the mean of its points' gradients"
        )
    work = arch.n_params * (d * int(sz.sum()) + n)
    if work > MAX_TRAIN_WORK:
        raise ValueError(f"too much work ({work:.2g} multiply-adds); lower draws or sizes")
    acts, deltas = mlp.scratch(arch)
    stats = mlp.norm_stats(arch)  # unused: no batch normalisation here
    grad = np.zeros(arch.n_params)
    per = np.empty((n, arch.n_params))
    for i in range(n):
        mlp.loss_grad(
            problem.layout,
            problem.loss_id,
            theta,
            problem.X,
            problem.T,
            np.array([i]),
            acts,
            deltas,
            grad,
            False,
            stats,
        )
        per[i] = grad
        if progress is not None and i % 256 == 255:
            progress(0, int(sz.shape[0]), None)
    per_example = float(per.var(axis=0).mean())
    rng = np.random.default_rng([s, 11])
    variance = np.empty(sz.shape[0])
    g = np.empty((d, arch.n_params))
    for k, size in enumerate(sz):
        for r in range(d):
            idx = rng.integers(0, n, int(size)).astype(np.int64)
            mlp.loss_grad(
                problem.layout,
                problem.loss_id,
                theta,
                problem.X,
                problem.T,
                idx,
                acts,
                deltas,
                grad,
                False,
                stats,
            )
            g[r] = grad
            if progress is not None and r % 32 == 31:
                progress(k, int(sz.shape[0]), None)
        variance[k] = float(g.var(axis=0, ddof=1).mean())
        if progress is not None:
            progress(k + 1, int(sz.shape[0]), None)
    return GradientNoise(sz, variance, per_example, d)


# --------------------------------------------------------------------------- batch-size study


@dataclass(frozen=True)
class BatchSizeStudy:
    """Steps to reach a target training loss as a function of the batch size S.

    ``sizes`` (M,); ``steps`` (M,) the fewest steps over the tried learning
    rates (NaN where no lr reached the target within ``max_steps``);
    ``best_lr`` (M,) the lr that did it; ``tried`` (M, L) steps per (S, lr)
    with NaN where not reached; ``epochs`` (M,) = steps x S / N.
    """

    dataset: str
    model: str
    optimizer: str
    target_loss: float
    max_steps: int
    n_train: int
    sizes: np.ndarray
    lrs: np.ndarray
    steps: np.ndarray
    best_lr: np.ndarray
    tried: np.ndarray

    @property
    def epochs(self) -> np.ndarray:
        return self.steps * self.sizes / self.n_train

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "model": self.model,
            "optimizer": self.optimizer,
            "target_loss": self.target_loss,
            "max_steps": self.max_steps,
            "n_train": self.n_train,
            "sizes": self.sizes.tolist(),
            "lrs": _finite_list(self.lrs),
            "steps": _finite_list(self.steps),
            "epochs": _finite_list(self.epochs),
            "best_lr": _finite_list(self.best_lr),
            "tried": _finite_list(self.tried),
        }


def _study_checks(max_steps: int) -> np.ndarray:
    """Steps at which the training loss is checked: every step to 20, then ~5% apart."""
    pts = list(range(min(20, max_steps)))
    t = 20
    while t < max_steps:
        pts.append(t)
        t = max(t + 1, int(t * 1.05))
    return np.array(pts, dtype=np.int64)


def batch_size_study(
    dataset: DatasetArg,
    model: ModelArg = "mlp",
    optimizer: str = "gd",
    *,
    target_loss: float | None = None,
    sizes: Sequence[int] | None = None,
    count: int = 10,
    lrs: Sequence[float] | None = None,
    lr: float | None = None,
    max_steps: int = 2_000,
    init: str = "xavier",
    init_scale: float | None = None,
    normalize: bool = True,
    seed: int = 0,
    progress: Progress | None = None,
    cancel: Callable[[], None] | None = None,
    **hyperparams: object,
) -> BatchSizeStudy:
    """Steps to reach ``target_loss`` for each batch size S (Shallue et al. 2018's plot).

    Sizes are ``sizes`` or ``count`` log-spaced values from 1 to N. For each
    S every learning rate of ``lrs`` (default: just ``lr``) trains from the
    same initial theta, and the fewest steps count (the paper tunes the lr
    per batch size). The training loss is checked at every step up to 20,
    then at steps about 5% apart. ``target_loss`` defaults to 1.1 x the loss
    full-batch training reaches in ``max_steps`` with the first lr.
    ``progress(done, total, None)`` after each batch size; ``cancel()`` within
    each run's chunks (either may raise ``Cancelled``).
    """
    problem = prepare(dataset, model, normalize=normalize, validation=0.0)
    n = problem.X.shape[0]
    sz = _sizes_arg(sizes, n, MAX_STUDY_SIZES, "sizes")
    if sizes is None:
        sz = _sizes_arg(None, n, _int(count, "count", 2, MAX_STUDY_SIZES), "sizes")
    n_steps = _int(max_steps, "max_steps", 1, MAX_TRAIN_STEPS)
    s = _int(seed, "seed", 0, MAX_SEED)
    spec = _network_optimizer(optimizer)
    if lrs is None:
        lr_list = [_lr(spec, lr)]
    else:
        if (
            not isinstance(lrs, Sequence)
            or isinstance(lrs, str)
            or not 1 <= len(lrs) <= MAX_STUDY_LRS
        ):
            raise ValueError(f"lrs must be a list of 1 to {MAX_STUDY_LRS} learning rates")
        lr_list = [_lr(spec, v) for v in lrs]
    settings = [_settings(spec.name, v, hyperparams) for v in lr_list]
    checks = _study_checks(n_steps)
    p = problem.model.arch.n_params
    work = p * len(lr_list) * (n_steps * int(sz.sum()) + checks.shape[0] * n * sz.shape[0])
    if work > MAX_STUDY_WORK:
        raise ValueError(
            f"study too large: about {work:.2g} multiply-adds exceeds {MAX_STUDY_WORK:.2g}; "
            "lower max_steps, the sizes or the number of lrs"
        )
    theta0 = _initial(problem, init, init_scale, s)
    if target_loss is None:
        ref = _run(problem, settings[0], theta0, steps=n_steps, batch_size=n, seed=s,
                   record_at=np.zeros(0, dtype=np.int64), stats=False, snapshots=False,
                   progress=_tick(cancel))  # fmt: skip
        if ref.status == "diverged":
            raise ValueError("full-batch training diverged; give a smaller lr or a target_loss")
        target = 1.1 * float(ref.train_loss[-1])
    else:
        target = check_number(target_loss, "target_loss", -1e12, 1e12)
    tried = np.full((sz.shape[0], len(lr_list)), np.nan)
    for i, size in enumerate(sz):
        for j, st in enumerate(settings):
            out = _run(problem, st, theta0, steps=n_steps, batch_size=int(size), seed=s,
                       record_at=checks, target=target, stats=False, snapshots=False,
                       progress=_tick(cancel))  # fmt: skip
            if out.status == "reached":
                tried[i, j] = out.stopped_at
        if progress is not None:
            progress(i + 1, sz.shape[0], None)
    reached = np.isfinite(tried)
    best = np.where(
        reached.any(axis=1), np.nanmin(np.where(reached, tried, np.inf), axis=1), np.nan
    )
    best_lr = np.full(sz.shape[0], np.nan)
    for i in range(sz.shape[0]):
        if reached[i].any():
            best_lr[i] = lr_list[int(np.argmin(np.where(reached[i], tried[i], np.inf)))]
    return BatchSizeStudy(
        dataset=problem.data.name, model=problem.model.name, optimizer=spec.name,
        target_loss=target, max_steps=n_steps, n_train=n, sizes=sz, lrs=np.array(lr_list),
        steps=best, best_lr=best_lr, tried=tried,
    )  # fmt: skip
