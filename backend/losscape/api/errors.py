"""Error responses: one shape, ``{"detail": [{"loc", "msg", "type"}]}``, and never a 500.

FastAPI's default validation handler echoes each offending value back; a bare
``NaN`` literal in a body is such a value, and the JSON encoder then fails on
it (a 500). These handlers rebuild every error from its location, message and
type only, so whatever was sent, the answer is encodable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from . import schemas
from .encoding import ORJSONResponse

log = logging.getLogger("losscape.api")


class ServiceError(Exception):
    """A service ``ValueError`` on its way to a 422."""

    def __init__(self, error: ValueError) -> None:
        super().__init__(str(error))
        self.error = error


class TooLarge(StarletteHTTPException):
    """The request body is over ``schemas.MAX_BODY_BYTES``."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


def item(loc: Iterable[Any], msg: str, type_: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "loc": [part if isinstance(part, int) else str(part) for part in loc],
        "msg": msg,
        "type": type_,
    }
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def _unknown_name(err: Mapping[str, Any]) -> tuple[list[Any], str]:
    what, key, valid = schemas.UNKNOWN_NAME_ERRORS[err["type"]]
    loc = list(err.get("loc", ()))
    given = err.get("input")
    if isinstance(given, Mapping) and key in given:
        name = given[key]
        shown = repr(name) if isinstance(name, str) and len(name) <= 60 else "given"
        return [*loc, key], f"unknown {what} {shown}; valid {what}s: {valid}"
    if isinstance(given, Mapping):
        return [*loc, key], f"{key} is required; valid {what}s: {valid}"
    return loc, f"{what} must be an object with a {key!r}; valid {what}s: {valid}"


def validation_detail(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic / FastAPI errors without their (possibly unencodable) input values."""
    out = []
    for err in errors:
        type_ = str(err.get("type", "value_error"))
        loc = list(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        if type_ in schemas.UNKNOWN_NAME_ERRORS:
            loc, msg = _unknown_name(err)
        elif type_ == "json_invalid":
            ctx = err.get("ctx") or {}
            reason = ctx.get("error") if isinstance(ctx, Mapping) else None
            msg = f"malformed JSON: {reason}" if isinstance(reason, str) else "malformed JSON"
        out.append(item(loc, msg, type_))
    return out


def value_error_detail(error: ValueError, loc: Iterable[Any] = ("body",)) -> list[dict[str, Any]]:
    """A service ValueError; a typed-in formula's error adds its ``column`` and ``token``."""
    column = getattr(error, "column", None)
    token = getattr(error, "token", None)
    return [
        item(
            loc,
            str(error),
            "expression_error" if column is not None else "value_error",
            column=int(column) if isinstance(column, int) else None,
            token=str(token) if token is not None else None,
        )
    ]


def _json(status: int, detail: Any, headers: Mapping[str, str] | None = None) -> Response:
    return ORJSONResponse({"detail": detail}, status_code=status, headers=dict(headers or {}))


def refused_response(exc: Any) -> Response:
    """429 / 503 for a ``runtime.Refused``, with ``Retry-After`` and a clear message."""
    headers = {"retry-after": str(exc.retry_after)}
    return _json(exc.status, exc.detail(), headers)


def too_large_response() -> Response:
    """413 for a body whose declared length is already over the limit."""
    msg = f"request body over {schemas.MAX_BODY_BYTES} bytes"
    return _json(413, [item(["body"], msg, "too_large")])


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    return _json(422, validation_detail(exc.errors()))


async def _on_service(request: Request, exc: ServiceError) -> Response:
    return _json(422, value_error_detail(exc.error))


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code in (400, 413):
        kind = "too_large" if exc.status_code == 413 else "malformed_body"
        msg = (
            f"request body over {schemas.MAX_BODY_BYTES} bytes"
            if exc.status_code == 413
            else str(exc.detail)
        )
        return _json(exc.status_code, [item(["body"], msg, kind)], exc.headers)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return _json(exc.status_code, exc.detail, exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(ServiceError, _on_service)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
