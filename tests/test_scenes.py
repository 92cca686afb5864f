"""The scenes: valid states (checked by the service itself) and the lecture claims they show."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from losscape import claims, scenes, service

SCENES = scenes.scenes()
BY_ID = {s["id"]: s for s in SCENES}
LECTURE_SCENES = (
    "gd-1d",
    "level-sets",
    "local-minima",
    "saddle",
    "ravine",
    "momentum",
    "learning-rate",
    "training-curves",
    "sgd",
    "lr-decay",
    "rmsprop-adam",
    "recap",
    "playground",
)
STEP_STATES = [
    pytest.param(s["id"], k, id=f"{s['id']}-{k}") for s in SCENES for k in range(len(s["steps"]))
]


def test_every_lecture_scene_is_there_once():
    ids = [s["id"] for s in SCENES]
    assert len(ids) == len(set(ids))
    assert set(LECTURE_SCENES) <= set(ids)


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s["id"])
def test_scene_shape(scene):
    assert re.fullmatch(r"[a-z0-9-]+", scene["id"])
    assert scene["title"]
    if scene["id"] != "playground":
        assert scene["caption"].count("\n") == 1, "captions are two lines"
        assert scene["lecture"]
    assert scene["panels"]  # registered ids: tests/js/test_js.py
    assert len(set(scene["panels"])) == len(scene["panels"])
    for step in scene["steps"]:
        assert set(step) == {"caption", "state", "claims"} and step["caption"]
        assert set(step["state"]) == set(scene["state"]) | {"panels"}
    json.dumps(scene, allow_nan=False)  # served as JSON: no NaN, no tuples of objects


@pytest.mark.parametrize(("scene_id", "k"), STEP_STATES)
def test_step_state_is_valid(scene_id, k):
    """Every name is in the catalogue and every number within its bounds: the service accepts
    each run, its schedule and noise, and the probe point."""
    state = scenes.step_state(scene_id, k)
    assert 1 <= len(state["runs"]) <= 6
    assert all(re.fullmatch(r"#[0-9A-F]{6}", r["color"]) for r in state["runs"])
    assert len({r["color"] for r in state["runs"]}) == len(state["runs"])
    for traj in claims.SurfaceResults(state).runs:  # the page's requests, run by the service
        assert traj.loss.shape[0] >= 1
    if state["probe"] is not None:
        service.hessian(state["surface"], state["probe"], surface_params=state["params"])
    assert state["click"] in ("start", "probe")


def test_recap_table_links_to_scenes():
    rows = BY_ID["recap"]["table"]
    assert [r["problem"] for r in rows][:2] == ["incorrect gradients", "local optima"]
    assert len(rows) == 9
    for r in rows:
        assert r["scene"] is None or r["scene"] in BY_ID


def test_unknown_scene_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"valid: .*gd-1d"):
        scenes.scene("nope")


def test_patch_merges_objects_and_replaces_lists_and_params():
    base = {"a": {"x": 1, "y": 2}, "runs": [1, 2], "params": {"kappa": 5}}
    patch = {"a": {"y": 3}, "runs": [9], "params": {"sx": 1}}
    assert scenes.merge_patch(base, patch) == {
        "a": {"x": 1, "y": 3},
        "runs": [9],
        "params": {"sx": 1},
    }


# ------------------------------------------------------------------ what each scene must show


def finals(scene_id: str, k: int = 0) -> list[service.Trajectory]:
    state = scenes.step_state(scene_id, k)
    return claims.SurfaceResults(state).runs


def test_gd_1d_two_starts_two_basins():
    a, b = finals("gd-1d", 0)
    assert a.path[-1, 0] == pytest.approx(0.8789, abs=1e-3)  # right start: the shallow well
    assert b.path[-1, 0] == pytest.approx(-1.0880, abs=1e-3)
    a, b = finals("gd-1d", 1)  # starts either side of the hump at 0.209
    assert a.path[-1, 0] > 0.5 > -0.5 > b.path[-1, 0]
    assert all(t.status == "diverged" for t in finals("gd-1d", 3))


def test_local_minima_every_restart_finds_a_minimum():
    state = scenes.step_state("local-minima", 0)
    mins = [c for c in service.resolve_surface(state["surface"]).minima]
    ends = {
        min(range(4), key=lambda i: math.dist(t.path[-1], (mins[i].x, mins[i].y)))
        for t in finals("local-minima")
    }
    assert ends == {0, 1, 2, 3}  # the five starts reach all four minima of Himmelblau


def test_saddle_on_axis_stalls_and_offset_escapes_after_a_plateau():
    stuck, escapes = finals("saddle", 0)
    assert np.allclose(stuck.path[-1], (0.0, 0.0), atol=1e-6)
    assert escapes.loss[-1] == pytest.approx(-1.0, abs=1e-6)
    plateau = np.flatnonzero(np.abs(escapes.loss) < 1e-2)
    assert plateau.size > 50  # a long stretch at the saddle's value before the drop


def test_learning_rate_scene_spans_the_divergence_edge():
    state = scenes.step_state("learning-rate", 0)
    edge = 2.0 / state["params"]["kappa"]  # lambda_max of 0.5 (x^2 + kappa y^2)
    lrs = [r["lr"] for r in state["runs"]]
    assert lrs[2] < edge < lrs[3]
    status = [t.status for t in finals("learning-rate")]
    assert "diverged" not in status[:3] and status[3] == "diverged"
    sweep = service.lr_sweep(
        state["surface"], "gd", surface_params=state["params"], steps=state["steps"],
        start=state["runs"][0]["start"], **{k: state["sweep"][k] for k in ("lr_min", "lr_max")},
        count=state["sweep"]["count"],
    )  # fmt: skip
    assert sweep.edge_lr == pytest.approx(edge)


def test_momentum_beats_gd_in_the_ravine_and_mu_one_never_settles():
    gd, mom = finals("momentum", 0)
    assert mom.loss[-1] < 1e-4 * gd.loss[-1]
    _, free = finals("momentum", 3)
    assert free.loss[-50:].max() > 1.0  # still swinging after 300 steps


def test_terminal_velocity_on_the_plane():
    state = scenes.step_state("momentum", 2)
    gd, mom = finals("momentum", 2)
    slope = math.hypot(state["params"]["sx"], state["params"]["sy"])
    lr, mu = state["runs"][1]["lr"], state["runs"][1]["hyperparams"]["momentum"]
    steps = np.hypot(*np.diff(mom.path, axis=0).T)
    assert steps[-1] == pytest.approx(lr / (1 - mu) * slope, rel=0.05)
    assert np.hypot(*np.diff(gd.path, axis=0).T)[-1] == pytest.approx(lr * slope)


def test_training_curves_has_a_run_that_looks_converged_and_is_not():
    gd, hb, adam = finals("training-curves", 0)
    start = gd.loss[0]
    assert gd.loss[-1] < 0.01 * start  # flat on a linear axis
    assert gd.loss[-1] > 1e3 * max(hb.loss[-1], adam.loss[-1])  # orders of magnitude behind


def test_sgd_noise_shrinks_with_the_batch_size():
    *noisy, full = finals("sgd", 0)  # S = 1, 10, 100, then the full batch
    spread = [np.std(t.loss[100:]) for t in noisy]
    assert spread[0] > spread[1] > spread[2]
    assert np.all(np.diff(full.loss) <= 0)  # exact gradient: straight downhill


def test_lr_decay_settles_where_constant_fluctuates():
    const, *decayed = finals("lr-decay", 0)
    assert all(np.std(t.loss[-50:]) < 0.1 * np.std(const.loss[-50:]) for t in decayed)
    assert const.averaged_loss[-1] < 0.1 * np.mean(const.loss[-50:])  # iterate averaging


def test_rmsprop_fixes_the_axis_aligned_ravine_not_the_rotated_one():
    def rms_steps(k: int) -> int:
        rms = finals("rmsprop-adam", k)[1]
        return int(np.argmax(rms.loss < 1e-3 * rms.loss[0]) or len(rms.loss))

    assert rms_steps(0) < rms_steps(1)


# --------------------------------------------------------------------------- network scenes

NETWORK_IDS = [s["id"] for s in scenes.network_scenes()]
NETWORK_STEPS = [(s["id"], k) for s in scenes.network_scenes() for k in range(len(s["steps"]))]


def test_every_network_scene_is_there_once():
    assert set(NETWORK_IDS) >= {
        "symmetry", "plateau", "ravine", "metrics", "sgd", "batch-size", "gradient-check",
    }  # fmt: skip
    assert len(NETWORK_IDS) == len(set(NETWORK_IDS))


@pytest.mark.parametrize(("scene_id", "k"), NETWORK_STEPS)
def test_network_step_state_trains_through_the_service(scene_id, k):
    ns = pytest.importorskip("losscape.network_service")
    state = scenes.network_step_state(scene_id, k)
    assert set(state) == set(scenes.NETWORK_DEFAULTS)
    assert state == {**scenes.NETWORK_DEFAULTS, **state}
    history = ns.train(**claims.network_request(state))
    assert history.status in ("done", "reached")
    assert np.all(np.isfinite(history.train_loss))


def test_recap_links_symmetry_dead_units_and_the_gradient_check_to_network_scenes():
    rows = {r["problem"]: r for r in scenes.scene("recap")["table"]}
    assert rows["symmetries"]["network_scene"] == "symmetry"
    assert rows["dead/saturated units"]["network_scene"] == "plateau"
    assert rows["incorrect gradients"]["network_scene"] == "gradient-check"
    for r in rows.values():
        assert r["network_scene"] is None or r["network_scene"] in NETWORK_IDS


def test_every_recap_link_resolves_to_an_existing_scene_of_its_page():
    rows = scenes.scene("recap")["table"]
    for r in rows:
        assert r["scenes"] or r["network_scenes"], r["problem"]  # every row shows somewhere
        assert all(s in BY_ID for s in r["scenes"]), r["problem"]
        assert all(s in NETWORK_IDS for s in r["network_scenes"]), r["problem"]
        assert len(set(r["scenes"])) == len(r["scenes"])
        assert r["scene"] == (r["scenes"][0] if r["scenes"] else None)
        assert r["network_scene"] == (r["network_scenes"][0] if r["network_scenes"] else None)


def test_recap_links_the_newer_scenes_to_their_rows():
    rows = {r["problem"]: r for r in scenes.scene("recap")["table"]}
    ill = rows["ill-conditioning"]
    # the lecture's workarounds, one scene each: normalisation, Adam, second-order steps
    assert {"ravine", "rmsprop-adam", "newton"} <= set(ill["scenes"])
    assert {"ravine", "uncentred"} <= set(ill["network_scenes"])
    assert "permutation" in rows["symmetries"]["network_scenes"]
    assert "tanh-vs-logistic" in rows["dead/saturated units"]["network_scenes"]
    assert "momentum-step" in rows["oscillations"]["scenes"]


def test_network_metrics_scene_always_negative_scores_99_percent():
    ns = pytest.importorskip("losscape.network_service")
    state = scenes.network_step_state("metrics", 0)
    history = ns.train(**claims.network_request(state))
    report = ns.metrics_at(history, state["threshold"])
    assert report.sensitivity == 0.0
    assert report.accuracy == pytest.approx(0.99, abs=0.006)
    assert ns.metrics_at(history, 0.05).sensitivity == 1.0


def test_network_symmetry_scene_units_move_as_one_then_separate():
    ns = pytest.importorskip("losscape.network_service")
    tied = ns.train(**claims.network_request(scenes.network_step_state("symmetry", 0)))
    w = tied.weights(0)  # (units, inputs): every unit's row the same, exactly
    assert w.shape == (4, 2)
    assert np.array_equal(w, np.broadcast_to(w[:1], w.shape))
    assert np.abs(w).max() > 0.1  # the weights moved, together
    free = ns.train(**claims.network_request(scenes.network_step_state("symmetry", 1)))
    wf = free.weights(0)
    assert np.ptp(wf, axis=0).min() > 1e-3


def test_network_gradient_check_scene_fails_when_broken():
    ns = pytest.importorskip("losscape.network_service")
    for k, passed in ((0, True), (1, False)):
        state = scenes.network_step_state("gradient-check", k)
        req = claims.network_request(state)
        check = ns.gradient_check(req["dataset"], req["model"], broken=state["broken"])
        assert check.passed is passed


def test_network_batch_size_scene_speeds_up_then_levels_off():
    ns = pytest.importorskip("losscape.network_service")
    state = scenes.network_step_state("batch-size", 0)
    req = claims.network_request(state)
    study = ns.batch_size_study(
        req["dataset"],
        req["model"],
        state["optimizer"],
        lrs=[state["lr"] / 3, state["lr"], state["lr"] * 3],
        max_steps=state["steps"],
        count=8,
        target_loss=state["target"],
    )
    steps = study.steps
    assert np.all(np.isfinite(steps))
    assert steps[0] > 5 * steps[-1]  # S = 1 needs many more steps than full batch
    # diminishing returns: the last doubling of S saves far less than the first ones
    assert steps[0] - steps[2] > 5 * abs(steps[-2] - steps[-1])


def test_readme_scene_table_lists_every_scene():
    """README's scene table has a row for every scene of both pages (network ones prefixed)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("| scene | the lecture's idea |") :].split("\n\n")[0]
    rows = {line.split("|")[1].strip() for line in table.splitlines()[2:]}
    expected = {f"`{s['id']}`" for s in scenes.scenes()}
    expected |= {f"network `{s['id']}`" for s in scenes.network_scenes()}
    assert rows == expected
