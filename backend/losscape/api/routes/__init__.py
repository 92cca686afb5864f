"""REST routes; each handler validates (pydantic) and hands the body to an operation.

The POST routes are rows of one table per router (``PostRoute``): path, operation,
response model and the text of the docs. ``add_post_routes`` turns each row into a
handler, so the surfaces' and the networks' routes share one way of being served.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Request
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


@dataclass(frozen=True)
class PostRoute:
    """One ``POST`` route: ``path`` runs operation ``operation`` (its request model is the
    operation's) and answers with ``response``; ``doc`` is the OpenAPI description,
    ``success`` the 200 answer's and ``summary`` the title (default: from the path)."""

    path: str
    operation: str
    response: Any
    doc: str
    success: str = "Success."
    summary: str | None = None


def add_post_routes(router: APIRouter, routes: Iterable[PostRoute]) -> None:
    """Add a handler per row: validate the body as the operation's model, then ``run`` it."""
    for row in routes:
        name = row.operation

        async def handler(body: Any, request: Request, _name: str = name) -> Response:
            return await run(request, _name, body)

        # FastAPI reads the body's type from the signature: the operation's request model.
        model = OPERATIONS[name].model
        handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    "body", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=Annotated[model, Body()],
                ),
                inspect.Parameter(
                    "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request
                ),
            ]
        )  # fmt: skip
        handler.__name__ = handler.__qualname__ = name
        router.add_api_route(
            row.path,
            handler,
            methods=["POST"],
            response_model=None,
            responses=documented(row.response, row.success),
            # a row without a summary is titled by its path: "/gradient-check" -> "Gradient Check"
            summary=row.summary or row.path.strip("/").replace("-", " ").title(),
            description=row.doc,
            operation_id=name,
        )
