"""A scene step's claims, checked against that step's own computed results.

A claim is data (``scenes.py`` holds them beside the captions)::

    {"id": "good-fastest", "text": "α = 0.18 ends lowest",
     "lhs": {"q": "final_loss", "run": 1}, "op": "<",
     "rhs": {"q": "final_loss", "run": 0}, "times": 1e-3}

``lhs`` is a quantity (``{"q": name, **arguments}``, looked up in ``QUANTITIES``);
``rhs`` a quantity, a number, a string or, for ``op`` "in", a ``[lo, hi]`` range;
``times`` scales a numeric right-hand side. The results are computed through the
same service functions, with the same arguments, as the page's requests for the
step's merged state (see ``frontend/js/requests.js`` and ``network/state.js``):
runs are seeded, so the verdicts are about exactly what the page draws.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from . import scenes, service

# --------------------------------------------------------------------------- classroom results


def _effective(state: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """A run's (schedule, batch size, noise): its own override or the shared setting."""
    own = "batch_size" in run
    return {
        "schedule": run.get("schedule") or state["schedule"],
        "batch_size": run["batch_size"] if own else state["batch_size"],
        "noise": 0.0 if own and run["batch_size"] is None else state["noise"],
    }


class SurfaceResults:
    """What the classroom page computes for a state: its runs and, when shown, the lr sweep."""

    def __init__(self, state: Mapping[str, Any]) -> None:
        self.state = state

    @cached_property
    def runs(self) -> list[service.Trajectory]:
        out = []
        for run in self.state["runs"]:
            eff = _effective(self.state, run)
            out.append(
                service.trajectory(
                    self.state["surface"],
                    run["optimizer"],
                    start=run["start"],
                    steps=self.state["steps"],
                    lr=run["lr"],
                    schedule=eff["schedule"]["name"],
                    schedule_params=eff["schedule"]["params"],
                    noise=eff["noise"],
                    batch_size=eff["batch_size"],
                    seed=self.state["seed"],
                    surface_params=self.state["params"],
                    **run["hyperparams"],
                )
            )
        return out

    @cached_property
    def sweep(self) -> service.LRSweep:
        """The page's sweep of run 1's optimizer (lrSweepBody: lr range clamped to its bounds)."""
        st, run = self.state, self.state["runs"][0]
        spec = service.optimizer_spec(run["optimizer"])
        lo = min(max(st["sweep"]["lr_min"], spec.lr_min), spec.lr_max)
        hi = min(max(st["sweep"]["lr_max"], spec.lr_min), spec.lr_max)
        eff = _effective(st, run)
        return service.lr_sweep(
            st["surface"],
            run["optimizer"],
            start=run["start"],
            steps=st["steps"],
            lr_min=min(lo, hi / 10),
            lr_max=hi,
            count=st["sweep"]["count"],
            schedule=eff["schedule"]["name"],
            schedule_params=eff["schedule"]["params"],
            noise=eff["noise"],
            batch_size=eff["batch_size"],
            seed=st["seed"],
            surface_params=st["params"],
            **run["hyperparams"],
        )


def _run(r: SurfaceResults, run: int) -> service.Trajectory:
    return r.runs[run]


def _first(mask: np.ndarray) -> float:
    """Index of the first True, or inf when there is none within the budget."""
    hits = np.flatnonzero(mask)
    return float(hits[0]) if hits.size else math.inf


def _rate(loss: np.ndarray, a: int, b: int) -> float:
    """Per-step contraction of the distance to the minimum (loss ~ distance²)."""
    if max(a, b) >= len(loss):
        return math.nan  # stopped early (diverged): no rate
    la, lb = float(loss[a]), float(loss[b])
    if not (la > 0 and lb > 0):
        return math.nan
    return (lb / la) ** (0.5 / (b - a))


def _terminal_ratio(r: SurfaceResults, run: int, k: int = -1) -> float:
    """Step k's length over the terminal velocity alpha_k / (1 - mu) |grad E(theta_k)|.

    Step k goes from theta_k to theta_(k+1); k = -1 is the last step taken. 1 means the
    heavy ball moves at its terminal velocity (on a plane it tends to 1 as 1 - mu^(k+1)).
    """
    traj = _run(r, run)
    spec = r.state["runs"][run]
    mu = float(spec["hyperparams"].get("momentum", 0.0))
    n = traj.steps_taken
    k = k % n
    g = service.hessian(r.state["surface"], traj.path[k], surface_params=r.state["params"]).gradient
    terminal = float(traj.lrs[k]) / (1.0 - mu) * float(np.linalg.norm(g))
    return float(np.linalg.norm(traj.path[k + 1] - traj.path[k])) / terminal


def _clusters(points: list[np.ndarray], tol: float) -> int:
    reps: list[np.ndarray] = []
    for p in points:
        if all(np.linalg.norm(p - q) > tol for q in reps):
            reps.append(p)
    return len(reps)


SURFACE_QUANTITIES: dict[str, Callable[..., Any]] = {
    "final_loss": lambda r, run: float(_run(r, run).loss[-1]),
    "loss_at": lambda r, run, step: float(_run(r, run).loss[min(step, len(_run(r, run).loss) - 1)]),
    "status": lambda r, run: _run(r, run).status,
    "final_x": lambda r, run: float(_run(r, run).path[-1, 0]),
    "final_y": lambda r, run: float(_run(r, run).path[-1, 1]),
    "final_distance": lambda r, run, point: float(
        math.dist(_run(r, run).path[-1], (float(point[0]), float(point[1])))
    ),
    "steps_taken": lambda r, run: float(_run(r, run).steps_taken),
    # first step whose loss is at or below ``value``
    "steps_to": lambda r, run, value: _first(_run(r, run).loss <= value),
    # first step farther than ``radius`` from ``centre``: where the run leaves a region
    "leaves": lambda r, run, radius, centre=(0.0, 0.0): _first(
        np.hypot(*(_run(r, run).path - np.asarray(centre, dtype=float)).T) > radius
    ),
    # how many of the first ``upto`` iterates lie within ``half`` of the origin on each axis
    "in_view": lambda r, run, half, upto: float(
        np.all(np.abs(_run(r, run).path[: upto + 1]) <= half, axis=1).sum()
    ),
    # length of step k (default the last): |theta_k - theta_(k-1)|
    "step_length": lambda r, run, k=-1: float(
        np.linalg.norm(np.diff(_run(r, run).path, axis=0)[k])
    ),
    # total movement along ``direction`` after step ``after``: sloshing across a ravine
    "travel": lambda r, run, direction, after=0: float(
        np.abs(
            np.diff(_run(r, run).path[after:], axis=0) @ np.asarray(direction, dtype=float)
        ).sum()
    ),
    # times coordinate ``axis`` crosses ``about`` in the first ``upto`` steps: zig-zags
    "crossings": lambda r, run, about, axis=0, upto=None: float(
        np.count_nonzero(np.diff(np.sign(_run(r, run).path[:upto, axis] - about)) != 0)
    ),
    # step k's length / (alpha / (1 - mu) |grad E|): how close to the terminal velocity
    "terminal_ratio": _terminal_ratio,
    "rate": lambda r, run, a, b: _rate(_run(r, run).loss, a, b),
    "tail_std": lambda r, run, n: float(np.std(_run(r, run).loss[-n:])),
    "final_averaged_loss": lambda r, run: float(_run(r, run).averaged_loss[-1]),
    "tail_max": lambda r, run, n: float(np.max(_run(r, run).loss[-n:])),
    "tail_mean": lambda r, run, n: float(np.mean(_run(r, run).loss[-n:])),
    "window_mean": lambda r, run, a, b: float(np.mean(_run(r, run).loss[a:b])),
    "best_final_loss": lambda r: min(float(t.loss[-1]) for t in r.runs),
    "worst_final_loss": lambda r: max(float(t.loss[-1]) for t in r.runs),
    # how many different points the runs end at (ends closer than ``tol`` count once)
    "distinct_ends": lambda r, tol: float(_clusters([t.path[-1] for t in r.runs], tol)),
    "sweep_argmin": lambda r: float(r.sweep.lrs[int(np.nanargmin(r.sweep.final_loss))]),
    "sweep_edge": lambda r: math.nan if r.sweep.edge_lr is None else float(r.sweep.edge_lr),
}


# --------------------------------------------------------------------------- network results


def network_request(state: Mapping[str, Any]) -> dict[str, Any]:
    """The page's training request for a network state (network/state.js trainBody), as
    ``network_service.train`` keyword arguments."""
    params: dict[str, Any] = {}
    if state["n"]:
        params["n"] = state["n"]
    if state["rate"]:
        params["positive_rate"] = state["rate"]
    model: dict[str, Any] = {"name": state["model"], "params": {}}
    if state["model"] == "mlp":
        hidden = [int(w) for w in str(state["hidden"]).replace("x", ",").split(",") if w]
        model["params"] = {"hidden": hidden, "activation": state["activation"]}
        if state.get("batch_norm"):
            model["params"]["batch_norm"] = True
    if state.get("loss"):
        model["params"]["loss"] = state["loss"]
    out = {
        "dataset": {"name": state["dataset"], "params": params},
        "model": model,
        "optimizer": state["optimizer"],
        "lr": state["lr"],
        "steps": state["steps"],
        "init": state["init"],
        "normalize": state["normalize"],
        "seed": state["seed"],
    }
    if state["batch"]:
        out["batch_size"] = state["batch"]
    return out


class NetworkResults:
    """What the network page computes for a state: the training history, the metrics at the
    threshold, the gradient check and the batch-size study."""

    def __init__(self, state: Mapping[str, Any]) -> None:
        from . import network_service

        self.ns = network_service
        self.state = state
        self.request = network_request(state)

    @cached_property
    def history(self) -> Any:
        return self.ns.train(**self.request)

    @cached_property
    def metrics(self) -> Any:
        return self.ns.metrics_at(self.history, self.state["threshold"])

    @cached_property
    def gradient_check(self) -> Any:
        req = self.request
        return self.ns.gradient_check(
            req["dataset"], req["model"], init=req["init"], normalize=req["normalize"],
            seed=req["seed"], broken=self.state["broken"],
        )  # fmt: skip

    @cached_property
    def study(self) -> Any:
        req, st = self.request, self.state
        kw = {"target_loss": st["target"]} if st["target"] > 0 else {}
        return self.ns.batch_size_study(
            req["dataset"], req["model"], st["optimizer"], init=req["init"],
            normalize=req["normalize"], seed=req["seed"],
            lrs=[st["lr"] / 3, st["lr"], st["lr"] * 3], max_steps=min(st["steps"], 2000),
            count=8, **kw,
        )  # fmt: skip

    def loss_at(self, step: int) -> float:
        h = self.history
        i = min(int(np.searchsorted(h.record_steps, step)), len(h.train_loss) - 1)
        return float(h.train_loss[i])

    def hessian_kappa(self) -> float:
        """Condition number of the loss's Hessian over the two input weights (squared error:
        the inputs' second-moment matrix, as the model sees them), the landscape's shape."""
        problem = self.ns.prepare(
            self.request["dataset"], self.request["model"], normalize=self.state["normalize"],
            validation=0.0,
        )  # fmt: skip
        X = problem.X
        w = np.linalg.eigvalsh(X.T @ X / X.shape[0])
        return float(w[-1] / w[0])


def _permutation_line(r: NetworkResults) -> tuple[float, np.ndarray]:
    """(|E(swapped) - E(theta)|, losses along the line theta -> swapped) for units 0 and 1."""
    from .networks.permutation import line_losses, swap_units

    h = r.history
    p = h.problem
    arch = p.model.arch
    swapped = swap_units(arch, h.theta, 0, 0, 1)
    _, line = line_losses(p.layout, p.loss_id, arch, p.X, p.T, h.theta, swapped)
    return abs(float(line[-1] - line[0])), line


def _accuracy_at(r: NetworkResults, step: int) -> float:
    h = r.history
    return float(
        h.train_accuracy[min(int(np.searchsorted(h.record_steps, step)), len(h.train_loss) - 1)]
    )


def _zero_one_slope(r: NetworkResults) -> float:
    """Largest |dE01/dtheta_k| (central differences) of the error rate at the final weights."""
    from .networks.zero_one import error_rate_slope

    h = r.history
    p = h.problem
    return float(np.max(np.abs(error_rate_slope(p.model.arch, h.theta, p.X, p.T))))


def _variant(r: NetworkResults, changes: Mapping[str, Any]) -> NetworkResults:
    """The results of the same state with ``changes`` (another activation, loss, ...)."""
    return NetworkResults({**r.state, **changes})


def _steps_to_loss(r: NetworkResults, loss: float) -> float:
    """The first step whose batch loss is <= ``loss`` (full batch: the training loss at
    theta_t); the run's length when it never gets there."""
    below = np.nonzero(r.history.batch_loss <= loss)[0]
    return float(below[0]) if below.size else float(r.history.batch_loss.shape[0])


def _units_spread(r: NetworkResults, layer: int = 0) -> float:
    """Largest difference between two hidden units' weight rows (0: the units are identical)."""
    w = r.history.weights(layer)
    return float(np.max(np.ptp(w, axis=0)))


NETWORK_QUANTITIES: dict[str, Callable[..., Any]] = {
    "net_status": lambda r: r.history.status,
    "net_final_loss": lambda r: float(r.history.train_loss[-1]),
    "net_loss_at": lambda r, step: r.loss_at(step),
    # spread of the mini-batch losses over the last n steps: how noisy the curve is
    "batch_loss_std": lambda r, n: float(np.std(r.history.batch_loss[-n:])),
    "net_final_accuracy": lambda r: float(r.history.train_accuracy[-1]),
    "net_accuracy_at": lambda r, step: _accuracy_at(r, step),
    "net_validation_accuracy": lambda r: float(r.history.validation_accuracy[-1]),
    "units_spread": _units_spread,
    "dead_fraction": lambda r, record=-1: float(np.mean(r.history.dead_fraction[record])),
    "saturated_fraction": lambda r, record=0: float(np.mean(r.history.saturated_fraction[record])),
    "metric": lambda r, name: float(getattr(r.metrics, name)),
    "confusion_diagonal_share": lambda r: float(
        np.trace(r.metrics.confusion) / max(1, np.sum(r.metrics.confusion))
    ),
    "accuracy_change": lambda r, a, b: abs(_accuracy_at(r, b) - _accuracy_at(r, a)),
    # swap hidden units 0 and 1: the loss is unchanged ...
    "swap_loss_change": lambda r: _permutation_line(r)[0],
    # ... and the straight line between the two solutions rises above both ends
    "line_max_loss": lambda r: float(np.max(_permutation_line(r)[1])),
    "gradient_check_passed": lambda r: bool(r.gradient_check.passed),
    "study_steps": lambda r, index: float(r.study.steps[index]),
    # steps saved going from batch size index a to index b
    "study_saving": lambda r, a, b: float(r.study.steps[a] - r.study.steps[b]),
    "landscape_kappa": lambda r: r.hessian_kappa(),
    # the error rate's slope at the final weights: 0 on its plateaux
    "zero_one_slope": _zero_one_slope,
    # the norm of the mini-batch (here: full-batch) gradient at step ``step``
    "net_grad_norm_at": lambda r, step: float(r.history.grad_norm[step]),
    # the same state with some fields changed: one claim compares two settings
    "variant_final_loss": lambda r, **changes: float(_variant(r, changes).history.train_loss[-1]),
    "variant_final_accuracy": lambda r, **changes: float(
        _variant(r, changes).history.train_accuracy[-1]
    ),
    # how fast a run gets down to a loss: the first step at or below it
    "net_steps_to_loss": _steps_to_loss,
    "variant_steps_to_loss": lambda r, loss, **changes: _steps_to_loss(_variant(r, changes), loss),
}


# --------------------------------------------------------------------------- evaluation

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Verdict:
    """One claim checked: ``value`` is its left-hand side (None when not a finite number)."""

    id: str
    text: str
    passed: bool
    value: float | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "passed": self.passed,
            "value": self.value,
            "detail": self.detail,
        }


def _fmt(v: Any) -> str:
    if isinstance(v, bool | str):
        return str(v)
    if isinstance(v, int | float):
        if math.isinf(v):
            return "never" if v > 0 else "-inf"
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return repr(v)


def _quantity(spec: Any, results: Any, table: Mapping[str, Callable[..., Any]]) -> Any:
    if isinstance(spec, Mapping):
        args = {k: v for k, v in spec.items() if k != "q"}
        name = spec["q"]
        if name not in table:
            raise ValueError(f"unknown quantity {name!r}; valid: {', '.join(table)}")
        return table[name](results, **args)
    return spec


def check(
    claim: Mapping[str, Any], results: Any, table: Mapping[str, Callable[..., Any]]
) -> Verdict:
    """Evaluate one claim over ``results`` with the quantities of ``table``."""
    lhs = _quantity(claim["lhs"], results, table)
    op = claim["op"]
    if op == "in":
        lo, hi = claim["rhs"]
        rhs: Any = [lo, hi]
        passed = isinstance(lhs, int | float) and lo <= lhs <= hi
    else:
        rhs = _quantity(claim["rhs"], results, table)
        if "times" in claim:
            rhs = rhs * claim["times"]
        try:
            passed = bool(_OPS[op](lhs, rhs))
        except TypeError:
            passed = False
        if isinstance(lhs, float) and math.isnan(lhs):
            passed = False
    value = (
        float(lhs)
        if isinstance(lhs, int | float) and not isinstance(lhs, bool) and math.isfinite(lhs)
        else None
    )
    return Verdict(claim["id"], claim["text"], passed, value, f"{_fmt(lhs)} {op} {_fmt(rhs)}")


def evaluate_state(
    claims: list[Mapping[str, Any]],
    state: Mapping[str, Any],
    *,
    page: str = "surfaces",
    cancel: Callable[[], None] | None = None,
) -> list[Verdict]:
    """Check ``claims`` against the results of ``state`` on ``page`` ("surfaces" or "networks").

    Results are computed lazily, by the first claim that needs them; ``cancel()`` (which may
    raise ``service.Cancelled``) runs before each claim, so a cancel stops between them.
    """
    if page == "networks":
        results: Any = NetworkResults(state)
        table = NETWORK_QUANTITIES
    else:
        results = SurfaceResults(state)
        table = SURFACE_QUANTITIES
    verdicts = []
    for c in claims:
        if cancel is not None:
            cancel()
        verdicts.append(check(c, results, table))
    return verdicts


def evaluate(
    scene_id: str,
    step: int,
    *,
    page: str | None = None,
    cancel: Callable[[], None] | None = None,
) -> list[Verdict]:
    """The verdicts of step ``step`` of scene ``scene_id``.

    ``page`` picks the scene list ("surfaces" or "networks"); None looks in the classroom
    scenes first, then the network scenes. ValueError names the valid ids and steps.
    """
    found = scenes.find(scene_id, page)
    steps = found.scene["steps"]
    if not 0 <= step < len(steps):
        raise ValueError(
            f"scene {scene_id!r} has steps 0 to {len(steps) - 1}; step {step} does not exist"
        )
    s = steps[step]
    return evaluate_state(s["claims"], s["state"], page=found.page, cancel=cancel)
