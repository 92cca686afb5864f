"""Every scene step's claims hold on that step's own results, and breaking a scene breaks them."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from losscape import claims, scenes, service

STEPS = [
    pytest.param(page, s["id"], k, id=f"{page}-{s['id']}-{k}")
    for page, lst in (("surfaces", scenes.scenes()), ("networks", scenes.network_scenes()))
    for s in lst
    for k in range(len(s["steps"]))
]


@pytest.mark.parametrize(("page", "scene_id", "k"), STEPS)
def test_every_claim_of_every_step_holds(page, scene_id, k):
    verdicts = claims.evaluate(scene_id, k, page=page)
    failed = [f"{v.id}: {v.detail}" for v in verdicts if not v.passed]
    assert not failed
    for v in verdicts:
        assert v.value is None or math.isfinite(v.value)


def _step(page, scene_id, k):
    return copy.deepcopy(scenes.find(scene_id, page).scene["steps"][k])


def test_constant_init_breaks_symmetry_step_two():
    step = _step("networks", "symmetry", 1)
    step["state"]["init"] = "constant"
    verdicts = {
        v.id: v for v in claims.evaluate_state(step["claims"], step["state"], page="networks")
    }
    assert not verdicts["separate"].passed and verdicts["separate"].value == 0.0
    assert not verdicts["learned"].passed


def test_batch_norm_off_breaks_the_batch_norm_step():
    step = _step("networks", "batch-norm", 1)
    step["state"]["batch_norm"] = False  # the "BN" run is now the plain run: no gain left
    verdicts = {
        v.id: v for v in claims.evaluate_state(step["claims"], step["state"], page="networks")
    }
    assert not verdicts["faster"].passed and not verdicts["lower"].passed


def test_lr_above_the_edge_breaks_the_good_run():
    step = _step("surfaces", "learning-rate", 0)
    step["state"]["runs"][1]["lr"] = 0.25  # beyond 2 / lambda_max = 0.2
    verdicts = {v.id: v for v in claims.evaluate_state(step["claims"], step["state"])}
    assert not verdicts["good-fastest"].passed


def test_gd_momentum_breaks_the_rate_claim():
    step = _step("surfaces", "momentum", 0)
    step["state"]["runs"][1]["hyperparams"]["momentum"] = 0.0
    verdicts = {v.id: v for v in claims.evaluate_state(step["claims"], step["state"])}
    assert not verdicts["hb-rate"].passed


def test_heavy_ball_rate_matches_polyak():
    """The scene's heavy-ball settings are Polyak's optimum for kappa = 100 (rate 9/11)."""
    state = scenes.step_state("momentum", 0)
    kappa = state["params"]["kappa"]
    hb = state["runs"][1]
    assert hb["lr"] == pytest.approx(4 / (1 + math.sqrt(kappa)) ** 2, rel=1e-4)
    assert hb["hyperparams"]["momentum"] == pytest.approx((9 / 11) ** 2, rel=1e-4)
    assert state["runs"][0]["lr"] == pytest.approx(2 / (1 + kappa), rel=1e-4)


def test_quantities_against_direct_computation():
    state = scenes.step_state("momentum", 2)
    r = claims.SurfaceResults(state)
    mom = service.trajectory(
        "tilted_plane", "heavy_ball", start=(8.0, 4.0), lr=0.1, momentum=0.9, steps=60,
        surface_params={"sx": 1.0, "sy": 0.5},
    )  # fmt: skip
    expected = np.hypot(*(mom.path[-1] - mom.path[-2]))
    assert claims.SURFACE_QUANTITIES["step_length"](r, run=1) == pytest.approx(expected)
    # the exact k-th step of momentum on a plane: alpha (1 - mu^k) / (1 - mu) |g|
    k = mom.steps_taken
    assert expected == pytest.approx(0.1 * (1 - 0.9**k) / 0.1 * math.hypot(1.0, 0.5), rel=1e-9)


def test_rate_quantity_on_gd_equals_the_closed_form():
    """GD on 0.5 (x^2 + kappa y^2): x_k = x_0 (1 - a)^k, y_k = y_0 (1 - kappa a)^k exactly."""
    state = scenes.step_state("momentum", 0)
    kappa, run = state["params"]["kappa"], state["runs"][0]
    a, (x0, y0) = run["lr"], run["start"]

    def loss(k: int) -> float:
        return 0.5 * ((x0 * (1 - a) ** k) ** 2 + kappa * (y0 * (1 - kappa * a) ** k) ** 2)

    expected = (loss(100) / loss(50)) ** (0.5 / 50)
    r = claims.SurfaceResults(state)
    assert claims.SURFACE_QUANTITIES["rate"](r, run=0, a=50, b=100) == pytest.approx(expected)
    assert expected == pytest.approx(99 / 101, abs=5e-4)  # (kappa - 1) / (kappa + 1)


def test_network_kappa_is_the_inputs_second_moment_condition_number():
    from losscape import network_service as ns

    state = scenes.network_step_state("ravine", 0)
    r = claims.NetworkResults(state)
    # the slice Hessian of 0.5 mean (w.x + b - t)^2 over (w1, w2) is E[x x^T] (validation 0)
    full = ns.prepare({"name": "ravine", "params": {}}, "linear_regression", normalize=False,
                      validation=0.0)  # fmt: skip
    expected = np.linalg.cond(full.X.T @ full.X / len(full.X))
    assert claims.NETWORK_QUANTITIES["landscape_kappa"](r) == pytest.approx(expected, rel=1e-6)
    assert expected > 1e6


def test_unknown_scene_and_step_name_the_valid_ones():
    with pytest.raises(ValueError, match=r"valid: .*gd-1d"):
        claims.evaluate("nope", 0)
    with pytest.raises(ValueError, match=r"steps 0 to 3"):
        claims.evaluate("gd-1d", 9)
    with pytest.raises(ValueError, match=r"valid: surfaces, networks"):
        claims.evaluate("gd-1d", 0, page="elsewhere")


def test_claims_are_plain_data():
    for lst in (scenes.scenes(), scenes.network_scenes()):
        for s in lst:
            for step in s["steps"]:
                for c in step["claims"]:
                    assert set(c) <= {"id", "text", "lhs", "op", "rhs", "times"}
                    assert c["op"] in ("<", "<=", ">", ">=", "==", "in")
                    table = {**claims.SURFACE_QUANTITIES, **claims.NETWORK_QUANTITIES}
                    assert c["lhs"]["q"] in table
                ids = [c["id"] for c in step["claims"]]
                assert len(ids) == len(set(ids))


COMPARATIVE = (
    "than", "more", "less", "larger", "smaller", "faster", "slower", "sooner", "longer",
    "lower", "higher", "shallower", "deeper", "deepest", "%", "times", "stuck", "blows up",
    "diverge", "fails", "passes", "never", "learned", "trains", "round",
)  # fmt: skip


def test_a_caption_with_a_comparative_or_number_has_a_claim():
    for lst in (scenes.scenes(), scenes.network_scenes()):
        for s in lst:
            for step in s["steps"]:
                cap = step["caption"].lower()
                # a number, "10×"-style factors or a comparative word ("α × ∇E" is a formula)
                quantitative = any(w in cap for w in COMPARATIVE) or any(c.isdigit() for c in cap)
                if (
                    quantitative
                    and s["id"] not in ("recap", "sgd")
                    and "S = " not in step["caption"]
                ):
                    assert step["claims"], f"{s['id']}: {step['caption']!r} has no claim"


def test_cross_entropy_breaks_the_least_squares_plateau():
    step = _step("networks", "loss-plateaux", 1)
    step["state"]["loss"] = "binary_cross_entropy"
    verdicts = {
        v.id: v for v in claims.evaluate_state(step["claims"], step["state"], page="networks")
    }
    assert not verdicts["stuck"].passed and not verdicts["plateau"].passed
    assert verdicts["ce-trains"].passed


def test_tanh_units_break_the_logistic_step():
    step = _step("networks", "tanh-vs-logistic", 0)
    step["state"]["activation"] = "tanh"
    verdicts = {
        v.id: v for v in claims.evaluate_state(step["claims"], step["state"], page="networks")
    }
    assert not verdicts["slower"].passed and not verdicts["near-ln2"].passed


def test_a_constant_lr_has_no_sudden_drop():
    step = _step("surfaces", "sudden-drop", 0)
    step["state"]["runs"][0]["schedule"] = {"name": "constant", "params": {}}
    verdicts = {v.id: v for v in claims.evaluate_state(step["claims"], step["state"])}
    assert not verdicts["drop"].passed


def test_late_decay_everywhere_breaks_the_long_run_claim():
    step = _step("surfaces", "sudden-drop", 1)
    step["state"]["runs"][1]["schedule"] = step["state"]["runs"][0]["schedule"]
    verdicts = {v.id: v for v in claims.evaluate_state(step["claims"], step["state"])}
    assert not verdicts["long-run"].passed and not verdicts["early-drop"].passed


def test_zero_one_slope_and_variants_against_direct_computation():
    from losscape import network_service as ns
    from losscape.networks.zero_one import error_rate

    state = scenes.network_step_state("loss-plateaux", 0)
    r = claims.NetworkResults(state)
    h = ns.train(**claims.network_request(state))
    p = h.problem
    # the final weights misclassify a few points; the error rate there is 1 - accuracy
    assert error_rate(p.model.arch, h.theta, p.X, p.T) == pytest.approx(1 - h.train_accuracy[-1])
    assert claims.NETWORK_QUANTITIES["zero_one_slope"](r) == 0.0
    assert claims.NETWORK_QUANTITIES["net_grad_norm_at"](r, step=-1) == h.grad_norm[-1]
    # a variant is the same request with the changed field
    tanh = ns.train(**claims.network_request({**state, "activation": "relu"}))
    got = claims.NETWORK_QUANTITIES["variant_final_loss"](r, activation="relu")
    assert got == tanh.train_loss[-1]
    # the request carries the loss only when the state names one
    assert claims.network_request(state)["model"]["params"]["loss"] == "binary_cross_entropy"
    assert (
        "loss"
        not in claims.network_request(scenes.network_step_state("symmetry", 0))["model"]["params"]
    )


def test_terminal_ratio_is_one_minus_mu_to_the_k_on_a_plane():
    """On a plane p_k = -alpha g (1 + mu + ... + mu^k): step k is (1 - mu^(k+1)) of terminal."""
    state = scenes.step_state("momentum", 2)
    r = claims.SurfaceResults(state)
    n = r.runs[1].steps_taken  # it leaves the plane's view before the 60 steps are up
    for k in (0, 4, n - 1):
        got = claims.SURFACE_QUANTITIES["terminal_ratio"](r, run=1, k=k)
        assert got == pytest.approx(1 - 0.9 ** (k + 1), rel=1e-9)
    # GD (mu = 0) moves at its "terminal velocity" alpha |g| from the first step
    assert claims.SURFACE_QUANTITIES["terminal_ratio"](r, run=0, k=0) == pytest.approx(1.0)


def test_too_few_steps_break_the_terminal_velocity_claim():
    step = _step("surfaces", "momentum", 2)
    step["state"]["steps"] = 10
    verdicts = {v.id: v for v in claims.evaluate_state(step["claims"], step["state"])}
    assert not verdicts["at-terminal"].passed
    assert verdicts["at-terminal"].value == pytest.approx(1 - 0.9**10)
