"""The lecture's scenes as data, served in the catalog and opened by ``/#scene=ID``.

A scene is a named page state: the surface and its parameters, the runs (optimizer, lr,
hyperparameters, start, colour, and optionally their own schedule or batch size), the step
budget, schedule, gradient noise, seed, the panels shown, and a caption tying it to the
lecture. ``steps`` are the presenter's arrow-key stops, each ``{caption, state, claims}``:
``state`` is the step's full page state (the scene's state with the step's changes merged
here, once: objects merge key by key; lists, ``params`` and ``schedule`` replace), and
``claims`` are checkable statements about that step's own results (``claims.py`` evaluates
them; ``tests/test_claims.py`` runs every step). Every field names only catalogue surfaces,
optimizers, schedules and parameters within their bounds (``tests/test_scenes.py``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

# Okabe-Ito colours (colour-blind safe), in the order the page hands them out.
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
)
# Panel ids live in one place, the page's panel registry (frontend/js/panels.js);
# tests/js/test_js.py checks every scene's panels against it.


def _run(
    optimizer: str,
    lr: float,
    start: tuple[float, float],
    color: str,
    *,
    schedule: dict[str, Any] | None = None,
    batch_size: int | str | None = "shared",
    **hyperparams: float,
) -> dict[str, Any]:
    """One run of a scene; ``batch_size="shared"`` uses the scene's batch size."""
    run: dict[str, Any] = {
        "optimizer": optimizer,
        "lr": lr,
        "hyperparams": hyperparams,
        "start": list(start),
        "color": color,
    }
    if schedule is not None:
        run["schedule"] = schedule
    if batch_size != "shared":
        run["batch_size"] = batch_size
    return run


def _state(
    surface: str,
    runs: list[dict[str, Any]],
    *,
    params: dict[str, float] | None = None,
    steps: int = 200,
    schedule: dict[str, Any] | None = None,
    noise: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
    **display: Any,
) -> dict[str, Any]:
    """A full page state. Display options: arrows (gradient field), logy (log loss axis),
    averaging (iterate averages), probe (Hessian probe point), click ("start" or "probe"),
    gradbug (the recap's planted gradient bug), sweep / basins / lrm (sweep settings)."""
    return {
        "surface": surface,
        "params": params or {},
        "runs": runs,
        "steps": steps,
        "schedule": schedule or {"name": "constant", "params": {}},
        "noise": noise,
        "batch_size": batch_size,
        "seed": seed,
        "arrows": False,
        "logy": False,
        "averaging": False,
        "probe": None,
        "click": "start",
        "gradbug": False,
        **display,
    }


def _step(caption: str, *claims: dict[str, Any], **patch: Any) -> dict[str, Any]:
    return {"caption": caption, "state_patch": patch, "claims": list(claims)}


def Q(name: str, /, **args: Any) -> dict[str, Any]:
    """A quantity of a step's results (claims.py's QUANTITIES): ``{"q": name, **args}``."""
    return {"q": name, **args}


def _claim(
    cid: str, text: str, lhs: dict[str, Any], op: str, rhs: Any, *, times: float | None = None
) -> dict[str, Any]:
    """A claim about a step's own results: ``lhs op rhs`` (``rhs`` scaled by ``times``)."""
    out = {"id": cid, "text": text, "lhs": lhs, "op": op, "rhs": rhs}
    if times is not None:
        out["times"] = times
    return out


# Keys whose value a patch replaces whole: a surface's or a schedule's parameters belong to it.
REPLACED = frozenset({"params", "schedule"})


def merge_patch(base: Any, patch: Any) -> Any:
    """Objects merge key by key; lists, scalars and REPLACED keys replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = copy.deepcopy(v) if k in REPLACED else merge_patch(base.get(k), v)
        return out
    return copy.deepcopy(patch)


def _scene(
    scene_id: str,
    title: str,
    caption: str,
    lecture: str,
    panels: list[str],
    state: dict[str, Any],
    steps: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """A scene whose every step carries its full page state (panels included) and claims."""
    base = {"panels": panels, **state}
    return {
        "id": scene_id,
        "title": title,
        "caption": caption,
        "lecture": lecture,
        "panels": panels,
        "state": state,
        "steps": [
            {
                "caption": st["caption"],
                "state": merge_patch(base, st["state_patch"]),
                "claims": st["claims"],
            }
            for st in steps
        ],
        **extra,
    }


# The lecture's recap table: each problem, how to see it, what to do, and the scenes showing
# it best: classroom scenes (this page, #scene=ID) first, then network scenes (the network
# page, /network.html#net&scene=ID). The first of each is the row's main link.
RECAP_TABLE = (
    (
        "incorrect gradients", "finite differences", "fix them, or use autodiff",
        ("recap",), ("gradient-check",),
    ),
    ("local optima", "(hard)", "random restarts", ("local-minima",), ()),
    ("symmetries", "visualize W", "initialize W randomly", (), ("symmetry", "permutation")),
    (
        "slow progress", "slow, linear training curve", "increase α; momentum",
        ("learning-rate", "momentum"), (),
    ),
    ("instability", "cost increases", "decrease α", ("learning-rate", "training-curves"), ()),
    (
        "oscillations", "fluctuations in training curve", "decrease α; momentum",
        ("momentum", "momentum-step"), (),
    ),
    (
        "fluctuations", "fluctuations in training curve", "decay α; iterate averaging",
        ("lr-decay", "sgd", "sudden-drop"), ("batch-size", "sgd"),
    ),
    (
        "dead/saturated units", "activation histograms", "initial scale of W; ReLU",
        (), ("plateau", "tanh-vs-logistic", "loss-plateaux"),
    ),
    (
        "ill-conditioning", "(hard)", "normalization; momentum; Adam; second-order opt.",
        ("ravine", "rmsprop-adam", "newton"), ("ravine", "uncentred", "batch-norm"),
    ),
)  # fmt: skip


def _recap_rows() -> list[dict[str, Any]]:
    """RECAP_TABLE as the recap scene's JSON rows.

    ``scene`` / ``network_scene`` are the main links (None where the row has
    none on that page); ``scenes`` / ``network_scenes`` every link, in order.
    """
    return [
        {
            "problem": p,
            "diagnostics": d,
            "workarounds": w,
            "scene": surf[0] if surf else None,
            "network_scene": net[0] if net else None,
            "scenes": list(surf),
            "network_scenes": list(net),
        }
        for p, d, w, surf, net in RECAP_TABLE
    ]


def _build() -> list[dict[str, Any]]:
    scenes: list[dict[str, Any]] = []
    add = scenes.append

    add(
        _scene(
            "playground",
            "Playground",
            "Every surface, optimizer and panel at once: pick a surface, race up to six runs,\n"
            "drag the start on the contour and watch every view follow.",
            "",
            ["contour", "surface3d", "curves", "lr_sweep"],
            _state(
                "rosenbrock",
                [
                    _run("gd", 0.001, (-1.5, 2.0), BLUE),
                    _run("momentum", 0.001, (-1.5, 2.0), VERMILLION, momentum=0.9),
                    _run("adam", 0.05, (-1.5, 2.0), GREEN),
                ],
                steps=500,
            ),
            [_step("Free play: every control is live.")],
        )
    )

    # double_well (c = 0.2): minima at -1.0880 (deep, f'' = 2.551) and 0.8789 (shallow,
    # f'' = 1.318), the hump at 0.2091. GD zig-zags in a well when 1 < eps f'' < 2.
    deep, shallow = -1.0880, 0.8789
    starts_1d = [(1.8, 0.0), (-1.8, 0.0)]
    add(
        _scene(
            "gd-1d",
            "Gradient descent in 1-D",
            "w ← w − ε dE/dw: each step follows the tangent down the curve.\n"
            "Where it ends depends on where it starts: the coloured axis shows the basins of "
            "attraction.",
            "Optimization: visualizing gradient descent in one dimension",
            ["curve1d", "curves"],
            _state(
                "double_well",
                [
                    _run("gd", 0.1, starts_1d[0], BLUE),
                    _run("gd", 0.1, starts_1d[1], VERMILLION),
                ],
                params={"c": 0.2},
                steps=40,
            ),
            [
                _step(
                    "Two starts, two wells: the right start settles in the shallower well.",
                    _claim(
                        "right-shallow",
                        "the right start ends in the shallow well (w ≈ 0.879)",
                        Q("final_x", run=0),
                        "in",
                        [shallow - 0.01, shallow + 0.01],
                    ),
                    _claim(
                        "left-deep",
                        "the left start ends in the deep well (w ≈ −1.088)",
                        Q("final_x", run=1),
                        "in",
                        [deep - 0.01, deep + 0.01],
                    ),
                    _claim(
                        "shallower",
                        "the right well is shallower: its final loss is higher",
                        Q("final_loss", run=0),
                        ">",
                        Q("final_loss", run=1),
                    ),
                ),
                _step(
                    "Starts a hair apart on either side of the hump end in different minima.",
                    _claim(
                        "right-of-hump",
                        "0.25 (right of the hump at 0.209) ends right",
                        Q("final_x", run=0),
                        ">",
                        0.5,
                    ),
                    _claim(
                        "left-of-hump",
                        "0.17 (left of the hump) ends in the left well",
                        Q("final_x", run=1),
                        "<",
                        -0.5,
                    ),
                    runs=[
                        _run("gd", 0.1, (0.25, 0.0), BLUE),
                        _run("gd", 0.1, (0.17, 0.0), VERMILLION),
                    ],
                    steps=60,
                ),
                _step(
                    "A larger ε overshoots (ε f″ > 1 at the minimum): the iterates zig-zag across "
                    "the well, and settle while ε f″ < 2.",
                    _claim(
                        "zigzag-left",
                        "the left run crosses its minimum at least 6 times",
                        Q("crossings", run=0, about=deep, upto=20),
                        ">=",
                        6,
                    ),
                    _claim(
                        "zigzag-right",
                        "the right run crosses its minimum at least 6 times",
                        Q("crossings", run=1, about=shallow, upto=20),
                        ">=",
                        6,
                    ),
                    _claim(
                        "left-settles",
                        "the left run settles at its own minimum",
                        Q("final_distance", run=0, point=[deep, 0.0]),
                        "<",
                        0.01,
                    ),
                    _claim(
                        "right-settles",
                        "the right run settles at its own minimum",
                        Q("final_distance", run=1, point=[shallow, 0.0]),
                        "<",
                        0.05,
                    ),
                    runs=[
                        _run("gd", 0.7, (-1.5, 0.0), BLUE),
                        _run("gd", 1.4, (1.1, 0.0), VERMILLION),
                    ],
                ),
                _step(
                    "ε = 2 is beyond 2/f″ around both wells: every step overshoots farther, and "
                    "after three steps on the plot the run blows up.",
                    _claim(
                        "left-diverges",
                        "the left run diverges",
                        Q("status", run=0),
                        "==",
                        "diverged",
                    ),
                    _claim(
                        "right-diverges",
                        "the right run diverges",
                        Q("status", run=1),
                        "==",
                        "diverged",
                    ),
                    _claim(
                        "on-plot",
                        "its first three iterates stay on the plot (|w| ≤ 2)",
                        Q("in_view", run=0, half=2.0, upto=2),
                        ">=",
                        3,
                    ),
                    runs=[
                        _run("gd", 2.0, (-1.2, 0.0), BLUE),
                        _run("gd", 2.0, (1.3, 0.0), VERMILLION),
                    ],
                    steps=8,
                    logy=True,
                ),
            ],
        )
    )

    level_runs = [_run("gd", 0.1, (-2.0, 2.2), BLUE)]
    add(
        _scene(
            "level-sets",
            "Level sets and the gradient",
            "Contours are level sets: E(θ) is constant along each. The gradient points to the\n"
            "steepest increase, orthogonal to the level set; gradient descent steps against it.",
            "Optimization: level sets and the gradient",
            ["contour", "surface3d", "hessian"],
            _state(
                "rotated_ravine",
                level_runs,
                params={"kappa": 5.0, "angle": 30.0},
                steps=40,
                arrows=True,
                probe=[-1.5, 1.8],
                click="probe",
            ),
            [
                _step("The arrows are −∇E: each one crosses its level set at a right angle."),
                _step(
                    "Click a point: −∇E (black) and the step gradient descent takes from there "
                    "(green, α × the gradient).",
                    probe=[1.8, -0.4],
                ),
                _step(
                    "Strung together the steps make the path; click to move its start.",
                    _claim(
                        "downhill",
                        "40 steps bring the loss below 1% of its start",
                        Q("final_loss", run=0),
                        "<",
                        Q("loss_at", run=0, step=0),
                        times=0.01,
                    ),
                    click="start",
                    arrows=False,
                    probe=None,
                ),
            ],
        )
    )

    himmel = [(0.5, -0.5), (-1.0, 1.0), (1.0, 4.0), (-4.0, -1.0), (4.0, -4.0)]
    camel = [(-0.6, -1.2), (1.5, 1.5), (-2.5, 0.2), (0.3, 0.3), (2.4, -1.4)]
    colors = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE]
    add(
        _scene(
            "local-minima",
            "Local minima and random restarts",
            "Non-convex losses have many minima; gradient descent finds the one whose basin it "
            "starts in.\nRandom restarts: run from several starts and keep the best.",
            "Local minima",
            ["contour", "basins", "curves"],
            _state(
                "himmelblau",
                [_run("gd", 0.01, s, c) for s, c in zip(himmel, colors, strict=True)],
                steps=300,
                basins={"resolution": 48},
            ),
            [
                _step(
                    "Himmelblau: four equally good minima, one basin each.",
                    _claim(
                        "four",
                        "the five starts end in four different minima",
                        Q("distinct_ends", tol=0.05),
                        "==",
                        4,
                    ),
                    _claim(
                        "equal",
                        "all four are equally good (f = 0)",
                        Q("worst_final_loss"),
                        "<",
                        1e-6,
                    ),
                ),
                _step(
                    "Six-hump camel: six minima of different depths; restarts find the deepest.",
                    _claim(
                        "several",
                        "the restarts end in at least three different minima",
                        Q("distinct_ends", tol=0.05),
                        ">=",
                        3,
                    ),
                    _claim(
                        "deepest",
                        "the best restart reaches the global minimum f = −1.0316",
                        Q("best_final_loss"),
                        "<",
                        -1.031,
                    ),
                    _claim(
                        "not-all",
                        "not every restart gets there: the worst ends higher",
                        Q("worst_final_loss"),
                        ">",
                        -1.0,
                    ),
                    surface="six_hump_camel",
                    params={},
                    runs=[_run("gd", 0.01, s, c) for s, c in zip(camel, colors, strict=True)],
                ),
            ],
        )
    )

    add(
        _scene(
            "saddle",
            "Saddle points",
            "At a saddle point ∂E/∂θ = 0 but it is not a minimum: some directions curve up, "
            "others down.\nExactly on the saddle's axis we are stuck; slightly to the side we get "
            "unstuck, after a plateau.",
            "Saddle points",
            ["contour", "surface3d", "curves"],
            _state(
                "bounded_saddle",
                [
                    _run("gd", 0.05, (1.5, 0.0), BLUE),
                    _run("gd", 0.05, (1.5, 1e-6), VERMILLION),
                ],
                steps=250,
            ),
            [
                _step(
                    "On the axis (blue) GD is stuck at the saddle: zero gradient, a negative "
                    "curvature. 10⁻⁶ off it (orange) escapes after a plateau.",
                    _claim(
                        "stuck",
                        "blue is stuck at the saddle (not converged to a minimum)",
                        Q("status", run=0),
                        "==",
                        "stuck",
                    ),
                    _claim(
                        "plateau",
                        "orange sits on the plateau for over 100 steps",
                        Q("steps_to", run=1, value=-0.5),
                        ">",
                        100,
                    ),
                    _claim(
                        "escapes",
                        "then reaches the minimum f = −1",
                        Q("final_loss", run=1),
                        "<",
                        -0.999,
                    ),
                ),
                _step(
                    "Offsets 10⁻⁶ and 10⁻²: 10⁴ times closer takes only about 3× longer. The "
                    "pull grows with the distance, so escape takes ~log(1/δ) steps.",
                    _claim(
                        "sooner",
                        "the bigger offset escapes sooner",
                        Q("steps_to", run=1, value=-0.5),
                        "<",
                        Q("steps_to", run=0, value=-0.5),
                    ),
                    _claim(
                        "log",
                        "10⁴ times closer: less than 4 times longer",
                        Q("steps_to", run=0, value=-0.5),
                        "<",
                        Q("steps_to", run=1, value=-0.5),
                        times=4.0,
                    ),
                    runs=[
                        _run("gd", 0.05, (1.5, 1e-6), BLUE),
                        _run("gd", 0.05, (1.5, 1e-2), VERMILLION),
                    ],
                ),
                _step(
                    "A monkey saddle x³ − 3xy²: its gradient vanishes like the distance squared, "
                    "so escape takes ~1/δ steps: ten times closer, about ten times slower.",
                    _claim(
                        "slower",
                        "0.01 from the saddle takes over 5× longer to leave r = 1 than 0.1",
                        Q("leaves", run=1, radius=1.0),
                        ">",
                        Q("leaves", run=0, radius=1.0),
                        times=5.0,
                    ),
                    _claim(
                        "escapes",
                        "both escape within the budget",
                        Q("status", run=1),
                        "==",
                        "escaped",
                    ),
                    surface="monkey_saddle",
                    params={},
                    steps=1000,
                    runs=[
                        _run("gd", 0.05, (-0.1, 0.0), BLUE),
                        _run("gd", 0.05, (-0.01, 0.0), VERMILLION),
                    ],
                ),
            ],
        )
    )

    add(
        _scene(
            "ravine",
            "Ravines",
            "Long, narrow ravines: lots of sloshing across the walls, only a small derivative "
            "along the floor.\nCentering and scaling the inputs (x̃ = (x − μ)/σ) turns the "
            "ravine into a round bowl.",
            "Ravines",
            ["contour", "curves"],
            _state(
                "ravine",
                [
                    _run("gd", 0.038, (-2.5, 1.0), BLUE),
                    _run("gd", 0.01, (-2.5, 1.0), VERMILLION),
                ],
                params={"kappa": 50.0},
                steps=200,
            ),
            [
                _step(
                    "κ = 50: at α just under 2/κ GD sloshes (blue); a smaller α crawls (orange).",
                    _claim(
                        "sloshes",
                        "blue travels over 10× farther across the ravine",
                        Q("travel", run=0, direction=[0, 1]),
                        ">",
                        Q("travel", run=1, direction=[0, 1]),
                        times=10.0,
                    ),
                    _claim(
                        "crawls",
                        "orange is still 0.3 from the minimum after 200 steps",
                        Q("final_distance", run=1, point=[0.0, 0.0]),
                        ">",
                        0.3,
                    ),
                ),
                _step(
                    "Normalized inputs: κ = 1, the contours turn round and GD heads straight in.",
                    _claim(
                        "straight",
                        "blue never moves back across the floor (no sloshing)",
                        Q("crossings", run=0, about=0.0, axis=1),
                        "==",
                        0,
                    ),
                    _claim(
                        "fast",
                        "and its loss falls by a factor 10⁶",
                        Q("final_loss", run=0),
                        "<",
                        Q("loss_at", run=0, step=0),
                        times=1e-6,
                    ),
                    params={"kappa": 1.0},
                ),
            ],
        )
    )

    # The heavy ball's optimum on 0.5 (x^2 + kappa y^2) (Polyak 1964): alpha = 4 / (sqrt(L) +
    # sqrt(m))^2, mu = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2, rate (sqrt(k) - 1)/(sqrt(k) + 1);
    # GD's best step 2 / (L + m) has rate (kappa - 1) / (kappa + 1).
    kappa = 100.0
    sk = math.sqrt(kappa)
    gd_lr, gd_rate = 2.0 / (1.0 + kappa), (kappa - 1.0) / (kappa + 1.0)
    hb_lr, hb_rate = 4.0 / (1.0 + sk) ** 2, (sk - 1.0) / (sk + 1.0)
    hb_mu = hb_rate**2
    ravine_start = (-2.5, 1.0)
    add(
        _scene(
            "momentum",
            "Momentum",
            "A hockey puck on the loss: p ← μp − α∂E/∂θ, θ ← θ + p. Oscillations across the "
            "ravine cancel,\nprogress along it adds up. On a plane it reaches the terminal "
            "velocity α/(1 − μ) × the slope; μ = 1 never settles.",
            "Momentum",
            ["contour", "curves"],
            _state(
                "ravine",
                [
                    _run("gd", round(gd_lr, 5), ravine_start, BLUE),
                    _run(
                        "heavy_ball",
                        round(hb_lr, 5),
                        ravine_start,
                        VERMILLION,
                        momentum=round(hb_mu, 5),
                    ),
                ],
                params={"kappa": kappa},
                steps=150,
                logy=True,
            ),
            [
                _step(
                    f"κ = 100, each at its best: GD (α = 2/(λmin+λmax)) shrinks the error by "
                    f"(κ−1)/(κ+1) = {gd_rate:.3f} per step and sloshes; momentum (α = 4/(√λmax+"
                    f"√λmin)², μ = {hb_mu:.3f}) by (√κ−1)/(√κ+1) = {hb_rate:.3f}.",
                    _claim(
                        "gd-rate",
                        f"GD's measured rate is (κ−1)/(κ+1) = {gd_rate:.3f}",
                        Q("rate", run=0, a=50, b=100),
                        "in",
                        [gd_rate - 0.005, gd_rate + 0.005],
                    ),
                    _claim(
                        "hb-rate",
                        f"momentum's measured rate is near (√κ−1)/(√κ+1) = {hb_rate:.3f}",
                        Q("rate", run=1, a=50, b=100),
                        "in",
                        [hb_rate - 0.01, hb_rate + 0.03],
                    ),
                    _claim(
                        "less-sloshing",
                        "momentum travels under 60% of GD's distance across "
                        "the ravine after step 10",
                        Q("travel", run=1, direction=[0, 1], after=10),
                        "<",
                        Q("travel", run=0, direction=[0, 1], after=10),
                        times=0.6,
                    ),
                    _claim(
                        "lower",
                        "after 150 steps momentum's loss is 10¹² times lower",
                        Q("final_loss", run=1),
                        "<",
                        Q("final_loss", run=0),
                        times=1e-12,
                    ),
                ),
                _step(
                    "μ = 0.99: too little friction, the puck rings for a long time.",
                    _claim(
                        "rings",
                        "it swings across the ravine floor over 20 times",
                        Q("crossings", run=1, about=0.0, axis=1),
                        ">",
                        20,
                    ),
                    _claim(
                        "slower",
                        "and ends higher than GD",
                        Q("final_loss", run=1),
                        ">",
                        Q("final_loss", run=0),
                    ),
                    runs=[
                        _run("gd", round(gd_lr, 5), ravine_start, BLUE),
                        _run(
                            "heavy_ball", round(hb_lr, 5), ravine_start, VERMILLION, momentum=0.99
                        ),
                    ],
                ),
                _step(
                    "A tilted plane, |∇E| = 1.118: momentum's step grows to α/(1 − μ) |∇E| = "
                    "1.118 per step (dashed), 10× GD's α |∇E| = 0.112.",
                    _claim(
                        "terminal",
                        "momentum's last step length is α/(1 − μ) |∇E| = 1.118",
                        Q("step_length", run=1),
                        "in",
                        [1.10, 1.12],
                    ),
                    _claim(
                        "gd-step",
                        "GD's step length is α |∇E| = 0.1118",
                        Q("step_length", run=0),
                        "in",
                        [0.1117, 0.1119],
                    ),
                    _claim(
                        "ten-times",
                        "momentum's step is over 9.5× GD's",
                        Q("step_length", run=1),
                        ">",
                        Q("step_length", run=0),
                        times=9.5,
                    ),
                    _claim(
                        "at-terminal",
                        "momentum's last step is 99% to 100% of α/(1 − μ)|∇E| (k steps: 1 − 0.9ᵏ)",
                        Q("terminal_ratio", run=1),
                        "in",
                        [0.99, 1.0],
                    ),
                    surface="tilted_plane",
                    panels=["contour", "velocity"],
                    params={"sx": 1.0, "sy": 0.5},
                    steps=60,
                    logy=False,
                    runs=[
                        _run("gd", 0.1, (8.0, 4.0), BLUE),
                        _run("heavy_ball", 0.1, (8.0, 4.0), VERMILLION, momentum=0.9),
                    ],
                ),
                _step(
                    "μ = 1: no friction, energy is conserved and it never settles.",
                    _claim(
                        "never-settles",
                        "after 300 steps it still swings: the loss of its "
                        "last 50 steps reaches above 1",
                        Q("tail_max", run=1, n=50),
                        ">",
                        1.0,
                    ),
                    _claim(
                        "gd-settles", "while GD settles below 0.1", Q("final_loss", run=0), "<", 0.1
                    ),
                    steps=300,
                    runs=[
                        _run("gd", round(gd_lr, 5), ravine_start, BLUE),
                        _run("heavy_ball", 0.01, ravine_start, VERMILLION, momentum=1.0),
                    ],
                ),
            ],
        )
    )

    # 0.5 (x^2 + 10 y^2): lambda in {1, 10}; GD's rate max(|1 - a|, |1 - 10 a|) is smallest at
    # a = 2 / (1 + 10) = 0.1818 and above 1 beyond a = 2 / 10.
    lr_runs = [
        _run("gd", 0.02, (-2.5, 1.0), BLUE),
        _run("gd", 0.1818, (-2.5, 1.0), GREEN),
        _run("gd", 0.195, (-2.5, 1.0), ORANGE),
        _run("gd", 0.21, (-2.5, 1.0), VERMILLION),
    ]
    lr_claims = (
        _claim(
            "good-fastest",
            "α = 0.18 ≈ 2/(λmin+λmax) ends lowest: below the oscillating run",
            Q("final_loss", run=1),
            "<",
            Q("final_loss", run=2),
        ),
        _claim(
            "good-vs-slow",
            "… and 10⁶ times below the slow run",
            Q("final_loss", run=1),
            "<",
            Q("final_loss", run=0),
            times=1e-6,
        ),
        _claim(
            "oscillates",
            "α = 0.195 flips across the floor every step (|1 − 10α| = 0.95)",
            Q("crossings", run=2, about=0.0, axis=1),
            ">=",
            99,
        ),
        _claim("unstable", "α = 0.21 > 2/λmax diverges", Q("status", run=3), "==", "diverged"),
        _claim(
            "sweep-best",
            "the sweep's best α lies near 2/(λmin+λmax) = 0.182",
            Q("sweep_argmin"),
            "in",
            [0.16, 0.2],
        ),
        _claim(
            "sweep-edge",
            "the sweep's edge is 2/λmax = 0.2",
            Q("sweep_edge"),
            "in",
            [0.1999, 0.2001],
        ),
    )
    add(
        _scene(
            "learning-rate",
            "The learning rate",
            "α too small: slow progress. α too large: oscillations. α much too large: "
            "instability.\nA grid search over α (0.001 … 1) shows the edge at 2/λ_max where "
            "gradient descent diverges.",
            "Learning rate",
            ["contour", "curves", "lr_sweep"],
            _state(
                "ravine",
                lr_runs,
                params={"kappa": 10.0},
                steps=100,
                sweep={"lr_min": 0.001, "lr_max": 1.0, "count": 61},
            ),
            [
                _step(
                    "Four learning rates: slow (0.02), good (0.18 = 2/(λmin+λmax), the fastest), "
                    "oscillating (0.195), unstable (0.21 > 2/λmax).",
                    *lr_claims,
                ),
                _step(
                    "On a log scale the slow run's progress and the blow-up read clearly.",
                    *lr_claims,
                    logy=True,
                ),
            ],
        )
    )

    add(
        _scene(
            "training-curves",
            "Training curves",
            "Plot the training cost against the iteration to diagnose optimization problems.\n"
            "It is very hard to tell from a curve whether an optimizer has converged.",
            "Training curves",
            ["curves", "contour"],
            _state(
                "rosenbrock",
                [
                    _run("gd", 0.0015, (-1.5, 2.0), BLUE),
                    _run("heavy_ball", 0.001, (-1.5, 2.0), VERMILLION, momentum=0.9),
                    _run("adam", 0.05, (-1.5, 2.0), GREEN),
                ],
                steps=1500,
            ),
            [
                _step(
                    "On a linear axis every run looks done after 1000 steps.",
                    _claim(
                        "looks-done",
                        "blue has lost 98% of its loss by step 1000",
                        Q("loss_at", run=0, step=1000),
                        "<",
                        Q("loss_at", run=0, step=0),
                        times=0.02,
                    ),
                ),
                _step(
                    "On a log axis the blue run is 10⁵ times worse, still creeping along the "
                    "valley floor: not converged.",
                    _claim(
                        "worse",
                        "blue ends over 10⁵ times above Adam",
                        Q("final_loss", run=0),
                        ">",
                        Q("final_loss", run=2),
                        times=1e5,
                    ),
                    _claim(
                        "creeping",
                        "blue is still improving: its last 500 steps shave off over 10%",
                        Q("final_loss", run=0),
                        "<",
                        Q("loss_at", run=0, step=1000),
                        times=0.9,
                    ),
                    logy=True,
                ),
                _step(
                    "Ten times the budget: it keeps going.",
                    _claim(
                        "keeps-going",
                        "by step 15000 blue's loss is 10× below its step-1500 value",
                        Q("final_loss", run=0),
                        "<",
                        Q("loss_at", run=0, step=1500),
                        times=0.1,
                    ),
                    logy=True,
                    steps=15000,
                ),
            ],
        )
    )

    sgd_runs = [
        _run("gd", 0.05, (-2.5, 2.0), VERMILLION, batch_size=1),
        _run("gd", 0.05, (-2.5, 2.0), ORANGE, batch_size=10),
        _run("gd", 0.05, (-2.5, 2.0), GREEN, batch_size=100),
        _run("gd", 0.05, (-2.5, 2.0), BLUE, batch_size=None),
    ]
    add(
        _scene(
            "sgd",
            "Stochastic and mini-batch gradient descent",
            "SGD steps along a noisy but unbiased estimate of the gradient; a mini-batch of S "
            "examples\ndivides the gradient's variance by S. Batch GD moves straight downhill, "
            "SGD downhill on average.",
            "Stochastic gradient descent",
            ["contour", "curves"],
            _state("ravine", sgd_runs, params={"kappa": 5.0}, steps=200, noise=3.0, seed=1),
            [
                _step(
                    "S = 1, 10, 100 and the full batch: the noise shrinks as 1/√S.",
                    _claim(
                        "s1-s10",
                        "S = 1 fluctuates over 3× more than S = 10 (last 100 steps)",
                        Q("tail_std", run=0, n=100),
                        ">",
                        Q("tail_std", run=1, n=100),
                        times=3.0,
                    ),
                    _claim(
                        "s10-s100",
                        "S = 10 over 3× more than S = 100",
                        Q("tail_std", run=1, n=100),
                        ">",
                        Q("tail_std", run=2, n=100),
                        times=3.0,
                    ),
                    _claim(
                        "full-downhill",
                        "the full batch goes straight downhill: loss below 10⁻⁶ of its start",
                        Q("final_loss", run=3),
                        "<",
                        Q("loss_at", run=3, step=0),
                        times=1e-6,
                    ),
                ),
                _step(
                    "S = 1 with α = 0.05 and α = 0.15: a larger α makes the fluctuations larger "
                    "too.",
                    _claim(
                        "larger",
                        "α = 0.15 fluctuates over 2× more than α = 0.05",
                        Q("tail_std", run=1, n=100),
                        ">",
                        Q("tail_std", run=0, n=100),
                        times=2.0,
                    ),
                    runs=[
                        _run("gd", 0.05, (-2.5, 2.0), VERMILLION, batch_size=1),
                        _run("gd", 0.15, (-2.5, 2.0), ORANGE, batch_size=1),
                        _run("gd", 0.15, (-2.5, 2.0), BLUE, batch_size=None),
                    ],
                ),
            ],
        )
    )

    decay_runs = [
        _run("gd", 0.1, (-2.5, 2.0), VERMILLION),
        _run(
            "gd",
            0.1,
            (-2.5, 2.0),
            ORANGE,
            schedule={"name": "step", "params": {"step_size": 75, "gamma": 0.3}},
        ),
        _run(
            "gd",
            0.1,
            (-2.5, 2.0),
            GREEN,
            schedule={"name": "exponential", "params": {"gamma": 0.99}},
        ),
        _run(
            "gd",
            0.1,
            (-2.5, 2.0),
            PURPLE,
            schedule={"name": "inverse_time", "params": {"k": 0.05}},
        ),
        _run("gd", 0.1, (-2.5, 2.0), BLUE, schedule={"name": "cosine", "params": {}}),
    ]
    add(
        _scene(
            "lr-decay",
            "Learning-rate decay",
            "With noisy gradients the learning rate also sets the size of the fluctuations.\n"
            "Start large to get close, then decay α (or average the iterates) to settle.",
            "SGD learning rate",
            ["contour", "curves"],
            _state(
                "ravine",
                decay_runs,
                params={"kappa": 5.0},
                steps=300,
                noise=1.5,
                seed=2,
                logy=True,
            ),
            [
                _step(
                    "Constant α keeps fluctuating; step, exponential, 1/t and cosine decay settle.",
                    *(
                        _claim(
                            f"settles-{k}",
                            f"{name} fluctuates under 10% as much as constant α",
                            Q("tail_std", run=k, n=50),
                            "<",
                            Q("tail_std", run=0, n=50),
                            times=0.1,
                        )
                        for k, name in ((1, "step"), (2, "exponential"), (3, "1/t"), (4, "cosine"))
                    ),
                ),
                _step(
                    "Iterate averaging (dotted): the mean of the noisy iterates settles as well.",
                    _claim(
                        "averaged",
                        "the average of constant α's iterates ends under 10% of its mean loss",
                        Q("final_averaged_loss", run=0),
                        "<",
                        Q("tail_mean", run=0, n=50),
                        times=0.1,
                    ),
                    averaging=True,
                ),
            ],
        )
    )

    # The lecture's warning: a step decay makes the loss drop suddenly (the fluctuations
    # shrink with alpha), which can look like progress and yet cost the long run.
    late = _run(
        "gd",
        0.03,
        (-2.5, 1.0),
        BLUE,
        schedule={"name": "step", "params": {"step_size": 200, "gamma": 0.1}},
    )
    early = _run(
        "gd", 0.03, (-2.5, 1.0), VERMILLION,
        schedule={"name": "step", "params": {"step_size": 40, "gamma": 0.1}},
    )  # fmt: skip
    add(
        _scene(
            "sudden-drop",
            "The sudden drop of step decay",
            "Cutting α cuts the fluctuations, so the loss drops suddenly at the decay step.\n"
            "The lecture's warning: the drop looks like progress, but decaying early costs the "
            "long run.",
            "SGD learning rate",
            ["contour", "curves"],
            _state(
                "ravine",
                [late],
                params={"kappa": 50.0},
                steps=300,
                noise=2.0,
                seed=0,
                logy=True,
            ),
            [
                _step(
                    "α drops 10× at step 200: the mean loss drops over 5× within 15 steps.",
                    _claim(
                        "drop",
                        "mean loss over steps 205-214 under 1/5 of steps 190-199",
                        Q("window_mean", run=0, a=205, b=215),
                        "<",
                        Q("window_mean", run=0, a=190, b=200),
                        times=0.2,
                    ),
                ),
                _step(
                    "Decaying every 40 steps (orange) drops suddenly too, but then crawls along "
                    "the ravine: after 300 steps its loss is over 5× the late decay's.",
                    _claim(
                        "early-drop",
                        "orange drops too: steps 45-54 under 1/2 of steps 30-39",
                        Q("window_mean", run=1, a=45, b=55),
                        "<",
                        Q("window_mean", run=1, a=30, b=40),
                        times=0.5,
                    ),
                    _claim(
                        "long-run",
                        "mean loss of the last 20 steps: orange over 5× blue",
                        Q("tail_mean", run=1, n=20),
                        ">",
                        Q("tail_mean", run=0, n=20),
                        times=5.0,
                    ),
                    runs=[late, early],
                ),
            ],
        )
    )

    adaptive = [
        _run("gd", 0.035, (-2.5, 1.5), BLUE),
        _run("rmsprop_lecture", 0.05, (-2.5, 1.5), VERMILLION),
        _run("adam", 0.1, (-2.5, 1.5), GREEN),
    ]
    add(
        _scene(
            "rmsprop-adam",
            "RMSprop and Adam",
            "RMSprop divides each coordinate's step by a running RMS of its gradient: if the "
            "Hessian's\neigenvectors are axis-aligned it corrects the curvature. Adam = RMSprop + "
            "momentum.",
            "RMSprop and Adam",
            ["contour", "curves"],
            _state(
                "rotated_ravine",
                adaptive,
                params={"kappa": 50.0, "angle": 0.0},
                steps=200,
                logy=True,
            ),
            [
                _step(
                    "Axis-aligned ravine: RMSprop walks straight to the minimum, far ahead of GD.",
                    _claim(
                        "rms-wins",
                        "RMSprop ends 10⁶ times below GD",
                        Q("final_loss", run=1),
                        "<",
                        Q("final_loss", run=0),
                        times=1e-6,
                    ),
                ),
                _step(
                    "The same ravine turned 45°: per-coordinate scaling no longer matches the "
                    "curvature, and RMSprop ends far behind plain GD.",
                    _claim(
                        "rms-loses",
                        "RMSprop ends over 10⁴ times above GD",
                        Q("final_loss", run=1),
                        ">",
                        Q("final_loss", run=0),
                        times=1e4,
                    ),
                    _claim(
                        "adam-loses",
                        "Adam too ends above GD",
                        Q("final_loss", run=2),
                        ">",
                        Q("final_loss", run=0),
                    ),
                    params={"kappa": 50.0, "angle": 45.0},
                ),
            ],
        )
    )

    # Noisy gradients: the fluctuations grow with the effective step alpha / (1 - mu).
    add(
        _scene(
            "momentum-step",
            "Increase μ, lower α",
            "With momentum the effective step is α/(1 − μ): raising μ from 0.9 to 0.99 makes "
            "it 10× larger.\nThe lecture: if you increase μ, lower α to compensate.",
            "Momentum",
            ["contour", "curves"],
            _state(
                "ravine",
                [
                    _run("heavy_ball", 0.01, (-2.5, 2.0), BLUE, momentum=0.9),
                    _run("heavy_ball", 0.01, (-2.5, 2.0), VERMILLION, momentum=0.99),
                    _run("heavy_ball", 0.001, (-2.5, 2.0), GREEN, momentum=0.99),
                ],
                params={"kappa": 5.0},
                steps=1000,
                noise=1.0,
                seed=3,
                logy=True,
            ),
            [
                _step(
                    "Noisy gradients: μ = 0.99 at the same α (orange) fluctuates far more; "
                    "μ = 0.99 with α / 10 (green) is back to μ = 0.9's level.",
                    _claim(
                        "higher-mu",
                        "μ = 0.99, same α: mean loss over 3× μ = 0.9's",
                        Q("tail_mean", run=1, n=500),
                        ">",
                        Q("tail_mean", run=0, n=500),
                        times=3.0,
                    ),
                    _claim(
                        "compensated",
                        "μ = 0.99, α / 10: within 2× of μ = 0.9's",
                        Q("tail_mean", run=2, n=500),
                        "<",
                        Q("tail_mean", run=0, n=500),
                        times=2.0,
                    ),
                    _claim(
                        "compensated-low",
                        "(and not below half of it)",
                        Q("tail_mean", run=2, n=500),
                        ">",
                        Q("tail_mean", run=0, n=500),
                        times=0.5,
                    ),
                ),
            ],
        )
    )

    add(
        _scene(
            "newton",
            "A second-order step: Newton",
            "Newton's method steps by H⁻¹∇E: each eigen-direction is scaled by its own "
            "curvature, so a ravine is no harder than a bowl.\nBut it heads for any critical "
            "point, saddles included.",
            "RMSprop and Adam",
            ["contour", "curves"],
            _state(
                "rotated_ravine",
                [
                    _run("gd", round(2.0 / 101.0, 5), (-2.5, 1.5), BLUE),
                    _run("newton", 1.0, (-2.5, 1.5), VERMILLION),
                ],
                params={"kappa": 100.0, "angle": 30.0},
                steps=100,
                logy=True,
            ),
            [
                _step(
                    "κ = 100, rotated: GD at its best α needs hundreds of steps; Newton lands on "
                    "the minimum in one.",
                    _claim(
                        "one-step",
                        "Newton's loss is below 10⁻¹⁵ after one step",
                        Q("loss_at", run=1, step=1),
                        "<",
                        1e-15,
                    ),
                    _claim(
                        "gd-slow",
                        "GD after 100 steps keeps over 1% of its loss",
                        Q("final_loss", run=0),
                        ">",
                        Q("loss_at", run=0, step=0),
                        times=0.01,
                    ),
                ),
                _step(
                    "On a saddle Newton jumps straight to the critical point and is stuck there; "
                    "GD rolls off it to a minimum.",
                    _claim(
                        "newton-stuck",
                        "Newton ends stuck at the saddle",
                        Q("status", run=1),
                        "==",
                        "stuck",
                    ),
                    _claim(
                        "gd-escapes",
                        "GD reaches a minimum (f = −1)",
                        Q("final_loss", run=0),
                        "<",
                        -0.99,
                    ),
                    surface="bounded_saddle",
                    params={},
                    runs=[
                        _run("gd", 0.05, (1.5, 0.5), BLUE),
                        _run("newton", 1.0, (1.5, 0.5), VERMILLION),
                    ],
                    logy=False,
                ),
            ],
        )
    )

    add(
        _scene(
            "recap",
            "Recap",
            "The lecture's diagnostics table: each problem, how to see it, what to do, and "
            "the scenes that show it.\nBelow: a finite-difference gradient check catches a "
            "deliberately wrong gradient.",
            "Recap",
            ["table"],
            _state("rosenbrock", [_run("gd", 0.001, (-1.5, 2.0), BLUE)], steps=200),
            [
                _step("A correct gradient passes the finite-difference check."),
                _step("Plant a bug in the gradient: the check fails.", gradbug=True),
            ],
            table=_recap_rows(),
        )
    )
    return scenes


_SCENES = _build()


def scenes() -> list[dict[str, Any]]:
    """Every scene, JSON-ready, for the catalog (a fresh copy: callers may modify it)."""
    return copy.deepcopy(_SCENES)


def scene(scene_id: str) -> dict[str, Any]:
    """One scene by id; ValueError naming the valid ids otherwise."""
    for s in _SCENES:
        if s["id"] == scene_id:
            return copy.deepcopy(s)
    raise ValueError(f"unknown scene {scene_id!r}; valid: {', '.join(s['id'] for s in _SCENES)}")


def step_state(scene_id: str, k: int) -> dict[str, Any]:
    """The full state of presenter step ``k`` of a scene."""
    return scene(scene_id)["steps"][k]["state"]


# --------------------------------------------------------------------------- network scenes
#
# The network page's scenes. A state holds the page's fields (network/state.js DEFAULTS):
# dataset, n, rate (screening positive rate), model, hidden ("16" or "16,16"), activation,
# optimizer, lr, steps, batch (0: full batch), init, normalize, seed, threshold, broken,
# target (the batch-size study's target loss; 0: its default), loss (the model's loss; "":
# the task's default), batch_norm (the MLP's batch normalisation) and panels (comma-separated).
# Every step is served whole: defaults, the scene's state and the step's changes merged.

NETWORK_DEFAULTS: dict[str, Any] = {
    "dataset": "moons", "n": 0, "rate": 0, "model": "mlp", "hidden": "16", "activation": "tanh",
    "optimizer": "adam", "lr": 0.01, "steps": 300, "batch": 0, "init": "xavier",
    "normalize": True, "seed": 0, "threshold": 0.5, "broken": False, "target": 0, "loss": "",
    "batch_norm": False, "panels": "data,training,weights,activations,metrics",
}  # fmt: skip


def _net(
    sid: str, title: str, caption: str, state: dict[str, Any], steps: list[dict[str, Any]]
) -> dict[str, Any]:
    base = {**NETWORK_DEFAULTS, **state}
    return {
        "id": sid,
        "title": title,
        "caption": caption,
        "state": base,
        "steps": [
            {"caption": st["caption"], "state": {**base, **st["state_patch"]},
             "claims": st["claims"]}
            for st in steps
        ],
    }  # fmt: skip


_NETWORK_SCENES = [
    _net(
        "symmetry",
        "Symmetry",
        "Hidden units that start equal stay equal: same input weights, same gradient, "
        "every step. Random initialisation breaks the tie.",
        {
            "dataset": "xor",
            "hidden": "4",
            "optimizer": "gd",
            "lr": 0.5,
            "steps": 1000,
            "init": "constant",
            "panels": "data,training,weights",
        },
        [
            _step(
                "Constant init: the four units' weights move as one (their lines coincide), so "
                "the net is no better than one unit.",
                _claim(
                    "tied",
                    "the four units' weights stay exactly equal",
                    Q("units_spread"),
                    "==",
                    0.0,
                ),
                _claim(
                    "not-learned",
                    "XOR is not learned: training accuracy under 80%",
                    Q("net_final_accuracy"),
                    "<",
                    0.8,
                ),
            ),
            _step(
                "Small random init: after a plateau the units separate and XOR is learned.",
                _claim(
                    "separate",
                    "the units' weights differ by more than 0.5",
                    Q("units_spread"),
                    ">",
                    0.5,
                ),
                _claim(
                    "learned", "training accuracy at least 95%", Q("net_final_accuracy"), ">=", 0.95
                ),
                _claim(
                    "plateau",
                    "a plateau first: at step 200 the loss is still above 0.6",
                    Q("net_loss_at", step=200),
                    ">",
                    0.6,
                ),
                init="small_random",
            ),
        ],
    ),
    _net(
        "permutation",
        "Permutation symmetry: a non-convex loss",
        "Swap two hidden units (their incoming and outgoing weights): the same function, the "
        "same loss. Halfway along the straight line between the two solutions the loss rises.",
        {
            "dataset": "xor",
            "hidden": "4",
            "optimizer": "gd",
            "lr": 0.5,
            "steps": 1000,
            "init": "small_random",
            "panels": "data,training,weights",
        },
        [
            _step(
                "The trained net and its twin with units 1 and 2 swapped: equal loss; the line "
                "between them climbs, so the loss cannot be convex.",
                _claim(
                    "same-loss",
                    "swapping units 1 and 2 changes the loss by under 10⁻¹²",
                    Q("swap_loss_change"),
                    "<",
                    1e-12,
                ),
                _claim(
                    "ridge",
                    "the loss along the line between them peaks over 2× the ends",
                    Q("line_max_loss"),
                    ">",
                    Q("net_final_loss"),
                    times=2.0,
                ),
            ),
        ],
    ),
    _net(
        "plateau",
        "Plateaus: saturated and dead units",
        "Two layers of logistic units sit on a plateau at E = ln 2: φ' ≤ 1/4 and "
        "uncentred outputs starve the first layer's gradient. tanh units train; large "
        "weights kill ReLUs.",
        {
            "dataset": "circles",
            "hidden": "16,16",
            "activation": "logistic",
            "init": "xavier",
            "optimizer": "gd",
            "lr": 0.5,
            "steps": 500,
            "panels": "training,activations,weights,data",
        },
        [
            _step(
                "Logistic units: the loss stays at ln 2 ≈ 0.693 for 500 steps (a plateau).",
                _claim(
                    "flat",
                    "the loss at step 500 is still above 0.65",
                    Q("net_final_loss"),
                    ">",
                    0.65,
                ),
                _claim(
                    "plateau",
                    "it fell by under 5% from step 25 to step 500",
                    Q("net_final_loss"),
                    ">",
                    Q("net_loss_at", step=25),
                    times=0.95,
                ),
            ),
            _step(
                "The same net with tanh units (centred, φ'(0) = 1): no plateau, it trains.",
                _claim("trains", "the loss falls below 0.1", Q("net_final_loss"), "<", 0.1),
                _claim(
                    "accurate",
                    "training accuracy at least 95%",
                    Q("net_final_accuracy"),
                    ">=",
                    0.95,
                ),
                activation="tanh",
            ),
            _step(
                "ReLU units with large initial weights: some never fire again (dead).",
                _claim(
                    "dead",
                    "at the end some ReLUs are dead on every training point",
                    Q("dead_fraction"),
                    ">",
                    0.0,
                ),
                activation="relu",
                init="large_random",
                hidden="16",
                dataset="moons",
            ),
        ],
    ),
    _net(
        "loss-plateaux",
        "Plateaux from the loss: 0-1, least squares, cross-entropy",
        "The error rate is flat almost everywhere (a hard threshold). Least squares on a "
        "saturated logistic output plateaus too; cross-entropy keeps a gradient.",
        {
            "dataset": "moons",
            "hidden": "16",
            "optimizer": "gd",
            "lr": 0.5,
            "steps": 300,
            "loss": "binary_cross_entropy",
            "panels": "training,data",
        },
        [
            _step(
                "The 0-1 loss counts points on the wrong side of a hard threshold: nudging a "
                "weight flips no point, so its gradient is 0. We train on cross-entropy.",
                _claim(
                    "flat",
                    "the error rate's slope at the final weights is 0 in every weight",
                    Q("zero_one_slope"),
                    "==",
                    0.0,
                ),
                _claim(
                    "slope",
                    "the cross-entropy's gradient there is not: norm over 10⁻³",
                    Q("net_grad_norm_at", step=-1),
                    ">",
                    1e-3,
                ),
            ),
            _step(
                "Large initial weights saturate the logistic output, wrong on most points: "
                "least squares on σ(z) barely moves (σ' ≈ 0), a plateau.",
                _claim(
                    "stuck",
                    "after 300 steps training accuracy is under 50%",
                    Q("net_final_accuracy"),
                    "<",
                    0.5,
                ),
                _claim(
                    "plateau",
                    "the loss fell by under 25% in 300 steps",
                    Q("net_final_loss"),
                    ">",
                    Q("net_loss_at", step=0),
                    times=0.75,
                ),
                _claim(
                    "ce-trains",
                    "cross-entropy from the same start reaches 95% accuracy",
                    Q("variant_final_accuracy", loss="binary_cross_entropy"),
                    ">=",
                    0.95,
                ),
                init="large_random",
                loss="logistic_squared_error",
            ),
            _step(
                "Cross-entropy from the same start: its gradient σ(z) − t stays large where "
                "the output is confidently wrong, and the net trains.",
                _claim(
                    "learned",
                    "training accuracy at least 95%",
                    Q("net_final_accuracy"),
                    ">=",
                    0.95,
                ),
                init="large_random",
            ),
        ],
    ),
    _net(
        "tanh-vs-logistic",
        "tanh vs logistic hidden units",
        "Logistic units output values in (0, 1), never centred at 0, and φ'(0) = 1/4; tanh "
        "units are centred with φ'(0) = 1. The lecture: tanh trains faster.",
        {
            "dataset": "circles",
            "hidden": "16",
            "activation": "logistic",
            "optimizer": "gd",
            "lr": 0.5,
            "steps": 300,
            "panels": "training,activations,data",
        },
        [
            _step(
                "Logistic hidden units: after 300 steps the loss has barely left ln 2.",
                _claim(
                    "near-ln2",
                    "the loss after 300 steps is still above 0.6 (ln 2 ≈ 0.693)",
                    Q("net_final_loss"),
                    ">",
                    0.6,
                ),
                _claim(
                    "slower",
                    "after 300 steps the loss is over 5× the same net's with tanh units",
                    Q("net_final_loss"),
                    ">",
                    Q("variant_final_loss", activation="tanh"),
                    times=5.0,
                ),
            ),
            _step(
                "tanh hidden units, everything else the same: the circles are learned.",
                _claim("trains", "the loss falls below 0.1", Q("net_final_loss"), "<", 0.1),
                _claim(
                    "accurate",
                    "training accuracy at least 99%",
                    Q("net_final_accuracy"),
                    ">=",
                    0.99,
                ),
                activation="tanh",
            ),
        ],
    ),
    _net(
        "ravine",
        "Ravine from unnormalised inputs",
        "The lecture's regression: x1 in the hundreds, x2 around 0.002. The loss over "
        "(w1, w2) is a needle-thin ravine; normalising the inputs makes it round.",
        {
            "dataset": "ravine",
            "model": "linear_regression",
            "optimizer": "gd",
            "lr": 1e-5,
            "steps": 300,
            "normalize": False,
            "panels": "landscape,training,data",
        },
        [
            _step(
                "Raw inputs: a ravine (curvatures 10⁹ apart); gradient descent crawls along it.",
                _claim(
                    "needle",
                    "the Hessian over (w1, w2) has condition number above 10⁶",
                    Q("landscape_kappa"),
                    ">",
                    1e6,
                ),
                _claim(
                    "crawls", "300 steps leave the loss above 0.1", Q("net_final_loss"), ">", 0.1
                ),
            ),
            _step(
                "Normalised inputs (one click): round contours, a larger step works and the "
                "loss drops to the noise level.",
                _claim(
                    "round",
                    "the Hessian's condition number is below 2 (raw: above 10⁶)",
                    Q("landscape_kappa"),
                    "<",
                    2.0,
                ),
                _claim(
                    "lower",
                    "the loss falls below 0.05 (the noise: 0.2²/2 = 0.02)",
                    Q("net_final_loss"),
                    "<",
                    0.05,
                ),
                normalize=True,
                lr=0.1,
            ),
        ],
    ),
    _net(
        "uncentred",
        "Center your inputs",
        "x1 and x2 both around 1000: the loss over (w1, w2) is a diagonal ravine, since "
        "both weights move together. Centring the inputs (x − μ) removes it.",
        {
            "dataset": "uncentred",
            "model": "linear_regression",
            "optimizer": "gd",
            "lr": 1e-7,
            "steps": 300,
            "normalize": False,
            "panels": "landscape,training,data",
        },
        [
            _step(
                "Uncentred inputs: a diagonal ravine; gradient descent barely moves the loss.",
                _claim(
                    "ravine",
                    "the Hessian over (w1, w2) has condition number above 10⁴",
                    Q("landscape_kappa"),
                    ">",
                    1e4,
                ),
                _claim("stuck", "the loss stays above 0.1", Q("net_final_loss"), ">", 0.1),
            ),
            _step(
                "Centred and scaled: round contours, and the fit reaches the noise level.",
                _claim(
                    "round", "the condition number is below 1.5", Q("landscape_kappa"), "<", 1.5
                ),
                _claim("fits", "the loss falls below 0.05", Q("net_final_loss"), "<", 0.05),
                normalize=True,
                lr=0.1,
            ),
        ],
    ),
    _net(
        "batch-norm",
        "Batch normalisation",
        "Logistic hidden units output values in (0, 1): never centred. Batch normalisation "
        "centres and scales each unit's input over the batch, then a learned γ, β. The "
        "lecture: it often speeds up training by 1.5–2×.",
        {
            "dataset": "circles",
            "hidden": "16",
            "activation": "logistic",
            "optimizer": "gd",
            "lr": 2.0,
            "steps": 300,
            "panels": "training,activations,data",
        },
        [
            _step(
                "Without batch normalisation: the loss needs about 280 steps to fall below 0.1.",
                _claim(
                    "slow",
                    "the loss first falls below 0.1 after step 250",
                    Q("net_steps_to_loss", loss=0.1),
                    ">",
                    250,
                ),
            ),
            _step(
                "The same net, init, optimizer and α with batch normalisation: below 0.1 about "
                "1.5× sooner, and a lower final loss.",
                _claim(
                    "faster",
                    "without it, reaching a loss of 0.1 takes over 1.4× as many steps",
                    Q("variant_steps_to_loss", loss=0.1, batch_norm=False),
                    ">",
                    Q("net_steps_to_loss", loss=0.1),
                    times=1.4,
                ),
                _claim(
                    "lower",
                    "the final loss is under 60% of the same net's without it",
                    Q("net_final_loss"),
                    "<",
                    Q("variant_final_loss", batch_norm=False),
                    times=0.6,
                ),
                batch_norm=True,
            ),
        ],
    ),
    _net(
        "metrics",
        "Metrics: 1% screening",
        "A disease with 1% prevalence: predicting 'healthy' for everyone scores 99% accuracy "
        "and finds no patient (sensitivity 0). Move the threshold along the ROC curve.",
        {
            "dataset": "screening",
            "n": 1000,
            "rate": 0.01,
            "model": "logistic_regression",
            "optimizer": "adam",
            "lr": 0.05,
            "steps": 300,
            "threshold": 0.5,
            "panels": "metrics,data,training",
        },
        [
            _step(
                "Threshold 0.5: every case called negative, 99% accuracy, sensitivity 0.",
                _claim(
                    "accuracy", "accuracy is 99% or more", Q("metric", name="accuracy"), ">=", 0.985
                ),
                _claim(
                    "sensitivity",
                    "sensitivity is 0: no patient found",
                    Q("metric", name="sensitivity"),
                    "==",
                    0.0,
                ),
            ),
            _step(
                "Threshold 0.05: every patient found, a few false alarms.",
                _claim("found", "sensitivity is 1", Q("metric", name="sensitivity"), "==", 1.0),
                _claim(
                    "alarms",
                    "specificity drops below 1: false alarms",
                    Q("metric", name="specificity"),
                    "<",
                    1.0,
                ),
                threshold=0.05,
            ),
        ],
    ),
    _net(
        "confusion-k",
        "K × K confusion matrix",
        "K classes: entry (i, j) counts class-i points predicted as j. The diagonal holds "
        "the correct ones; off-diagonal cells show which classes get confused.",
        {
            "dataset": "blobs",
            "model": "softmax_regression",
            "optimizer": "adam",
            "lr": 0.05,
            "steps": 300,
            "panels": "metrics,data,training",
        },
        [
            _step(
                "Softmax regression on three well-separated blobs: every count on the diagonal.",
                _claim(
                    "diagonal",
                    "over 99% of the validation counts lie on the diagonal",
                    Q("confusion_diagonal_share"),
                    ">",
                    0.99,
                ),
            ),
        ],
    ),
    _net(
        "error-vs-loss",
        "Error rate vs cross-entropy",
        "We cannot optimise the error rate (it is flat almost everywhere), but we track it. "
        "Usually it follows the cross-entropy, but not always.",
        {
            "dataset": "moons",
            "model": "mlp",
            "optimizer": "adam",
            "lr": 0.01,
            "steps": 600,
            "panels": "training,data,metrics",
        },
        [
            _step(
                "From step 300 on the training points are classified right: the accuracy is "
                "flat while the cross-entropy keeps falling.",
                _claim(
                    "flat-accuracy",
                    "accuracy changes by under 1 point from step 300 to 600",
                    Q("accuracy_change", a=300, b=600),
                    "<",
                    0.01,
                ),
                _claim(
                    "loss-falls",
                    "while the cross-entropy halves",
                    Q("net_final_loss"),
                    "<",
                    Q("net_loss_at", step=300),
                    times=0.5,
                ),
            ),
        ],
    ),
    _net(
        "sgd",
        "SGD on data: gradient noise",
        "A mini-batch gradient is an average of S per-example gradients: its variance "
        "falls as 1/S (a bit faster, sampling without replacement).",
        {
            "dataset": "moons",
            "batch": 1,
            "optimizer": "gd",
            "lr": 0.05,
            "steps": 600,
            "panels": "noise,training,data",
        },
        [
            _step(
                "S = 1 (SGD): a noisy training curve.",
                _claim(
                    "noisy",
                    "the per-step batch loss spreads by over 0.3 (last 300 steps)",
                    Q("batch_loss_std", n=300),
                    ">",
                    0.3,
                ),
            ),
            _step(
                "S = 32: smoother.",
                _claim(
                    "smoother",
                    "the batch loss spreads by under 0.15 (last 300 steps)",
                    Q("batch_loss_std", n=300),
                    "<",
                    0.15,
                ),
                batch=32,
            ),
        ],
    ),
    _net(
        "batch-size",
        "Batch size: steps to a target",
        "Steps to reach a target loss against S: near-linear speed-up, then diminishing "
        "returns (Shallue et al. 2018).",
        {
            "dataset": "moons",
            "optimizer": "adam",
            "lr": 0.01,
            "steps": 2000,
            "target": 0.1,
            "panels": "study,training",
        },
        [
            _step(
                "Steps to E = 0.1 as S doubles: big savings at first, little at the end.",
                _claim(
                    "speed-up",
                    "S = 1 needs over 5× the steps of the full batch",
                    Q("study_steps", index=0),
                    ">",
                    Q("study_steps", index=-1),
                    times=5.0,
                ),
                _claim(
                    "diminishing",
                    "the first doublings save over 5× more steps than the last",
                    Q("study_saving", a=0, b=2),
                    ">",
                    Q("study_saving", a=-2, b=-1),
                    times=5.0,
                ),
            ),
        ],
    ),
    _net(
        "gradient-check",
        "Gradient check on a network",
        "Backprop against central finite differences, parameter by parameter; break the "
        "backward pass on purpose and the check catches it.",
        {"dataset": "xor", "panels": "gradcheck,training"},
        [
            _step(
                "Correct backprop: every point on the diagonal.",
                _claim("passes", "the check passes", Q("gradient_check_passed"), "==", True),
            ),
            _step(
                "Broken backprop: the check fails.",
                _claim("fails", "the check fails", Q("gradient_check_passed"), "==", False),
                broken=True,
            ),
        ],
    ),
]


def network_scenes() -> list[dict[str, Any]]:
    """The network page's scenes, JSON-ready (a fresh copy)."""
    return copy.deepcopy(_NETWORK_SCENES)


def network_step_state(scene_id: str, k: int) -> dict[str, Any]:
    """Full page state of step ``k`` of a network scene."""
    return find(scene_id, "networks").scene["steps"][k]["state"]


PAGES = ("surfaces", "networks")


@dataclass(frozen=True)
class Found:
    """A scene and the page it belongs to ("surfaces": the classroom page, or "networks")."""

    page: str
    scene: dict[str, Any]


def find(scene_id: str, page: str | None = None) -> Found:
    """A scene by id on ``page`` (None: the classroom scenes first, then the network ones).

    ValueError names the valid pages or ids.
    """
    if page is not None and page not in PAGES:
        raise ValueError(f"unknown page {page!r}; valid: {', '.join(PAGES)}")
    lists = {"surfaces": _SCENES, "networks": _NETWORK_SCENES}
    for name in (page,) if page else PAGES:
        for s in lists[name]:
            if s["id"] == scene_id:
                return Found(name, copy.deepcopy(s))
    valid = ", ".join(s["id"] for name in ((page,) if page else PAGES) for s in lists[name])
    raise ValueError(f"unknown scene {scene_id!r}; valid: {valid}")
