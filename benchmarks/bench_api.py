"""Web API timings: a 6-run x 1000-step trajectory request, raw compute vs HTTP vs live channel.

Run: ``PYTHONPATH=backend python benchmarks/bench_api.py`` (``--quick`` for fewer requests).

1. In process: the six ``losscape.trajectory`` calls (raw compute), the same plus
   encoding (the operation the routes run), and the JSON encoding alone with
   orjson vs the stdlib encoder (the peer).
2. ``losscape serve --workers 1`` on loopback: per-request latency (p50, p99)
   over one HTTP keep-alive connection and over the live channel (WebSocket).
3. ``losscape serve --workers 2``: throughput under a bounded load generator
   (raw sockets, a fixed number of keep-alive connections, a fixed request count
   and a time cap), and resident memory of each warmed worker.

Loopback only; every server started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

import losscape
from _timing import fmt_time, median_time
from losscape.api import encoding, schemas
from losscape.api.operations import OPERATIONS

BACKEND = Path(losscape.__file__).resolve().parents[1]
RUNS = [  # six optimizers from the same start, lrs that keep all 1000 steps finite
    {"optimizer": "gd", "lr": 1e-3},
    {"optimizer": "momentum", "lr": 1e-4, "hyperparams": {"momentum": 0.9}},
    {"optimizer": "nesterov", "lr": 1e-4},
    {"optimizer": "adam", "lr": 0.01},
    {"optimizer": "rmsprop", "lr": 1e-3},
    {"optimizer": "adagrad", "lr": 0.1},
]
BODY = {
    "surface": {"name": "rosenbrock"},
    "steps": 1000,
    "tol": 0.0,
    "runs": [{**r, "start": [-1.5, 2.0]} for r in RUNS],
}


def _runs() -> list[dict]:
    known = {o["name"] for o in losscape.optimizers()}
    runs = [r for r in BODY["runs"] if r["optimizer"] in known]
    while len(runs) < 6:  # a registry without some of them: repeat gd
        runs.append({"optimizer": "gd", "lr": 1e-3, "start": [-1.5, 2.0]})
    return runs


def raw_compute() -> None:
    for r in BODY["runs"]:
        losscape.trajectory(
            "rosenbrock", r["optimizer"], start=r["start"], steps=1000, lr=r["lr"], tol=0.0,
            **r.get("hyperparams", {}),
        )  # fmt: skip


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, round(0.99 * (len(s) - 1)))]


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python -m losscape serve`` in its own process group, stopped on exit."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(BACKEND)}
        cmd = [sys.executable, "-m", "losscape", "serve", "--port", str(self.port)]
        cmd += ["--workers", str(workers), "--log-level", "warning"]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("server did not start")
        if workers > 1:  # every worker must be warm, not just the first to answer
            time.sleep(3.0)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        kids = [int(p) for p in out.split()]
        return kids or [self.proc.pid]

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


HESSIAN = {"surface": {"name": "rosenbrock"}, "point": [1.0, 1.0]}


def _request_bytes(port: int, path: str = "/api/trajectories", body: dict | None = None) -> bytes:
    payload = json.dumps(BODY if body is None else body).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


def http_latencies(server: Server, n: int) -> tuple[list[float], list[float], int]:
    """Round trips over one keep-alive connection; also the server's own elapsed_ms.

    A raw-socket client (TCP_NODELAY, no HTTP library) so the figure is the server's.
    """
    request = _request_bytes(server.port)
    samples, inside = [], []
    size = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        stream = sock.makefile("rb")
        for i in range(n + 10):
            t0 = time.perf_counter()
            sock.sendall(request)
            status = stream.readline()
            length = 0
            while (line := stream.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = stream.read(length)
            dt = time.perf_counter() - t0
            assert status.startswith(b"HTTP/1.1 200"), status
            if i >= 10:  # the first few warm the connection and the thread pool
                samples.append(dt)
                tail = body[body.rindex(b'"elapsed_ms":') + 13 : -1]
                inside.append(float(tail) / 1e3)
            size = len(body)
    return samples, inside, size


def live_latencies(server: Server, n: int) -> list[float]:
    from websockets.sync.client import connect

    samples = []
    message = json.dumps({"id": 0, "type": "trajectories", "body": BODY})
    url = server.url.replace("http", "ws") + "/api/live"
    with connect(url, max_size=None, compression=None) as ws:  # a browser offers deflate;
        # the server declines it (see losscape.api.server.ws_deflate)
        for i in range(n + 10):
            t0 = time.perf_counter()
            ws.send(message)
            frame = ws.recv()
            dt = time.perf_counter() - t0
            assert '"type":"result"' in frame[:40]
            if i >= 10:
                samples.append(dt)
    return samples


async def _load(
    port: int, connections: int, total: int, seconds: float, request: bytes
) -> tuple[int, float]:
    """``connections`` keep-alive sockets send ``request`` until ``total`` answers or a timeout."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while done < total and time.perf_counter() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 200"), head[:80]
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                done += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    return done, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    n = 100 if args.quick else 400
    BODY["runs"] = _runs()
    body_model = schemas.TrajectoriesRequest.model_validate(BODY)

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    # ----------------------------------------------------------------- in process
    t_raw = median_time(raw_compute)
    op = OPERATIONS["trajectories"]
    t_op = median_time(lambda: op.encode(body_model, None))
    data = json.loads(op.encode(body_model, None))
    steps = sum(r["steps_taken"] for r in data["runs"])
    runs = [losscape.trajectory(
        "rosenbrock", r["optimizer"], start=r["start"], steps=1000, lr=r["lr"], tol=0.0,
        **r.get("hyperparams", {})) for r in BODY["runs"]]  # fmt: skip
    payload = {"runs": [encoding.trajectory_run(r, "float32") for r in runs]}
    t_orjson = median_time(lambda: encoding.dumps(payload))

    def stdlib() -> bytes:
        lists = [
            {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r.items()}
            for r in payload["runs"]
        ]
        return json.dumps({"runs": lists}).encode()

    t_json = median_time(stdlib)
    print(f"\nworkload: 6 runs x 1000 steps on rosenbrock ({steps} steps taken in all)")
    print(f"{'case':<52} {'median':>12} {'vs raw':>9}")
    print("-" * 75)
    print(f"{'raw compute (6 x losscape.trajectory)':<52} {fmt_time(t_raw):>12}")
    print(f"{'operation: compute + encode to bytes':<52} {fmt_time(t_op):>12} {t_op / t_raw:8.2f}x")
    print(f"{'encode only: orjson from numpy (float32)':<52} {fmt_time(t_orjson):>12}")
    print(
        f"{'encode only: stdlib json from .tolist() (peer)':<52} {fmt_time(t_json):>12}"
        f" {t_json / t_orjson:7.1f}x orjson"
    )

    # ----------------------------------------------------------------- latency, 1 worker
    with Server(workers=1) as server:
        http, inside, size = http_latencies(server, n)
        live = live_latencies(server, n)
        rss1 = server.rss_mb()
    print(f"\nlatency over loopback, --workers 1, {n} sequential requests,", end=" ")
    print(f"response {size / 1e3:.0f} kB")
    print(f"{'path':<40} {'p50':>12} {'p99':>12} {'p50 vs raw':>11}")
    print("-" * 78)
    for name, samples in (
        ("server elapsed_ms (compute + encode)", inside),
        ("HTTP keep-alive round trip", http),
        ("live channel round trip", live),
    ):
        p50, p99 = percentiles(samples)
        print(f"{name:<40} {fmt_time(p50):>12} {fmt_time(p99):>12} {p50 / t_raw:10.2f}x")

    # ----------------------------------------------------------------- throughput, 2 workers
    total, cap = (600, 20.0) if args.quick else (3000, 60.0)
    with Server(workers=2) as server:
        rss_warm = server.rss_mb()
        request = _request_bytes(server.port)
        done, elapsed = asyncio.run(_load(server.port, 8, total, cap, request))
        small = _request_bytes(server.port, "/api/hessian", HESSIAN)
        done_h, elapsed_h = asyncio.run(_load(server.port, 8, total, cap, small))
        rss_after = server.rss_mb()
    print("\nthroughput, --workers 2, 8 keep-alive connections,", end=" ")
    print(f"at most {total} requests / {cap:.0f} s")
    print(f"  trajectories: {done} requests in {elapsed:.2f} s = {done / elapsed:.0f} requests/s")
    print(
        f"  hessian (a 250-byte answer: the HTTP stack's ceiling here): {done_h} requests"
        f" in {elapsed_h:.2f} s = {done_h / elapsed_h:.0f} requests/s"
    )
    print("\nresident memory per worker (MB)")
    print(f"  1 worker, after the latency runs: {', '.join(f'{m:.0f}' for m in rss1)}")
    print(f"  2 workers, warmed:               {', '.join(f'{m:.0f}' for m in rss_warm)}")
    print(f"  2 workers, after the load:       {', '.join(f'{m:.0f}' for m in rss_after)}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
