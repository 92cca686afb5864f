"""Compile-time dispatch: the surface and the optimizer are chosen when a kernel compiles.

A kernel takes a *tag* per choice, a tuple whose length encodes the id
(``surface_tag(sid)``, ``optimizer_tag(oid)``). numba compiles one version of
the kernel per tag type, lazily, the first time a (surface, optimizer) pair
runs, and caches it on disk; inside, the ``@overload``-ed helpers below
resolve to the one surface function and the one optimizer update at typing
time. So a step loop holds no dispatch at all, and a kernel compiles only the
surface and optimizer it runs: the typed-formula interpreter is compiled only
into the expression kernels, never into the catalogue ones.

Per-coordinate arithmetic comes from ``optimizers.*_coord``, the functions
the array steps use, so a specialised trajectory, a sweep lane and
``optimizer_step`` round alike, bit for bit.
"""

from __future__ import annotations

import math

from numba.extending import overload

from .optimizers import (
    NEWTON_ID,
    adagrad_coord,
    adagrad_lr,
    adam_coord,
    bias_correction,
    heavy_ball_coord,
    newton_move,
    rmsprop_coord,
    rmsprop_lecture_coord,
    sgd_coord,
)
from .program import program_eval
from .surfaces import EXPRESSION_ID, SURFACE_FUNCTIONS

_SURFACE_TAGS: dict[int, tuple[int, ...]] = {}
_OPTIMIZER_TAGS: dict[int, tuple[int, ...]] = {}


def surface_tag(sid: int) -> tuple[int, ...]:
    """The tag of surface ``sid``: () for a typed formula, else a tuple of sid + 1 zeros."""
    tag = _SURFACE_TAGS.get(sid)
    if tag is None:
        if sid != EXPRESSION_ID and sid not in SURFACE_FUNCTIONS:
            raise ValueError(f"unknown surface id {sid}")
        tag = _SURFACE_TAGS[sid] = () if sid == EXPRESSION_ID else (0,) * (sid + 1)
    return tag


def optimizer_tag(oid: int) -> tuple[int, ...]:
    """The tag of optimizer ``oid``: a tuple of oid + 1 zeros."""
    tag = _OPTIMIZER_TAGS.get(oid)
    if tag is None:
        if not 0 <= oid <= 9:
            raise ValueError(f"unknown optimizer id {oid}")
        tag = _OPTIMIZER_TAGS[oid] = (0,) * (oid + 1)
    return tag


def _surface_id(tag) -> int:
    n = len(tag.types)
    return EXPRESSION_ID if n == 0 else n - 1


def _optimizer_id(tag) -> int:
    return len(tag.types) - 1


# _nrt=False: these helpers never allocate; without reference counting the calls that
# pass arrays on skip atomic incref/decref pairs in every step of every lane.
_JIT = {"nogil": True, "error_model": "numpy", "_nrt": False}


# --------------------------------------------------------------------------- surfaces


def surface_at(stag, x, y, p, code, consts, stack):
    """(f, df/dx, df/dy) of the tagged surface at (x, y) (jitted code only)."""
    raise NotImplementedError("surface_at runs inside numba kernels only")


@overload(surface_at, jit_options=_JIT)
def _surface_at(stag, x, y, p, code, consts, stack):
    sid = _surface_id(stag)
    if sid == EXPRESSION_ID:

        def program(stag, x, y, p, code, consts, stack):
            return program_eval(code, consts, x, y, stack)

        return program
    fn = SURFACE_FUNCTIONS[sid]

    def catalogue(stag, x, y, p, code, consts, stack):
        return fn(x, y, p)

    return catalogue


def hessian_tagged(stag, x, y, p, code, consts, stack):
    """(h00, h01, h10, h11): central differences of the gradient, as ``kernels.hessian_fd``."""
    raise NotImplementedError("hessian_tagged runs inside numba kernels only")


@overload(hessian_tagged, jit_options=_JIT)
def _hessian_tagged(stag, x, y, p, code, consts, stack):
    def impl(stag, x, y, p, code, consts, stack):
        hx = 1e-5 * (1.0 + abs(x))
        hy = 1e-5 * (1.0 + abs(y))
        _, gxp, gyp = surface_at(stag, x + hx, y, p, code, consts, stack)
        _, gxm, gym = surface_at(stag, x - hx, y, p, code, consts, stack)
        hxx = (gxp - gxm) / (2.0 * hx)
        hyx = (gyp - gym) / (2.0 * hx)
        _, gxp, gyp = surface_at(stag, x, y + hy, p, code, consts, stack)
        _, gxm, gym = surface_at(stag, x, y - hy, p, code, consts, stack)
        hxy = (gxp - gxm) / (2.0 * hy)
        hyy = (gyp - gym) / (2.0 * hy)
        off = 0.5 * (hxy + hyx)
        return hxx, off, off, hyy

    return impl


# --------------------------------------------------------------------------- optimizers


def init_lanes(otag, state, hpl, n):
    """Initial state of n lanes: zeros, except Adagrad's sum at initial_accumulator_value."""
    raise NotImplementedError("init_lanes runs inside numba kernels only")


@overload(init_lanes, jit_options=_JIT)
def _init_lanes(otag, state, hpl, n):
    if _optimizer_id(otag) == 4:

        def adagrad(otag, state, hpl, n):
            state[:, :] = 0.0
            for r in range(n):
                state[0, r] = hpl[2, r]
                state[0, n + r] = hpl[2, r]

        return adagrad

    def zeros(otag, state, hpl, n):
        state[:, :] = 0.0

    return zeros


def step_2d(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
    """One step of the tagged optimizer on the point (x, y); returns the new point.

    ``state`` (MAX_STATE_SLOTS, 2) as ``optimizer_step``'s; ``t`` counts from 1.
    """
    raise NotImplementedError("step_2d runs inside numba kernels only")


@overload(step_2d, jit_options=_JIT)
def _step_2d(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
    oid = _optimizer_id(otag)
    if oid == 0:

        def gd(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            x, _ = sgd_coord(x, gx, 0.0, t, lr, 0.0, 0.0, hp[0], False)
            y, _ = sgd_coord(y, gy, 0.0, t, lr, 0.0, 0.0, hp[0], False)
            return x, y

        return gd
    if oid in (1, 2):

        def sgd(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            nesterov = hp[3] != 0.0
            x, state[0, 0] = sgd_coord(x, gx, state[0, 0], t, lr, hp[0], hp[1], hp[2], nesterov)
            y, state[0, 1] = sgd_coord(y, gy, state[0, 1], t, lr, hp[0], hp[1], hp[2], nesterov)
            return x, y

        return sgd
    if oid == 3:

        def heavy_ball(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            x, state[0, 0] = heavy_ball_coord(x, gx, state[0, 0], lr, hp[0])
            y, state[0, 1] = heavy_ball_coord(y, gy, state[0, 1], lr, hp[0])
            return x, y

        return heavy_ball
    if oid == 4:

        def adagrad(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            clr = adagrad_lr(lr, t, hp[0])
            x, state[0, 0] = adagrad_coord(x, gx, state[0, 0], clr, hp[1], hp[3])
            y, state[0, 1] = adagrad_coord(y, gy, state[0, 1], clr, hp[1], hp[3])
            return x, y

        return adagrad
    if oid == 5:

        def rmsprop(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            c = hp[4] != 0.0
            x, state[0, 0], state[1, 0], state[2, 0] = rmsprop_coord(
                x, gx, state[0, 0], state[1, 0], state[2, 0], lr, hp[0], hp[1], hp[2], hp[3], c
            )
            y, state[0, 1], state[1, 1], state[2, 1] = rmsprop_coord(
                y, gy, state[0, 1], state[1, 1], state[2, 1], lr, hp[0], hp[1], hp[2], hp[3], c
            )
            return x, y

        return rmsprop
    if oid == 6:

        def rmsprop_lecture(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            x, state[0, 0] = rmsprop_lecture_coord(x, gx, state[0, 0], lr, hp[0], hp[1])
            y, state[0, 1] = rmsprop_lecture_coord(y, gy, state[0, 1], lr, hp[0], hp[1])
            return x, y

        return rmsprop_lecture
    if oid in (7, 9):
        decoupled = oid == 9

        def adam(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            b1 = hp[0]
            b2 = hp[1]
            ams = hp[4] != 0.0
            step_size = lr / bias_correction(b1, t)
            bc2_sqrt = math.sqrt(bias_correction(b2, t))
            x, state[0, 0], state[1, 0], state[2, 0] = adam_coord(
                x, gx, state[0, 0], state[1, 0], state[2, 0], lr, step_size, bc2_sqrt, b1, b2,
                hp[2], hp[3], ams, decoupled,
            )  # fmt: skip
            y, state[0, 1], state[1, 1], state[2, 1] = adam_coord(
                y, gy, state[0, 1], state[1, 1], state[2, 1], lr, step_size, bc2_sqrt, b1, b2,
                hp[2], hp[3], ams, decoupled,
            )  # fmt: skip
            return x, y

        return adam
    if oid == NEWTON_ID:

        def newton(otag, stag, x, y, gx, gy, state, t, lr, hp, p, code, consts, stack):
            h00, h01, h10, h11 = hessian_tagged(stag, x, y, p, code, consts, stack)
            return newton_move(x, y, gx, gy, h00, h01, h10, h11, lr, hp[0])

        return newton
    raise ValueError(f"unknown optimizer id {oid}")


def prepare_lanes(otag, t, lrs, hpl, n, uniform, scratch):
    """Per-step, per-lane factors of step t into ``scratch`` (2, n), before ``step_lane``.

    Adam/AdamW: lr / (1 - b1^t) and sqrt(1 - b2^t), computed once for all lanes
    when they share their betas (``uniform``); Adagrad: its decayed rate.
    """
    raise NotImplementedError("prepare_lanes runs inside numba kernels only")


@overload(prepare_lanes, jit_options=_JIT)
def _prepare_lanes(otag, t, lrs, hpl, n, uniform, scratch):
    oid = _optimizer_id(otag)
    if oid in (7, 9):

        def adam(otag, t, lrs, hpl, n, uniform, scratch):
            if uniform:
                c1 = bias_correction(hpl[0, 0], t)
                c2 = math.sqrt(bias_correction(hpl[1, 0], t))
                for r in range(n):
                    scratch[0, r] = lrs[r] / c1
                    scratch[1, r] = c2
            else:
                for r in range(n):
                    scratch[0, r] = lrs[r] / bias_correction(hpl[0, r], t)
                    scratch[1, r] = math.sqrt(bias_correction(hpl[1, r], t))

        return adam
    if oid == 4:

        def adagrad(otag, t, lrs, hpl, n, uniform, scratch):
            for r in range(n):
                scratch[0, r] = adagrad_lr(lrs[r], t, hpl[0, r])

        return adagrad

    def nothing(otag, t, lrs, hpl, n, uniform, scratch):
        pass

    return nothing


def step_lane(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
              stack):  # fmt: skip
    """Step lane r of n from (x, y) with gradient (gx, gy); returns its new point.

    ``state`` (MAX_STATE_SLOTS, 2n): every lane's x state, then every lane's y
    state; ``lrs`` (n,) this step's rates; ``hpl`` (H, n) hyperparameters by
    row; ``scratch`` from ``prepare_lanes``. Per lane the arithmetic is
    ``step_2d``'s. Small enough to inline, so a loop over lanes vectorises.
    """
    raise NotImplementedError("step_lane runs inside numba kernels only")


@overload(step_lane, jit_options=_JIT)
def _step_lane(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
               stack):  # fmt: skip
    oid = _optimizer_id(otag)
    if oid == 0:

        def gd(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
               stack):  # fmt: skip
            x, _ = sgd_coord(x, gx, 0.0, t, lrs[r], 0.0, 0.0, hpl[0, r], False)
            y, _ = sgd_coord(y, gy, 0.0, t, lrs[r], 0.0, 0.0, hpl[0, r], False)
            return x, y

        return gd
    if oid in (1, 2):

        def sgd(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
                stack):  # fmt: skip
            lr = lrs[r]
            mu = hpl[0, r]
            damp = hpl[1, r]
            wd = hpl[2, r]
            nesterov = hpl[3, r] != 0.0
            x, state[0, r] = sgd_coord(x, gx, state[0, r], t, lr, mu, damp, wd, nesterov)
            y, state[0, n + r] = sgd_coord(y, gy, state[0, n + r], t, lr, mu, damp, wd, nesterov)
            return x, y

        return sgd
    if oid == 3:

        def heavy_ball(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code,
                       consts, stack):  # fmt: skip
            x, state[0, r] = heavy_ball_coord(x, gx, state[0, r], lrs[r], hpl[0, r])
            y, state[0, n + r] = heavy_ball_coord(y, gy, state[0, n + r], lrs[r], hpl[0, r])
            return x, y

        return heavy_ball
    if oid == 4:

        def adagrad(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code,
                    consts, stack):  # fmt: skip
            clr = scratch[0, r]
            x, state[0, r] = adagrad_coord(x, gx, state[0, r], clr, hpl[1, r], hpl[3, r])
            y, state[0, n + r] = adagrad_coord(y, gy, state[0, n + r], clr, hpl[1, r], hpl[3, r])
            return x, y

        return adagrad
    if oid == 5:

        def rmsprop(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code,
                    consts, stack):  # fmt: skip
            lr = lrs[r]
            a = hpl[0, r]
            e = hpl[1, r]
            wd = hpl[2, r]
            mu = hpl[3, r]
            c = hpl[4, r] != 0.0
            i = n + r
            x, state[0, r], state[1, r], state[2, r] = rmsprop_coord(
                x, gx, state[0, r], state[1, r], state[2, r], lr, a, e, wd, mu, c
            )
            y, state[0, i], state[1, i], state[2, i] = rmsprop_coord(
                y, gy, state[0, i], state[1, i], state[2, i], lr, a, e, wd, mu, c
            )
            return x, y

        return rmsprop
    if oid == 6:

        def rmsprop_lecture(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code,
                            consts, stack):  # fmt: skip
            lr = lrs[r]
            x, state[0, r] = rmsprop_lecture_coord(x, gx, state[0, r], lr, hpl[0, r], hpl[1, r])
            y, state[0, n + r] = rmsprop_lecture_coord(
                y, gy, state[0, n + r], lr, hpl[0, r], hpl[1, r]
            )
            return x, y

        return rmsprop_lecture
    if oid in (7, 9):
        decoupled = oid == 9

        def adam(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
                 stack):  # fmt: skip
            lr = lrs[r]
            ss = scratch[0, r]
            c2 = scratch[1, r]
            b1 = hpl[0, r]
            b2 = hpl[1, r]
            e = hpl[2, r]
            wd = hpl[3, r]
            ams = hpl[4, r] != 0.0
            i = n + r
            x, state[0, r], state[1, r], state[2, r] = adam_coord(
                x, gx, state[0, r], state[1, r], state[2, r], lr, ss, c2, b1, b2, e, wd, ams,
                decoupled,
            )  # fmt: skip
            y, state[0, i], state[1, i], state[2, i] = adam_coord(
                y, gy, state[0, i], state[1, i], state[2, i], lr, ss, c2, b1, b2, e, wd, ams,
                decoupled,
            )  # fmt: skip
            return x, y

        return adam
    if oid == NEWTON_ID:

        def newton(otag, stag, x, y, gx, gy, state, n, r, t, lrs, hpl, scratch, p, code, consts,
                   stack):  # fmt: skip
            h00, h01, h10, h11 = hessian_tagged(stag, x, y, p, code, consts, stack)
            return newton_move(x, y, gx, gy, h00, h01, h10, h11, lrs[r], hpl[0, r])

        return newton
    raise ValueError(f"unknown optimizer id {oid}")
