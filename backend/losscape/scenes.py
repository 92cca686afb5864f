"""The lecture's scenes as data, served in the catalog and opened by ``/#scene=ID``.

A scene is a named page state: the surface and its parameters, the runs (optimizer, lr,
hyperparameters, start, colour, and optionally their own schedule or batch size), the step
budget, schedule, gradient noise, seed, the panels shown, and a caption tying it to the
lecture. ``steps`` are the presenter's arrow-key stops: step k shows ``state`` with step k's
``state_patch`` merged in (objects merge key by key; lists, ``params`` and ``schedule``
replace), so any step can be opened directly. Every field names only catalogue surfaces,
optimizers, schedules and parameters within their bounds (``tests/test_scenes.py`` checks
them through the service).
"""

from __future__ import annotations

import copy
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


def _step(caption: str, **patch: Any) -> dict[str, Any]:
    return {"caption": caption, "state_patch": patch}


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
    return {
        "id": scene_id,
        "title": title,
        "caption": caption,
        "lecture": lecture,
        "panels": panels,
        "state": state,
        "steps": steps,
        **extra,
    }


# The lecture's recap table: each problem, how to see it, what to do, and the scene showing it
# (None where the scene needs the networks work).
RECAP_TABLE = (
    ("incorrect gradients", "finite differences", "fix them, or use autodiff", "recap"),
    ("local optima", "(hard)", "random restarts", "local-minima"),
    ("symmetries", "visualize W", "initialize W randomly", None),  # network scene "symmetry"
    ("slow progress", "slow, linear training curve", "increase α; momentum", "learning-rate"),
    ("instability", "cost increases", "decrease α", "learning-rate"),
    ("oscillations", "fluctuations in training curve", "decrease α; momentum", "momentum"),
    ("fluctuations", "fluctuations in training curve", "decay α; iterate averaging", "lr-decay"),
    ("dead/saturated units", "activation histograms", "initial scale of W; ReLU", None),
    (
        "ill-conditioning",
        "(hard)",
        "normalization; momentum; Adam; second-order opt.",
        "rmsprop-adam",
    ),
)


# Recap rows shown on real networks (the network page, /network.html#net&scene=ID).
RECAP_NETWORK_LINKS = {
    "incorrect gradients": "gradient-check",
    "symmetries": "symmetry",
    "dead/saturated units": "plateau",
}


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
            [],
        )
    )

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
                _step("Two starts, two wells: the right start settles in the shallower well."),
                _step(
                    "Starts a hair apart on either side of the hump end in different minima.",
                    runs=[
                        _run("gd", 0.1, (0.25, 0.0), BLUE),
                        _run("gd", 0.1, (0.17, 0.0), VERMILLION),
                    ],
                    steps=60,
                ),
                _step(
                    "A larger ε overshoots: the iterates zig-zag across the well.",
                    runs=[
                        _run("gd", 0.7, starts_1d[0], BLUE),
                        _run("gd", 0.7, starts_1d[1], VERMILLION),
                    ],
                ),
                _step(
                    "ε much too large: the steps leave the wells and the run blows up.",
                    runs=[
                        _run("gd", 1.2, starts_1d[0], BLUE),
                        _run("gd", 1.2, starts_1d[1], VERMILLION),
                    ],
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
                _step("Himmelblau: four equally good minima, one basin each."),
                _step(
                    "Six-hump camel: six minima of different depths; restarts find the deepest.",
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
                _step("On the axis (blue) GD stalls at the saddle; 10⁻⁶ off it (orange) escapes."),
                _step(
                    "A bigger offset escapes sooner: the plateau in the curve shortens.",
                    runs=[
                        _run("gd", 0.05, (1.5, 0.0), BLUE),
                        _run("gd", 0.05, (1.5, 1e-2), VERMILLION),
                    ],
                ),
                _step(
                    "A monkey saddle: the gradient vanishes even faster near it, so escape is "
                    "slower.",
                    surface="monkey_saddle",
                    params={},
                    runs=[
                        _run("gd", 0.05, (1.0, 0.0), BLUE),
                        _run("gd", 0.05, (1.0, 0.05), VERMILLION),
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
                    "κ = 50: at α just under 2/κ GD sloshes (blue); a smaller α crawls (orange)."
                ),
                _step(
                    "Normalized inputs: κ = 1, the contours turn round and GD heads straight in.",
                    params={"kappa": 1.0},
                ),
            ],
        )
    )

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
                    _run("gd", 0.019, (-2.5, 1.0), BLUE),
                    _run("heavy_ball", 0.01, (-2.5, 1.0), VERMILLION, momentum=0.8),
                ],
                params={"kappa": 100.0},
                steps=150,
                logy=True,
            ),
            [
                _step(
                    "GD sloshes across the ravine and crawls along it (blue); momentum glides "
                    "(orange)."
                ),
                _step(
                    "μ = 0.99: too little friction, the puck rings for a long time.",
                    runs=[
                        _run("gd", 0.019, (-2.5, 1.0), BLUE),
                        _run("heavy_ball", 0.01, (-2.5, 1.0), VERMILLION, momentum=0.99),
                    ],
                ),
                _step(
                    "A tilted plane (constant gradient): momentum's step grows to α/(1 − μ) = 10× "
                    "GD's.",
                    surface="tilted_plane",
                    params={"sx": 1.0, "sy": 0.5},
                    steps=60,
                    runs=[
                        _run("gd", 0.1, (8.0, 4.0), BLUE),
                        _run("heavy_ball", 0.1, (8.0, 4.0), VERMILLION, momentum=0.9),
                    ],
                ),
                _step(
                    "μ = 1: no friction, energy is conserved and it never settles.",
                    steps=300,
                    runs=[
                        _run("gd", 0.019, (-2.5, 1.0), BLUE),
                        _run("heavy_ball", 0.01, (-2.5, 1.0), VERMILLION, momentum=1.0),
                    ],
                ),
            ],
        )
    )

    lr_runs = [
        _run("gd", 0.005, (-2.5, 1.0), BLUE),
        _run("gd", 0.05, (-2.5, 1.0), GREEN),
        _run("gd", 0.18, (-2.5, 1.0), ORANGE),
        _run("gd", 0.22, (-2.5, 1.0), VERMILLION),
    ]
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
                _step("Four learning rates: slow, good, oscillating, unstable."),
                _step(
                    "On a log scale the slow run's progress and the blow-up read clearly.",
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
                _step("On a linear axis every run looks done after 1000 steps."),
                _step(
                    "On a log axis the blue run is 10⁵ times worse, still creeping along the "
                    "valley floor: not converged.",
                    logy=True,
                ),
                _step("Ten times the budget: it keeps going.", logy=True, steps=15000),
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
                _step("S = 1, 10, 100 and the full batch: the noise shrinks as 1/√S."),
                _step(
                    "A larger α makes the fluctuations larger too.",
                    runs=[{**r, "lr": 0.15} for r in sgd_runs],
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
                    "Constant α keeps fluctuating; step, exponential, 1/t and cosine decay settle."
                ),
                _step(
                    "Iterate averaging (dotted): the mean of the noisy iterates settles as well.",
                    averaging=True,
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
            ),
            [
                _step("Axis-aligned ravine: RMSprop and Adam walk straight to the minimum."),
                _step(
                    "The same ravine turned 45°: per-coordinate scaling no longer matches the "
                    "curvature.",
                    params={"kappa": 50.0, "angle": 45.0},
                ),
            ],
        )
    )

    add(
        _scene(
            "recap",
            "Recap",
            "The lecture's diagnostics table: each problem, how to see it, what to do, and "
            "the scene that shows it.\nBelow: a finite-difference gradient check catches a "
            "deliberately wrong gradient.",
            "Recap",
            ["table"],
            _state("rosenbrock", [_run("gd", 0.001, (-1.5, 2.0), BLUE)], steps=200),
            [
                _step("A correct gradient passes the finite-difference check."),
                _step("Plant a bug in the gradient: the check fails.", gradbug=True),
            ],
            table=[
                {
                    "problem": p,
                    "diagnostics": d,
                    "workarounds": w,
                    "scene": s,
                    "network_scene": RECAP_NETWORK_LINKS.get(p),
                }
                for p, d, w, s in RECAP_TABLE
            ],
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


# Keys whose value a patch replaces whole: a surface's or a schedule's parameters belong to it.
REPLACED = frozenset({"params", "schedule"})


def merge_patch(base: Any, patch: Any) -> Any:
    """Step k's state: objects merge key by key; lists, scalars and REPLACED keys replace."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = copy.deepcopy(v) if k in REPLACED else merge_patch(base.get(k), v)
        return out
    return copy.deepcopy(patch)


def step_state(scene_id: str, k: int) -> dict[str, Any]:
    """The full state of presenter step ``k`` of a scene."""
    s = scene(scene_id)
    steps = s["steps"]
    if not steps:
        return s["state"]
    return merge_patch(s["state"], steps[k]["state_patch"])


# --------------------------------------------------------------------------- network scenes
#
# The network page's scenes. A state holds the page's fields (network/state.js DEFAULTS):
# dataset, n, rate (screening positive rate), model, hidden ("16" or "16,16"), activation,
# optimizer, lr, steps, batch (0: full batch), init, normalize, seed, threshold, broken,
# target (the batch-size study's target loss; 0: its default) and panels (comma-separated).
# ``network_request(state)`` turns one into network_service
# arguments (tests/test_scenes.py trains every step through it).


def _net(
    sid: str, title: str, caption: str, state: dict[str, Any], steps: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"id": sid, "title": title, "caption": caption, "state": state, "steps": steps}


NETWORK_DEFAULTS: dict[str, Any] = {
    "dataset": "moons", "n": 0, "rate": 0, "model": "mlp", "hidden": "16", "activation": "tanh",
    "optimizer": "adam", "lr": 0.01, "steps": 300, "batch": 0, "init": "xavier",
    "normalize": True, "seed": 0, "threshold": 0.5, "broken": False, "target": 0,
    "panels": "data,training,weights,activations,metrics",
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
            "steps": 300,
            "init": "constant",
            "panels": "data,training,weights",
        },
        [
            _step("Constant init: the four units' weights move as one (their lines coincide)."),
            _step("Small random init: the units separate and XOR is learned.", init="small_random"),
        ],
    ),
    _net(
        "plateau",
        "Plateaus: dead and saturated units",
        "Large initial weights saturate logistic units (phi' near 0) or kill ReLUs: the "
        "training curve stalls on a plateau. The activation histograms show it.",
        {
            "dataset": "moons",
            "hidden": "16",
            "activation": "logistic",
            "init": "large_random",
            "optimizer": "adam",
            "lr": 0.01,
            "steps": 300,
            "panels": "training,activations,weights,data",
        },
        [
            _step("Large random init, logistic units: many activations pinned at 0 or 1."),
            _step("ReLU with large init: some units never fire again (dead).", activation="relu"),
            _step("Xavier init: activations spread out, training moves.", init="xavier"),
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
            _step("Raw inputs: a ravine; gradient descent crawls along it."),
            _step(
                "Normalised inputs (one click): round contours, a larger step works.",
                normalize=True,
                lr=0.1,
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
            _step("Threshold 0.5: every case called negative, 99% accuracy, sensitivity 0."),
            _step("Threshold 0.05: every patient found, a few false alarms.", threshold=0.05),
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
            _step("S = 1 (SGD): a noisy training curve."),
            _step("S = 32: smoother.", batch=32),
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
        [],
    ),
    _net(
        "gradient-check",
        "Gradient check on a network",
        "Backprop against central finite differences, parameter by parameter; break the "
        "backward pass on purpose and the check catches it.",
        {"dataset": "xor", "panels": "gradcheck,training"},
        [
            _step("Correct backprop: every point on the diagonal."),
            _step("Broken backprop: the check fails.", broken=True),
        ],
    ),
]


def network_scenes() -> list[dict[str, Any]]:
    """The network page's scenes, JSON-ready (a fresh copy)."""
    return copy.deepcopy(_NETWORK_SCENES)


def network_step_state(scene_id: str, k: int) -> dict[str, Any]:
    """Full page state of step ``k`` of a network scene (defaults, state, step patch)."""
    for s in _NETWORK_SCENES:
        if s["id"] == scene_id:
            patch = s["steps"][k]["state_patch"] if s["steps"] else {}
            return {**NETWORK_DEFAULTS, **s["state"], **patch}
    valid = ", ".join(s["id"] for s in _NETWORK_SCENES)
    raise ValueError(f"unknown network scene {scene_id!r}; valid: {valid}")


def network_request(state: dict[str, Any]) -> dict[str, Any]:
    """The page's training request for a state, as network_service.train keyword arguments."""
    params: dict[str, Any] = {}
    if state["n"]:
        params["n"] = state["n"]
    if state["rate"]:
        params["positive_rate"] = state["rate"]
    model: dict[str, Any] = {"name": state["model"], "params": {}}
    if state["model"] == "mlp":
        hidden = [int(w) for w in str(state["hidden"]).replace("x", ",").split(",") if w]
        model["params"] = {"hidden": hidden, "activation": state["activation"]}
    if state["model"] == "linear_regression":
        model["params"] = {"bias": False}
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
