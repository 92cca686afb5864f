"""The real server: ``python -m losscape serve`` as a subprocess on a free port, HTTP and WebSocket.

Checks what only a real socket shows: keep-alive HTTP, the live channel's
latest-wins drop, cancel, a client vanishing mid-sweep (the server stays
healthy and logs no error), and malformed frames.
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


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend"), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "losscape", "serve", "--port", str(port)],
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
