"""The networks' Python API: validation, catalogue, JSON-ready results and the diagnostics."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import losscape
from losscape import network_service as ns
from losscape.networks import metrics as mt
from losscape.numerics.optimizers import OPTIMIZERS

NET = {"name": "mlp", "params": {"hidden": [8]}}


def strict_json(obj: object) -> str:
    """JSON that refuses NaN and inf, as the web layer must."""
    return json.dumps(obj, allow_nan=False)


def test_package_exports():
    assert losscape.train is ns.train
    assert losscape.metrics is mt
    assert losscape.datasets() == ns.datasets() and losscape.models() == ns.models()


def test_catalogue_is_json_ready_and_consistent():
    strict_json(ns.datasets())
    strict_json(ns.models())
    strict_json(ns.limits())
    names = [d["name"] for d in ns.datasets()]
    assert len(names) == len(set(names)) and "csv" in names
    model_names = {m["name"] for m in ns.models()}
    for d in ns.datasets():
        assert d["default_model"] in model_names
        if d["name"] != "csv":
            data = ns.resolve_dataset(d["name"])
            ns.resolve_model(d["default_model"], data)  # the default model fits the task
    mlp_entry = next(m for m in ns.models() if m["name"] == "mlp")
    hidden = next(p for p in mlp_entry["params"] if p["name"] == "hidden")
    assert hidden["max"] == 64 and hidden["max_length"] == 2
    assert set(mlp_entry["inits"]) == {
        "zeros",
        "constant",
        "small_random",
        "large_random",
        "xavier",
        "he",
    }


NETWORK_OPTIMIZERS = [o.name for o in OPTIMIZERS if not o.surfaces_only]


@pytest.mark.parametrize("optimizer", NETWORK_OPTIMIZERS)
def test_every_network_optimizer_trains(optimizer):
    h = ns.train("moons", NET, optimizer, steps=50, seed=1)
    assert h.status == "done" and h.optimizer == optimizer
    assert np.all(np.isfinite(h.train_loss)) and h.train_loss.shape == (51,)
    strict_json(h.to_dict())


def test_surfaces_only_optimizers_are_refused():
    for o in OPTIMIZERS:
        if o.surfaces_only:
            with pytest.raises(
                ValueError, match=r"2-D surfaces only; valid optimizers for networks: gd"
            ):
                ns.train("moons", NET, o.name)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "mnist"}, r"unknown dataset 'mnist'; valid datasets: ravine, uncentred, xor"),
        ({"model": "cnn"}, r"unknown model 'cnn'; valid models: linear_regression"),
        (
            {"model": "linear_regression"},
            r"does not fit a binary task; valid models: logistic_regression, mlp",
        ),
        (
            {"model": {"name": "mlp", "params": {"hidden": [65]}}},
            r"hidden\[0\] must be between 1 and 64",
        ),
        ({"model": {"name": "mlp", "params": {"hidden": [4, 4, 4]}}}, "list of 1 to 2 widths"),
        (
            {"model": {"name": "mlp", "params": {"activation": "gelu"}}},
            "valid activations: tanh, logistic, relu",
        ),
        (
            {"model": {"name": "mlp", "params": {"loss": "hinge"}}},
            "valid losses: binary_cross_entropy, logistic_squared_error",
        ),
        (
            {"model": {"name": "mlp", "params": {"depth": 3}}},
            "valid: activation, batch_norm, bias, hidden, loss",
        ),
        ({"init": "glorot"}, "valid inits: zeros, constant"),
        ({"batch_size": 1000}, "batch_size must be between 1 and 160"),
        ({"steps": 10, "epochs": 2}, "steps or epochs, not both"),
        ({"steps": 0}, "steps must be between 1 and 20000"),
        ({"lr": -1.0}, "lr must be between"),
        ({"momentum": 0.9}, "unknown parameter"),
        ({"validation": 0.9}, "validation must be between 0 and 0.5"),
        (
            {"dataset": {"name": "moons", "params": {"n": 10**6}}},
            r"dataset moons.n must be between 4 and 5000",
        ),
        ({"dataset": {"name": "moons", "colour": 1}}, "valid: name, params, csv"),
        ({"seed": -1}, "seed must be between"),
        ({"record_every": 0}, "record_every must be between"),
        ({"histogram_records": -1}, "histogram_records must be between 0 and 1001"),
        ({"histogram_records": 2.5}, "histogram_records"),
    ],
)
def test_bad_arguments_name_the_valid_choices(kwargs, message):
    args = {"dataset": "moons", "model": NET, "optimizer": "gd", "steps": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        ns.train(args.pop("dataset"), args.pop("model"), args.pop("optimizer"), **args)


def test_work_is_bounded():
    big = {"name": "mlp", "params": {"hidden": [64, 64]}}
    with pytest.raises(ValueError, match="training too large"):
        ns.train({"name": "moons", "params": {"n": 5000}}, big, "gd", steps=20_000)


def test_epochs_and_batches():
    h = ns.train("moons", NET, "gd", epochs=3, batch_size=50)
    assert h.steps == 3 * 4 and h.epochs == pytest.approx(3 * 4 * 50 / 160)


def test_csv_dataset_trains():
    rows = "\n".join(
        f"{x:.3f},{y:.3f},{int(x * y > 0)}"
        for x, y in np.random.default_rng(0).uniform(-1, 1, (80, 2))
    )
    h = ns.train({"csv": "a,b,label\n" + rows}, NET, "gd", lr=1.0, steps=100)
    assert h.dataset == "csv" and h.task == "binary" and h.n_train == 64


def test_diverged_run_is_json_safe():
    h = ns.train(
        "ravine",
        {"name": "linear_regression", "params": {"bias": False}},
        "gd",
        lr=0.01,
        steps=300,
        normalize=False,
    )
    assert h.status == "diverged"
    d = h.to_dict()
    strict_json(d)
    assert d["stopped_at"] == h.stopped_at and len(d["batch_loss"]) == h.stopped_at


def test_normalising_the_ravine_makes_gd_fast():
    model = {"name": "linear_regression", "params": {"bias": False}}
    raw = ns.train("ravine", model, "gd", lr=1e-5, steps=300, normalize=False)
    norm = ns.train("ravine", model, "gd", lr=0.5, steps=300, normalize=True)
    assert raw.status == norm.status == "done"
    # Raw inputs: lr is capped by the steep w1 wall, so w2 has barely moved from 0.
    assert abs(raw.theta[1]) < 1.0
    # Normalised: the minimum is reached, the gradient vanishes.
    assert norm.grad_norm[-1] < 1e-6 * norm.grad_norm[0]


@pytest.mark.parametrize(
    ("dataset", "model"),
    [
        ("ravine", "linear_regression"),
        ("ravine", {"name": "linear_regression", "params": {"bias": False}}),
        ("moons", "logistic_regression"),
        ("moons", {"name": "logistic_regression", "params": {"loss": "logistic_squared_error"}}),
        ("blobs", "softmax_regression"),
        ("moons", {"name": "mlp", "params": {"hidden": [6], "activation": "tanh"}}),
        ("moons", {"name": "mlp", "params": {"hidden": [6, 5], "activation": "logistic"}}),
        ("blobs", {"name": "mlp", "params": {"hidden": [6, 5], "activation": "relu"}}),
        ("ravine", {"name": "mlp", "params": {"hidden": [5], "activation": "tanh"}}),
    ],
)
def test_gradient_check_passes_and_catches_the_broken_backward_pass(dataset, model):
    good = ns.gradient_check(dataset, model)
    assert good.passed and good.max_relative_error < ns.GRADCHECK_TOLERANCE
    bad = ns.gradient_check(dataset, model, broken=True)
    assert not bad.passed and bad.max_relative_error > 1e-2
    strict_json(bad.to_dict())


def test_gradient_check_samples_large_models():
    g = ns.gradient_check("moons", {"name": "mlp", "params": {"hidden": [64, 64]}})
    assert g.indices.shape == (ns.MAX_GRADCHECK_PARAMS,) and g.passed


def test_minibatch_gradient_variance_scales_as_one_over_s():
    r = ns.gradient_noise("moons", NET, sizes=[1, 4, 16, 64], draws=1000, seed=2)
    ratio = r.variance * r.sizes / r.per_example
    np.testing.assert_allclose(ratio, 1.0, rtol=0.15)
    slope = np.polyfit(np.log(r.sizes), np.log(r.variance), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.05)
    strict_json(r.to_dict())


def test_metrics_of_a_trained_classifier_match_the_metrics_module():
    h = ns.train("screening", "logistic_regression", "gd", lr=1.0, steps=300)
    labels, scores = h.scores("validation")
    r = ns.metrics_at(h, 0.3)
    assert r.accuracy == pytest.approx(mt.accuracy(labels, scores, 0.3))
    assert r.sensitivity == pytest.approx(mt.sensitivity(labels, scores, 0.3))
    assert r.auc == pytest.approx(mt.auc(labels, scores))
    assert r.confusion.sum() == labels.size == 200
    strict_json(r.to_dict())
    # The accuracy the kernel records at threshold 0.5 is the metrics module's.
    all_labels, all_scores = h.scores("train")
    assert h.train_accuracy[-1] == pytest.approx(mt.accuracy(all_labels, all_scores, 0.5))


def test_always_negative_scores_99_percent_accuracy_and_zero_sensitivity():
    data = ns.resolve_dataset("screening", validation=0.0)
    r = ns.metrics_at({"labels": data.t.tolist(), "scores": [0.0] * data.t.size}, 0.5)
    assert r.accuracy == pytest.approx(0.99) and r.sensitivity == 0.0 and r.specificity == 1.0
    d = r.to_dict()
    strict_json(d)
    assert d["precision"] is None  # undefined, not a number


def test_multiclass_metrics():
    h = ns.train("blobs", "softmax_regression", "gd", lr=0.5, steps=200)
    r = ns.metrics_at(h)
    assert r.task == "multiclass" and r.confusion.shape == (3, 3)
    assert r.accuracy == pytest.approx(np.trace(r.confusion) / r.confusion.sum())
    strict_json(r.to_dict())
    with pytest.raises(ValueError, match="classification"):
        ns.metrics_at(ns.train("ravine", "linear_regression", "gd", steps=3))


def test_decision_boundary():
    h = ns.train("moons", NET, "gd", lr=1.0, steps=200)
    b = ns.decision_boundary(h, resolution=30)
    assert b.values.shape == (30, 30) and np.all((b.values >= 0) & (b.values <= 1))
    z = h.outputs(np.array([[b.xs[3], b.ys[7]]]))[0, 0]
    assert b.values[7, 3] == pytest.approx(1 / (1 + np.exp(-z)))
    strict_json(b.to_dict())


def numpy_bce(p: ns.Problem, theta: np.ndarray) -> float:
    """Mean binary cross-entropy of a one-hidden-layer tanh net, by hand."""
    arch = p.model.arch
    h = np.tanh(p.X @ arch.weight(theta, 0).T + arch.bias_of(theta, 0))
    z = h @ arch.weight(theta, 1)[0] + arch.bias_of(theta, 1)[0]
    y = 1 / (1 + np.exp(-z))
    return float(np.mean(-p.T * np.log(y) - (1 - p.T) * np.log(1 - y)))


def bilinear(ls_: ns.Landscape, a: float, b: float) -> float:
    i = np.searchsorted(ls_.a, a) - 1
    j = np.searchsorted(ls_.b, b) - 1
    fa = (a - ls_.a[i]) / (ls_.a[i + 1] - ls_.a[i])
    fb = (b - ls_.b[j]) / (ls_.b[j + 1] - ls_.b[j])
    v = ls_.values
    return (
        v[j, i] * (1 - fa) * (1 - fb) + v[j, i + 1] * fa * (1 - fb)
        + v[j + 1, i] * (1 - fa) * fb + v[j + 1, i + 1] * fa * fb
    )  # fmt: skip


@pytest.mark.parametrize("directions", ["pca", "random"])
def test_landscape_projection_agrees_with_the_contours(directions):
    runs = ["gd", {"optimizer": "gd", "lr": 0.3}]
    L = ns.landscape("moons", NET, runs, directions=directions, steps=150, resolution=81)
    assert L.directions == directions and len(L.runs) == 2
    p = ns.prepare("moons", NET, validation=0.0)
    for run in L.runs:
        # The drawn loss is the loss at the drawn point of the slice, centre + a d1 + b d2 ...
        pts = L.centre + run.coords[:, :1] * L.d1 + run.coords[:, 1:] * L.d2
        for k in (0, len(pts) // 2, len(pts) - 1):
            assert run.slice_loss[k] == pytest.approx(numpy_bce(p, pts[k]), rel=1e-12)
        # ... which is what the contours show there (bilinear in a fine grid).
        for (a, b), s in zip(run.coords, run.slice_loss, strict=True):
            assert bilinear(L, a, b) == pytest.approx(s, rel=0.02, abs=1e-3)
    # The first run ends at the centre: its last point sits at (0, 0) with its true loss.
    np.testing.assert_allclose(L.runs[0].coords[-1], 0.0, atol=1e-9)
    assert L.runs[0].slice_loss[-1] == pytest.approx(L.runs[0].loss[-1], rel=1e-12)
    strict_json(L.to_dict())


def test_two_weight_landscape_is_exact_and_contains_the_path():
    model = {"name": "linear_regression", "params": {"bias": False}}
    for normalize in (False, True):
        lr = 1e-5 if not normalize else 0.3
        L = ns.landscape(
            "ravine", model, [{"optimizer": "gd", "lr": lr}], steps=100, normalize=normalize
        )
        assert L.directions == "axes" and L.minimum is not None
        run = L.runs[0]
        np.testing.assert_allclose(
            run.slice_loss, run.loss, rtol=1e-12
        )  # the path lies in the plane
        p = ns.prepare("ravine", model, normalize=normalize, validation=0.0)
        w = np.array(L.minimum)
        grad = p.X.T @ (p.X @ w - p.T)
        assert np.abs(grad).max() < 1e-6 * np.abs(p.X.T @ p.T).max()  # the minimum is the minimum
        assert L.a[0] <= w[0] <= L.a[-1] and L.b[0] <= w[1] <= L.b[-1]
    with pytest.raises(ValueError, match="needs a model with two weights"):
        ns.landscape("moons", NET, directions="axes")


def test_weights_landscape_of_a_regression_with_bias_holds_the_bias():
    L = ns.landscape("ravine", "linear_regression", [{"optimizer": "gd", "lr": 0.5}], steps=300)
    assert L.directions == "axes" and L.centre[:2].tolist() == [0.0, 0.0]
    run = L.runs[0]
    # The bias converged, so the end of the path lies in the slice and on the minimum.
    assert run.slice_loss[-1] == pytest.approx(run.loss[-1], rel=1e-9)
    np.testing.assert_allclose(run.coords[-1], L.minimum, rtol=1e-6)
    # Normalised inputs with a bias: the fit is good (the no-bias model cannot fit the mean).
    assert run.loss[-1] < 0.05


def test_batch_size_study_has_diminishing_returns():
    r = ns.batch_size_study(
        "moons", NET, "gd", lrs=[0.3, 1.0, 3.0], max_steps=2000, count=6, target_loss=0.15
    )
    assert r.sizes[0] == 1 and r.sizes[-1] == 200  # no validation split in the study
    assert np.all(np.isfinite(r.steps))
    assert r.steps[0] > 2 * r.steps[-1]  # larger batches need fewer steps ...
    assert r.epochs[-1] > r.epochs[1]  # ... but more passes over the data
    strict_json(r.to_dict())


def test_progress_and_cancel_in_the_batch_size_study():
    seen = []

    def progress(done, total, partial):
        seen.append((done, total))
        if done == 2:
            raise ns.Cancelled

    with pytest.raises(ns.Cancelled):
        ns.batch_size_study(
            "moons", NET, "gd", lrs=[1.0], max_steps=100, count=4, progress=progress
        )
    assert seen == [(1, 4), (2, 4)]


def test_landscape_reports_progress():
    seen = []
    ns.landscape("moons", NET, ["gd", "gd"], steps=20, resolution=12,
                 progress=lambda d, n, part: seen.append((d, n)))  # fmt: skip
    assert seen[:2] == [(1, 12), (2, 12)] and seen[-1] == (12, 12)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_json_snapshots_are_thinned_evenly():
    big = {"name": "mlp", "params": {"hidden": [32, 32]}}  # 1,185 parameters
    h = ns.train("moons", big, "gd", steps=400, record_every=1)
    assert h.snapshots.shape == (401, 1185)
    d = h.to_dict()
    kept = np.array(d["snapshots"])
    assert kept.size <= ns.JSON_SNAPSHOT_VALUES
    assert d["snapshot_steps"][0] == 0 and d["snapshot_steps"][-1] == 400
    np.testing.assert_array_equal(kept[-1], h.theta)
    small = ns.train("moons", NET, "gd", steps=40, record_every=1).to_dict()
    assert small["snapshot_steps"] == list(range(41))


_WARM_CHECK = """
import sys
from numba.core.registry import CPUDispatcher
import losscape.network_service as ns
from losscape.networks import datasets, landscape, metrics, mlp, train
from losscape.numerics import kernels

MODULES = (datasets, landscape, metrics, mlp, train, kernels)

def compiled():
    return sum(
        len(v.signatures) for m in MODULES for v in vars(m).values() if isinstance(v, CPUDispatcher)
    )

before = compiled()
ns.warm_up()
warm = compiled()
# Requests of every kind, other sizes, data sets and optimizers than the warm-up's own.
net = {"name": "mlp", "params": {"hidden": [5, 4], "activation": "relu"}}
h = ns.train("moons", net, "adam", steps=7, batch_size=8)
ns.train({"name": "blobs", "params": {"n": 60}}, "softmax_regression", "momentum", steps=4)
ns.decision_boundary(h, resolution=6)
ns.metrics_at(h, 0.3)
ns.gradient_check("circles", net)
ns.landscape("ravine", "linear_regression", optimizers=["gd", "adam"], steps=5, resolution=4)
ns.gradient_noise("moons", net, sizes=[1, 4], draws=5)
print(before, warm, compiled())
"""


def test_warm_up_compiles_every_kernel_a_request_uses():
    """After warm_up, no request of any kind compiles a numba signature (a fresh process)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(ns.__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", _WARM_CHECK],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=600,
    )
    before, warm, after = map(int, out.stdout.split())
    assert before == 0 < warm
    assert after == warm


@pytest.mark.parametrize("schedule", [s["name"] for s in losscape.schedules()])
def test_schedules_drive_the_network_lr_as_on_surfaces(schedule):
    h = ns.train("moons", NET, "momentum", lr=0.2, steps=60, schedule=schedule)
    # The same schedule on a 2-D surface, through the core's own trajectory kernel.
    surface = losscape.surfaces()[0]["name"]
    ref = losscape.trajectory(surface, "momentum", lr=0.2, steps=60, schedule=schedule, tol=0.0)
    assert h.status == "done" and ref.lrs.shape == (60,)
    np.testing.assert_allclose(h.lrs, ref.lrs, rtol=1e-15)
