"""A classroom on the live channel: N simulated students against ``losscape serve``.

Run: ``PYTHONPATH=backend python benchmarks/bench_classroom.py --students 300 --workers 2``
(``--json`` for the JSON text frames instead of the page's binary ones; ``--url`` to
measure a server that is already running).

Each student is one WebSocket on ``/api/live`` doing what the page does while a
start is dragged: every ``--interval`` ms it makes the page's own request (the body
``requests.js`` builds: 4 runs x 300 steps on Rosenbrock with every hyperparameter,
the schedule, noise, batch size and seed, from starts that move with the drag, each
student its own); at most one is in flight and only the newest waits (latest wins,
as in ``api.js``). With ``--same`` every student sends the scene's one request
instead (a class following the teacher's scene without dragging). Latency is
measured from sending a request to its answer. The run stops by itself after
``--seconds`` (and a hard cap on requests per student).

Prints p50 / p95 / p99 latency, answers/s, errors, bytes per answer, the
server's and this client's CPU per answer (the client shares the machine's cores),
the connections each worker holds and each worker's resident memory. As a floor it
prints the compute alone (the same request's runs in process, median).
Loopback only; the server started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
from websockets.asyncio.client import connect

import losscape
from _timing import median_time

BACKEND = Path(losscape.__file__).resolve().parents[1]
RUNS = [
    {"optimizer": "gd", "lr": 1e-3},
    {"optimizer": "momentum", "lr": 1e-4, "hyperparams": {"momentum": 0.9}},
    {"optimizer": "adam", "lr": 0.01},
    {"optimizer": "rmsprop", "lr": 1e-3},
]
MAX_REQUESTS_PER_STUDENT = 100_000
T = TypeVar("T")


@functools.cache
def _hyperparams(i: int) -> dict[str, Any]:
    """Every hyperparameter of ``RUNS[i]``, as the page sends it (its state holds them all;
    bools as bools). Cached: the client shares the server's cores, so it does per request
    only what the page does."""
    from losscape.numerics.optimizers import OPTIMIZERS

    run = RUNS[i]
    spec = next(o for o in OPTIMIZERS if o.name == run["optimizer"])
    own = run.get("hyperparams", {})
    return {
        p.name: bool(own.get(p.name, p.default)) if p.kind == "bool" else own.get(p.name, p.default)
        for p in spec.hyperparams
    }


def body(x: float, y: float) -> dict[str, Any]:
    """The page's trajectories body (requests.js ``trajectoryGroups``); the runs' starts are
    spread around (x, y), as a student's own runs are."""
    return {
        "surface": {"name": "rosenbrock", "params": {"a": 1, "b": 100}},
        "steps": 300,
        "schedule": {"name": "constant", "params": {}},
        "noise": 0,
        "batch_size": None,
        "seed": 0,
        # requests.js asks only for the arrays the views draw (no iterate averages shown)
        "fields": ["x", "y", "loss", "lrs"],
        "runs": [
            {
                "optimizer": r["optimizer"],
                "lr": r["lr"],
                "hyperparams": _hyperparams(i),
                "start": [round(x + 0.1 * i, 6), round(y - 0.05 * i, 6)],
            }
            for i, r in enumerate(RUNS)
        ],
    }


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (uvicorn[standard] brings it): the
    students' client shares the server's two cores, so its event loop should cost as
    little as the server's (which uvicorn also runs on uvloop)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- server


def start_server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(BACKEND), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "losscape", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            # one answer per worker is not guaranteed here; wait for warm workers below
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return proc


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        # A finished child (the first start's background compile) lingers as a zombie
        # with no memory and no sockets: not a worker.
        if int(ppid) == pid and state != "Z" and b"resource_tracker" not in cmd:
            out.append(int(entry.name))
    return sorted(out)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _socket_inodes(port: int) -> set[str]:
    """Inodes of ESTABLISHED server-side sockets on ``port`` (IPv4 loopback)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, state, inode = parts[1], parts[3], parts[9]
        if state == "01" and int(local.split(":")[1], 16) == port:
            inodes.add(inode)
    return inodes


def connections_of(pid: int, inodes: set[str]) -> int:
    n = 0
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                n += 1
    except OSError:
        return -1
    return n


# --------------------------------------------------------------------------- students


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.bytes = 0
        self.answers = 0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def student(
    k: int, url: str, stats: Stats, stop_at: float, interval: float, binary: bool, same: bool
) -> None:
    rng = random.Random(k)
    x, y = rng.uniform(-1.8, 1.8), rng.uniform(-0.5, 2.5)
    try:
        ws = await connect(url + ("?binary=1" if binary else ""), max_size=None, open_timeout=60)
    except Exception as exc:
        stats.error(f"connect: {type(exc).__name__}")
        return
    async with ws:
        # Spread the first requests over one interval, as a class does not move in step.
        await asyncio.sleep(rng.uniform(0, interval))
        next_drag = time.monotonic()
        for tag in range(MAX_REQUESTS_PER_STUDENT):
            now = time.monotonic()
            if now >= stop_at:
                break
            if now < next_drag:  # the newest drag position waits for the next event
                await asyncio.sleep(next_drag - now)
            x += rng.uniform(-0.02, 0.02)
            y += rng.uniform(-0.02, 0.02)
            message = {"id": tag, "type": "trajectories", "lane": "trajectories:0"}
            message["body"] = body(-1.5, 2.0) if same else body(x, y)
            t0 = time.perf_counter()
            try:
                # orjson, as cheap as the page's JSON: the client shares the server's cores.
                # Its UTF-8 bytes go out as a text frame as they are (no decode and re-encode).
                await ws.send(orjson.dumps(message), text=True)
                # asyncio.timeout, not wait_for: wait_for wraps every receive in a task of
                # its own (Python 3.11), CPU the client takes from the server's cores.
                async with asyncio.timeout(30):
                    frame = await ws.recv()
                while True:
                    if isinstance(frame, bytes):
                        n = int.from_bytes(frame[:4], "little")
                        head = orjson.loads(frame[4 : 4 + n])
                    else:
                        head = orjson.loads(frame)
                    if head.get("id") == tag:
                        break
                    async with asyncio.timeout(30):
                        frame = await ws.recv()
            except Exception as exc:
                stats.error(type(exc).__name__)
                return
            dt = time.perf_counter() - t0
            if head.get("type") == "result":
                stats.latencies.append(dt)
                stats.answers += 1
                stats.bytes += len(frame)
            else:
                stats.error(f"{head.get('type')} {head.get('status', '')}".strip())
            next_drag = max(next_drag + interval, time.monotonic())


async def classroom(
    url: str, students: int, seconds: float, interval: float, binary: bool, same: bool = False
) -> tuple[Stats, float]:
    stats = Stats()
    t0 = time.monotonic()
    stop_at = t0 + seconds
    tasks = []
    for k in range(students):
        tasks.append(asyncio.create_task(student(k, url, stats, stop_at, interval, binary, same)))
        if k % 25 == 24:
            await asyncio.sleep(0.05)  # students open the page over a moment, not at once
    await asyncio.gather(*tasks)
    return stats, time.monotonic() - t0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=0.1, help="s between drag events")
    parser.add_argument("--json", action="store_true", help="JSON text frames, not binary")
    parser.add_argument(
        "--same", action="store_true", help="every student sends the scene's one request"
    )
    parser.add_argument("--url", help="an already running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid (for RSS, split)")
    args = parser.parse_args()

    from losscape.api import operations, schemas

    model = schemas.TrajectoriesRequest.model_validate(body(-1.5, 2.0))
    op = operations.OPERATIONS["trajectories"]
    t_compute = median_time(lambda: op.run(model, None))
    t_json = median_time(lambda: op.encode(model, None))
    t_binary = median_time(lambda: op.encode(model, None, True))
    print(
        f"floor, in process (median): compute {t_compute * 1e6:.0f} us, compute + JSON "
        f"{t_json * 1e6:.0f} us, compute + binary {t_binary * 1e6:.0f} us"
    )

    proc = None
    if args.url:
        base = args.url.rstrip("/")
        port = int(base.rsplit(":", 1)[1])
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(port, args.workers)
    ws_url = base.replace("http", "ws", 1) + "/api/live"
    server_pid = proc.pid if proc is not None else args.pid
    try:
        if proc is not None:  # every worker warm: wait until each answers on its own socket
            run_async(classroom(ws_url, 4 * args.workers, 3.0, 0.2, not args.json))
        print(
            f"{'students':>8} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'errors':>6} {'kB/answer':>9} {'CPU ms/answer':>13} {'client CPU':>10}  "
            "connections per worker, RSS MB per worker"
        )
        for n in args.students:
            box: dict[str, Any] = {}
            workers = (_children(server_pid) or [server_pid]) if server_pid is not None else []
            cpu0 = sum(cpu_seconds(p) for p in workers)
            client0 = time.process_time()

            async def run_and_sample(n: int = n, box: dict[str, Any] = box) -> None:
                task = asyncio.create_task(
                    classroom(ws_url, n, args.seconds, args.interval, not args.json, args.same)
                )
                await asyncio.sleep(args.seconds / 2)
                if server_pid is not None:
                    inodes = _socket_inodes(port)
                    kids = _children(server_pid) or [server_pid]
                    box["split"] = [connections_of(p, inodes) for p in kids]
                    box["rss"] = [rss_mb(p) for p in kids]
                box["result"] = await task

            run_async(run_and_sample())
            stats, elapsed = box["result"]
            # Server CPU per answer: the serving cost, much less sensitive than latency to
            # other load on the machine.
            cpu = sum(cpu_seconds(p) for p in workers) - cpu0
            cpu_ms = cpu / max(stats.answers, 1) * 1e3 if workers else float("nan")
            client_ms = (time.process_time() - client0) / max(stats.answers, 1) * 1e3
            lat = [v * 1e3 for v in stats.latencies]
            kb = stats.bytes / max(stats.answers, 1) / 1024
            split = "/".join(str(c) for c in box.get("split", []))
            rss = "/".join(f"{r:.0f}" for r in box.get("rss", []))
            print(
                f"{n:>8} {stats.answers / elapsed:>9.0f} {pct(lat, 50):>7.1f} {pct(lat, 95):>7.1f} "
                f"{pct(lat, 99):>7.1f} {stats.errors:>6} {kb:>9.1f} {cpu_ms:>13.2f} "
                f"{client_ms:>10.2f}  "
                f"{split or '-'}, {rss or '-'}"
                + (f"  errors: {stats.error_kinds}" if stats.errors else ""),
                flush=True,
            )
        if server_pid is not None:
            kids = _children(server_pid) or [server_pid]
            print(f"RSS after the runs (MB): {[round(rss_mb(p)) for p in kids]}")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(f"load average during the run: {os.getloadavg()} on {os.cpu_count()} cores (shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
