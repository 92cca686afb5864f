"""A ``losscape serve`` stopped by a signal takes its background compile with it.

The background process (``first_start.start_behind``) is a daemonic
multiprocessing child; multiprocessing stops those from the parent's
``atexit`` hook, which a parent ended by a signal never runs (uvicorn answers
SIGTERM by shutting down and then raising SIGTERM again with its default
action). Each test starts a real server on an empty numba cache (shared by the
module's tests: the first compiles the first scene there, the later ones skip
it, and every start still has the rest to compile behind), reads the server's
descendants from /proc once the background line is printed, stops the server
and checks that every one of them has ended.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from losscape import first_start

from .conftest import ROOT, SERVER_START_S, free_port

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or first_start.fcntl is None,
        reason="reads the process tree from /proc; the background compile needs flock",
    ),
]

BEHIND = "compiling the rest in the background"
READY = "losscape: ready"
GONE_S = 10.0  # how long the orphans may take to notice (the kernel signals them at once)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of process ``pid`` from /proc, or None when it no longer exists."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1])


def _descendants(root: int) -> set[int]:
    """Every live process below ``root`` in the process tree."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[0] != "Z":
                parents[int(entry)] = st[1]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] != "Z"  # a zombie has ended; only its parent's wait is due


class _Log:
    """The server's output, read line by line on a thread (a read never blocks the test)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self.reader.start()

    def _pump(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            self._queue.put(line)

    def wait_for(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.lines):
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no {text!r} from the server:\n{''.join(self.lines)[-4000:]}")
            with contextlib.suppress(queue.Empty):
                self.lines.append(self._queue.get(timeout=min(left, 1.0)))


@pytest.fixture(scope="module")
def cache_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty numba cache base for the module's servers."""
    return tmp_path_factory.mktemp("numba-base")


class _Server:
    """A running ``losscape serve``, its output, and every process seen below it."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.log = _Log(proc)
        self.seen: set[int] = set()

    def stop_and_check(self, sig: int) -> set[int]:
        """Send ``sig`` to the server once its background process runs; return the pids
        still alive GONE_S after the server ended (none expected)."""
        behind = _descendants(self.proc.pid)
        self.seen |= behind
        # The background process is still compiling (the rest takes tens of CPU-seconds).
        assert any(_alive(pid) for pid in behind), "the server has no background process"
        self.proc.send_signal(sig)
        self.proc.wait(timeout=120)  # a server still starting up finishes its start-up first
        deadline = time.monotonic() + GONE_S
        while any(_alive(pid) for pid in behind) and time.monotonic() < deadline:
            time.sleep(0.05)
        return {pid for pid in behind if _alive(pid)}


@pytest.fixture
def server(cache_base: Path) -> Iterator[_Server]:
    """``losscape serve`` on ``cache_base``; whatever is left of it is killed after the test."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.pop(first_start.WARMING_ENV, None)
    # The warm-up is what these tests stop: other tests' fixtures turn it off for the
    # whole session (the rooms' in-process app sets LOSSCAPE_WARMUP=0 until the end).
    env.pop("LOSSCAPE_WARMUP", None)
    env["LOSSCAPE_NUMBA_BASE"] = str(cache_base)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "backend"), env.get("PYTHONPATH")])
    )
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, "-m", "losscape", "serve", "--port", str(free_port())]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    running = _Server(proc)
    try:
        yield running
    finally:
        running.seen |= _descendants(proc.pid)
        proc.kill()
        proc.wait()
        for pid in running.seen:  # only this server's own children (none left when it passed)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        running.log.reader.join(10)  # the pipe's end: every process holding it has ended
        proc.stdout.close()  # type: ignore[union-attr]


def test_a_killed_server_takes_its_background_compile_with_it(server: _Server) -> None:
    server.log.wait_for(BEHIND, SERVER_START_S)
    assert server.stop_and_check(signal.SIGKILL) == set()
    assert server.proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_uvicorn_shuts_down_gracefully_and_the_background_compile_ends(
    sig: int, server: _Server
) -> None:
    """uvicorn's own path: it shuts the app down (its last log line), then raises the signal
    again with the default action (SIGTERM: no ``atexit``, the case that leaked)."""
    server.log.wait_for(BEHIND, SERVER_START_S)
    server.log.wait_for(READY, SERVER_START_S)
    assert server.stop_and_check(sig) == set()
    assert server.proc.returncode in (0, -sig)
    server.log.wait_for("Finished server process", 5)
