"""Where rooms live: the broker interface and the in-process broker (one worker).

A broker keeps, per room code: the *record* (teacher token hash, page, state,
current question; JSON), the latest result frame of each lane (so a student who
joins late sees the teacher's plots at once), the answers to each question (one
per device), and who is connected (following or exploring). It also carries the
room's *channel*: every message published on it reaches every subscriber, in
this process (``MemoryBroker``) or on every worker and host sharing one Redis
(``broker_redis.RedisBroker``).

Everything expires ``idle_s`` seconds after the room's last ``touch`` (the
teacher's state messages touch it), so an abandoned room leaves nothing behind.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import limits

Listener = Callable[[bytes], Awaitable[None] | None]


class Broker(Protocol):
    """What the hub needs from a broker (both implementations are async)."""

    name: str

    async def create(self, code: str, record: dict[str, Any]) -> bool: ...
    async def load(self, code: str) -> dict[str, Any] | None: ...
    async def save(self, code: str, record: dict[str, Any]) -> None: ...
    async def touch(self, code: str) -> None: ...
    async def delete(self, code: str) -> None: ...
    async def put_frame(self, code: str, lane: str, payload: bytes) -> None: ...
    async def frames(self, code: str) -> list[bytes]: ...
    async def add_answer(self, code: str, question: int, device: str, answer: bytes) -> bool: ...
    async def answers(self, code: str, question: int) -> list[bytes]: ...
    async def set_presence(self, code: str, peer: str, mode: str | None) -> None: ...
    async def presence(self, code: str) -> dict[str, int]: ...
    async def publish(self, code: str, payload: bytes) -> None: ...
    async def subscribe(self, code: str, listener: Listener) -> Callable[[], Awaitable[None]]: ...
    async def close(self) -> None: ...


def count_modes(modes: list[str]) -> dict[str, int]:
    """{"following": n, "exploring": m} of a room's connected students."""
    return {
        "following": sum(1 for m in modes if m == "following"),
        "exploring": sum(1 for m in modes if m == "exploring"),
    }


@dataclass
class _Room:
    record: dict[str, Any]
    expires: float
    frames: dict[str, bytes] = field(default_factory=dict)
    answers: dict[int, dict[str, bytes]] = field(default_factory=dict)
    presence: dict[str, str] = field(default_factory=dict)
    listeners: list[Listener] = field(default_factory=list)


class MemoryBroker:
    """Rooms in this process's memory: right for one worker (``losscape serve``'s default)."""

    name = "memory"

    def __init__(self, idle_s: float = limits.MAX_ROOM_IDLE_S) -> None:
        self.idle_s = idle_s
        self.rooms: dict[str, _Room] = {}

    def _get(self, code: str) -> _Room | None:
        room = self.rooms.get(code)
        if room is not None and room.expires < time.monotonic():
            del self.rooms[code]
            return None
        return room

    def _expire_idle(self) -> None:
        now = time.monotonic()
        for code in [c for c, r in self.rooms.items() if r.expires < now]:
            del self.rooms[code]

    async def create(self, code: str, record: dict[str, Any]) -> bool:
        self._expire_idle()
        if self._get(code) is not None:
            return False
        self.rooms[code] = _Room(dict(record), time.monotonic() + self.idle_s)
        return True

    async def load(self, code: str) -> dict[str, Any] | None:
        room = self._get(code)
        return None if room is None else dict(room.record)

    async def save(self, code: str, record: dict[str, Any]) -> None:
        room = self._get(code)
        if room is not None:
            room.record = dict(record)

    async def touch(self, code: str) -> None:
        room = self._get(code)
        if room is not None:
            room.expires = time.monotonic() + self.idle_s

    async def delete(self, code: str) -> None:
        self.rooms.pop(code, None)

    async def put_frame(self, code: str, lane: str, payload: bytes) -> None:
        room = self._get(code)
        if room is None or (lane not in room.frames and len(room.frames) >= limits.MAX_ROOM_LANES):
            return
        room.frames[lane] = payload

    async def frames(self, code: str) -> list[bytes]:
        room = self._get(code)
        return [] if room is None else list(room.frames.values())

    async def add_answer(self, code: str, question: int, device: str, answer: bytes) -> bool:
        room = self._get(code)
        if room is None:
            return False
        given = room.answers.setdefault(question, {})
        if device in given or len(given) >= limits.MAX_ROOM_VOTES:
            return False
        given[device] = answer
        return True

    async def answers(self, code: str, question: int) -> list[bytes]:
        room = self._get(code)
        return [] if room is None else list(room.answers.get(question, {}).values())

    async def set_presence(self, code: str, peer: str, mode: str | None) -> None:
        room = self._get(code)
        if room is None:
            return
        if mode is None:
            room.presence.pop(peer, None)
        else:
            room.presence[peer] = mode

    async def presence(self, code: str) -> dict[str, int]:
        room = self._get(code)
        return count_modes([] if room is None else list(room.presence.values()))

    async def publish(self, code: str, payload: bytes) -> None:
        room = self._get(code)
        for listener in list(room.listeners if room else []):
            result = listener(payload)
            if result is not None:
                await result

    async def subscribe(self, code: str, listener: Listener) -> Callable[[], Awaitable[None]]:
        room = self._get(code)
        if room is not None:
            room.listeners.append(listener)

        async def unsubscribe() -> None:
            if room is not None and listener in room.listeners:
                room.listeners.remove(listener)

        return unsubscribe

    async def close(self) -> None:
        self.rooms.clear()
