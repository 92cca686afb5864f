"""REST routes; each handler validates (pydantic) and hands the body to an operation."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request
from starlette.responses import Response

from .. import schemas
from ..app import limiter
from ..errors import ServiceError
from ..operations import OPERATIONS

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
}


def documented(model: Any, description: str = "Success.") -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a POST route answering with ``model``."""
    return {200: {"model": model, "description": description}, **ERROR_RESPONSES}


async def run(request: Request, name: str, body: Any) -> Response:
    """Run operation ``name`` in a worker thread; a service ValueError becomes a 422."""
    op = OPERATIONS[name]
    try:
        data = await anyio.to_thread.run_sync(op.run, body, None, limiter=limiter(request.app))
    except ValueError as exc:
        raise ServiceError(exc) from exc
    return Response(data, media_type="application/json")
