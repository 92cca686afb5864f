"""A first serve: the first scene's groups side by side in child processes, the rest behind,
and the workers' compiles waiting for the background process instead of duplicating it."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from numba.core.compiler_lock import global_compiler_lock

from losscape import first_start, warmup

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or first_start.fcntl is None,
    reason="the fake groups reach the children by fork; the waiting needs flock",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty numba cache folder (markers land there) and fork for the children."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    # setenv first: monkeypatch then restores the variable's absence at teardown, which
    # also removes the value start_behind sets (it leaked into later tests: the app's
    # warm-up took a background warm-up to be running and warmed the first groups only).
    monkeypatch.setenv(first_start.WARMING_ENV, "")
    monkeypatch.delenv(first_start.WARMING_ENV)
    monkeypatch.setattr(first_start, "_context", lambda: multiprocessing.get_context("fork"))
    return tmp_path


def _pid_writer(folder: Path, name: str) -> warmup.Group:
    """A group that records which process ran it (a file named after the group)."""

    def run() -> int:
        (folder / f"{name}.pid").write_text(str(os.getpid()))
        return 0

    return warmup.Group(f"{name} group", run, name)


def _fails() -> int:
    raise RuntimeError("no compiler")


def test_first_groups_compile_in_their_own_processes_and_are_marked(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    todo = [_pid_writer(tmp_path, "a"), _pid_writer(tmp_path, "b"), warmup.Group("c", _fails)]
    monkeypatch.setattr(warmup, "groups", lambda: todo)
    out = io.StringIO()
    failed = first_start.compile_side_by_side(todo, out=out, cores=2)
    pids = {int((tmp_path / f"{n}.pid").read_text()) for n in "ab"}
    assert len(pids) == 2 and os.getpid() not in pids
    assert failed == ["c"]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("losscape: first start: compiling the first scene's kernels, 3")
    assert sorted(line.split(":")[1].strip() for line in lines[1:]) == [
        "compiled a group",
        "compiled b group",
        "compiled c",
    ]
    assert [warmup.is_warm(g) for g in todo] == [True, True, False]
    # Marked groups are not compiled again: only "c" is left, so it runs here, alone.
    (tmp_path / "a.pid").unlink()
    assert first_start.compile_side_by_side(todo, out=None, cores=2) == ["c"]
    assert not (tmp_path / "a.pid").exists()


def test_meanwhile_runs_here_once_while_the_children_compile(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    todo = [_pid_writer(tmp_path, "a"), _pid_writer(tmp_path, "b")]
    monkeypatch.setattr(warmup, "groups", lambda: todo)
    ran: list[int] = []
    assert (
        first_start.compile_side_by_side(
            todo, out=None, cores=2, meanwhile=lambda: ran.append(os.getpid())
        )
        == []
    )
    assert ran == [os.getpid()]
    assert all(warmup.is_warm(g) for g in todo)


def test_a_marker_from_another_cpu_does_not_count(cache: Path) -> None:
    group = warmup.Group("g", lambda: 0, "g")
    assert not warmup.is_warm(group)
    warmup.mark_warm(group)
    assert warmup.is_warm(group)
    (cache / warmup.MARKERS / "g").write_text("some-other-cpu")
    assert not warmup.is_warm(group)


def _held_elsewhere() -> bool:
    """Whether another thread holds numba's compiler lock (a compile here would wait)."""
    if global_compiler_lock._lock.acquire(blocking=False):
        global_compiler_lock._lock.release()
        return False
    return True


def test_workers_compiles_wait_for_the_background_process(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    release = tmp_path / "release"

    def slow() -> int:  # the background "compile": done once the test says so
        deadline = time.monotonic() + 60
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return 0

    later = [warmup.Group("later", slow, "later")]
    monkeypatch.setattr(warmup, "groups", lambda: later)
    monkeypatch.setattr(warmup, "later_groups", lambda: later)
    proc = first_start.start_behind(later, out=None)
    try:
        assert proc is not None and first_start.background_running()
        assert os.environ[first_start.WARMING_ENV] == str(cache / first_start.LOCK_NAME)
        holder = first_start.hold_compiles_until_warm()
        assert holder is not None and _held_elsewhere()
        release.touch()
        holder.join(60)
        assert not holder.is_alive() and not _held_elsewhere()
        proc.join(60)
        assert proc.exitcode == 0 and warmup.is_warm(later[0])
        err = capfd.readouterr().err.splitlines()
        assert err[0].startswith("losscape: compiled later in the background: ")
        assert err[1].startswith("losscape: every kernel compiled (")
    finally:
        release.touch()
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join()


def test_nothing_runs_behind_when_every_later_group_is_warm(cache: Path) -> None:
    group = warmup.Group("done", lambda: 0, "done")
    warmup.mark_warm(group)
    assert first_start.start_behind([group], out=None) is None
    assert not first_start.background_running()
    assert first_start.hold_compiles_until_warm() is None


def test_without_a_background_process_no_lock_is_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(first_start.WARMING_ENV, raising=False)
    assert first_start.hold_compiles_until_warm() is None
    assert not _held_elsewhere()


def test_serve_prepares_before_uvicorn_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first scene is compiled (and the rest started behind) before any worker exists."""
    import uvicorn

    from losscape import _numba_cache
    from losscape.api import server

    order: list[str] = []
    monkeypatch.setenv("LOSSCAPE_WARMUP", "1")
    monkeypatch.setattr(_numba_cache, "configure_numba_cache", lambda: "")  # keep the tests' own
    seen: dict[str, object] = {}

    def prepare(meanwhile: object = None) -> None:
        order.append("prepare")
        seen["meanwhile"] = meanwhile

    monkeypatch.setattr(first_start, "prepare", prepare)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: order.append("uvicorn"))
    for name in ("LOSSCAPE_HOST", "LOSSCAPE_WORKERS", warmup.URL_ENV):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    assert server.serve(port=8123) == 0
    assert order == ["prepare", "uvicorn"]
    # One worker runs in this process: the app is imported while the kernels compile.
    assert callable(seen["meanwhile"])


@pytest.mark.parametrize("behind", [True, False])
def test_the_app_loads_the_first_scene_only_while_the_rest_compiles_behind(
    behind: bool, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from losscape.api import app

    ran: list[str] = []
    first = [warmup.Group("first", lambda: ran.append("first") or 0, "first")]
    later = [warmup.Group("later", lambda: ran.append("later") or 0, "later")]
    monkeypatch.setattr(warmup, "first_groups", lambda: first)
    monkeypatch.setattr(warmup, "later_groups", lambda: later)
    monkeypatch.setattr(warmup, "groups", lambda: first + later)
    monkeypatch.setattr(first_start, "background_running", lambda: behind)
    monkeypatch.setattr(first_start, "hold_compiles_until_warm", lambda: ran.append("hold"))
    app.warm_up()
    assert ran == (["first", "hold"] if behind else ["first", "later"])


_ORPHAN = """
import multiprocessing, os, signal, sys, time
from losscape import first_start

def child(parent):
    first_start._end_with(parent)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # let go of the test's pipes: its read ends when the parent does
    os.dup2(null, 2)
    time.sleep(120)

if sys.argv[1] == "poll":  # as where prctl is missing: the watcher thread
    def no_libc(*args, **kwargs):
        raise OSError("no prctl here")
    first_start.ctypes.CDLL = no_libc
first_start.ORPHAN_POLL_S = 0.05
proc = multiprocessing.get_context("fork").Process(target=child, args=(os.getpid(),), daemon=True)
proc.start()
print(proc.pid, flush=True)
time.sleep(0.5)  # the child is past _end_with
os.kill(os.getpid(), signal.SIGKILL)  # no atexit: multiprocessing cannot stop the child
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the child's state from /proc")
@pytest.mark.parametrize("how", ["prctl", "poll"])
def test_a_child_ends_when_its_parent_is_killed(how: str) -> None:
    """``_end_with``: a parent killed by SIGKILL (its atexit never runs) still takes its
    daemonic child with it, by the kernel's death signal or by the polling thread."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", _ORPHAN, how], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _running(pid):  # the bug: clean up the child this test started, then fail
        os.kill(pid, signal.SIGKILL)
        pytest.fail(f"the child {pid} outlived its killed parent ({how})")


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (a zombie has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"
