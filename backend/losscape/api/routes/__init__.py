"""REST routes; each handler validates (pydantic) and hands the body to an operation."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio
from fastapi import Request
from starlette.responses import Response

from ... import service
from .. import schemas
from ..errors import ServiceError, refused_response
from ..operations import OPERATIONS
from ..runtime import Refused, runtime

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorResponse, "description": "The body could not be read."},
    413: {
        "model": schemas.ErrorResponse,
        "description": f"The body is over {schemas.MAX_BODY_BYTES} bytes.",
    },
    422: {
        "model": schemas.ErrorResponse,
        "description": "Malformed JSON, a value out of bounds, an unknown name (the message "
        "lists the valid ones), or a request the service refuses (e.g. too much work).",
    },
    429: {
        "model": schemas.ErrorResponse,
        "description": "Too many requests from this client, or a second long computation "
        "while one runs; `Retry-After` says when to try again.",
    },
    503: {
        "model": schemas.ErrorResponse,
        "description": "The class-wide queue of long computations is full; see `Retry-After`.",
    },
}


def documented(model: Any, description: str = "Success.") -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a POST route answering with ``model``."""
    return {200: {"model": model, "description": description}, **ERROR_RESPONSES}


class _RestProgress:
    """A REST request's cancel token: set once the client hangs up (no partial results)."""

    partials = False

    def __init__(self) -> None:
        self.stop: str | None = None

    def check(self) -> None:
        if self.stop is not None:
            raise service.Cancelled(self.stop)

    def emit(self, done: int, total: int, partial: dict[str, Any] | None) -> None:
        self.check()


async def _watch_disconnect(request: Request, token: _RestProgress) -> None:
    """Wait for the client to hang up (the body is read: the next message is a disconnect)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            token.stop = "closed"
            return


def client_key(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def run(request: Request, name: str, body: Any) -> Response:
    """Run operation ``name`` in a worker thread; a service ValueError becomes a 422.

    The client's rate is checked first (429); a heavy operation is admitted against
    the class-wide queue (503) and one per client (429). The work stops at its next
    chunk once the client hangs up.
    """
    op = OPERATIONS[name]
    rt = runtime(request.app)
    client = client_key(request)
    try:
        rt.take_token(client)
        token = _RestProgress()
        watcher = asyncio.create_task(_watch_disconnect(request, token))
        try:
            if op.heavy:
                async with rt.heavy_slot(client):
                    data = await anyio.to_thread.run_sync(op.encode, body, token, limiter=rt.heavy)
            else:
                data = await anyio.to_thread.run_sync(
                    op.encode, body, token, limiter=rt.interactive
                )
        finally:
            watcher.cancel()
    except Refused as exc:
        return refused_response(exc)
    except service.Cancelled:
        logging.getLogger("uvicorn.error").info(
            "losscape: %s from %s stopped: its client left", name, client
        )
        return Response(status_code=499)  # nobody is listening any more
    except ValueError as exc:
        raise ServiceError(exc) from exc
    return Response(data, media_type="application/json")
