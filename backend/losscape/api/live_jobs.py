"""The live channel's bookkeeping: a request on a lane (``Job``), a lane (``Lane``), a
job's worker-thread side (``JobProgress``: cancellation checks and progress frames) and
a frame waiting in a socket's outbox (``OutFrame``). ``live.LiveSession`` drives them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .. import service
from . import encoding
from .answer_cache import Answer
from .operations import Operation


@dataclass(eq=False)
class Job:
    """One request on a lane; ``stop`` is set to "dropped" or "cancelled" to end it.

    ``key``: the request's answer-cache key (small operations only); ``cached``: its
    answer when an identical request already computed it (``body`` is then None: the
    request was not validated again).
    """

    tag: Any
    op: Operation
    body: BaseModel | None
    stop: str | None = None
    lane: str = ""
    key: bytes | None = None
    cached: Answer | None = None


@dataclass(eq=False)
class Lane:
    pending: Job | None = None
    running: Job | None = None
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None


class JobProgress:
    """The worker thread's side of a job: cancellation checks and progress frames."""

    partials = True

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


@dataclass(eq=False)
class OutFrame:
    """A frame waiting in the outbox; ``tag`` and ``kind`` let a result give way."""

    data: bytes
    binary: bool = False
    tag: Any = None
    kind: str = "control"  # "result", "progress" or "control" (never dropped)
    lane: str = ""  # a result gives way only to a newer result of its own lane
