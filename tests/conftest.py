"""Shared test configuration: a private numba cache and data folder (tests never write to
$HOME); Redis and two servers sharing it for the rooms tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "losscape-test-numba"))
# Saved lectures (and every server a test starts) go to a throw-away folder.
os.environ.setdefault("LOSSCAPE_DATA_DIR", tempfile.mkdtemp(prefix="losscape-test-data-"))


ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- real processes
# Helpers for the tests that start real servers and browsers (imported as ``..conftest``).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVER_START_S = 600  # a cold numba cache compiles every kernel before /healthz answers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_until_healthy(
    base: str,
    proc: subprocess.Popen,
    log: Path | IO[str] | None = None,
    timeout_s: float = SERVER_START_S,
) -> None:
    """Poll ``{base}healthz`` (``base`` ends in a slash) until it answers 200; fail with the
    tail of the server's ``log`` (a file or an open text file) if the process exits or
    ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(base + "healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            text = ""
            if isinstance(log, Path):
                text = log.read_text()
            elif log is not None:
                log.seek(0)
                text = log.read()
            pytest.fail(f"the server at {base} did not come up:\n{text[-4000:]}")
        time.sleep(0.25)  # polling a process's start-up, not waiting on a page


BEHIND = "compiling the rest in the background"  # first_start.start_behind's line
COMPILED = "every kernel compiled"  # and its background process's last


def wait_until_compiled(proc: subprocess.Popen, log: IO[str], timeout_s: float) -> None:
    """If the server compiles kernels behind its first answers (an empty numba cache, the
    first server of a run after a kernel changed), wait until that is done.

    The tests using a served page test the page, not a cold start (the first start has
    tests of its own): a request needing a kernel still compiling waits for it, and on
    a slow machine that outlasted the pages' 30 s waits (a basin map's first rows never
    came in 120 s in one clean-clone run). The log is read with ``pread``: the server
    shares the file's offset, and a seek here would move where it writes.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        fd = log.fileno()
        text = os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")
        if BEHIND not in text or COMPILED in text:
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server's background compile did not finish:\n{text[-4000:]}")
        time.sleep(0.25)  # polling a process's start-up, not waiting on a page


@contextlib.contextmanager
def serving(
    *args: str, env: dict[str, str] | None = None, timeout_s: float = SERVER_START_S
) -> Iterator[str]:
    """``losscape serve --port P *args`` on a free port, this checkout's backend first on the
    path and ``env`` over the environment; yields its base URL (with a trailing slash) once
    /healthz answers, and stops it after (its output is shown if it never comes up)."""
    port = free_port()
    full = {**os.environ, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "backend"), full.get("PYTHONPATH")])
    )
    cmd = [sys.executable, "-m", "losscape", "serve", "--port", str(port), "--log-level", "warning"]
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            [*cmd, *args], cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}/"
        try:
            wait_until_healthy(base, proc, log, timeout_s)
            wait_until_compiled(proc, log, timeout_s)
            yield base
        finally:
            stop(proc)


# --------------------------------------------------------------------------- rooms over Redis
# A real Debian redis-server (no persistence) on a free loopback port, and two real
# `losscape serve` processes sharing it: the rooms tests (tests/rooms) and the class browser
# test spread students over both, as over two workers or two hosts behind a balancer.


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """redis://127.0.0.1:PORT/0 of a redis-server started for this session."""
    exe = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if exe is None:
        reason = "redis-server is not installed (Debian package 'redis-server')"
        if os.environ.get("LOSSCAPE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LOSSCAPE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    port = free_port()
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _redis_answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def redis_servers(redis_url: str, tmp_path_factory) -> Iterator[list[str]]:
    """Base URLs (with a trailing slash) of two `losscape serve --redis` processes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend"), "PYTHONUNBUFFERED": "1"}
    env.pop("LOSSCAPE_REDIS_URL", None)
    procs, bases, logs = [], [], []
    try:
        for _ in range(2):
            port = free_port()
            log = tmp_path_factory.mktemp("redis-server") / "serve.log"
            logs.append(log)
            with log.open("wb") as out:
                cmd = [sys.executable, "-m", "losscape", "serve", "--port", str(port)]
                cmd += ["--redis", redis_url, "--log-level", "warning"]
                procs.append(
                    subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
            bases.append(f"http://127.0.0.1:{port}/")
        for proc, base, log in zip(procs, bases, logs, strict=True):
            wait_until_healthy(base, proc, log)
        yield bases
    finally:
        for proc in procs:
            stop(proc)


# Saved lectures (and every server a test starts) go to a throw-away folder.
os.environ.setdefault("LOSSCAPE_DATA_DIR", tempfile.mkdtemp(prefix="losscape-test-data-"))
