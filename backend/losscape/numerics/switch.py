"""Dispatch on an integer id, built from a registry's rows: one LLVM ``switch`` per call site.

numba's house rule is to dispatch by integer id inside ``@njit`` code. Written
by hand that is an ``if sid == 0: return f0(...)`` chain naming every function
once per dispatcher, so each new row needed edits there too. Here the chain
comes from a table ``((id, fn), ...)`` of ``@njit`` functions instead: each
factory returns a numba ``intrinsic`` whose code generator emits

    switch (sid) { case id_k: <fn_k's work> ... default: <NaN> }

calling each ``fn_k`` as numba lowers any call of one jitted function from
another (the callee's compiled code is linked in, LLVM inlines it), so the
machine code is what the hand-written chain compiled to.

Why not the alternatives (numba 0.68, measured on the 18 catalogue surfaces):

- nested ``@njit`` closures ``if sid == k: f(...) else: rest(...)``: each link
  is a dispatcher of its own, compiled to machine code on its own: 20 s of
  compiling for one grid-row dispatcher, against 1.8 s for the hand-written one;
  with ``inline="always"`` numba deep-copies the growing IR at every level
  (30 s). Closing over a dispatcher also puts a random per-process uuid into
  numba's cache key, so a cached closure is never found again.
- ``literal_unroll`` over the table: compiles (``return`` inside the unrolled
  loop does not type), but the unrolled loop stays a runtime loop over the
  table with a switch inside: the Adam trajectory took 95 us against 39 us
  for its floor, the 400 x 400 grid 2x its time, and first compiles grew.
- generated source with ``exec``: not allowed here.

No function is passed to a cached kernel as an argument: the table is frozen
into the intrinsic when the module is imported, and a cached caller stores the
generated code; its cache key is its own (fixed) bytecode, and
``losscape._numba_cache`` starts a fresh cache when any numerics source (a
table's row or function) changes. The functions are compiled for the argument
types of the call site when the caller is typed, as a direct call would be.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import FunctionType
from typing import Any

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.core.caching import FunctionCache
from numba.core.errors import TypingError
from numba.core.registry import CPUDispatcher
from numba.extending import intrinsic
from numba.np.arrayobj import load_item, store_item

Table = Sequence[tuple[int, Any]]  # ((id, @njit function), ...)

_TRIPLE = types.UniTuple(types.float64, 3)


# fn -> its twin compiled without Python entry points (``_jitted_only``), one per process.
_TWINS: dict[Any, Any] = {}
_TWIN_SUFFIX = "__from_jit"


def _jitted_only(fn: Any) -> Any:
    """``fn`` as a second ``@njit`` dispatcher of the same source and options, compiled without
    the CPython and C wrappers numba adds to every compile by default.

    A switch's rows are only ever called from jitted code (the case's call,
    inlined by LLVM), yet compiling them through their own dispatcher built two
    wrappers per row and per signature, each optimised and turned into machine
    code: the 18 surfaces compiled in 1.9 CPU-s with them, 1.1 without (numba
    0.68, medians of 5 alternating runs), most of a first run's surface work.
    ``fn`` itself stays callable from Python (the tests and
    ``surfaces.<name>`` call it). The twin's function is a copy under another
    ``__qualname__`` so a cached twin has its own index file: numba's cache key
    does not include the wrapper flags, and one index shared by both would hand
    the Python dispatcher an entry without its entry point. The generated code
    of the row is the same (same bytecode, same options), so results are too.
    """
    twin = _TWINS.get(fn)
    if twin is None:
        py = fn.py_func
        code, glob, closure = py.__code__, py.__globals__, py.__closure__
        copy = FunctionType(code, glob, py.__name__, py.__defaults__, closure)
        copy.__qualname__ = py.__qualname__ + _TWIN_SUFFIX
        copy.__module__ = py.__module__
        copy.__doc__ = py.__doc__
        copy.__kwdefaults__ = py.__kwdefaults__
        options = {k: v for k, v in fn.targetoptions.items() if k != "nopython"}
        cached = isinstance(fn._cache, FunctionCache)
        twin = njit(
            cache=cached, locals=dict(fn.locals), no_cpython_wrapper=True, no_cfunc_wrapper=True,
            **options,
        )(copy)  # fmt: skip
        _TWINS[fn] = twin
    return twin


def _resolve(typingctx: Any, fn: Any, args: tuple) -> Any:
    """The signature ``fn`` compiles to for ``args`` (compiling its jitted-only twin, as typing
    a call does)."""
    sig = types.Dispatcher(_jitted_only(fn)).get_call_type(typingctx, args, {})
    if sig is None:
        raise TypingError(f"{fn} cannot be called with {args}")
    return sig


def _call(context: Any, builder: Any, fn: Any, sig: Any, args: list) -> Any:
    """Lower a call of ``fn`` (its twin) compiled for ``sig``, as numba lowers a call in a
    jitted body."""
    return context.get_function(types.Dispatcher(_jitted_only(fn)), sig)(builder, args)


def _call_inlined(context: Any, builder: Any, fn: Any, sig: Any, args: list) -> Any:
    """``_call``, with the call marked ``alwaysinline``: LLVM's inliner then inlines the
    callee however large its body (its cost threshold left a lane's Adam step a call per
    lane, which keeps the loop scalar: 4.3 -> 26 ms for an lr sweep)."""
    block = builder.block
    first = len(block.instructions)
    res = _call(context, builder, fn, sig, args)
    for instr in block.instructions[first:]:
        if isinstance(instr, ir.CallInstr) and not instr.callee.name.startswith("llvm."):
            instr.attributes.add("alwaysinline")
    return res


def _switch(
    builder: Any,
    sid: Any,
    table: Table,
    case: Callable[[int, Any], None],
    default: Callable[[], None],
) -> None:
    """Emit ``switch (sid) { case id: case(id, fn) ... default: default() }``; continue after it.

    ``case`` and ``default`` emit their code at the builder's position (they may
    add blocks, e.g. a loop); each then branches to the common end.
    """
    end = builder.append_basic_block("switch.end")
    other = builder.append_basic_block("switch.default")
    sw = builder.switch(sid, other)
    for sid_k, fn in table:
        block = builder.append_basic_block(f"switch.case{sid_k}")
        sw.add_case(ir.Constant(sid.type, sid_k), block)
        builder.position_at_end(block)
        case(sid_k, fn)
        builder.branch(end)
    builder.position_at_end(other)
    default()
    builder.branch(end)
    builder.position_at_end(end)


def _as_int64(context: Any, builder: Any, value: Any, ty: Any) -> Any:
    return context.cast(builder, value, ty, types.int64)


def make_eval(table: Table) -> Any:
    """``eval(sid, x, y, p) -> (f, gx, gy)``: fn(x, y, p) of the row with id ``sid``; NaNs else."""

    @intrinsic
    def eval_switch(typingctx: Any, sid: Any, x: Any, y: Any, p: Any) -> Any:
        if not isinstance(sid, types.Integer):
            return None
        sigs = {k: _resolve(typingctx, fn, (x, y, p)) for k, fn in table}

        def codegen(context: Any, builder: Any, sig: Any, args: list) -> Any:
            out = cgutils.alloca_once(builder, context.get_value_type(_TRIPLE))

            def case(k: int, fn: Any) -> None:
                res = _call(context, builder, fn, sigs[k], list(args[1:]))
                builder.store(context.cast(builder, res, sigs[k].return_type, _TRIPLE), out)

            def default() -> None:
                nan = context.get_constant(types.float64, math.nan)
                builder.store(context.make_tuple(builder, _TRIPLE, [nan, nan, nan]), out)

            _switch(
                builder, _as_int64(context, builder, args[0], sig.args[0]), table, case, default
            )
            return builder.load(out)

        return _TRIPLE(sid, x, y, p), codegen

    return eval_switch


def make_eval_block(table: Table) -> Any:
    """``block(sid, theta, n, p, values, grad)``: for r < n,
    ``values[r], grad[r], grad[n + r] = fn(theta[r], theta[n + r], p)`` (NaNs for an unknown id).

    One loop per row's function inside its case, so LLVM can vectorise each
    (a switch inside one loop would stop it).
    """

    @intrinsic
    def block_switch(
        typingctx: Any, sid: Any, theta: Any, n: Any, p: Any, values: Any, grad: Any
    ) -> Any:
        if not isinstance(sid, types.Integer) or not isinstance(n, types.Integer):
            return None
        dtype = theta.dtype
        sigs = {k: _resolve(typingctx, fn, (dtype, dtype, p)) for k, fn in table}

        def codegen(context: Any, builder: Any, sig: Any, args: list) -> Any:
            sid_v, theta_v, n_v, p_v, values_v, grad_v = args
            th_t, v_t, g_t = sig.args[1], sig.args[4], sig.args[5]
            th = context.make_array(th_t)(context, builder, theta_v)
            va = context.make_array(v_t)(context, builder, values_v)
            gr = context.make_array(g_t)(context, builder, grad_v)
            count = _as_int64(context, builder, n_v, sig.args[2])

            def loop(body: Callable[[Any, Any], list]) -> None:
                with cgutils.for_range(builder, count) as rng:
                    r = rng.index
                    nr = builder.add(count, r)
                    f, gx, gy = body(r, nr)
                    for arr, ty, i, v in ((va, v_t, r, f), (gr, g_t, r, gx), (gr, g_t, nr, gy)):
                        ptr = cgutils.get_item_pointer(context, builder, ty, arr, [i])
                        store_item(context, builder, ty, v, ptr)

            def case(k: int, fn: Any) -> None:
                def body(r: Any, nr: Any) -> list:
                    xs = [
                        load_item(
                            context,
                            builder,
                            th_t,
                            cgutils.get_item_pointer(context, builder, th_t, th, [i]),
                        )
                        for i in (r, nr)
                    ]
                    res = _call(context, builder, fn, sigs[k], [xs[0], xs[1], p_v])
                    res = context.cast(builder, res, sigs[k].return_type, _TRIPLE)
                    return [builder.extract_value(res, j) for j in range(3)]

                loop(body)

            def default() -> None:
                nan = context.get_constant(types.float64, math.nan)
                loop(lambda r, nr: [nan, nan, nan])

            _switch(builder, _as_int64(context, builder, sid_v, sig.args[0]), table, case, default)
            return context.get_dummy_value()

        return types.none(sid, theta, n, p, values, grad), codegen

    return block_switch


def make_values_row(table: Table, value_or_gap: Any) -> Any:
    """``row(sid, xs, y, p, flag, out)``: out[i] = value_or_gap(fn(xs[i], y, p)[0], flag) for
    i < len(xs) (NaN for an unknown id): one row of a grid, values only.

    One loop per row's function inside its case: LLVM inlines the function,
    drops the unused gradient and vectorises the loop.
    """

    @intrinsic
    def row_switch(typingctx: Any, sid: Any, xs: Any, y: Any, p: Any, flag: Any, out: Any) -> Any:
        if not isinstance(sid, types.Integer):
            return None
        sigs = {k: _resolve(typingctx, fn, (xs.dtype, y, p)) for k, fn in table}
        gap_sig = _resolve(typingctx, value_or_gap, (types.float64, flag))

        def codegen(context: Any, builder: Any, sig: Any, args: list) -> Any:
            sid_v, xs_v, y_v, p_v, flag_v, out_v = args
            xs_t, out_t = sig.args[1], sig.args[5]
            xa = context.make_array(xs_t)(context, builder, xs_v)
            oa = context.make_array(out_t)(context, builder, out_v)
            count = builder.extract_value(xa.shape, 0)

            def loop(value: Callable[[Any], Any]) -> None:
                with cgutils.for_range(builder, count) as rng:
                    i = rng.index
                    ptr = cgutils.get_item_pointer(context, builder, out_t, oa, [i])
                    store_item(context, builder, out_t, value(i), ptr)

            def case(k: int, fn: Any) -> None:
                def value(i: Any) -> Any:
                    ptr = cgutils.get_item_pointer(context, builder, xs_t, xa, [i])
                    x = load_item(context, builder, xs_t, ptr)
                    res = _call(context, builder, fn, sigs[k], [x, y_v, p_v])
                    res = context.cast(builder, res, sigs[k].return_type, _TRIPLE)
                    v = builder.extract_value(res, 0)
                    return _call(context, builder, value_or_gap, gap_sig, [v, flag_v])

                loop(value)

            def default() -> None:
                loop(lambda i: context.get_constant(types.float64, math.nan))

            _switch(builder, _as_int64(context, builder, sid_v, sig.args[0]), table, case, default)
            return context.get_dummy_value()

        return types.none(sid, xs, y, p, flag, out), codegen

    return row_switch


def _make_void(table: Table, arity: int) -> Any:
    """The switch ``call(sid, *args)``: fn(*args) of the row with id ``sid``; nothing else.

    For functions that work in place and return nothing (an optimizer's step or
    its state initialiser). ``arity`` is the number of ``args``; each arity is
    its own intrinsic (numba types an intrinsic by its Python signature).
    """

    def typer(typingctx: Any, sid: Any, args: tuple) -> Any:
        if not isinstance(sid, types.Integer):
            return None
        sigs = {k: _resolve(typingctx, fn, args) for k, fn in table}

        def codegen(context: Any, builder: Any, sig: Any, llargs: list) -> Any:
            def case(k: int, fn: Any) -> None:
                _call(context, builder, fn, sigs[k], list(llargs[1:]))

            sid_v = _as_int64(context, builder, llargs[0], sig.args[0])
            _switch(builder, sid_v, table, case, lambda: None)
            return context.get_dummy_value()

        return types.none(sid, *args), codegen

    if arity == 2:

        @intrinsic
        def call2(typingctx: Any, sid: Any, a: Any, b: Any) -> Any:
            return typer(typingctx, sid, (a, b))

        return call2
    if arity == 6:

        @intrinsic
        def call6(typingctx: Any, sid: Any, a: Any, b: Any, c: Any, d: Any, e: Any, f: Any) -> Any:
            return typer(typingctx, sid, (a, b, c, d, e, f))

        return call6
    raise ValueError(f"no void switch of arity {arity}")


def named_table(rows: Sequence[Any], attr: str, namespace: dict[str, Any], where: str) -> Table:
    """((row.id, fn), ...) for the rows whose ``attr`` names a function (None: skipped),
    each ``fn`` looked up by that name in ``namespace`` (a module's globals: a name
    lookup, no source is compiled); RuntimeError if it is not an ``@njit`` function."""
    table = []
    for row in rows:
        name = getattr(row, attr)
        if name is None:
            continue
        fn = namespace.get(name)
        if not isinstance(fn, CPUDispatcher):
            raise RuntimeError(f"row {row.name!r}: {attr}={name!r} is no @njit function in {where}")
        table.append((row.id, fn))
    return tuple(table)


def make_step(table: Table) -> Any:
    """``step(oid, theta, grad, state, t, lr, hp)``: the row's ``step(theta, grad, state, t,
    lr, hp)`` for id ``oid`` (in place); an unknown id does nothing."""
    return _make_void(table, 6)


def make_init(table: Table) -> Any:
    """``init(oid, state, hp)``: the row's ``init(state, hp)`` for id ``oid`` (in place);
    ids without an initialiser (absent from ``table``) do nothing."""
    return _make_void(table, 2)


def make_lane_loop(table: Table, lane: Any) -> Any:
    """``loop(sid, theta, n, p, extra) -> int``: for r < n, with (x, y) = (theta[r],
    theta[n + r]) and (f, gx, gy) = fn(x, y, p) of the row with id ``sid``, the sum of
    ``lane(r, x, y, f, gx, gy, extra)`` (an integer: how many lanes an event hit); an
    unknown id evaluates nothing and returns -1.

    One loop per row inside its case, the surface and ``lane`` (an ``@njit`` function,
    the per-lane work that consumes the value and gradient: a sweep's stop rules and
    optimizer step) called in its body, where LLVM inlines both: one pass per step over
    the lanes instead of one that writes the gradients and one that reads them back.
    ``extra`` is a tuple (arrays, scalars) passed through to ``lane`` unchanged.
    """

    @intrinsic
    def lane_switch(typingctx: Any, sid: Any, theta: Any, n: Any, p: Any, extra: Any) -> Any:
        if not isinstance(sid, types.Integer) or not isinstance(n, types.Integer):
            return None
        dtype = theta.dtype
        sigs = {k: _resolve(typingctx, fn, (dtype, dtype, p)) for k, fn in table}
        f64 = types.float64
        lane_sig = _resolve(typingctx, lane, (types.intp, f64, f64, f64, f64, f64, extra))
        ret = lane_sig.return_type
        if not isinstance(ret, types.Integer):
            raise TypingError(f"{lane} must return an integer, not {ret}")

        def codegen(context: Any, builder: Any, sig: Any, args: list) -> Any:
            sid_v, theta_v, n_v, p_v, extra_v = args
            th_t = sig.args[1]
            th = context.make_array(th_t)(context, builder, theta_v)
            count = context.cast(builder, n_v, sig.args[2], types.intp)
            total = cgutils.alloca_once_value(builder, context.get_constant(ret, 0))

            def load(i: Any) -> Any:
                ptr = cgutils.get_item_pointer(context, builder, th_t, th, [i])
                return context.cast(builder, load_item(context, builder, th_t, ptr), dtype, f64)

            def case(k: int, fn: Any) -> None:
                with cgutils.for_range(builder, count) as rng:
                    r = rng.index
                    x, y = load(r), load(builder.add(count, r))
                    res = _call_inlined(context, builder, fn, sigs[k], [x, y, p_v])
                    res = context.cast(builder, res, sigs[k].return_type, _TRIPLE)
                    f, gx, gy = (builder.extract_value(res, j) for j in range(3))
                    lane_args = [r, x, y, f, gx, gy, extra_v]
                    hit = _call_inlined(context, builder, lane, lane_sig, lane_args)
                    builder.store(builder.add(builder.load(total), hit), total)

            def default() -> None:
                builder.store(context.get_constant(ret, -1), total)

            _switch(builder, _as_int64(context, builder, sid_v, sig.args[0]), table, case, default)
            return builder.load(total)

        return ret(sid, theta, n, p, extra), codegen

    return lane_switch
