"""Optimizer steps, in place on (theta, state), parameterised as torch.optim.

``optimizer_step(oid, theta, grad, state, t, lr, hp)``: ``theta`` and ``grad``
are (n,), ``state`` is (MAX_STATE_SLOTS, n), zero-filled and then set by
``optimizer_init``; ``t`` counts steps from 1 (bias corrections, Adagrad's
lr_decay and SGD's "buffer = g on the first step" read it); ``hp`` holds the
hyperparameters in the order of the optimizer's spec (bools as 0.0 / 1.0).
``grad`` is read, never written. The same steps serve 2-D surfaces and networks.

Each step follows torch.optim's single-tensor code operation for operation
(weight decay added to g first, ``lerp`` for first moments, ``sqrt(.) + eps``
denominators, and the fused multiply-adds torch's CPU kernels round once), so
float64 runs match torch to the last bit except where torch's vectorised sqrt
rounds an ulp away from the correctly rounded one (about 1 call in 80).
Damped Newton needs the Hessian, so the trajectory kernel calls
``newton_step`` directly for ``NEWTON_ID``.

The dispatch is built from the registry: each ``OptimizerSpec`` row in
``optimizer_specs.OPTIMIZERS`` names its step, an ``@njit`` function here with
the one signature ``step(theta, grad, state, t, lr, hp) -> None`` (SGD's and
Adam's shared steps get thin wrappers of that form), and optionally an
``init(state, hp) -> None`` run after the state is zeroed. ``switch`` turns the
rows' ``(id, function)`` pairs into the bodies of ``optimizer_step`` and
``optimizer_init`` (one LLVM ``switch`` on the id, a case per row calling its
function: the code the hand-written ``if oid == 0: ...`` chain compiled to).
A new optimizer is one function here and one row there, with no other edit:
the trajectory kernel runs an id without a family kernel (``trajectory``)
through ``run.run_single``, and a sweep steps it one run at a time unless
``lanes`` has a lockstep branch for it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from . import switch
from .optimizer_specs import NEWTON_ID, OPTIMIZERS  # noqa: F401  (OPTIMIZERS re-exported)

MAX_STATE_SLOTS = 3  # RMSprop centered + momentum; Adam with amsgrad


@intrinsic
def _fma(typingctx, a, b, c):
    """a * b + c rounded once (LLVM's llvm.fma: a hardware FMA where the CPU has one).

    torch's CPU kernels for ``add(alpha=)``, ``addcmul`` and ``lerp`` are
    compiled with multiply-add contraction, so they round a * b + c once;
    using the same fused operation here keeps runs bit-identical to torch
    on such CPUs instead of drifting apart by an ulp that chaotic runs
    (centered RMSprop with a small alpha) amplify.
    """
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return sig, codegen


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _lerp(start: float, end: float, weight: float) -> float:
    """start + weight (end - start), rounded as torch's ``lerp`` rounds it.

    torch switches form at weight 0.5 so the result stays exact at both ends;
    copying that keeps Adam's and centered RMSprop's first moments bit-identical.
    """
    if abs(weight) < 0.5:
        return _fma(weight, end - start, start)
    return _fma(weight - 1.0, end - start, end)


# inline="always": numba inlines these small updates into their callers' IR
# instead of compiling each as a function of its own (a first run compiles less).
# One scalar update per optimizer, per coordinate: the array steps below and the
# per-lane sweep steps (``lanes.lanes_check_step``) both call these, so every path
# rounds exactly alike. Branches on per-lane
# settings are written as selects so a loop over lanes vectorises.


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sgd_coord(
    th: float,
    g: float,
    b: float,
    t: int,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
) -> tuple[float, float]:
    """One coordinate of torch.optim.SGD: returns (theta, buffer); see ``sgd_step``."""
    g = _fma(weight_decay, th, g) if weight_decay != 0.0 else g
    bn = g if t == 1 else _fma(1.0 - dampening, g, b * momentum)
    d = _fma(momentum, bn, g) if nesterov else bn
    use = momentum != 0.0
    g = d if use else g
    return _fma(-lr, g, th), (bn if use else b)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def sgd_step(
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
) -> None:
    """torch.optim.SGD. state[0] = momentum buffer b (n,).

    g <- g + wd theta; if momentum != 0: b <- g at t = 1, else b <- mu b + (1 - dampening) g;
    d = g + mu b (nesterov) or b; theta <- theta - lr d. With momentum 0 there is no buffer.
    """
    for i in range(theta.shape[0]):
        theta[i], state[0, i] = sgd_coord(
            theta[i], grad[i], state[0, i], t, lr, momentum, dampening, weight_decay, nesterov
        )


# The rows' steps all take (theta, grad, state, t, lr, hp), the signature the
# dispatch calls: these wrappers give SGD's and Adam's shared steps that form.
# The shared steps are inline="always" so numba inlines them into each wrapper:
# called, each would be one more function to compile and link (a first
# optimizer_step then took 4.9-6.2 CPU-s against 3.2-3.7 s for the hand-written one).


@njit(cache=True, nogil=True, error_model="numpy")
def gd_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """Gradient descent: ``sgd_step`` with momentum 0; hp = (weight_decay,)."""
    sgd_step(theta, grad, state, t, lr, 0.0, 0.0, hp[0], False)


@njit(cache=True, nogil=True, error_model="numpy")
def sgd_momentum_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """SGD with momentum (and Nesterov): ``sgd_step``; hp = (momentum, dampening,
    weight_decay, nesterov)."""
    sgd_step(theta, grad, state, t, lr, hp[0], hp[1], hp[2], hp[3] != 0.0)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def heavy_ball_coord(th: float, g: float, p: float, lr: float, mu: float) -> tuple[float, float]:
    """One coordinate of the lecture's momentum: returns (theta, velocity)."""
    p = mu * p - lr * g
    return th + p, p


@njit(cache=True, nogil=True, error_model="numpy")
def heavy_ball_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """The lecture's momentum. state[0] = velocity p (n,); hp = (momentum,).

    p <- mu p - alpha g; theta <- theta + p. Equal to torch's SGD momentum
    (p = -alpha b) while alpha is constant; a schedule changes alpha inside p
    only for new gradients, whereas torch rescales the whole buffer at once.
    """
    mu = hp[0]
    for i in range(theta.shape[0]):
        theta[i], state[0, i] = heavy_ball_coord(theta[i], grad[i], state[0, i], lr, mu)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def adagrad_coord(
    th: float, g: float, s: float, clr: float, wd: float, eps: float
) -> tuple[float, float]:
    """One coordinate of torch.optim.Adagrad at clr = lr / (1 + (t - 1) lr_decay): (theta, sum)."""
    g = _fma(wd, th, g) if wd != 0.0 else g
    s = _fma(g, g, s)
    return th + (-clr) * g / (math.sqrt(s) + eps), s


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def adagrad_lr(lr: float, t: int, lr_decay: float) -> float:
    """Adagrad's decayed rate lr / (1 + (t - 1) lr_decay)."""
    return lr / (1.0 + (t - 1) * lr_decay)


@njit(cache=True, nogil=True, error_model="numpy")
def adagrad_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """torch.optim.Adagrad. state[0] = sum of squares s (n,), starting at initial_accumulator_value.

    hp = (lr_decay, weight_decay, initial_accumulator_value, eps).
    clr = lr / (1 + (t - 1) lr_decay); g <- g + wd theta; s <- s + g^2;
    theta <- theta - clr g / (sqrt(s) + eps).
    """
    clr = adagrad_lr(lr, t, hp[0])
    for i in range(theta.shape[0]):
        theta[i], state[0, i] = adagrad_coord(theta[i], grad[i], state[0, i], clr, hp[1], hp[3])


@njit(cache=True, nogil=True, error_model="numpy")
def adagrad_init(state: np.ndarray, hp: np.ndarray) -> None:
    """Adagrad's sum starts at initial_accumulator_value (hp[2]): state[0, :] = hp[2]."""
    for i in range(state.shape[1]):
        state[0, i] = hp[2]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rmsprop_coord(
    th: float,
    g: float,
    s: float,
    b: float,
    m: float,
    lr: float,
    alpha: float,
    eps: float,
    wd: float,
    mu: float,
    centered: bool,
) -> tuple[float, float, float, float]:
    """One coordinate of torch.optim.RMSprop: returns (theta, s, b, m); see ``rmsprop_step``."""
    g = _fma(wd, th, g) if wd != 0.0 else g
    s = _fma((1.0 - alpha) * g, g, s * alpha)
    mc = _lerp(m, g, 1.0 - alpha)
    m = mc if centered else m
    r = (math.sqrt(_fma(-mc, mc, s)) if centered else math.sqrt(s)) + eps
    bn = b * mu + g / r
    use = mu > 0.0
    th = _fma(-lr, bn, th) if use else th + (-lr) * g / r
    return th, s, (bn if use else b), m


@njit(cache=True, nogil=True, error_model="numpy")
def rmsprop_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """torch.optim.RMSprop. state rows: 0 square average s, 1 momentum buffer b, 2 mean gradient m.

    hp = (alpha, eps, weight_decay, momentum, centered).
    g <- g + wd theta; s <- alpha s + (1 - alpha) g^2; centered: m <- alpha m + (1 - alpha) g,
    r = sqrt(s - m^2) + eps, else r = sqrt(s) + eps; momentum > 0: b <- mu b + g / r,
    theta <- theta - lr b; else theta <- theta - lr g / r.
    """
    centered = hp[4] != 0.0
    for i in range(theta.shape[0]):
        theta[i], state[0, i], state[1, i], state[2, i] = rmsprop_coord(
            theta[i], grad[i], state[0, i], state[1, i], state[2, i], lr, hp[0], hp[1], hp[2],
            hp[3], centered,
        )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def rmsprop_lecture_coord(
    th: float, g: float, s: float, lr: float, gamma: float, eps: float
) -> tuple[float, float]:
    """One coordinate of the lecture's RMSprop: returns (theta, s)."""
    s = (1.0 - gamma) * s + gamma * g * g
    return th - lr * g / math.sqrt(s + eps), s


@njit(cache=True, nogil=True, error_model="numpy")
def rmsprop_lecture_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """The lecture's RMSprop. state[0] = s (n,); hp = (gamma, eps).

    s <- (1 - gamma) s + gamma g^2; theta <- theta - alpha g / sqrt(s + eps).
    torch's RMSprop is this with alpha_torch = 1 - gamma and eps moved outside the root.
    """
    for i in range(theta.shape[0]):
        theta[i], state[0, i] = rmsprop_lecture_coord(
            theta[i], grad[i], state[0, i], lr, hp[0], hp[1]
        )


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def bias_correction(beta: float, t: int) -> float:
    """1 - beta^t, rounded exactly as torch's Python ``1 - beta ** step``.

    A float exponent calls libm's pow, as Python does (an int exponent would
    make numba multiply repeatedly and round differently). pow is the costliest
    part of an Adam step, so it is skipped once beta^t <= exp(-t (1 - beta))
    < e^-38 < 2^-54, where 1 - beta^t rounds to exactly 1.0 anyway.
    """
    if t * (1.0 - beta) > 38.0:
        return 1.0
    return 1.0 - beta ** float(t)


_bias_correction = bias_correction


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def adam_coord(
    th: float,
    g: float,
    m: float,
    v: float,
    vmax: float,
    lr: float,
    step_size: float,
    bc2_sqrt: float,
    b1: float,
    b2: float,
    eps: float,
    wd: float,
    amsgrad: bool,
    decoupled: bool,
) -> tuple[float, float, float, float]:
    """One coordinate of Adam / AdamW: returns (theta, m, v, vmax); see ``adam_step``.

    ``step_size`` = lr / (1 - b1^t) and ``bc2_sqrt`` = sqrt(1 - b2^t) come from the caller,
    once per step for all coordinates.
    """
    if decoupled:
        th = th * (1.0 - lr * wd) if wd != 0.0 else th
    else:
        g = _fma(wd, th, g) if wd != 0.0 else g
    m = _lerp(m, g, 1.0 - b1)
    v = _fma((1.0 - b2) * g, g, v * b2)
    w = max(vmax, v)
    vmax = w if amsgrad else vmax
    v_used = w if amsgrad else v
    denom = math.sqrt(v_used) / bc2_sqrt + eps
    return th + (-step_size) * m / denom, m, v, vmax


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def adam_step(
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: float,
    hp: np.ndarray,
    decoupled: bool,
) -> None:
    """torch.optim.Adam (decoupled=False) and AdamW (decoupled=True).

    state rows: 0 first moment m, 1 second moment v, 2 running max of v (amsgrad).
    hp = (beta1, beta2, eps, weight_decay, amsgrad).
    Adam: g <- g + wd theta. AdamW: theta <- theta (1 - lr wd) first.
    m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; vhat = max(vmax, v) with amsgrad, else v;
    theta <- theta - lr / (1 - b1^t) * m / (sqrt(vhat) / sqrt(1 - b2^t) + eps).
    """
    b1 = hp[0]
    b2 = hp[1]
    amsgrad = hp[4] != 0.0
    step_size = lr / bias_correction(b1, t)
    bc2_sqrt = math.sqrt(bias_correction(b2, t))
    for i in range(theta.shape[0]):
        theta[i], state[0, i], state[1, i], state[2, i] = adam_coord(
            theta[i], grad[i], state[0, i], state[1, i], state[2, i], lr, step_size, bc2_sqrt,
            b1, b2, hp[2], hp[3], amsgrad, decoupled,
        )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def adam_l2_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """torch.optim.Adam: ``adam_step`` with weight decay added to g."""
    adam_step(theta, grad, state, t, lr, hp, False)


@njit(cache=True, nogil=True, error_model="numpy")
def adamw_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """torch.optim.AdamW: ``adam_step`` with decoupled weight decay."""
    adam_step(theta, grad, state, t, lr, hp, True)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def gradient_step(theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
    """theta <- theta - lr g (Newton's fallback)."""
    for i in range(theta.shape[0]):
        theta[i] = theta[i] - lr * grad[i]


@njit(cache=True, nogil=True, error_model="numpy")
def newton_fallback_step(
    theta: np.ndarray, grad: np.ndarray, state: np.ndarray, t: int, lr: float, hp: np.ndarray
) -> None:
    """Newton's row step where no Hessian is at hand: ``gradient_step`` (the kernels that
    have one call ``newton_step``)."""
    gradient_step(theta, grad, lr)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def newton_move(
    x: float,
    y: float,
    g0: float,
    g1: float,
    h00: float,
    h01: float,
    h10: float,
    h11: float,
    lr: float,
    lam: float,
) -> tuple[float, float]:
    """Damped Newton from (x, y) on scalars: returns the new (x, y); see ``newton_step``."""
    a = h00 + lam
    b = 0.5 * (h01 + h10)
    d = h11 + lam
    ok = False
    dx = 0.0
    dy = 0.0
    if b == 0.0 and d == 0.0 and g1 == 0.0:
        # y is inert (1-D surface in x): Newton in x alone.
        if a != 0.0:
            dx = g0 / a
            ok = True
    elif b == 0.0 and a == 0.0 and g0 == 0.0:
        if d != 0.0:
            dy = g1 / d
            ok = True
    else:
        det = a * d - b * b
        if det != 0.0:
            dx = (d * g0 - b * g1) / det
            dy = (a * g1 - b * g0) / det
            ok = True
    if not (ok and math.isfinite(dx) and math.isfinite(dy)):
        return x - lr * g0, y - lr * g1
    return x - lr * dx, y - lr * dy


@njit(cache=True, nogil=True, error_model="numpy")
def newton_step(
    theta: np.ndarray, grad: np.ndarray, hess: np.ndarray, lr: float, hp: np.ndarray
) -> None:
    """Damped Newton on 2 parameters: theta <- theta - lr (H + damping I)^-1 g; hp = (damping,).

    ``theta``, ``grad`` (2,), ``hess`` (2, 2). A 1-D surface (y ignored: its
    Hessian row and gradient for y are zero) takes the 1-D Newton step in x
    and leaves y alone. When H + damping I is singular, or the step is not
    finite (overflow, a NaN Hessian), the step falls back to plain gradient
    descent, theta <- theta - lr g, so Newton never manufactures a NaN itself.
    """
    theta[0], theta[1] = newton_move(
        theta[0], theta[1], grad[0], grad[1], hess[0, 0], hess[0, 1], hess[1, 0], hess[1, 1],
        lr, hp[0],
    )  # fmt: skip


# ---------------------------------------------------------------- dispatch built from the rows


# The switches on the optimizer ids, built from the functions the rows name (see ``switch``).
_STEP_TABLE = switch.named_table(OPTIMIZERS, "step", globals(), __name__)
_INIT_TABLE = switch.named_table(OPTIMIZERS, "init", globals(), __name__)
_step_switch = switch.make_step(_STEP_TABLE)
_init_switch = switch.make_init(_INIT_TABLE)


@njit(cache=True, nogil=True, error_model="numpy")
def optimizer_init(oid: int, state: np.ndarray, hp: np.ndarray) -> None:
    """Set the initial state: zeros, then the row's ``init`` if it names one (Adagrad's
    sum at initial_accumulator_value)."""
    state[:] = 0.0
    _init_switch(oid, state, hp)


# _nrt=False: the dispatcher never allocates, and without reference counting the
# calls that pass theta, grad and state on skip atomic incref/decref pairs.
@njit(cache=True, nogil=True, error_model="numpy", _nrt=False)
def optimizer_step(
    oid: int,
    theta: np.ndarray,
    grad: np.ndarray,
    state: np.ndarray,
    t: int,
    lr: float,
    hp: np.ndarray,
) -> None:
    """One step of optimizer ``oid`` (ids as in ``OPTIMIZERS``); updates theta and state in place.

    One case per row of ``OPTIMIZERS``, calling the step its row names
    (``_step_switch``, from ``_STEP_TABLE``). ``NEWTON_ID`` has no Hessian here and
    takes Newton's fallback, a gradient step; the trajectory kernel calls
    ``newton_step`` instead. Unknown ids do nothing.
    """
    _step_switch(oid, theta, grad, state, t, lr, hp)
