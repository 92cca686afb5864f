"""The server's shared runtime: kernel pools, admission of heavy jobs, REST rate limits.

One ``Runtime`` lives on ``app.state`` (``runtime(app)``); the REST routes and
the live channel both read it, so neither imports the other or the app module.

Two pools of worker threads run the kernels (which release the GIL):

* ``interactive`` (``LOSSCAPE_THREADS``, default 2): trajectories, grids,
  Hessians, data sets; a few milliseconds each.
* ``heavy`` (one thread): sweeps and everything on networks. They are chunked
  and check for cancellation between chunks, so one student's sweep never
  holds a thread an interactive request waits for.

A heavy job must first be *admitted*: at most ``MAX_HEAVY_WAITING`` wait
class-wide (more get 503 with ``Retry-After``) and a REST client has at most
``MAX_HEAVY_PER_CLIENT`` at a time (more get 429). REST requests are rate
limited per client by a token bucket (429 with ``Retry-After``).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio

from .. import limits

DEFAULT_THREADS = 2


class Refused(Exception):
    """A request the server will not take now: ``status`` 429 or 503, ``retry_after`` s."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    def detail(self) -> list[dict[str, Any]]:
        kind = "too_many_requests" if self.status == 429 else "server_busy"
        return [{"loc": ["request"], "msg": self.message, "type": kind}]


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class Runtime:
    threads: int = DEFAULT_THREADS
    rest_rate: float = limits.MAX_REST_RATE
    rest_burst: int = limits.MAX_REST_BURST
    heavy_waiting_max: int = limits.MAX_HEAVY_WAITING
    redis_url: str | None = None  # rooms shared through Redis (``--redis``); None: in memory
    workers: int = 1  # worker processes of this server (rooms need Redis past one)
    interactive: anyio.CapacityLimiter = field(init=False)
    heavy: anyio.CapacityLimiter = field(init=False)
    heavy_waiting: int = 0
    heavy_by_client: dict[str, int] = field(default_factory=dict)
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    data_dir: str | None = None  # saved lectures' folder (None: the user's data folder)

    def __post_init__(self) -> None:
        self.interactive = anyio.CapacityLimiter(max(1, self.threads))
        self.heavy = anyio.CapacityLimiter(1)

    @classmethod
    def from_env(cls) -> Runtime:
        threads = int(os.environ.get("LOSSCAPE_THREADS", DEFAULT_THREADS))
        rate = float(os.environ.get("LOSSCAPE_REST_RATE", limits.MAX_REST_RATE))
        burst = int(os.environ.get("LOSSCAPE_REST_BURST", limits.MAX_REST_BURST))
        redis_url = os.environ.get("LOSSCAPE_REDIS_URL") or None
        workers = int(os.environ.get("LOSSCAPE_WORKERS", 1))
        data = os.environ.get("LOSSCAPE_DATA_DIR") or None  # `serve --data DIR` sets it
        return cls(
            threads=threads,
            rest_rate=rate,
            rest_burst=burst,
            redis_url=redis_url,
            workers=workers,
            data_dir=data,
        )

    # ------------------------------------------------------------------ REST rate

    def take_token(self, client: str) -> None:
        """One REST request of ``client``; raises ``Refused`` (429) over its rate."""
        now = time.monotonic()
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) > 10_000:  # forget idle clients (bounded memory)
                self.buckets = {k: b for k, b in self.buckets.items() if now - b.stamp < 60}
            bucket = self.buckets[client] = _Bucket(float(self.rest_burst), now)
        bucket.tokens = min(self.rest_burst, bucket.tokens + (now - bucket.stamp) * self.rest_rate)
        bucket.stamp = now
        if bucket.tokens < 1.0:
            wait = max(1, math.ceil((1.0 - bucket.tokens) / max(self.rest_rate, 1e-9)))
            msg = (
                f"too many requests from this client (at most {self.rest_rate:g} per second); "
                f"retry in {wait} s"
            )
            raise Refused(429, msg, wait)
        bucket.tokens -= 1.0

    # ------------------------------------------------------------------ heavy jobs

    @contextlib.asynccontextmanager
    async def heavy_slot(self, client: str | None) -> AsyncIterator[None]:
        """Admission of one heavy job: its place in the class-wide queue, then the pool.

        ``client`` (REST) limits one client's concurrent heavy jobs; the live channel
        passes None (it runs a connection's heavy jobs one at a time itself).
        """
        if client is not None and self.heavy_by_client.get(client, 0) >= (
            limits.MAX_HEAVY_PER_CLIENT
        ):
            msg = (
                f"this client already has {limits.MAX_HEAVY_PER_CLIENT} long computation(s) "
                "running (sweeps, network training); wait for it or cancel it"
            )
            raise Refused(429, msg, 1)
        if self.heavy_waiting >= self.heavy_waiting_max:
            msg = (
                f"the server is busy: {self.heavy_waiting} long computations are queued or running "
                f"(at most {self.heavy_waiting_max}); retry in a few seconds"
            )
            raise Refused(503, msg, 2)
        if client is not None:
            self.heavy_by_client[client] = self.heavy_by_client.get(client, 0) + 1
        self.heavy_waiting += 1
        try:
            yield
        finally:
            self.heavy_waiting -= 1
            if client is not None:
                left = self.heavy_by_client.get(client, 1) - 1
                if left > 0:
                    self.heavy_by_client[client] = left
                else:
                    self.heavy_by_client.pop(client, None)

    def pool(self, heavy: bool) -> anyio.CapacityLimiter:
        return self.heavy if heavy else self.interactive


def runtime(app: Any) -> Runtime:
    """The app's runtime (created on first use)."""
    state = app.state
    rt = getattr(state, "runtime", None)
    if rt is None:
        rt = state.runtime = Runtime.from_env()
    return rt
