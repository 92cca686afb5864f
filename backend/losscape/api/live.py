"""The live channel: one WebSocket per page, tagged requests, latest wins per lane.

Client -> server: ``{"id": tag, "type": one of OPERATIONS or "cancel", "lane": optional
(default: the type), "body": the REST request}``. Server -> client: ``result``,
``progress`` (long sweeps, with the rows finished since the previous frame),
``error`` (``status`` 400 malformed, 404 cancel of an unknown id, 413 too
large, 422 invalid, 429 too many lanes, 503 the class-wide queue of long
computations is full, with ``retry_after`` seconds), ``dropped`` (superseded
on its lane) and ``cancelled`` frames, each with the request's ``id``.
With ``/api/live?binary=1`` results come as binary frames
(``encoding.binary_frame``); everything else stays JSON text.

Each lane holds at most one running and one waiting request. A newer request
replaces the waiting one (which gets ``dropped``) and stops a running long
sweep at its next chunk (also ``dropped``); a running short request (a few
milliseconds) finishes and its result is sent. A student dragging a slider so
never waits for a backlog. ``cancel`` stops a request by id; leaving the page
stops everything. Malformed, oversized or unknown messages get an error frame
and the socket stays open.

Heavy requests (sweeps, networks) of one connection run one at a time in the
runtime's heavy pool, after admission to the class-wide queue; the others run
in the interactive pool, so a slider never waits behind a sweep. A request
small enough (``Operation.inline``, bounded by ``limits.INLINE_*`` to about a
millisecond) runs on the event loop itself: a thread hop costs more CPU than
a page's drag request.

A small request identical to one this worker already answered (a class on one
scene) gets that answer from ``ANSWERS`` (``answer_cache``: bounded, keyed by the
canonical body) without validation or compute; it still takes its lane's turn.

Frames go out through a bounded outbox (``MAX_SEND_FRAMES``): when a reader
falls behind, a queued progress frame gives way first, then a queued result
that a newer result of the same lane supersedes becomes a small ``dropped``
frame (latest wins per lane: each lane's newest result always goes out, so at
most one result per lane waits); a socket whose write does not complete within
``MAX_SEND_STALL_S`` is closed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from pydantic import ValidationError
from starlette.websockets import WebSocket

from .. import limits, service
from . import encoding, errors
from .answer_cache import AnswerCache, request_key
from .live_envelope import (  # noqa: F401  (re-exported: the rooms use them from here)
    ROOM_SUBPROTOCOL,
    envelope_problem,
    origin_allowed,
    parse_message,
    room_token,
    valid_tag,
)
from .live_jobs import Job, JobProgress, Lane, OutFrame
from .operations import OPERATIONS
from .runtime import Refused, Runtime, runtime

log = logging.getLogger("losscape.api")

MAX_MESSAGE_BYTES = limits.MAX_BODY_BYTES
MAX_LANES = limits.MAX_LANES
TYPES = (*OPERATIONS, "cancel")
# Small requests' encoded answers, shared by this worker's sockets (answer_cache.py).
ANSWERS = AnswerCache()


class LiveSession:
    """One connection: reads messages, runs jobs on lanes, writes frames."""

    def __init__(self, ws: WebSocket, rt: Runtime) -> None:
        self.ws = ws
        self.runtime = rt
        self.lanes: dict[str, Lane] = {}
        self.heavy_lock = asyncio.Lock()  # one heavy job of this connection at a time
        self.outbox: collections.deque[OutFrame] = collections.deque()
        self.ready = asyncio.Event()
        self.closed = False
        self.gave_up = False
        self.main: asyncio.Task | None = None
        self.binary = ws.query_params.get("binary") == "1"
        self.stall_s = float(os.environ.get("LOSSCAPE_SEND_STALL_S", limits.MAX_SEND_STALL_S))
        self.send_started: float | None = None  # loop time the pending write began
        self.watchdog: asyncio.TimerHandle | None = None  # see _writer
        self.stalled = False  # the watchdog found a write pending for stall_s
        # A teacher's page (?room=CODE&token=…): its results are also published to the room.
        self.publish: Callable[[str, bytes, bool], Awaitable[None]] | None = None

    # ------------------------------------------------------------------ connection

    async def serve(self) -> None:
        if not origin_allowed(self.ws):
            await self.ws.close(code=1008, reason="cross-origin live channel refused")
            return
        token, subprotocol = room_token(self.ws)
        await self.ws.accept(subprotocol=subprotocol)
        if "room" in self.ws.query_params:
            refused = await self._join_room(token)
            if refused:
                await self.ws.close(code=4000 + refused[0], reason=refused[1][:120])
                return
        self.main = asyncio.current_task()
        writer = asyncio.create_task(self._writer())
        try:
            while not self.closed:
                try:
                    message = await self.ws.receive()
                except asyncio.CancelledError:
                    task = asyncio.current_task()
                    if not self.gave_up or task is None:
                        raise
                    task.uncancel()  # the writer gave up on this socket: stop reading
                    break
                except (RuntimeError, UnicodeDecodeError, ValueError):
                    break  # a broken frame (e.g. invalid UTF-8): the socket is done
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                await self.on_message(raw)
        finally:
            self.closed = True
            self.ready.set()
            writer.cancel()
            await self.shutdown()

    async def _join_room(self, token: str | None) -> tuple[int, str] | None:
        """Drive the room named in the query (rooms.hub); (status, reason) if refused."""
        rooms = getattr(self.ws.app.state, "rooms", None)
        if rooms is None:
            return 503, "rooms are not available on this server"
        params = self.ws.query_params
        try:
            self.publish = await rooms.publisher(params.get("room", ""), token)
        except Exception as exc:  # rooms.hub.RoomError: 403 forged token, 404 unknown room
            return getattr(exc, "status", 400), str(exc)
        return None

    async def _writer(self) -> None:
        """Write the outbox in order; a write stalled for MAX_SEND_STALL_S closes the socket.

        The stall is watched by one timer per socket (``_check_stall``), armed by a write
        when none is pending and re-armed while writes go on, not by a timeout around each
        write: ``asyncio.timeout`` arms and cancels a loop timer per frame (~13 us measured
        on uvloop, about 2% of an answer's CPU), and a write almost never waits at all.
        """
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        try:
            while not self.closed:
                if not self.outbox:
                    self.ready.clear()
                    await self.ready.wait()
                    continue
                item = self.outbox.popleft()
                message: dict[str, Any] = {"type": "websocket.send"}
                if item.binary:
                    message["bytes"] = item.data
                else:
                    message["text"] = item.data.decode()
                self.send_started = loop.time()
                if self.watchdog is None:
                    self.watchdog = loop.call_later(self.stall_s, self._check_stall, task)
                try:
                    await self.ws.send(message)
                except asyncio.CancelledError:
                    if not self.stalled or task is None:
                        raise
                    task.uncancel()  # the watchdog's cancel: give up on this socket
                    await self._give_up()
                    return
                except Exception:  # the client went away mid-send: stop writing
                    self.closed = True
                    return
                self.send_started = None
        finally:
            if self.watchdog is not None:
                self.watchdog.cancel()
                self.watchdog = None

    def _check_stall(self, writer: asyncio.Task | None) -> None:
        """The watchdog: cancel ``writer`` if its write began ``stall_s`` ago or more."""
        self.watchdog = None
        started = self.send_started
        if self.closed or started is None or writer is None:
            return  # no write pending: the next write arms the watchdog again
        loop = asyncio.get_running_loop()
        left = started + self.stall_s - loop.time()
        if left > 0:
            self.watchdog = loop.call_later(left, self._check_stall, writer)
            return
        self.stalled = True
        writer.cancel()

    async def _give_up(self) -> None:
        """Close a socket whose client did not read for ``stall_s`` (and stop reading it)."""
        logging.getLogger("uvicorn.error").info(
            "losscape: live channel closed: the client did not read for %g s", self.stall_s
        )
        self.closed = self.gave_up = True
        if self.main is not None:
            self.main.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=1008, reason="not reading"), 1.0)

    async def shutdown(self) -> None:
        """Stop every job (sweeps end at their next chunk) and wait for the lanes."""
        tasks = []
        for lane in self.lanes.values():
            lane.pending = None
            if lane.running is not None:
                lane.running.stop = "cancelled"
            if lane.task is not None:
                lane.task.cancel()
                tasks.append(lane.task)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def send(
        self,
        data: bytes,
        binary: bool = False,
        tag: Any = None,
        kind: str = "control",
        lane: str = "",
    ) -> None:
        """Queue a frame; over the bound, progress and superseded results give way."""
        if self.closed:
            return
        self.outbox.append(OutFrame(data, binary, tag, kind, lane))
        while len(self.outbox) > limits.MAX_SEND_FRAMES and self._give_way():
            pass
        self.ready.set()

    def _give_way(self) -> bool:
        """Drop the oldest progress frame, else turn the oldest result that a newer result of
        its own lane supersedes into ``dropped`` (latest wins per lane: the newest result of
        each lane always goes out, so the outbox holds at most one result per lane)."""
        for i, item in enumerate(self.outbox):
            if item.kind == "progress":
                del self.outbox[i]
                return True
        newest: dict[str, OutFrame] = {}
        for item in self.outbox:
            if item.kind == "result":
                newest[item.lane] = item
        for item in self.outbox:
            if item.kind == "result" and newest[item.lane] is not item:
                item.data = encoding.dumps({"id": item.tag, "type": "dropped"})
                item.binary, item.kind = False, "control"
                return True
        return False

    async def send_error(self, tag: Any, status: int, detail: list[dict[str, Any]]) -> None:
        frame = {"id": tag, "type": "error", "status": status, "detail": detail}
        await self.send(encoding.dumps(frame))

    # ------------------------------------------------------------------ messages

    async def on_message(self, raw: str | bytes) -> None:
        size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
        if size > MAX_MESSAGE_BYTES:
            msg = f"message of {size} bytes is over the {MAX_MESSAGE_BYTES} byte limit"
            await self.send_error(None, 413, [errors.item(["message"], msg, "too_large")])
            return
        message = parse_message(raw)
        if not isinstance(message, dict):
            msg = message if isinstance(message, str) else "a message must be a JSON object"
            await self.send_error(None, 400, [errors.item(["message"], msg, "malformed")])
            return
        tag = message.get("id")
        problem = envelope_problem(message, TYPES)
        if problem is not None:
            loc, msg = problem
            shown = tag if valid_tag(tag) else None
            await self.send_error(shown, 422, [errors.item(loc, msg, "invalid_message")])
            return
        kind = message["type"]
        body = message.get("body", {})
        if kind == "cancel":
            target = body.get("id", tag) if isinstance(body, dict) else tag
            if not valid_tag(target):
                msg = "cancel needs the id of a request (a string or an int)"
                await self.send_error(tag, 422, [errors.item(["body", "id"], msg, "invalid")])
                return
            await self.cancel(target)
            return
        op = OPERATIONS[kind]
        lane = message.get("lane", kind)
        key = request_key(kind, self.binary, body) if op.inline is not None else None
        if key is not None and (cached := ANSWERS.get(key)) is not None:
            await self.submit(lane, Job(tag, op, None, lane=lane, cached=cached))
            return
        try:
            model = op.validate(body)
        except ValidationError as exc:
            detail = errors.validation_detail(exc.errors(include_url=False), op.model)
            for d in detail:
                d["loc"] = ["body", *d["loc"]]
            await self.send_error(tag, 422, detail)
            return
        await self.submit(lane, Job(tag, op, model, lane=lane, key=key))

    async def submit(self, name: str, job: Job) -> None:
        lane = self.lanes.get(name)
        if lane is None:
            if len(self.lanes) >= MAX_LANES:
                msg = f"too many lanes on this connection (at most {MAX_LANES})"
                await self.send_error(job.tag, 429, [errors.item(["lane"], msg, "too_many")])
                return
            lane = self.lanes[name] = Lane()
            lane.task = asyncio.create_task(self.work(lane))
        old, lane.pending = lane.pending, job
        running = lane.running
        if running is not None and running.op.streams and running.stop is None:
            running.stop = "dropped"  # a long sweep stops at its next chunk
        lane.wakeup.set()
        if old is not None:
            await self.send(encoding.dumps({"id": old.tag, "type": "dropped"}))

    async def cancel(self, tag: Any) -> None:
        found = False
        for lane in self.lanes.values():
            if lane.pending is not None and lane.pending.tag == tag:
                lane.pending = None
                found = True
                await self.send(encoding.dumps({"id": tag, "type": "cancelled"}))
            if lane.running is not None and lane.running.tag == tag:
                found = True
                if lane.running.stop is None:
                    lane.running.stop = "cancelled"  # the frame goes out when the work stops
        if not found:
            msg = "no waiting or running request has this id (finished, dropped or never sent)"
            await self.send_error(tag, 404, [errors.item(["body", "id"], msg, "unknown_id")])

    # ------------------------------------------------------------------ work

    async def work(self, lane: Lane) -> None:
        while True:
            await lane.wakeup.wait()
            lane.wakeup.clear()
            job, lane.pending = lane.pending, None
            if job is None:
                continue
            lane.running = job
            try:
                await self.execute(job)
            finally:
                lane.running = None

    async def execute(self, job: Job) -> None:
        if job.cached is not None:  # an identical request's answer: nothing to compute
            await self._reply(job, job.cached, None)
            await asyncio.sleep(0)  # as after an inline job: the other sockets get the loop
            return
        if not job.op.heavy:
            if job.op.inline is not None and job.op.inline(job.body):
                await self._execute_inline(job)
            else:
                await self._execute(job, self.runtime.interactive)
            return
        try:
            async with self.runtime.heavy_slot(None), self.heavy_lock:
                if job.stop is None:
                    await self._execute(job, self.runtime.heavy)
                else:
                    await self.send(encoding.dumps({"id": job.tag, "type": job.stop}))
        except Refused as exc:
            frame = {"id": job.tag, "type": "error", "status": exc.status}
            frame.update(detail=exc.detail(), retry_after=exc.retry_after)
            await self.send(encoding.dumps(frame))

    async def _execute(self, job: Job, pool: anyio.CapacityLimiter) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        pump = asyncio.create_task(self._pump(job, queue))
        result: Any = None
        detail: list[dict[str, Any]] | None = None
        try:
            result = await anyio.to_thread.run_sync(
                job.op.encode, job.body, JobProgress(job, loop, queue), self.binary, limiter=pool
            )
        except service.Cancelled:
            pass
        except ValueError as exc:
            detail = errors.value_error_detail(exc)
        finally:
            queue.put_nowait(None)
            await pump
        await self._reply(job, result, detail)

    async def _execute_inline(self, job: Job) -> None:
        """A small request (``Operation.inline``) computed right here on the event loop."""
        result: Any = None
        detail: list[dict[str, Any]] | None = None
        try:
            result = job.op.encode(job.body, None, self.binary)
        except ValueError as exc:
            detail = errors.value_error_detail(exc)
        else:
            if job.key is not None:
                ANSWERS.put(job.key, result)
        await self._reply(job, result, detail)
        await asyncio.sleep(0)  # let the writer and the other sockets have the loop between jobs

    async def _reply(self, job: Job, result: Any, detail: list[dict[str, Any]] | None) -> None:
        """The job's one answer: its stop reason, an error, or the result frame."""
        head = {"id": job.tag, "type": "result"}
        if job.stop is not None:
            await self.send(encoding.dumps({"id": job.tag, "type": job.stop}))
            return
        if detail is not None:
            data, binary = (
                encoding.dumps({**head, "type": "error", "status": 422, "detail": detail}),
                False,
            )
            await self.send(data)
        elif isinstance(result, encoding.BinaryBody):
            data, binary = encoding.binary_frame(head, result), True
            await self.send(data, True, job.tag, "result", job.lane)
        elif result is not None:
            data, binary = encoding.frame(head, result), False
            await self.send(data, False, job.tag, "result", job.lane)
        else:
            return
        if self.publish is not None:  # computed once for the teacher, fanned out to the room
            await self.publish(job.lane, data, binary)

    async def _pump(self, job: Job, queue: asyncio.Queue[bytes | None]) -> None:
        while (data := await queue.get()) is not None:
            if job.stop is None:
                await self.send(data, False, job.tag, "progress")


async def endpoint(ws: WebSocket) -> None:
    """``/api/live``."""
    await LiveSession(ws, runtime(ws.app)).serve()
