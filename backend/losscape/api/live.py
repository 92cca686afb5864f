"""The live channel: one WebSocket per page, tagged requests, latest wins per lane.

Client -> server: ``{"id": tag, "type": one of OPERATIONS or "cancel", "lane": optional
(default: the type), "body": the REST request}``. Server -> client: ``result``,
``progress`` (long sweeps, with the rows finished since the previous frame),
``error`` (``status`` 400 malformed, 413 too large, 422 invalid, 429 too many
lanes), ``dropped`` (superseded on its lane) and ``cancelled`` frames, each with
the request's ``id``.

Each lane holds at most one running and one waiting request. A newer request
replaces the waiting one (which gets ``dropped``) and stops a running long
sweep at its next chunk (also ``dropped``); a running short request (a few
milliseconds) finishes and its result is sent. A student dragging a slider so
never waits for a backlog. ``cancel`` stops a request by id; leaving the page
stops everything. Malformed, oversized or unknown messages get an error frame
and the socket stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import orjson
from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket

from .. import service
from . import encoding, errors, schemas
from .operations import OPERATIONS, Operation

log = logging.getLogger("losscape.api")

MAX_MESSAGE_BYTES = schemas.MAX_BODY_BYTES
MAX_LANES = 8  # per connection: the page needs about five (view, sweeps, hessian)
MAX_TAG_LENGTH = 256
MAX_LANE_LENGTH = 64
ENVELOPE_KEYS = frozenset({"id", "type", "lane", "body"})
TYPES = (*OPERATIONS, "cancel")


@dataclass(eq=False)
class Job:
    """One request on a lane; ``stop`` is set to "dropped" or "cancelled" to end it."""

    tag: Any
    op: Operation
    body: BaseModel
    stop: str | None = None


@dataclass(eq=False)
class Lane:
    pending: Job | None = None
    running: Job | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None


class _JobProgress:
    """The worker thread's side of a job: cancellation checks and progress frames."""

    def __init__(self, job: Job, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
        self.job, self.loop, self.queue = job, loop, queue

    def check(self) -> None:
        if self.job.stop is not None:
            raise service.Cancelled(self.job.stop)

    def emit(self, done: int, total: int, partial: dict[str, Any] | None) -> None:
        self.check()
        head: dict[str, Any] = {"id": self.job.tag, "type": "progress", "done": done}
        head["total"] = total
        if partial is not None:
            head["partial"] = partial
        data = encoding.dumps(head)
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, data)
        except RuntimeError:  # the loop is gone: nobody is listening
            raise service.Cancelled("closed") from None


def origin_allowed(ws: WebSocket) -> bool:
    """Same-origin pages only (a browser always sends Origin; scripts may omit it)."""
    origin = ws.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == ws.headers.get("host", "").lower()


class LiveSession:
    """One connection: reads messages, runs jobs on lanes, writes frames."""

    def __init__(self, ws: WebSocket, limiter: anyio.CapacityLimiter) -> None:
        self.ws = ws
        self.limiter = limiter
        self.lanes: dict[str, Lane] = {}
        self.lock = asyncio.Lock()
        self.closed = False

    # ------------------------------------------------------------------ connection

    async def serve(self) -> None:
        if not origin_allowed(self.ws):
            await self.ws.close(code=1008, reason="cross-origin live channel refused")
            return
        await self.ws.accept()
        try:
            while not self.closed:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = message.get("bytes") or b""
                await self.on_message(raw)
        finally:
            self.closed = True
            await self.shutdown()

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

    async def send(self, data: bytes) -> None:
        if self.closed:
            return
        async with self.lock:
            try:
                await self.ws.send_text(data.decode())
            except Exception:  # the client went away mid-send: stop writing
                self.closed = True

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
        message = _parse(raw)
        if not isinstance(message, dict):
            msg = message if isinstance(message, str) else "a message must be a JSON object"
            await self.send_error(None, 400, [errors.item(["message"], msg, "malformed")])
            return
        tag = message.get("id")
        problem = _envelope_problem(message)
        if problem is not None:
            loc, msg = problem
            shown = tag if _valid_tag(tag) else None
            await self.send_error(shown, 422, [errors.item(loc, msg, "invalid_message")])
            return
        kind = message["type"]
        body = message.get("body", {})
        if kind == "cancel":
            await self.cancel(body.get("id", tag) if isinstance(body, dict) else tag)
            return
        op = OPERATIONS[kind]
        try:
            model = op.adapter.validate_python(body)
        except ValidationError as exc:
            detail = errors.validation_detail(exc.errors(include_url=False))
            for d in detail:
                d["loc"] = ["body", *d["loc"]]
            await self.send_error(tag, 422, detail)
            return
        await self.submit(message.get("lane", kind), Job(tag, op, model))

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
        for lane in self.lanes.values():
            if lane.pending is not None and lane.pending.tag == tag:
                lane.pending = None
                await self.send(encoding.dumps({"id": tag, "type": "cancelled"}))
            if lane.running is not None and lane.running.tag == tag and lane.running.stop is None:
                lane.running.stop = "cancelled"  # the frame goes out when the work stops

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
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        pump = asyncio.create_task(self._pump(job, queue))
        result: bytes | None = None
        detail: list[dict[str, Any]] | None = None
        try:
            result = await anyio.to_thread.run_sync(
                job.op.run, job.body, _JobProgress(job, loop, queue), limiter=self.limiter
            )
        except service.Cancelled:
            pass
        except ValueError as exc:
            detail = errors.value_error_detail(exc)
        finally:
            queue.put_nowait(None)
            await pump
        if job.stop is not None:
            await self.send(encoding.dumps({"id": job.tag, "type": job.stop}))
        elif detail is not None:
            await self.send_error(job.tag, 422, detail)
        elif result is not None:
            await self.send(encoding.frame({"id": job.tag, "type": "result"}, result))

    async def _pump(self, job: Job, queue: asyncio.Queue[bytes | None]) -> None:
        while (data := await queue.get()) is not None:
            if job.stop is None:
                await self.send(data)


def _parse(raw: str | bytes) -> Any:
    """JSON, or a string saying why not. NaN / Infinity literals parse (and fail validation)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        with contextlib.suppress(Exception):
            return f"malformed JSON: {str(exc)[:200]}"
        return "malformed JSON"


def _valid_tag(tag: Any) -> bool:
    if isinstance(tag, bool):
        return False
    if isinstance(tag, int):
        return abs(tag) < 2**53
    return isinstance(tag, str) and len(tag) <= MAX_TAG_LENGTH


def _envelope_problem(message: dict[str, Any]) -> tuple[list[Any], str] | None:
    extra = sorted(str(k) for k in set(message) - ENVELOPE_KEYS)
    if extra:
        return [extra[0]], f"unknown field(s) {', '.join(extra)}; valid: body, id, lane, type"
    if not _valid_tag(message.get("id")):
        return ["id"], f"id must be a string of at most {MAX_TAG_LENGTH} characters (or an int)"
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        shown = repr(kind) if isinstance(kind, str) and len(kind) <= 60 else "given"
        return ["type"], f"unknown type {shown}; valid types: {', '.join(TYPES)}"
    lane = message.get("lane", kind)
    if not isinstance(lane, str) or not 0 < len(lane) <= MAX_LANE_LENGTH:
        return ["lane"], f"lane must be a string of 1 to {MAX_LANE_LENGTH} characters"
    if "body" in message and not isinstance(message["body"], dict):
        return ["body"], "body must be a JSON object"
    return None


async def endpoint(ws: WebSocket) -> None:
    """``/api/live``."""
    from .app import limiter

    await LiveSession(ws, limiter(ws.app)).serve()
