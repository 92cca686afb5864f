"""A first ``losscape serve`` that answers in seconds: what is compiled when, and where.

On an empty numba cache every kernel compiles once (about a minute of CPU on
a 2-core machine, most of it LLVM optimising the same dispatch code again per
kernel). The page's first scene needs only two kernels for its paths and
contours, and they share little compile work, so ``losscape serve``:

1. compiles the first scene's groups (``warmup.first_groups``) side by side,
   one child process each (at most one per core), printing a line per group;
   groups already in the cache (their marker says so) are skipped;
2. starts one background process for the rest (``warmup.later_groups``),
   which holds an exclusive ``flock`` on a lock file for its whole life and
   names it in ``$LOSSCAPE_WARMING``, then serves;
3. in each worker, the app loads the first scene's kernels (from the cache:
   a fraction of a second) and calls ``hold_compiles_until_warm``: a thread
   takes numba's compiler lock until the background process has finished
   (the flock is free) and has loaded what it compiled, so a request for a
   kernel not compiled yet simply waits for it instead of compiling it a
   second time alongside (and, with ``--workers 2``, a third).

numba compiles every kernel under one process-wide lock
(``numba.core.compiler_lock.global_compiler_lock``) and a call to a kernel
already compiled never takes it, so holding it delays only the requests that
would have compiled. Without ``fcntl`` (not Unix) the workers do not wait:
a request compiles what it needs itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait as wait_for_sentinels
from typing import Any, TextIO

from . import warmup

try:
    import fcntl
except ImportError:  # not Unix: no waiting, requests compile on demand
    fcntl = None  # type: ignore[assignment]

WARMING_ENV = "LOSSCAPE_WARMING"  # the lock file of a background warm-up still running
LOCK_NAME = "losscape-warming.lock"


def _context() -> Any:
    """fork while this process has one thread (children start at once, nothing to import
    again), spawn otherwise (forking a threaded process can deadlock)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------- children


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>: the signal a process gets when its parent ends
ORPHAN_POLL_S = 0.5  # where prctl is missing: how often a child looks for its parent


def _end_with(parent: int) -> None:
    """In a child process: end it (SIGTERM) as soon as ``parent`` (the pid that started it,
    read before the start) ends, however that ends.

    multiprocessing stops daemonic children from its ``atexit`` hook, which a
    parent killed by a signal never runs: uvicorn answers SIGTERM by shutting
    down and raising SIGTERM again with the default action, so ``kill`` on the
    server (a teacher's, a benchmark's ``terminate()``) left the background
    compile running at nice 10 for up to a minute, a core busy and the numba
    cache being written. On Linux the kernel signals us when the parent dies
    (``prctl(PR_SET_PDEATHSIG)``); the parent may have died before that call,
    so its pid is compared with our parent's after that call. Elsewhere a thread
    polls ``os.getppid()`` (the child is re-parented when its parent ends).
    For the kernel the parent is the thread that started the child: start it
    from one that lives as long as the process (``losscape serve``'s main thread).
    """
    # A forked child inherits the parent's handlers: make SIGTERM end it whatever they were.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
    if os.getppid() != parent:  # already orphaned (before prctl took effect)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    if armed:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_POLL_S)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="losscape-orphan-watch", daemon=True).start()


def _by_key(key: str) -> warmup.Group:
    return next(g for g in warmup.groups() if g.marker == key)


def _compile_one(key: str, parent: int) -> None:
    """Child process: compile one group into the cache; exit 1 when it fails."""
    _end_with(parent)  # the server killed while it compiles: stop with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    done = warmup.warm([_by_key(key)], out=None)
    sys.exit(1 if done["failed"] else 0)


def compile_side_by_side(
    todo: Sequence[warmup.Group],
    *,
    out: TextIO | None = sys.stderr,
    cores: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[str]:
    """Compile ``todo``'s groups not yet warm, one child process each (at most ``cores``
    at once); a line per group as it finishes. Returns the labels of groups that failed.

    ``meanwhile`` runs here once the children are started (``losscape serve``
    imports the web app then: seconds it would otherwise add after them). With
    one core or one group to do, they compile here, one after another (a child
    would only add its start-up).
    """
    todo = [g for g in todo if not warmup.is_warm(g)]
    cores = cores or os.cpu_count() or 1
    if len(todo) <= 1 or cores <= 1:
        if meanwhile is not None:
            meanwhile()
        return warmup.warm(todo, out=out)["failed"]
    if out is not None:
        print(
            f"losscape: first start: compiling the first scene's kernels, {len(todo)} groups "
            "side by side (once: numba caches them) ...",
            file=out,
            flush=True,
        )
    ctx = _context()
    pending = list(todo)
    running: dict[Any, tuple[warmup.Group, Any, float]] = {}
    failed: list[str] = []
    while pending or running:
        while pending and len(running) < cores:
            g = pending.pop(0)
            proc = ctx.Process(target=_compile_one, args=(g.marker, os.getpid()), daemon=True)
            proc.start()
            running[proc.sentinel] = (g, proc, time.perf_counter())
        if meanwhile is not None:
            meanwhile()
            meanwhile = None
        for sentinel in wait_for_sentinels(list(running)):
            g, proc, t0 = running.pop(sentinel)
            proc.join()
            ok = proc.exitcode == 0
            if not ok:
                failed.append(g.label)
            if out is not None:
                how = f"{time.perf_counter() - t0:.1f} s" if ok else f"failed ({proc.exitcode})"
                print(f"losscape: compiled {g.label}: {how}", file=out, flush=True)
    return failed


# --------------------------------------------------------------------------- the rest, behind


def _compile_behind(lock_path: str, locked: Any, keys: list[str], parent: int) -> None:
    """Background process: hold the lock file, compile the groups, let go by exiting."""
    _end_with(parent)  # a server killed by a signal does not stop its daemonic children
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server; it stops us
    with contextlib.suppress(OSError):
        os.nice(10)  # the server's start and its first answers come first
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel when this process ends
    locked.set()
    t0 = time.perf_counter()
    for key in keys:  # a whole line per group: the server's own lines come in between
        group = _by_key(key)
        t = time.perf_counter()
        failed = warmup.warm([group], out=None)["failed"]
        how = "failed" if failed else f"{time.perf_counter() - t:.1f} s"
        print(
            f"losscape: compiled {group.label} in the background: {how}",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"losscape: every kernel compiled ({time.perf_counter() - t0:.1f} s in the background)",
        file=sys.stderr,
        flush=True,
    )


def start_behind(todo: Sequence[warmup.Group], *, out: TextIO | None = sys.stderr) -> Any:
    """Compile ``todo``'s groups not yet warm in a background process; returns it (or None
    when there is nothing to do or no ``fcntl``). Sets ``$LOSSCAPE_WARMING`` for the
    workers (they inherit it) while it is running."""
    os.environ.pop(WARMING_ENV, None)
    cache = os.environ.get("NUMBA_CACHE_DIR")
    todo = [g for g in todo if not warmup.is_warm(g)]
    if not todo or fcntl is None or not cache:
        return None
    lock_path = os.path.join(cache, LOCK_NAME)
    ctx = _context()
    locked = ctx.Event()
    keys = [g.marker for g in todo]
    proc = ctx.Process(
        target=_compile_behind, args=(lock_path, locked, keys, os.getpid()), daemon=True
    )
    proc.start()
    if not locked.wait(60):  # it could not start: the workers compile on demand
        return proc
    os.environ[WARMING_ENV] = lock_path
    if out is not None:
        labels = ", ".join(g.label.split(" (")[0] for g in todo)
        print(
            f"losscape: compiling the rest in the background ({labels}); "
            "a request that needs one of them waits for it",
            file=out,
            flush=True,
        )
    return proc


def prepare(
    *, out: TextIO | None = sys.stderr, meanwhile: Callable[[], object] | None = None
) -> Any:
    """``losscape serve``'s warm-up, in its own process before any worker: the first scene's
    groups side by side (``meanwhile`` run here as they compile), then the rest behind.
    Returns the background process (or None)."""
    compile_side_by_side(warmup.first_groups(), out=out, meanwhile=meanwhile)
    return start_behind(warmup.later_groups(), out=out)


# --------------------------------------------------------------------------- in each worker


def background_running() -> bool:
    """Whether ``losscape serve`` started a background warm-up (this process inherited it)."""
    return bool(os.environ.get(WARMING_ENV)) and fcntl is not None


def hold_compiles_until_warm() -> threading.Thread | None:
    """Keep numba's compiler lock until the background warm-up is done, then load its kernels.

    Returns once the lock is held (so a request arriving after this call waits
    for the warm-up rather than compiling alone); the thread holding it is returned.
    """
    path = os.environ.get(WARMING_ENV)
    if not path or fcntl is None:
        return None
    from numba.core.compiler_lock import global_compiler_lock

    held = threading.Event()

    def hold() -> None:
        global_compiler_lock.acquire()
        held.set()
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)  # blocks until the background process ends
            finally:
                os.close(fd)
            warmup.warm(warmup.later_groups(), out=None)  # from the cache now (the lock is ours)
        finally:
            global_compiler_lock.release()

    thread = threading.Thread(target=hold, name="losscape-warm-wait", daemon=True)
    thread.start()
    held.wait()
    return thread
