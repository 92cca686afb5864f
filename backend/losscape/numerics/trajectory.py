"""The trajectory kernels on catalogue surfaces: one compiled loop per optimizer family.

``run.run_single`` (the sweeps' fallback, and typed formulas' trajectories)
dispatches on the optimizer id and the schedule id inside its step loop and
keeps the state in an array; here the optimizer is chosen once per run, by
picking the family's kernel (``family_kernel``), so each family's loop carries
its state in local scalars and LLVM sees one straight-line step. The surface
is still chosen by id inside the loop, but by ``catalogue_eval``'s switch inlined
there (``step_eval``), not by a call: kernels are never specialised per
(surface, optimizer) pair, which would multiply cold compiles, and never
compile the typed-formula interpreter. A kernel is compiled on its first use
only: a first run compiles one.

Per run, outside the loop: the schedule's learning rates (``lrs``); the
Adam family's bias corrections, read from ``bias`` (2, steps): row 0
1 - beta1^t, row 1 sqrt(1 - beta2^t), filled by ``bias_tables`` with the
arithmetic of ``optimizers.adam_step`` (so runs stay bit-identical to it and to
torch.optim; the step size lr_t / (1 - beta1^t) is divided in the loop, off its
latency chain); the squared-norm threshold of the convergence test (``norm_threshold``); a
noisy run's draws (``noise_table``). Each step then does exactly what
``run_single`` does, operation for operation, so both agree bit
for bit (stop rules and status codes are ``run``'s). After the loop, in the
same call: (f, df/dx, df/dy) at the last point (``end``), with the Hessian there
when ``end`` has room for it. The Polyak average of the iterates (``avg_xy``) and
the losses there are made in the step loop, off its latency chain (see the loop),
through a second inlined switch (``step_eval``) rather than
``catalogue_eval_block``: a first run then compiles no block evaluator (2.2 to
2.7 CPU-s of a ~8 s first ``losscape run``; the second switch costs ~0.5 s).
``kernels.run_trajectory`` runs typed formulas.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .noise import gaussian
from .optimizers import (
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
from .run import (
    LOSS_BOUND,
    STATUS_CONVERGED,
    STATUS_DIVERGED,
    STATUS_DONE,
    fd_point,
    fd_steps,
    hessian_from_gradients,
)
from .schedules import schedule_lr
from .surfaces import catalogue_eval

# The step loop's evaluation: ``catalogue_eval``'s own source, inlined by numba into the
# loop (one switch on the surface id, each arm the surface's arithmetic in registers)
# instead of a call per step that spills every live value around it (Adam on
# Rosenbrock, 1000 steps: 38 -> 31 us CPU, measured in one session). Only that call site
# is inlined: the start, Newton's finite differences and the end point call
# ``catalogue_eval``. cache=False: it is never compiled on its own, only inlined into
# the cached family kernels (whose cache ``_numba_cache`` keys on every numerics source),
# and a second cached dispatcher of the same function would share its cache entries.
step_eval = njit(cache=False, nogil=True, error_model="numpy", inline="always")(
    catalogue_eval.py_func
)

# ``schedules.SCHEDULES``' "constant": schedule_lr(CONSTANT_SCHEDULE, t, lr0, ...) = lr0.
CONSTANT_SCHEDULE = 0

# Optimizer families: optimizers that share one step (SGD's three forms, Adam and AdamW).
FAMILY_SGD = 0
FAMILY_HEAVY_BALL = 1
FAMILY_ADAGRAD = 2
FAMILY_RMSPROP = 3
FAMILY_RMSPROP_LECTURE = 4
FAMILY_ADAM = 5
FAMILY_NEWTON = 6
# optimizer id -> family (ids as in ``optimizer_specs.OPTIMIZERS``)
FAMILY_OF_OPTIMIZER = {
    0: FAMILY_SGD,
    1: FAMILY_SGD,
    2: FAMILY_SGD,
    3: FAMILY_HEAVY_BALL,
    4: FAMILY_ADAGRAD,
    5: FAMILY_RMSPROP,
    6: FAMILY_RMSPROP_LECTURE,
    7: FAMILY_ADAM,
    8: FAMILY_NEWTON,
    9: FAMILY_ADAM,
}


@njit(cache=True, nogil=True, error_model="numpy")
def bias_tables(beta1: float, beta2: float, out: np.ndarray) -> None:
    """out (2, n): out[0, t - 1] = 1 - beta1^t and out[1, t - 1] = sqrt(1 - beta2^t) for
    t = 1 .. n, as ``optimizers.adam_step`` computes them (``bias_correction``). One
    kernel for both rows: a first run compiles one kernel fewer (~0.1 CPU-s)."""
    for t in range(1, out.shape[1] + 1):
        out[0, t - 1] = bias_correction(beta1, t)
        out[1, t - 1] = math.sqrt(bias_correction(beta2, t))


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def norm_threshold(tol: float) -> float:
    """The least s >= 0 with sqrt(s) >= tol, so that ``s < norm_threshold(tol)`` holds
    exactly when ``math.sqrt(s) < tol`` (NaN and inf included, as sqrt is correctly
    rounded and monotone): the convergence test without a sqrt per step, which competes
    with the optimizer's own sqrt and divisions for the one divider. tol * tol is within
    an ulp or two of it; the loops step there (tol = 0 gives 0: never converged)."""
    s = tol * tol
    while s > 0.0 and math.sqrt(s) >= tol:
        s = np.nextafter(s, -np.inf)
    while math.sqrt(s) < tol:
        s = np.nextafter(s, np.inf)
    return s


def _make_kernel(family: int, flag: bool = False):
    """The trajectory kernel of one optimizer family on the catalogue surfaces.

    ``family`` is a closure constant: numba freezes it, drops the other
    families' branches, and caches each family's kernel on its own (the cache
    key includes closure values). It evaluates through ``catalogue_eval`` (the
    surface still chosen by id, in the loop), so it never compiles the
    typed-formula interpreter.

    ``flag`` is hyperparameter 4 set, frozen too: Adam's amsgrad, RMSprop's centered
    (``FLAGGED_FAMILIES``). Read from ``hp`` per run, it was a select on the latency
    chain of every step (max(vmax, v) or v, then the sqrt; Adam on Rosenbrock,
    1000 steps: ~2.5 of ~31 us); a constant drops the unused arm. The flagged
    kernels compile on first use only, like the others.
    """

    @njit(cache=True, nogil=True, error_model="numpy")
    def kernel(
        sid: int,
        sp: np.ndarray,
        oid: int,
        hp: np.ndarray,
        kid: int,
        schp: np.ndarray,
        lr0: float,
        x0: float,
        y0: float,
        steps: int,
        noise_std: float,
        noise: np.ndarray,
        tol: float,
        box: np.ndarray,
        box_status: int,
        bias: np.ndarray,
        xy: np.ndarray,
        loss: np.ndarray,
        lrs: np.ndarray,
        avg_xy: np.ndarray,
        avg_loss: np.ndarray,
        end: np.ndarray,
    ) -> tuple[int, int]:
        """One run: points ``xy`` (steps + 1, 2), ``loss`` (steps + 1,), ``lrs`` (steps,).

        Returns (n, status): rows 0..n are valid. ``noise`` (steps, 2) holds the
        gradient noise draws ``noise.gaussian(seed, t, k)`` (read only when
        noise_std > 0: drawn outside, so the kernels don't compile the generator).
        ``bias`` (2, steps) is read by the Adam family only (see the module
        docstring). ``avg_xy`` (steps + 1, 2) and ``avg_loss`` (steps + 1,), unless
        empty: the Polyak average abar_k = (p_0 + ... + p_k) / (k + 1), summed in
        order as ``np.cumsum`` sums, and the loss there. ``end`` (3,) = (f, df/dx,
        df/dy) at row n (for n = 0 after an undefined start: the start's values);
        given (7,), also the Hessian there,
        (h_xx, h_xy, h_yx, h_yy) as ``kernels.hessian_at``. Separate arrays, not one
        (steps + 1, 3) table, so the caller's results need no copies.
        """
        # The schedule once per run, not inside the step loop. The constant schedule (the
        # page's and the API's default) is a fill: ``schedule_lr`` is not inlined, and a
        # call per step just to return lr0 cost ~2.3 us of a 1000-step Adam run (~5 us on
        # a busy machine; medians side by side, same process).
        if kid == CONSTANT_SCHEDULE:
            for t in range(steps):
                lrs[t] = lr0
        else:
            for t in range(steps):
                lrs[t] = schedule_lr(kid, t, lr0, schp, steps)
        converged_below = norm_threshold(tol)  # |g|^2 below it: |g| < tol
        # Hyperparameters, read once; unused ones are pruned with their family.
        h0 = hp[0] if hp.shape[0] > 0 else 0.0
        h1 = hp[1] if hp.shape[0] > 1 else 0.0
        h2 = hp[2] if hp.shape[0] > 2 else 0.0
        h3 = hp[3] if hp.shape[0] > 3 else 0.0
        # SGD: plain gradient descent (oid 0) is SGD without momentum, hp = (weight_decay,).
        mom = 0.0 if oid == 0 else h0
        damp = 0.0 if oid == 0 else h1
        wd = h0 if oid == 0 else h2
        nesterov = False if oid == 0 else h3 != 0.0
        amsgrad = flag
        centered = flag
        decoupled = oid == 9  # AdamW
        hess = np.empty((2, 2))  # Newton's (and the end's) Hessian and the gradients it differences
        fdg = np.empty((4, 2))
        # State: slot k of x and of y (optimizers.optimizer_init: zeros, Adagrad's sum at h2).
        s0x = h2 if family == FAMILY_ADAGRAD else 0.0
        s0y = s0x
        s1x = 0.0
        s1y = 0.0
        s2x = 0.0
        s2y = 0.0
        f, gx, gy = catalogue_eval(sid, x0, y0, sp)
        xy[0, 0] = x0
        xy[0, 1] = y0
        loss[0] = f
        n = steps
        status = STATUS_DONE
        cx = x0
        cy = y0
        # The Polyak average's running sums (not 0.0 + x0: a start at -0.0 stays -0.0, as
        # in np.cumsum), divided and evaluated in the loop (see there).
        averaging = avg_xy.shape[0] > 0
        sx = x0
        sy = y0
        if averaging:
            avg_xy[0, 0] = sx
            avg_xy[0, 1] = sy
        if (
            not (math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy))
            or abs(f) > LOSS_BOUND
        ):
            n = 0
            status = STATUS_DIVERGED
            steps = 0  # no loop, no average
        for t in range(steps):
            if gx * gx + gy * gy < converged_below:  # math.sqrt(gx^2 + gy^2) < tol
                n = t
                status = STATUS_CONVERGED
                break
            lr = lrs[t]
            ngx = gx
            ngy = gy
            if noise_std > 0.0:
                ngx += noise_std * noise[t, 0]
                ngy += noise_std * noise[t, 1]
            x = cx
            y = cy
            if family == FAMILY_SGD:
                x, s0x = sgd_coord(x, ngx, s0x, t + 1, lr, mom, damp, wd, nesterov)
                y, s0y = sgd_coord(y, ngy, s0y, t + 1, lr, mom, damp, wd, nesterov)
            elif family == FAMILY_HEAVY_BALL:
                x, s0x = heavy_ball_coord(x, ngx, s0x, lr, h0)
                y, s0y = heavy_ball_coord(y, ngy, s0y, lr, h0)
            elif family == FAMILY_ADAGRAD:
                clr = adagrad_lr(lr, t + 1, h0)
                x, s0x = adagrad_coord(x, ngx, s0x, clr, h1, h3)
                y, s0y = adagrad_coord(y, ngy, s0y, clr, h1, h3)
            elif family == FAMILY_RMSPROP:
                x, s0x, s1x, s2x = rmsprop_coord(
                    x, ngx, s0x, s1x, s2x, lr, h0, h1, h2, h3, centered
                )
                y, s0y, s1y, s2y = rmsprop_coord(
                    y, ngy, s0y, s1y, s2y, lr, h0, h1, h2, h3, centered
                )
            elif family == FAMILY_RMSPROP_LECTURE:
                x, s0x = rmsprop_lecture_coord(x, ngx, s0x, lr, h0, h1)
                y, s0y = rmsprop_lecture_coord(y, ngy, s0y, lr, h0, h1)
            elif family == FAMILY_ADAM:
                # Adam's step size lr_t / (1 - beta1^t), torch's division: in the loop, where
                # nothing waits for it (it depends on no state), as the floor divides; a
                # table made before the loop was an 8 KB allocation and a pass per run
                # (Adam on Rosenbrock, 1000 steps: ~0.7 us more, medians side by side).
                step_size = lr / bias[0, t]
                bc2_sqrt = bias[1, t]
                x, s0x, s1x, s2x = adam_coord(
                    x, ngx, s0x, s1x, s2x, lr, step_size, bc2_sqrt, h0, h1, h2, h3, amsgrad,
                    decoupled,
                )  # fmt: skip
                y, s0y, s1y, s2y = adam_coord(
                    y, ngy, s0y, s1y, s2y, lr, step_size, bc2_sqrt, h0, h1, h2, h3, amsgrad,
                    decoupled,
                )  # fmt: skip
            else:  # FAMILY_NEWTON
                hx, hy = fd_steps(cx, cy)  # run.hessian_fd, with this kernel's evaluator
                for k in range(4):
                    px, py = fd_point(k, cx, cy, hx, hy)
                    _, fdg[k, 0], fdg[k, 1] = catalogue_eval(sid, px, py, sp)
                hessian_from_gradients(fdg, hx, hy, hess)
                x, y = newton_move(
                    x, y, ngx, ngy, hess[0, 0], hess[0, 1], hess[1, 0], hess[1, 1], lr, h0
                )
            fn, gxn, gyn = step_eval(sid, x, y, sp)
            finite = (
                math.isfinite(x)
                and math.isfinite(y)
                and math.isfinite(fn)
                and math.isfinite(gxn)
                and math.isfinite(gyn)
                and abs(fn) <= LOSS_BOUND
            )
            outside = x < box[0] or x > box[1] or y < box[2] or y > box[3]
            if not finite or (outside and box_status == STATUS_DIVERGED):
                # The step at t + 1 blew up: report the last finite point.
                n = t
                status = STATUS_DIVERGED
                break
            cx = x
            cy = y
            f = fn
            gx = gxn
            gy = gyn
            xy[t + 1, 0] = x
            xy[t + 1, 1] = y
            loss[t + 1] = f
            if averaging:
                sx += x
                sy += y
                # Row t + 1 of np.cumsum(xy, axis=0) / np.arange(1, n + 2)[:, None] and the
                # loss there, here rather than in passes after the loop: nothing on the
                # step's latency chain waits for them, so the out-of-order core overlaps
                # them with it (Adam on Rosenbrock, 1000 steps: ~1.7 us less than a
                # vectorised division pass and an evaluation loop after it).
                k1 = float(t + 2)
                ax = sx / k1
                ay = sy / k1
                avg_xy[t + 1, 0] = ax
                avg_xy[t + 1, 1] = ay
                avg_loss[t + 1] = step_eval(sid, ax, ay, sp)[0]
            if outside:
                n = t + 1
                status = box_status
                break
        end[0] = f
        end[1] = gx
        end[2] = gy
        if end.shape[0] >= 7:
            # The Hessian at row n for the saddle check (``saddles.is_stuck``), computed as
            # ``kernels.catalogue_hessian`` computes it: no second kernel call to make.
            hx, hy = fd_steps(cx, cy)
            for k in range(4):
                px, py = fd_point(k, cx, cy, hx, hy)
                _, fdg[k, 0], fdg[k, 1] = catalogue_eval(sid, px, py, sp)
            hessian_from_gradients(fdg, hx, hy, hess)
            end[3] = hess[0, 0]
            end[4] = hess[0, 1]
            end[5] = hess[1, 0]
            end[6] = hess[1, 1]
        if averaging:  # row 0, the start (also for n = 0 after an undefined start)
            avg_loss[0] = step_eval(sid, avg_xy[0, 0], avg_xy[0, 1], sp)[0]
        return n, status

    return kernel


# family -> kernel; each compiles on its first call only.
_KERNELS = {family: _make_kernel(family) for family in sorted(set(FAMILY_OF_OPTIMIZER.values()))}
# Families whose hyperparameter 4 is a switch (Adam's amsgrad, RMSprop's centered), and
# their kernels with it on; run_catalogue picks them when hp[4] != 0.
FLAGGED_FAMILIES = (FAMILY_ADAM, FAMILY_RMSPROP)
_FLAGGED_KERNELS = {family: _make_kernel(family, True) for family in FLAGGED_FAMILIES}
_NO_BIAS = np.ones((2, 0))
_NO_NOISE = np.zeros((0, 2))
_BIAS_TABLES: dict[tuple[float, float], np.ndarray] = {}
_MAX_BIAS_TABLES = 8  # distinct (beta1, beta2) pairs kept; each at most 2 x MAX_STEPS floats


def family_kernel(oid: int, hp: np.ndarray | None = None):
    """The catalogue trajectory kernel of optimizer ``oid``'s family: for Adam and RMSprop,
    the one with amsgrad / centered on when ``hp`` (the run's hyperparameters) sets it."""
    family = FAMILY_OF_OPTIMIZER[oid]
    if family in _FLAGGED_KERNELS and hp is not None and hp.shape[0] > 4 and hp[4] != 0.0:
        return _FLAGGED_KERNELS[family]
    return _KERNELS[family]


def adam_bias(beta1: float, beta2: float, steps: int) -> np.ndarray:
    """(2, >= steps): rows 1 - beta1^t and sqrt(1 - beta2^t) for t = 1, 2, ...

    Kept per (beta1, beta2) across runs: the pows are the costliest part of an
    Adam step, and the page asks for the same betas run after run. A table only
    grows (a longer one serves shorter runs); the oldest pair is dropped first.
    """
    key = (beta1, beta2)
    table = _BIAS_TABLES.get(key)
    if table is None or table.shape[1] < steps:
        table = np.empty((2, max(steps, 1000)))
        bias_tables(beta1, beta2, table)
        if key not in _BIAS_TABLES and len(_BIAS_TABLES) >= _MAX_BIAS_TABLES:
            _BIAS_TABLES.pop(next(iter(_BIAS_TABLES)), None)
        _BIAS_TABLES[key] = table  # one assignment: threads see the old or the new table
    return table


@njit(cache=True, nogil=True, error_model="numpy")
def noise_table(seed: int, out: np.ndarray) -> None:
    """out[t, k] = noise.gaussian(seed, t, k): the draws a noisy run adds (scaled) to g."""
    for t in range(out.shape[0]):
        out[t, 0] = gaussian(seed, t, 0)
        out[t, 1] = gaussian(seed, t, 1)


def run_catalogue(
    sid: int, sp: np.ndarray, oid: int, hp: np.ndarray, kid: int, schp: np.ndarray,
    lr0: float, x0: float, y0: float, steps: int, noise_std: float, seed: int, tol: float,
    box: np.ndarray, box_status: int, xy: np.ndarray, loss: np.ndarray, lrs: np.ndarray,
    avg_xy: np.ndarray, avg_loss: np.ndarray, end: np.ndarray,
) -> tuple[int, int]:  # fmt: skip
    """One run of optimizer ``oid`` on catalogue surface ``sid`` through its family's kernel.

    Arrays as the kernel's (see ``_make_kernel``); returns
    (n, status) as ``run.run_single`` does. The Adam family's bias corrections
    come from ``adam_bias``, a noisy run's draws from ``noise_table``.
    """
    family = FAMILY_OF_OPTIMIZER[oid]
    kernel = _KERNELS[family]
    bias = _NO_BIAS
    if family in _FLAGGED_KERNELS:  # Adam's and RMSprop's: ``family_kernel``'s choice
        # Python floats, one conversion: a numpy scalar per entry read (hp[4], and Adam's
        # hp[0] and hp[1] hashed as the table's key) and a second call were ~1 us a run.
        h = hp.tolist()
        if len(h) > 4 and h[4] != 0.0:
            kernel = _FLAGGED_KERNELS[family]
        if family == FAMILY_ADAM:
            bias = adam_bias(h[0], h[1], steps)
    noise = _NO_NOISE
    if noise_std > 0.0:
        noise = np.empty((steps, 2))
        noise_table(seed, noise)
    n, status = kernel(
        sid, sp, oid, hp, kid, schp, lr0, x0, y0, steps, noise_std, noise, tol, box,
        box_status, bias, xy, loss, lrs, avg_xy, avg_loss, end,
    )  # fmt: skip
    return n, status
