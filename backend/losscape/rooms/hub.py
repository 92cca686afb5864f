"""One worker's side of the rooms: its sockets, their outboxes, and the room channels.

The teacher's page computes (its live channel carries ``?room=CODE&token=…``),
and every result frame it gets is also published on the room's channel once:
*compute once, fan out*. Each worker subscribes to the channels of the rooms it
has sockets for and copies each message into its peers' outboxes.

A peer's outbox holds control messages in order (bounded: a socket that lets
``MAX_ROOM_CONTROLS`` pile up is closed) and the room's result frames in one
slot per lane, latest wins: a slow student's older frame is replaced (counted in
``skipped``), so a slow reader skips frames and never delays the others. A write
that does not complete within ``MAX_SEND_STALL_S`` closes that socket.

Channel messages are bytes: ``s`` + JSON for the teacher's state (latest wins per
student), ``S`` + JSON for every student (question, reveal), ``T`` + JSON for the
teacher (counts, tally), ``F`` / ``B`` + lane +
newline + a text / binary result frame of the live channel.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.websockets import WebSocket

from .. import limits
from . import model
from .broker import Broker, MemoryBroker

log = logging.getLogger("losscape.rooms")
TOUCH_EVERY_S = 30.0  # the teacher's activity renews the room's expiry at most this often


class RoomError(Exception):
    """A refused room operation: HTTP ``status`` (WebSocket close 4000 + status) and message."""

    def __init__(self, status: int, message: str, kind: str) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


class JoinLimiter:
    """At most ``per_minute`` events per client address (a token bucket per address)."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}

    def allows(self, client: str) -> bool:
        """Whether ``client`` has a token left (without taking it)."""
        tokens, stamp = self.buckets.get(client, (self.burst, time.monotonic()))
        return min(self.burst, tokens + (time.monotonic() - stamp) * self.rate) >= 1.0

    def take(self, client: str) -> bool:
        now = time.monotonic()
        if len(self.buckets) > 10_000:  # forget idle clients: memory stays bounded
            self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < 120}
        tokens, stamp = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens < 1.0:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1.0, now)
        return True


@dataclass(eq=False)
class Peer:
    """One room socket (teacher or student) and its outbox."""

    ws: WebSocket
    role: str  # "teacher" | "student"
    mode: str = "following"  # students: "following" | "exploring"
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    controls: collections.deque[bytes] = field(default_factory=collections.deque)
    frames: dict[str, tuple[bytes, bool]] = field(default_factory=dict)
    state: bytes | None = None  # the teacher's newest state (latest wins, like the frames)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    skipped: int = 0
    stall_s: float = limits.MAX_SEND_STALL_S
    sending_since: float | None = None  # when the write in progress began (the hub's watchdog)
    task: asyncio.Task | None = None  # the writer

    def offer_control(self, data: bytes) -> None:
        if self.closed:
            return
        if len(self.controls) >= limits.MAX_ROOM_CONTROLS:
            self.close_soon("not reading")
            return
        self.controls.append(data)
        self.ready.set()

    def offer_state(self, data: bytes) -> None:
        """The teacher's newest state replaces one still waiting: a slow reader skips states."""
        if self.closed:
            return
        self.state = data
        self.ready.set()

    def offer_frame(self, lane: str, data: bytes, binary: bool) -> None:
        """Latest wins per lane: a frame still waiting is replaced (and counted as skipped)."""
        if self.closed:
            return
        if lane in self.frames:
            self.skipped += 1
        self.frames[lane] = (data, binary)
        self.ready.set()

    def close_soon(self, reason: str) -> None:
        self.closed = True
        self.ready.set()
        asyncio.get_running_loop().create_task(_close(self.ws, 1008, reason))

    async def writer(self) -> None:
        """Send controls first, then each lane's latest frame; a stalled write closes the socket."""
        while not self.closed:
            if not self.controls and self.state is None and not self.frames:
                self.ready.clear()
                await self.ready.wait()
                continue
            if self.controls or self.state is not None:  # the state before the frames it plans
                if self.controls:
                    text = self.controls.popleft()
                else:
                    text, self.state = self.state, None
                message: dict[str, Any] = {"type": "websocket.send", "text": text.decode()}
            else:
                lane = next(iter(self.frames))
                data, binary = self.frames.pop(lane)
                message = {"type": "websocket.send"}
                message.update({"bytes": data} if binary else {"text": data.decode()})
            # No wait_for per write (a task and a timer per frame x every student): the hub's
            # watchdog closes a socket whose write has been stuck for stall_s.
            self.sending_since = time.monotonic()
            try:
                await self.ws.send(message)
            except Exception:  # the client went away mid-send
                self.closed = True
                return
            finally:
                self.sending_since = None

    def stalled(self, now: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > self.stall_s


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(code=code, reason=reason[:120]), 1.0)


def control(kind: str, **fields: Any) -> bytes:
    return orjson.dumps({"type": kind, **fields})


class Hub:
    """This worker's rooms: creation, sockets, fan-out, questions and votes."""

    def __init__(self, broker: Broker, enabled_problem: str | None = None) -> None:
        self.broker = broker
        self.problem = enabled_problem  # why rooms are off on this server (None: they are on)
        self.peers: dict[str, set[Peer]] = {}
        self.unsubscribe: dict[str, Callable[[], Awaitable[None]]] = {}
        self.touched: dict[str, float] = {}
        self.joins = JoinLimiter(limits.MAX_ROOM_JOINS_PER_MINUTE)
        self.creates = JoinLimiter(limits.MAX_ROOM_CREATES_PER_MINUTE)
        self.stall_s = float(os.environ.get("LOSSCAPE_SEND_STALL_S", limits.MAX_SEND_STALL_S))
        self.watchdog: asyncio.Task | None = None

    # ------------------------------------------------------------------ rooms

    async def start(self) -> None:
        """Check the broker now (an unreachable Redis stops start-up with its address)."""
        ping = getattr(self.broker, "ping", None)
        if ping is not None:
            try:
                await ping()
            except Exception as exc:
                url = getattr(self.broker, "url", "")
                raise RuntimeError(f"losscape: cannot reach Redis at {url}: {exc}") from exc

    def check_enabled(self) -> None:
        if self.problem:
            raise RoomError(503, self.problem, "rooms_unavailable")

    async def create(self, page: str, client: str) -> tuple[str, str]:
        """A new room driven from ``page``: (code, teacher token)."""
        self.check_enabled()
        if not self.creates.take(client):
            most = limits.MAX_ROOM_CREATES_PER_MINUTE
            msg = f"too many rooms started from this address (at most {most} a minute)"
            raise RoomError(429, msg, "too_many_requests")
        token = model.new_token()
        record = {
            "token": model.token_hash(token),
            "page": page,
            "state": "",
            "question": None,
            "qseq": 0,
        }
        for _ in range(8):  # a collision is ~1e-12 per try; retrying costs nothing
            code = model.new_code()
            if await self.broker.create(code, record):
                return code, token
        raise RoomError(503, "could not find a free room code; retry", "server_busy")

    async def room(self, code: str, client: str | None = None) -> tuple[str, dict[str, Any]]:
        """(normal code, record) of an open room.

        A join (``client`` given) with a wrong code costs the address a token: past
        ``MAX_ROOM_JOINS_PER_MINUTE`` wrong codes a minute it is refused (429), which
        makes guessing codes hopeless while a whole class behind one school NAT joins
        with the right code at once.
        """
        self.check_enabled()
        if client is not None and not self.joins.allows(client):
            most = limits.MAX_ROOM_JOINS_PER_MINUTE
            msg = f"too many wrong room codes from this address (at most {most} a minute); wait"
            raise RoomError(429, msg, "too_many_requests")
        normal = model.normal_code(code)
        record = await self.broker.load(normal) if normal else None
        if record is None:
            if client is not None:
                self.joins.take(client)
            shown = code[:16]
            msg = (
                f"no open room with code {shown!r}: check the code on the teacher's screen "
                f"({model.CODE_LENGTH} characters of {model.CODE_ALPHABET}); rooms end after "
                f"{limits.MAX_ROOM_IDLE_S // 3600} h without activity"
            )
            raise RoomError(404, msg, "unknown_room")
        return normal, record  # type: ignore[return-value]

    async def teacher_room(self, code: str, token: str | None) -> tuple[str, dict[str, Any]]:
        normal, record = await self.room(code)
        if not model.token_matches(token, record["token"]):
            msg = "this needs the room's teacher token (the page that started the class holds it)"
            raise RoomError(403, msg, "forbidden")
        return normal, record

    async def touch(self, code: str) -> None:
        now = time.monotonic()
        if now - self.touched.get(code, 0.0) >= TOUCH_EVERY_S:
            self.touched[code] = now
            await self.broker.touch(code)

    # ------------------------------------------------------------------ sockets

    async def _watch(self) -> None:
        """Close every socket whose write has not completed for stall_s (a student not reading)."""
        while self.peers:
            await asyncio.sleep(min(1.0, self.stall_s / 4))
            now = time.monotonic()
            for peer in [p for group in self.peers.values() for p in group if p.stalled(now)]:
                log.info(
                    "losscape: room socket closed: the client did not read for %g s", self.stall_s
                )
                peer.close_soon("not reading")
                if peer.task is not None:
                    peer.task.cancel()

    async def attach(self, code: str, peer: Peer) -> None:
        peer.stall_s = self.stall_s
        if self.watchdog is None or self.watchdog.done():
            self.watchdog = asyncio.create_task(self._watch())
        group = self.peers.setdefault(code, set())
        group.add(peer)
        if code not in self.unsubscribe:
            self.unsubscribe[code] = await self.broker.subscribe(
                code, lambda payload: self.on_channel(code, payload)
            )
        if peer.role == "student":
            await self.set_mode(code, peer, "following")

    async def detach(self, code: str, peer: Peer) -> None:
        peer.closed = True
        peer.ready.set()
        group = self.peers.get(code, set())
        group.discard(peer)
        if peer.role == "student":
            await self.broker.set_presence(code, peer.id, None)
            await self.publish_counts(code)
        if not group:
            self.peers.pop(code, None)
            unsubscribe = self.unsubscribe.pop(code, None)
            if unsubscribe is not None:
                await unsubscribe()

    async def set_mode(self, code: str, peer: Peer, mode: str) -> None:
        peer.mode = mode
        await self.broker.set_presence(code, peer.id, mode)
        if mode == "following":  # back to the teacher: the latest plots at once
            for payload in await self.broker.frames(code):
                self._deliver_frame(peer, payload)
        else:
            peer.frames.clear()
        await self.publish_counts(code)

    async def publish_counts(self, code: str) -> None:
        counts = await self.broker.presence(code)
        await self.broker.publish(code, b"T" + control("counts", **counts))

    def on_channel(self, code: str, payload: bytes) -> None:
        """A message on the room's channel: into each local peer's outbox."""
        kind, body = payload[:1], payload[1:]
        for peer in list(self.peers.get(code, ())):
            if kind == b"s" and peer.role == "student":
                peer.offer_state(body)
            elif (kind, peer.role) in ((b"S", "student"), (b"T", "teacher")):
                peer.offer_control(body)
            elif kind in (b"F", b"B") and peer.role == "student" and peer.mode == "following":
                self._deliver_frame(peer, payload)

    @staticmethod
    def _deliver_frame(peer: Peer, payload: bytes) -> None:
        lane, _, data = payload[1:].partition(b"\n")
        peer.offer_frame(lane.decode(), data, payload[:1] == b"B")

    # ------------------------------------------------------------------ teacher

    async def set_state(self, code: str, text: str) -> None:
        record = await self.broker.load(code)
        if record is None:
            raise RoomError(404, "this room has ended", "unknown_room")
        record["state"] = text
        await self.broker.save(code, record)
        await self.broker.publish(code, b"s" + control("state", hash=text))
        await self.touch(code)

    async def publisher(
        self, code: str, token: str | None
    ) -> Callable[[str, bytes, bool], Awaitable[None]]:
        """What a teacher's live channel calls with each result frame (raises RoomError).

        Publishing never holds up the teacher's lane: each frame is left in a per-lane
        slot (latest wins) that one pump task stores and publishes, so the teacher's page
        computes at its own pace and the room gets the newest result of each lane.
        """
        normal, _ = await self.teacher_room(code, token)
        lanes: set[str] = set()
        slots: dict[str, bytes] = {}
        pump: asyncio.Task | None = None

        async def drain() -> None:
            while slots:
                lane = next(iter(slots))
                payload = slots.pop(lane)
                try:
                    await self.broker.put_frame(normal, lane, payload)
                    await self.broker.publish(normal, payload)
                except Exception:  # Redis away: the teacher's page goes on; log it once
                    log.exception("losscape: publishing to room %s failed", normal)
                    slots.clear()

        async def publish(lane: str, data: bytes, binary: bool) -> None:
            nonlocal pump
            if len(data) > limits.MAX_ROOM_FRAME_BYTES or len(lane) > limits.MAX_LANE_LENGTH:
                return  # too big to fan out: the students' own pages would compute it
            if lane not in lanes and len(lanes) >= limits.MAX_ROOM_LANES:
                return  # the room keeps the latest frame of a bounded set of lanes
            lanes.add(lane)
            slots[lane] = (b"B" if binary else b"F") + lane.encode() + b"\n" + data
            if pump is None or pump.done():
                pump = asyncio.create_task(drain())

        return publish

    async def ask(
        self, code: str, token: str | None, question: model.ChoiceQuestion | model.PointQuestion
    ) -> dict[str, Any]:
        normal, record = await self.teacher_room(code, token)
        record["qseq"] = int(record.get("qseq", 0)) + 1
        asked = {**question.model_dump(), "id": record["qseq"], "open": True}
        record["question"] = asked
        await self.broker.save(normal, record)
        await self.broker.publish(normal, b"S" + control("question", question=asked))
        await self.broker.publish(normal, b"T" + control("tally", **model.tally(asked, [])))
        return asked

    async def reveal(self, code: str, token: str | None) -> dict[str, Any]:
        normal, record = await self.teacher_room(code, token)
        question = record.get("question")
        if not question or not question.get("open"):
            raise RoomError(
                409, "there is no open question to reveal; ask one first", "no_question"
            )
        question["open"] = False
        await self.broker.save(normal, record)
        result = model.tally(question, await self._answers(normal, question["id"]))
        await self.broker.publish(normal, b"S" + control("reveal", question=question, tally=result))
        await self.broker.publish(normal, b"T" + control("tally", **result))
        return {"question": question, "tally": result}

    # ------------------------------------------------------------------ students

    async def vote(self, code: str, vote: model.ChoiceVote | model.PointVote) -> dict[str, Any]:
        normal, record = await self.room(code)
        question = record.get("question")
        if not question or question["id"] != vote.question:
            current = f"the current one is {question['id']}" if question else "none was asked yet"
            msg = f"question {vote.question} is not this room's question ({current})"
            raise RoomError(409, msg, "unknown_question")
        if not question.get("open"):
            raise RoomError(
                409, f"question {vote.question} is closed: its answer was revealed", "closed"
            )
        if question["kind"] == "choice":
            if not isinstance(vote, model.ChoiceVote) or vote.choice >= len(question["choices"]):
                n = len(question["choices"])
                raise RoomError(
                    422, f"this question takes a choice from 0 to {n - 1}", "invalid_answer"
                )
            answer = {"choice": vote.choice}
        else:
            if not isinstance(vote, model.PointVote):
                raise RoomError(
                    422, "this question takes a point [x, y] on the contour", "invalid_answer"
                )
            answer = {"point": vote.point}
        if not await self.broker.add_answer(
            normal, question["id"], vote.device, orjson.dumps(answer)
        ):
            msg = f"this device already answered question {question['id']} (one answer per device)"
            raise RoomError(409, msg, "already_answered")
        result = model.tally(question, await self._answers(normal, question["id"]))
        await self.broker.publish(normal, b"T" + control("tally", **result))
        return {"accepted": True, "question": question["id"]}

    async def _answers(self, code: str, question: int) -> list[dict[str, Any]]:
        return [orjson.loads(a) for a in await self.broker.answers(code, question)]

    async def close(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        for code, unsubscribe in list(self.unsubscribe.items()):
            with contextlib.suppress(Exception):
                await unsubscribe()
            self.unsubscribe.pop(code, None)
        await self.broker.close()


def make_hub(redis_url: str | None, workers: int) -> Hub:
    """The hub for this server: Redis when a URL is set, else memory (refusing rooms when
    several workers would each have their own, unconnected rooms)."""
    if redis_url:
        from .broker_redis import RedisBroker

        return Hub(RedisBroker(redis_url))
    problem = None
    if workers > 1:
        problem = (
            f"this server runs {workers} workers without Redis, so a room would exist on one "
            "worker only: start it with --redis redis://HOST:6379/0 (or LOSSCAPE_REDIS_URL), "
            "or with --workers 1"
        )
    return Hub(MemoryBroker(), problem)


def hub(app: Any) -> Hub:
    """The app's hub (created on first use from the runtime's settings)."""
    found = getattr(app.state, "rooms", None)
    if found is None:
        from ..api.runtime import runtime

        rt = runtime(app)
        found = app.state.rooms = make_hub(rt.redis_url, rt.workers)
    return found
