"""A prepared problem (data set + model + loss) and a validated optimizer run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import validation
from ..networks import datasets as ds
from ..networks import mlp
from ..numerics.optimizers import OPTIMIZERS
from ..numerics.registry import check_number, optimizer_spec
from ..numerics.specs import OptimizerSpec
from .catalogue import (
    MAX_INIT_SCALE,
    MIN_NETWORK_LR,
    DatasetArg,
    ModelArg,
    ResolvedModel,
    _bool,
    _choice,
    resolve_dataset,
    resolve_model,
)

# --------------------------------------------------------------------------- prepared problem


@dataclass(frozen=True)
class Problem:
    """Everything the kernels need for one (data set, model, preprocessing)."""

    data: ds.Dataset
    model: ResolvedModel
    normalize: bool
    mu: np.ndarray  # (2,) feature means of the training points (0 when raw)
    sigma: np.ndarray  # (2,) feature standard deviations (1 when raw)
    X: np.ndarray  # (N, 2) training inputs as the model sees them
    T: np.ndarray  # (N,)
    Xv: np.ndarray  # (M, 2) validation inputs
    Tv: np.ndarray  # (M,)

    @property
    def layout(self) -> np.ndarray:
        return self.model.arch.layout

    @property
    def loss_id(self) -> int:
        return self.model.arch.loss

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """Raw features -> model inputs: (x - mu) / sigma (the identity when raw)."""
        return np.ascontiguousarray((X - self.mu) / self.sigma)


def prepare(
    dataset: DatasetArg | ds.Dataset,
    model: ModelArg,
    *,
    normalize: object = True,
    validation: object = 0.2,
) -> Problem:
    """Resolve the data set and model and apply the lecture's tilde x = (x - mu) / sigma."""
    data = resolve_dataset(dataset, validation=validation)
    m = resolve_model(model, data)
    norm = _bool(normalize, "normalize")
    Xt = data.X_train
    if norm:
        mu = Xt.mean(axis=0)
        sd = Xt.std(axis=0)
        sigma = np.where(sd > 0, sd, 1.0)
    else:
        mu = np.zeros(Xt.shape[1])
        sigma = np.ones(Xt.shape[1])
    Xv = data.X_validation
    return Problem(
        data, m, norm, mu, sigma, np.ascontiguousarray((Xt - mu) / sigma), data.t_train,
        np.ascontiguousarray((Xv - mu) / sigma), data.t_validation,
    )  # fmt: skip


def _initial(problem: Problem, init: object, init_scale: object, seed: int) -> np.ndarray:
    name = _choice(init, "init", mlp.INITS)
    scale = None
    if init_scale is not None:
        scale = check_number(init_scale, "init_scale", -MAX_INIT_SCALE, MAX_INIT_SCALE)
    return mlp.initial_theta(problem.model.arch, name, seed, scale)


# --------------------------------------------------------------------------- optimizer arguments


def _network_optimizer(optimizer: object) -> OptimizerSpec:
    spec = optimizer_spec(optimizer)
    if spec.surfaces_only:
        valid = ", ".join(o.name for o in OPTIMIZERS if not o.surfaces_only)
        raise ValueError(
            f"optimizer {spec.name!r} needs the Hessian and runs on 2-D surfaces only; "
            f"valid optimizers for networks: {valid}"
        )
    return spec


def _lr(spec: OptimizerSpec, lr: object) -> float:
    # Raw inputs near 1000 (the lecture's uncentred table) put 2 / lambda_max near
    # 1e-6, so networks accept smaller rates than the surfaces' lr_min.
    return validation.lr(spec, lr, lo=min(MIN_NETWORK_LR, spec.lr_min))


@dataclass(frozen=True)
class RunSettings:
    """A validated optimizer run: spec, hyperparameters, lr, schedule."""

    spec: OptimizerSpec
    hp: np.ndarray
    lr: float
    schedule: str
    kid: int
    schp: np.ndarray

    @property
    def hyperparams(self) -> dict[str, float]:
        return {p.name: float(self.hp[i]) for i, p in enumerate(self.spec.hyperparams)}


def _settings(
    optimizer: object,
    lr: object,
    hyperparams: Mapping[str, object],
    schedule: object = None,
    schedule_params: Mapping[str, object] | None = None,
) -> RunSettings:
    spec = _network_optimizer(optimizer)
    hp = validation.hyperparams(spec, hyperparams)
    sspec, schp = validation.schedule(schedule, schedule_params)
    return RunSettings(spec, hp, _lr(spec, lr), sspec.name, sspec.id, schp)
