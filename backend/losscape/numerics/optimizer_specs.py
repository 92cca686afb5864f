"""The optimizer catalogue: one ``OptimizerSpec`` row per optimizer (name, id,
hyperparameters with defaults and bounds, state slots, lr range, torch name).

Plain data: validation, the catalog, the page's controls, the network trainer
and the reference tests read these rows; the compiled steps are in ``optimizers``,
and each row names its step (``step=``, and ``init=`` when its state does not
start at zero): ``optimizers`` builds its dispatch on ids from those names.
"""

from __future__ import annotations

from .specs import OptimizerSpec, ParamSpec

NEWTON_ID = 8  # damped Newton: the kernels call its step with a Hessian


_EPS_MIN = (
    1e-16  # eps > 0: a coordinate whose gradient stays 0 (a 1-D surface's y) gives 0, not 0/0
)


def _weight_decay(default: float = 0.0, what: str = "L2 penalty: wd theta added to g") -> ParamSpec:
    return ParamSpec("weight_decay", default, 0.0, 1.0, what)


def _sgd_params(nesterov: float) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("momentum", 0.9, 0.0, 1.0, "mu: weight of the old buffer (1 never settles)"),
        ParamSpec("dampening", 0.0, 0.0, 1.0, "new gradients enter the buffer times 1 - dampening"),
        _weight_decay(),
        ParamSpec("nesterov", nesterov, 0.0, 1.0, "look ahead: step along g + mu b", kind="bool"),
    )


def _adam_params(weight_decay: ParamSpec) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("beta1", 0.9, 0.0, 0.9999, "decay of the gradient average (torch betas[0])"),
        ParamSpec("beta2", 0.999, 0.0, 0.99999, "decay of the squared average (torch betas[1])"),
        ParamSpec("eps", 1e-8, _EPS_MIN, 1.0, "added to sqrt(v hat)", log=True),
        weight_decay,
        ParamSpec("amsgrad", 0.0, 0.0, 1.0, "divide by the largest v seen so far", kind="bool"),
    )


_SGD_TORCH = (
    "torch: b = g at the first step, then b = mu b + (1 - dampening) g; "
    "theta = theta - lr b (nesterov: lr (g + mu b)). "
)

OPTIMIZERS: tuple[OptimizerSpec, ...] = (
    OptimizerSpec(
        name="gd",
        id=0,
        step="gd_step",
        title="Gradient descent",
        update=r"\theta \leftarrow \theta - \alpha\,\nabla\mathcal{E}(\theta)",
        hyperparams=(_weight_decay(),),
        state_slots=0,
        lr_default=0.01,
        lr_max=10.0,
        torch_name="SGD",
        description=(
            "Lecture alpha = torch lr. torch.optim.SGD with momentum 0; weight_decay adds "
            "wd theta to the gradient. On a quadratic it converges iff 0 < alpha < 2 / lambda_max."
        ),
    ),
    OptimizerSpec(
        name="momentum",
        id=1,
        step="sgd_momentum_step",
        title="SGD with momentum",
        update=(
            r"b \leftarrow \mu\,b + (1-\tau)\,\nabla\mathcal{E}(\theta),\quad "
            r"\theta \leftarrow \theta - \alpha\,b"
        ),
        hyperparams=_sgd_params(0.0),
        state_slots=1,
        lr_default=0.01,
        torch_name="SGD",
        description=(
            "Lecture mu = torch momentum, alpha = lr, tau = dampening. "
            + _SGD_TORCH
            + "The lecture's p equals -alpha b while alpha is constant (see heavy_ball)."
        ),
    ),
    OptimizerSpec(
        name="nesterov",
        id=2,
        step="sgd_momentum_step",
        title="Nesterov momentum",
        update=(
            r"b \leftarrow \mu\,b + \nabla\mathcal{E}(\theta),\quad "
            r"\theta \leftarrow \theta - \alpha\,(\nabla\mathcal{E}(\theta) + \mu\,b)"
        ),
        hyperparams=_sgd_params(1.0),
        state_slots=1,
        lr_default=0.01,
        torch_name="SGD",
        description=(
            "torch.optim.SGD(nesterov=True): the step uses g + mu b, a look-ahead along the "
            "buffer. " + _SGD_TORCH + "torch requires dampening 0 for nesterov; here it is "
            "allowed and applied as written."
        ),
    ),
    OptimizerSpec(
        name="heavy_ball",
        id=3,
        step="heavy_ball_step",
        title="Momentum (lecture form)",
        update=(
            r"p \leftarrow \mu\,p - \alpha\,\nabla\mathcal{E}(\theta),\quad "
            r"\theta \leftarrow \theta + p"
        ),
        hyperparams=(
            ParamSpec("momentum", 0.9, 0.0, 1.0, "mu: velocity kept per step (1 never settles)"),
        ),
        state_slots=1,
        lr_default=0.01,
        description=(
            "The lecture's hockey puck: velocity p starts at 0; on a plane it reaches the "
            "terminal velocity -alpha / (1 - mu) times the slope. Same path as torch's SGD "
            "momentum (p = -alpha b) for a constant alpha; under a schedule the old velocity "
            "keeps its old alpha, while torch rescales the whole buffer by the new lr."
        ),
    ),
    OptimizerSpec(
        name="adagrad",
        id=4,
        step="adagrad_step",
        init="adagrad_init",
        title="Adagrad",
        update=(
            r"s \leftarrow s + g^2,\quad "
            r"\theta \leftarrow \theta - \frac{\alpha}{1 + (t-1)\,\eta}\,"
            r"\frac{g}{\sqrt{s} + \epsilon}"
        ),
        hyperparams=(
            ParamSpec("lr_decay", 0.0, 0.0, 1.0, "eta: lr / (1 + (t - 1) lr_decay)"),
            _weight_decay(),
            ParamSpec("initial_accumulator_value", 0.0, 0.0, 10.0, "starting value of the sum s"),
            ParamSpec("eps", 1e-10, _EPS_MIN, 1.0, "added to sqrt(s)", log=True),
        ),
        state_slots=1,
        lr_default=0.1,
        torch_name="Adagrad",
        description=(
            "torch.optim.Adagrad: per-coordinate steps shrink with the sum of all past squared "
            "gradients (g includes wd theta), so the effective rate only falls."
        ),
    ),
    OptimizerSpec(
        name="rmsprop",
        id=5,
        step="rmsprop_step",
        title="RMSprop",
        update=(
            r"s \leftarrow \alpha_s\,s + (1-\alpha_s)\,g^2,\quad "
            r"\theta \leftarrow \theta - \alpha\,\frac{g}{\sqrt{s} + \epsilon}"
        ),
        hyperparams=(
            ParamSpec(
                "alpha", 0.99, 0.0, 0.9999, "decay of the squared average (lecture 1 - gamma)"
            ),
            ParamSpec(
                "eps", 1e-8, _EPS_MIN, 1.0, "added outside the root: sqrt(s) + eps", log=True
            ),
            _weight_decay(),
            ParamSpec("momentum", 0.0, 0.0, 0.999, "buffer b <- mu b + g / (sqrt(s) + eps)"),
            ParamSpec(
                "centered",
                0.0,
                0.0,
                1.0,
                "divide by sqrt(s - m^2), m the gradient average",
                kind="bool",
            ),
        ),
        state_slots=3,
        lr_default=0.01,
        torch_name="RMSprop",
        description=(
            "torch.optim.RMSprop. Lecture: s <- (1 - gamma) s + gamma g^2 and "
            "alpha g / sqrt(s + eps); torch's alpha (default 0.99) is the lecture's 1 - gamma, "
            "torch's lr is the lecture's alpha, and torch adds eps outside the root. "
            "centered also tracks m and uses s - m^2; momentum > 0 steps along a buffer."
        ),
    ),
    OptimizerSpec(
        name="rmsprop_lecture",
        id=6,
        step="rmsprop_lecture_step",
        title="RMSprop (lecture form)",
        update=(
            r"s_j \leftarrow (1-\gamma)\,s_j + \gamma\,g_j^2,\quad "
            r"\theta_j \leftarrow \theta_j - \frac{\alpha}{\sqrt{s_j + \epsilon}}\,g_j"
        ),
        hyperparams=(
            ParamSpec(
                "gamma", 0.01, 1e-4, 1.0, "weight of the new squared gradient (torch 1 - alpha)"
            ),
            ParamSpec("eps", 1e-8, _EPS_MIN, 1.0, "added inside the root: sqrt(s + eps)", log=True),
        ),
        state_slots=1,
        lr_default=0.01,
        description=(
            "RMSprop exactly as the lecture writes it. Equals torch.optim.RMSprop with "
            "alpha = 1 - gamma when eps = 0; otherwise eps sits inside the root here "
            "(sqrt(s + eps)) and outside in torch (sqrt(s) + eps)."
        ),
    ),
    OptimizerSpec(
        name="adam",
        id=7,
        step="adam_l2_step",
        title="Adam",
        update=(
            r"m \leftarrow \beta_1 m + (1-\beta_1)\,g,\ "
            r"v \leftarrow \beta_2 v + (1-\beta_2)\,g^2,\ "
            r"\theta \leftarrow \theta - \frac{\alpha}{1-\beta_1^t}\,"
            r"\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}"
        ),
        hyperparams=_adam_params(_weight_decay()),
        state_slots=3,
        lr_default=0.01,
        torch_name="Adam",
        description=(
            "torch.optim.Adam with betas = (beta1, beta2): the lecture's 'RMSprop + momentum' "
            "with bias correction. weight_decay is L2 (wd theta added to g, then rescaled "
            "like any gradient); amsgrad divides by the running maximum of v."
        ),
    ),
    OptimizerSpec(
        name="newton",
        id=NEWTON_ID,
        step="newton_fallback_step",
        title="Damped Newton",
        update=r"\theta \leftarrow \theta - \alpha\,(H + \lambda I)^{-1}\nabla\mathcal{E}(\theta)",
        hyperparams=(
            ParamSpec("damping", 0.0, 0.0, 100.0, "lambda added to the Hessian's diagonal"),
        ),
        state_slots=0,
        lr_default=1.0,
        lr_min=1e-3,
        lr_max=2.0,
        surfaces_only=True,
        description=(
            "Second-order reference: with alpha = 1 it jumps to the critical point of the local "
            "quadratic model (one step on a quadratic), which may be a saddle or a maximum. "
            "Large lambda turns it into gradient descent with rate alpha / lambda. A singular "
            "H + lambda I falls back to a gradient step."
        ),
    ),
    OptimizerSpec(
        name="adamw",
        id=9,
        step="adamw_step",
        title="AdamW",
        update=(
            r"\theta \leftarrow \theta\,(1 - \alpha\lambda),\ "
            r"\theta \leftarrow \theta - \frac{\alpha}{1-\beta_1^t}\,"
            r"\frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}"
        ),
        hyperparams=_adam_params(
            _weight_decay(0.01, "lambda: decoupled decay, theta <- theta (1 - lr wd)")
        ),
        state_slots=3,
        lr_default=0.01,
        torch_name="AdamW",
        description=(
            "torch.optim.AdamW: Adam whose weight decay shrinks theta directly each step "
            "instead of entering the gradient, so it is not rescaled by 1 / sqrt(v)."
        ),
    ),
)
