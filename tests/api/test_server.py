"""The real server: ``python -m losscape serve`` as a subprocess on a free port, HTTP and WebSocket.

Checks what only a real socket shows: keep-alive HTTP, the live channel's
latest-wins drop, cancel, a client vanishing mid-sweep (the server stays
healthy and logs no error), and malformed frames; the hardened edge (foreign
Host, slow and oversized headers, a slow reader, invalid UTF-8, abandoned REST
work) and a classroom surviving a killed worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from signal import SIGKILL
from typing import Any

import httpx
import numpy as np
import pytest

import losscape

websockets_sync = pytest.importorskip("websockets.sync.client")
from websockets.exceptions import ConnectionClosed  # noqa: E402

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
QUICK = {"surface": {"name": "rosenbrock"}, "point": [0.5, 0.5]}
BIG_BASINS = {
    "surface": {"name": "rosenbrock"},
    "optimizer": "gd",
    "lr": 5e-4,
    "steps": 1000,
    "resolution": 100,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int, proc: subprocess.Popen, log: Path) -> None:
        self.port, self.proc, self.log = port, proc, log
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/api/live"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


# Short deadlines so the edge tests do not wait the production 10 s.
TEST_ENV = {"LOSSCAPE_HEADER_WAIT_S": "1.5", "LOSSCAPE_SEND_STALL_S": "2"}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    yield from _serve(tmp_path_factory, 1)


def _serve(tmp_path_factory, workers: int, port: int | None = None) -> Iterator[Server]:
    port = port or free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, **TEST_ENV, "PYTHONPATH": str(ROOT / "backend"), "PYTHONUNBUFFERED": "1"}
    env.pop("LOSSCAPE_ALLOWED_HOSTS", None)
    env.pop("LOSSCAPE_REDIS_URL", None)  # rooms in memory unless a test shares a Redis
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "losscape",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    srv = Server(port, proc, log)
    try:
        deadline = time.monotonic() + 300  # a cold numba cache compiles every kernel first
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{srv.output()}")
            try:
                if httpx.get(srv.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not become healthy:\n{srv.output()}")
            time.sleep(0.25)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def connect(server: Server):
    return websockets_sync.connect(server.ws_url, max_size=None, open_timeout=10)


def send(ws, tag: Any, type_: str, body: dict | None = None, **extra: Any) -> None:
    message = {"id": tag, "type": type_, **extra}
    if body is not None:
        message["body"] = body
    ws.send(json.dumps(message))


def recv(ws) -> dict:
    return json.loads(ws.recv(timeout=60))


def until_final(ws, tag: Any) -> list[dict]:
    frames = []
    while True:
        frames.append(recv(ws))
        f = frames[-1]
        if f["id"] == tag and f["type"] in ("result", "error", "dropped", "cancelled"):
            return frames


def test_startup_prints_the_url(server: Server) -> None:
    assert f"http://127.0.0.1:{server.port}/" in server.output()


def test_http_keep_alive_trajectories(server: Server) -> None:
    body = {
        "surface": {"name": "rosenbrock"},
        "steps": 300,
        "runs": [{"optimizer": "gd", "lr": 1e-3}],
    }
    ref = losscape.trajectory("rosenbrock", "gd", lr=1e-3, steps=300)
    with httpx.Client(base_url=server.url) as client:
        for _ in range(3):  # one connection, several requests
            r = client.post("/api/trajectories", json=body)
            assert r.status_code == 200
            run = r.json()["runs"][0]
            np.testing.assert_array_equal(
                np.array(run["x"], dtype=np.float32), ref.path[:, 0].astype(np.float32)
            )
        assert client.get("/api/catalog").json()["limits"]["max_basin_resolution"] == 256
        page = client.get("/")
        assert page.status_code == 200 and page.headers["x-content-type-options"] == "nosniff"
        assert "server" not in page.headers  # no server banner


def test_bad_http_bodies(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        r = client.post(
            "/api/grid", content=b'{"surface": NaN}', headers={"content-type": "application/json"}
        )
        assert r.status_code == 422
        r = client.post(
            "/api/grid", content=b"x" * (2 << 20), headers={"content-type": "application/json"}
        )
        assert r.status_code == 413


def test_latest_wins_drop(server: Server) -> None:
    with connect(server) as ws:
        send(ws, "a", "sweep_basins", BIG_BASINS)
        send(ws, "b", "sweep_basins", BIG_BASINS)
        send(ws, "c", "sweep_basins", {**BIG_BASINS, "resolution": 8, "steps": 50})
        frames = until_final(ws, "c")
    kinds = {tag: [f["type"] for f in frames if f["id"] == tag] for tag in "abc"}
    assert kinds["b"] == ["dropped"]
    assert kinds["a"][-1] == "dropped" and "result" not in kinds["a"]
    assert kinds["c"][-1] == "result"
    assert np.array(frames[-1]["body"]["label"]).shape == (8, 8)


def test_cancel(server: Server) -> None:
    with connect(server) as ws:
        send(ws, "big", "sweep_basins", BIG_BASINS)
        assert recv(ws)["type"] == "progress"
        send(ws, "stop", "cancel", {"id": "big"})
        frames = until_final(ws, "big")
        assert frames[-1] == {"id": "big", "type": "cancelled"}
        send(ws, "after", "hessian", QUICK)
        assert recv(ws)["type"] == "result"


def test_disconnect_mid_stream_keeps_the_server_healthy(server: Server) -> None:
    for abrupt in (False, True):
        with contextlib.suppress(ConnectionClosed, OSError), connect(server) as ws:
            send(ws, "big", "sweep_basins", BIG_BASINS)
            assert recv(ws)["type"] == "progress"
            if abrupt:  # the laptop lid closes: no close frame, the TCP connection just ends
                ws.socket.shutdown(socket.SHUT_RDWR)
                ws.socket.close()
    time.sleep(0.5)
    assert httpx.get(server.url + "/healthz").status_code == 200
    with connect(server) as ws:
        send(ws, "again", "hessian", QUICK)
        assert recv(ws)["type"] == "result"
    assert "Traceback" not in server.output()
    assert "ERROR" not in server.output()


def test_malformed_frames_keep_the_socket(server: Server) -> None:
    with connect(server) as ws:
        for raw in ("{not json", b"\x00\xff binary", "[]", '{"id": "x", "type": "nope"}'):
            ws.send(raw)
            frame = recv(ws)
            assert frame["type"] == "error" and frame["status"] in (400, 422)
        ws.send(json.dumps({"id": "big", "type": "grid", "body": {"pad": "x" * 1_500_000}}))
        frame = recv(ws)
        assert (frame["type"], frame["status"]) == ("error", 413)
        send(ws, "ok", "hessian", QUICK)
        frame = recv(ws)
        assert (frame["id"], frame["type"]) == ("ok", "result")


# --------------------------------------------------------------------------- issue 12: the edge


def raw_http(server: Server, data: bytes, timeout: float = 60) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_foreign_host_gets_400(server: Server) -> None:
    r = httpx.get(server.url + "/api/catalog", headers={"host": "evil.example"})
    assert r.status_code == 400
    assert "unknown Host 'evil.example'" in r.json()["detail"][0]["msg"]
    for host in ("localhost", f"localhost:{server.port}", "127.0.0.1", "[::1]:80"):
        assert httpx.get(server.url + "/healthz", headers={"host": host}).status_code == 200
    # DNS rebinding: a page of another site opening the live channel by its own name
    with pytest.raises(Exception) as refused:
        websockets_sync.connect(
            server.ws_url,
            additional_headers={"Host": "evil.example", "Origin": "http://evil.example"},
            open_timeout=10,
        )
    assert "400" in str(refused.value)


def test_slow_headers_are_cut_off(server: Server) -> None:
    """A connection that never finishes its headers is closed by the server."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert s.recv(65536) == b""  # closed without an answer (the recv would block)
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_header_size_and_count_are_bounded(server: Server) -> None:
    big = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    assert raw_http(server, big).startswith(b"HTTP/1.1 431 Request Header Fields Too Large")
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(150))
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + many + b"\r\n"
    reply = raw_http(server, request)
    assert reply.startswith(b"HTTP/1.1 431") and b"too many request headers" in reply


def test_frames_refuse_framing(server: Server) -> None:
    csp = httpx.get(server.url + "/").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "cdn" not in csp


def _ws_handshake(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(
        b"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101")
    return s


def _ws_frame(payload: bytes, opcode: int = 1) -> bytes:
    """A masked client frame (mask 0: the payload goes as is)."""
    n = len(payload)
    if n < 126:
        length = bytes([0x80 | n])
    elif n < 65536:
        length = bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        length = bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return bytes([0x80 | opcode]) + length + b"\0\0\0\0" + payload


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_slow_reader_is_dropped_with_memory_bounded(server: Server) -> None:
    """8 lanes of 16 x 20000-step runs, resent 6 times and never read: the server keeps at
    most one result per lane (latest wins) and a few other frames for the socket, then
    closes it once it has not drained for the stall time. Queued, the 48 answers' JSON
    frames would hold 48 times one answer's encoded size (~21 MB: 16 runs x 20001 points x
    7 arrays as JSON numbers), ~1 GB; the bound below is half of that, so it tells bounded
    (8 lanes' answers and the frame being written: 360 to 420 MB of RSS measured on an idle
    machine) from queued whatever the machine's load does to how many jobs overlap. (Half
    of the arrays' float64 bytes, 410 MB, was the bound before: bounded runs crossed it.)"""
    big = {
        "surface": {"name": "rosenbrock"},
        "steps": 20000,
        "tol": 0,
        "runs": [
            {"optimizer": "gd", "lr": 1e-4, "start": [-1.5, 2.0 + k / 100]} for k in range(16)
        ],
    }
    # One answer as the live channel's JSON frames carry it (the REST body: the same encoder).
    answer_mb = len(httpx.post(server.url + "/api/trajectories", json=big, timeout=120).content)
    answer_mb /= 2**20
    before = _rss_mb(server.proc.pid)
    s = _ws_handshake(server.port)
    with s:
        for rounds in range(6):
            for lane in range(8):
                message = {"id": f"{rounds}-{lane}", "type": "trajectories", "lane": f"l{lane}"}
                s.sendall(_ws_frame(json.dumps({**message, "body": big}).encode()))
        deadline = time.monotonic() + 180
        peak = before
        while "the client did not read" not in server.output():
            assert time.monotonic() < deadline, "a socket that did not read was kept"
            peak = max(peak, _rss_mb(server.proc.pid))
            time.sleep(0.2)
        # Now read: whatever was buffered, then the end (the server closed the socket).
        received, deadline = 0, time.monotonic() + 120
        s.settimeout(30)
        while time.monotonic() < deadline:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
        else:
            pytest.fail("the server kept a socket that did not read")
    one_answer = 16 * 7 * 20001 * 4  # bytes of one lane's binary-free JSON is larger still
    assert received < 12 * one_answer * 3  # far less than the 48 answers asked for
    queued_mb = 48 * answer_mb  # every answer's frame kept: ~1 GB
    assert answer_mb > 16 * 20001 * 7 * 8 / 2**20  # JSON numbers: more than the float64s
    assert peak - before < queued_mb / 2, (peak - before, queued_mb)  # bounded, not queued
    assert httpx.get(server.url + "/healthz").status_code == 200
    assert "Traceback" not in server.output()


def test_invalid_utf8_closes_without_a_traceback(server: Server) -> None:
    s = _ws_handshake(server.port)
    with s:
        s.sendall(_ws_frame(b'{"id": "\xff\xfe"}'))
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    assert reply[:1] == b"\x88"  # a close frame
    assert int.from_bytes(reply[2:4], "big") == 1007  # invalid frame payload data
    assert "Traceback" not in server.output()
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_abandoned_rest_work_stops(server: Server) -> None:
    """A client that hangs up on a long sweep: the server stops the work at its next chunk
    (and says so in its log) and the client's heavy slot is free again."""
    sweep = {**BIG_BASINS, "resolution": 256, "steps": 900}  # at the work limit
    payload = json.dumps(sweep).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as s:
        s.sendall(
            b"POST /api/sweeps/basins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
        )
        # hang up only once the sweep runs: then this client's second sweep is refused (429)
        probe = {**BIG_BASINS, "resolution": 4, "steps": 10}
        deadline = time.monotonic() + 120
        while httpx.post(server.url + "/api/sweeps/basins", json=probe).status_code != 429:
            assert time.monotonic() < deadline, server.output()[-2000:]
    deadline = time.monotonic() + 120
    while "stopped: its client left" not in server.output():
        assert time.monotonic() < deadline, server.output()[-2000:]
        time.sleep(0.1)
    small = {**BIG_BASINS, "resolution": 8, "steps": 50}
    r = httpx.post(server.url + "/api/sweeps/basins", json=small, timeout=60)
    assert r.status_code == 200
    assert np.array(r.json()["label"]).shape == (8, 8)


# --------------------------------------------------------------------------- issue 12: workers


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory) -> Iterator[Server]:
    yield from _serve(tmp_path_factory, 2)


def _workers(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmd:
            out.append(int(entry.name))
    return sorted(out)


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of this port's server-side IPv4 sockets in ``state`` (0A listen, 01 open)."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[3] == state and int(parts[1].split(":")[1], 16) == port:
            out.add(parts[9])
    return out


def _held_by(pid: int, inodes: set[str]) -> int:
    n = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd)[8:-1] in inodes:
                n += 1
    return n


def _answer(ws, tag: str, body: dict) -> dict:
    send(ws, tag, "trajectories", body)
    return until_final(ws, tag)[-1]


def test_two_workers_without_redis_refuse_rooms_saying_what_to_set(two_workers: Server) -> None:
    """Each worker would hold its own rooms: a class split in two. Refused, with the fix."""
    resp = httpx.post(two_workers.url + "/api/rooms", json={"page": "surfaces"})
    assert resp.status_code == 503
    msg = resp.json()["detail"][0]["msg"]
    assert "--redis" in msg and "LOSSCAPE_REDIS_URL" in msg
    assert "LOSSCAPE_REDIS_URL" in two_workers.output()  # serve warned at start, too


def test_a_killed_workers_students_get_answers_after_reconnecting(two_workers: Server) -> None:
    """Eight students on two workers; one worker is killed. Every student whose socket
    dropped reconnects (to the other worker or the restarted one) and resends its latest
    request, and gets its answer."""
    server = two_workers
    body = {"surface": {"name": "rosenbrock"}, "steps": 300, "runs": [{"optimizer": "adam"}]}
    deadline = time.monotonic() + 300
    while len(_sockets(server.port, "0A")) < 2:  # both workers warm and listening
        assert time.monotonic() < deadline
        time.sleep(0.5)
    with contextlib.ExitStack() as stack:
        students = [stack.enter_context(connect(server)) for _ in range(8)]
        for k, ws in enumerate(students):
            assert _answer(ws, f"{k}-a", body)["type"] == "result"
        workers = _workers(server.proc.pid)
        assert len(workers) == 2
        open_sockets = _sockets(server.port, "01")
        held = {pid: _held_by(pid, open_sockets) for pid in workers}
        assert sum(held.values()) == 8
        os.kill(max(held, key=held.get), SIGKILL)  # the worker with more of the class
        answered, dropped = 0, 0
        for k in range(len(students)):
            deadline = time.monotonic() + 120
            delay = 0.1
            while True:
                try:
                    frame = _answer(students[k], f"{k}-b", body)
                    break
                except (ConnectionClosed, OSError):
                    dropped += 1
                    assert time.monotonic() < deadline, "no worker took the student back"
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    with contextlib.suppress(OSError, TimeoutError, ConnectionClosed):
                        students[k] = stack.enter_context(connect(server))
            assert frame["type"] == "result"
            answered += 1
        assert answered == len(students) and dropped >= 1  # some were on the killed worker
        deadline = time.monotonic() + 300
        while len(_workers(server.proc.pid)) < 2:  # the supervisor starts a new worker
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert "starting another" in server.output()
