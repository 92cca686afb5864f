"""Rooms in Redis: workers and hosts that share one Redis share every room.

Keys (all under ``losscape:room:<CODE>``, each with the room's idle expiry):

* ``…`` (string): the record, JSON (teacher token hash, page, state, question)
* ``…:frames`` (hash lane -> latest result frame)
* ``…:answers:<question>`` (hash device -> answer JSON; HSETNX makes it one per device)
* ``…:presence`` (hash peer id -> "following" / "exploring")

The room's channel is Redis pub/sub on the record's key name. One subscriber
connection per worker reads every channel this worker has sockets for and hands
each message to its listeners (``redis.asyncio``; no thread).

A worker that dies without closing leaves its peers in ``…:presence`` until the
room expires: the counts may be high by the students of that worker until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from .. import limits
from .broker import Listener, count_modes

log = logging.getLogger("losscape.rooms")
PREFIX = "losscape:room:"


class RedisBroker:
    """The ``Broker`` over one Redis (``redis://host:port/db``)."""

    name = "redis"

    def __init__(self, url: str, idle_s: float = limits.MAX_ROOM_IDLE_S) -> None:
        from redis.asyncio import Redis

        self.url = url
        self.idle_s = int(idle_s)
        self.redis = Redis.from_url(url, decode_responses=False)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.listeners: dict[str, list[Listener]] = {}
        self.reader: asyncio.Task | None = None
        self.subscribed = asyncio.Event()

    @staticmethod
    def key(code: str, *rest: str) -> str:
        return ":".join([PREFIX + code, *rest])

    async def ping(self) -> None:
        """Raise (ConnectionError) now if Redis cannot be reached: serve fails at start-up."""
        await self.redis.ping()

    # ------------------------------------------------------------------ record

    async def create(self, code: str, record: dict[str, Any]) -> bool:
        created = await self.redis.set(
            self.key(code), orjson.dumps(record), nx=True, ex=self.idle_s
        )
        return bool(created)

    async def load(self, code: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self.key(code))
        return None if raw is None else orjson.loads(raw)

    async def save(self, code: str, record: dict[str, Any]) -> None:
        await self.redis.set(self.key(code), orjson.dumps(record), xx=True, keepttl=True)

    async def touch(self, code: str) -> None:
        record = await self.load(code)
        keys = [self.key(code), self.key(code, "frames"), self.key(code, "presence")]
        question = (record or {}).get("question")
        if question:
            keys.append(self.key(code, "answers", str(question["id"])))
        async with self.redis.pipeline(transaction=False) as pipe:
            for k in keys:
                pipe.expire(k, self.idle_s)
            await pipe.execute()

    async def delete(self, code: str) -> None:
        keys = [k async for k in self.redis.scan_iter(match=self.key(code) + "*", count=100)]
        if keys:
            await self.redis.delete(*keys)

    # ------------------------------------------------------------------ frames, answers, presence

    async def put_frame(self, code: str, lane: str, payload: bytes) -> None:
        """One round trip (the hub bounds a room's lanes before it gets here)."""
        key = self.key(code, "frames")
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, lane, payload)
            pipe.expire(key, self.idle_s)
            await pipe.execute()

    async def frames(self, code: str) -> list[bytes]:
        return list((await self.redis.hgetall(self.key(code, "frames"))).values())

    async def add_answer(self, code: str, question: int, device: str, answer: bytes) -> bool:
        key = self.key(code, "answers", str(question))
        if await self.redis.hlen(key) >= limits.MAX_ROOM_VOTES:
            return False
        added = await self.redis.hsetnx(key, device, answer)
        await self.redis.expire(key, self.idle_s)
        return bool(added)

    async def answers(self, code: str, question: int) -> list[bytes]:
        return list(await self.redis.hvals(self.key(code, "answers", str(question))))

    async def set_presence(self, code: str, peer: str, mode: str | None) -> None:
        key = self.key(code, "presence")
        if mode is None:
            await self.redis.hdel(key, peer)
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, peer, mode)
            pipe.expire(key, self.idle_s)
            await pipe.execute()

    async def presence(self, code: str) -> dict[str, int]:
        modes = await self.redis.hvals(self.key(code, "presence"))
        return count_modes([m.decode() for m in modes])

    # ------------------------------------------------------------------ channel

    async def publish(self, code: str, payload: bytes) -> None:
        await self.redis.publish(self.key(code), payload)

    async def subscribe(self, code: str, listener: Listener) -> Callable[[], Awaitable[None]]:
        channel = self.key(code)
        first = channel not in self.listeners
        self.listeners.setdefault(channel, []).append(listener)
        if first:
            await self.pubsub.subscribe(channel)
            self.subscribed.set()
        if self.reader is None:
            self.reader = asyncio.create_task(self._read())

        async def unsubscribe() -> None:
            group = self.listeners.get(channel, [])
            if listener in group:
                group.remove(listener)
            if not group and channel in self.listeners:
                del self.listeners[channel]
                await self.pubsub.unsubscribe(channel)

        return unsubscribe

    async def _read(self) -> None:
        """Hand every channel message to its listeners; a listener's error is logged, not fatal."""
        while True:
            if not self.listeners:
                self.subscribed.clear()
                await self.subscribed.wait()
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except (ConnectionError, OSError, RuntimeError) as exc:
                log.warning("losscape: Redis subscription interrupted (%s); retrying", exc)
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"].decode()
            for listener in list(self.listeners.get(channel, [])):
                try:
                    result = listener(message["data"])
                    if result is not None:
                        await result
                except Exception:
                    log.exception("losscape: a room listener failed")

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()
