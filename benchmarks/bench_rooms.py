"""A room of N followers: one teacher changing its state at 30 Hz, over 2 workers and Redis.

Run: ``PYTHONPATH=backend python benchmarks/bench_rooms.py --followers 300 --workers 2``
(``--redis URL`` to use a running Redis; otherwise Debian's ``redis-server`` is started
on a free loopback port without persistence and stopped at the end).

The teacher is what the page does while the start is dragged: every 1/``--hz`` s it
sends its new state on the room socket and the request that state plans on its live
channel (``?room=CODE&token=…``, binary frames, latest wins on the lane); the server
computes it once and fans the result frame out to every follower through Redis.
Each follower is one student socket that only reads.

Prints, over all followers: the delay from the teacher's change (the moment it sent
the request) to the follower receiving that change's result frame, p50 / p95 / max;
the frames the teacher got and how many each follower skipped (latest wins per
follower: a frame replaced before it was written); the server's CPU (workers +
supervisor, and Redis) as cores used over the run, and each process's resident memory.
Everything runs on this machine: the followers' client shares the CPU with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench_classroom import _children, free_port, rss_mb, start_server

TICK = os.sysconf("SC_CLK_TCK")


def body(k: int) -> dict[str, Any]:
    """The page's request while a start is dragged: two runs from a start that moves."""
    x, y = -1.5 + 0.002 * (k % 1000), 1.5 - 0.001 * (k % 1000)
    runs = [{"optimizer": "gd", "lr": 1e-3}, {"optimizer": "adam", "lr": 0.01}]
    return {
        "surface": {"name": "rosenbrock"},
        "steps": 200,
        "runs": [{**r, "start": [x, y]} for r in runs],
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def frame_id(data: bytes | str) -> str | None:
    """The ``id`` of a result frame (binary: uint32 n + n bytes of JSON head)."""
    if isinstance(data, str):
        head = json.loads(data)
    else:
        (n,) = struct.unpack_from("<I", data, 0)
        head = json.loads(data[4 : 4 + n])
    return head.get("id") if head.get("type") == "result" else None


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def follower(url: str, got: list[tuple[int, float]], ready: asyncio.Event) -> None:
    async with connect(url, max_size=None, open_timeout=60) as ws:
        async for data in ws:
            if isinstance(data, str) and '"hello"' in data[:20]:
                ready.set()
                continue
            tag = frame_id(data)
            if tag and tag.count("#") == 2:
                got.append((int(tag.split("#")[1]), time.perf_counter()))


def follower_group(url: str, n: int, ready: Any, stop: Any, out: Any) -> None:
    """One client process with ``n`` followers (perf_counter is the system's monotonic clock,
    so its receive times compare with the teacher's send times in the main process)."""

    async def go() -> None:
        got: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        joined = [asyncio.Event() for _ in range(n)]
        tasks = []
        for i in range(n):  # joined in small waves, as a class scanning a QR code
            tasks.append(asyncio.create_task(follower(url, got[i], joined[i])))
            if i % 25 == 24:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in joined)), 120)
        ready.put(n)
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put(got)

    asyncio.run(go())


async def room(args: argparse.Namespace, base: str, client_pids: list[int]) -> dict[str, Any]:
    ws_base = base.replace("http", "ws", 1)
    async with httpx.AsyncClient() as http:
        made = (await http.post(base + "/api/rooms", json={"page": "surfaces"})).json()
    code, token = made["code"], made["teacher_token"]
    url = f"{ws_base}/api/rooms/{code}/socket?role=student"
    ctx = multiprocessing.get_context("spawn")
    ready, out, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    share = [
        args.followers // args.clients + (i < args.followers % args.clients)
        for i in range(args.clients)
    ]
    procs = [ctx.Process(target=follower_group, args=(url, n, ready, stop, out)) for n in share]
    for proc in procs:
        proc.start()
        client_pids.append(proc.pid)
    for _ in procs:
        await asyncio.to_thread(ready.get, True, 180)
    sent: dict[int, float] = {}
    answered: list[int] = []
    live_url = f"{ws_base}/api/live?binary=1&room={code}&token={token}"
    async with (
        connect(f"{ws_base}/api/rooms/{code}/socket?role=teacher&token={token}") as state_ws,
        connect(live_url, max_size=None) as live,
    ):

        async def read_own() -> None:
            async for data in live:
                tag = frame_id(data)
                if tag:
                    answered.append(int(tag.split("#")[1]))

        async def drain_state() -> None:
            async for _ in state_ws:  # counts: the teacher's page reads them
                pass

        readers = [asyncio.create_task(read_own()), asyncio.create_task(drain_state())]
        t0 = time.perf_counter()
        k = 0
        while time.perf_counter() - t0 < args.seconds:
            k += 1
            await state_ws.send(json.dumps({"type": "state", "hash": f"t={k}"}))
            sent[k] = time.perf_counter()
            message = {"id": f"trajectories:0#{k}#b{k}", "type": "trajectories"}
            message.update(lane="trajectories:0", body=body(k))
            await live.send(json.dumps(message))
            await asyncio.sleep(max(0.0, t0 + k / args.hz - time.perf_counter()))
        await asyncio.sleep(1.0)  # the last frames arrive
        stop.set()
        got = [per for _ in procs for per in await asyncio.to_thread(out.get, True, 60)]
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for proc in procs:
            proc.join(10)
    delays = [(t - sent[s]) * 1000 for per in got for s, t in per if s in sent]
    # what the server fanned out: every change whose result reached any follower
    published = len({s for per in got for s, _ in per} | set(answered))
    skipped = [published - len({s for s, _ in per}) for per in got]
    return {
        "changes": len(sent),
        "published": published,
        "delays_ms": delays,
        "skipped_mean": sum(skipped) / len(skipped),
        "skipped_max": max(skipped),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hz", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=2, help="processes the followers run in")
    parser.add_argument("--redis", default=None, help="a running Redis (default: start one)")
    args = parser.parse_args()
    redis_proc = None
    redis_url = args.redis
    if redis_url is None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        port = free_port()
        cmd = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        redis_proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        redis_url = f"redis://127.0.0.1:{port}/0"
    os.environ["LOSSCAPE_REDIS_URL"] = redis_url  # `serve` and its workers read it
    port = free_port()
    server = start_server(port, args.workers)
    try:
        time.sleep(2.0)  # every worker listening (the supervisor's first answer is one worker)
        pids = [server.pid, *_children(server.pid)]
        watched = pids + ([redis_proc.pid] if redis_proc else [])
        before = {p: cpu_seconds(p) for p in watched}
        t0 = time.perf_counter()
        clients: list[int] = []
        out = asyncio.run(room(args, f"http://127.0.0.1:{port}", clients))
        wall = time.perf_counter() - t0
        server_cpu = sum(cpu_seconds(p) - before[p] for p in pids) / wall
        redis_cpu = (
            (cpu_seconds(redis_proc.pid) - before[redis_proc.pid]) / wall if redis_proc else 0
        )
        rss = {p: rss_mb(p) for p in pids}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait()
    d = out["delays_ms"]
    load = os.getloadavg()
    print(f"room: 1 teacher at {args.hz:g} Hz for {args.seconds:g} s, {args.followers} followers, "
          f"{args.workers} workers + Redis")  # fmt: skip
    print(f"  machine load {load[0]:.1f} on {os.cpu_count()} cores (followers' clients included)")
    print(f"  teacher changes {out['changes']}, "
          f"results computed once and fanned out {out['published']}")  # fmt: skip
    print(f"  follower delay (change -> result frame): p50 {pct(d, 0.5):.0f} ms, "
          f"p95 {pct(d, 0.95):.0f} ms, max {max(d, default=float('nan')):.0f} ms "
          f"({len(d)} frames received)")  # fmt: skip
    print(
        f"  frames skipped per follower: mean {out['skipped_mean']:.1f}, max {out['skipped_max']}"
    )
    print(
        f"  server CPU {server_cpu:.2f} cores (workers + supervisor), Redis {redis_cpu:.2f} cores"
    )
    print("  RSS MB: " + ", ".join(f"{p}: {m:.0f}" for p, m in rss.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
