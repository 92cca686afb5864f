"""Error responses: one shape, ``{"detail": [{"loc", "msg", "type"}]}``, and never a 500.

FastAPI's default validation handler echoes each offending value back; a bare
``NaN`` literal in a body is such a value, and the JSON encoder then fails on
it (a 500). These handlers rebuild every error from its location, message and
type only, so whatever was sent, the answer is encodable.

An unknown field is refused by pydantic-core (``extra="forbid"`` on every request
model: no Python per model instance on the hot path); ``validation_detail`` rewords
that refusal into one naming the valid fields, finding the model that refused it by
following the error's location through the validated type's core schema (the same
path pydantic-core took: field names, list indices, union tags).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
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


# Core schema nodes that wrap one schema without adding a step to an error's location.
_WRAPPERS = frozenset({"default", "nullable", "function-wrap", "function-before", "function-after"})
# Validated type (by id; the type is kept alive with it) -> its core schema and definitions.
_SCHEMAS: dict[int, tuple[Any, Any, dict[str, Any]]] = {}


def _definitions(node: Any, found: dict[str, Any]) -> dict[str, Any]:
    """Every schema of ``node``'s tree that carries a ``ref``, by ref."""
    if isinstance(node, dict):
        ref = node.get("ref")
        if isinstance(ref, str) and ref not in found:
            found[ref] = node
        for value in node.values():
            _definitions(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _definitions(value, found)
    return found


def _schema_of(root: Any) -> tuple[Any, dict[str, Any]]:
    """``root``'s core schema and its definitions (computed once per type: errors only)."""
    entry = _SCHEMAS.get(id(root))
    if entry is None or entry[0] is not root:
        if isinstance(root, type) and issubclass(root, BaseModel):
            schema = root.__pydantic_core_schema__
        else:
            schema = TypeAdapter(root).core_schema
        entry = _SCHEMAS[id(root)] = (root, schema, _definitions(schema, {}))
    return entry[1], entry[2]


def model_at(root: Any, loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model class that validated the value at ``loc`` of a ``root`` input (None if the
    path leads elsewhere): the core schema is followed as pydantic-core follows it when it
    locates an error (a field name, a list index, a tagged union's tag per step)."""
    node, defs = _schema_of(root)
    steps = list(loc)
    for _ in range(10_000):  # bounded: a recursive definition reached without a step
        if not isinstance(node, dict):
            return None
        kind = node.get("type")
        if kind == "definitions":
            node = node["schema"]
        elif kind == "definition-ref":
            node = defs.get(node.get("schema_ref", ""))
        elif kind in _WRAPPERS:
            node = node.get("schema")
        elif kind == "model":
            if not steps:
                return node["cls"]
            node = node["schema"]
        elif not steps:
            return None
        elif kind == "model-fields":
            step = steps.pop(0)
            node = next(
                (
                    f["schema"]
                    for name, f in node["fields"].items()
                    if step in (name, f.get("validation_alias"))
                ),
                None,
            )
        elif kind == "list" and isinstance(steps[0], int):
            steps.pop(0)
            node = node.get("items_schema")
        elif kind == "dict":
            steps.pop(0)
            node = node.get("values_schema")
        elif kind == "tagged-union":
            choices = node["choices"]
            node = choices.get(steps.pop(0))
            if isinstance(node, str | int):  # older cores: a tag naming another tag's schema
                node = choices.get(node)
        else:
            return None
    return None


def _unknown_field(err: Mapping[str, Any], root: Any, prefix: Sequence[Any]) -> str | None:
    """An ``extra_forbidden`` error's message naming the valid fields (None: model unknown)."""
    loc = tuple(err.get("loc", ()))
    n = len(prefix)
    if root is None or len(loc) <= n or tuple(loc[:n]) != tuple(prefix):
        return None
    try:
        model = model_at(root, loc[n:-1])
    except Exception:  # an unforeseen schema shape: keep pydantic's own message
        log.debug("no model found for %r", loc, exc_info=True)
        return None
    return None if model is None else schemas.unknown_field_message(model, loc[-1])


def validation_detail(
    errors: Iterable[Mapping[str, Any]], root: Any = None, prefix: Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """Pydantic / FastAPI errors without their (possibly unencodable) input values.

    ``root``: the type that was validated (a model or an annotated union), whose input
    sits at ``prefix`` of each error's location (REST: ``("body",)``); with it an unknown
    field's refusal names the valid fields of the model that refused it.
    """
    out = []
    for err in errors:
        type_ = str(err.get("type", "value_error"))
        loc = list(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        if type_ in schemas.UNKNOWN_NAME_ERRORS:
            loc, msg = _unknown_name(err)
        elif type_ == "extra_forbidden":
            msg = _unknown_field(err, root, prefix) or msg
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


# Route (by id; kept alive with it) -> the type its body was validated against.
_BODY_TYPES: dict[int, tuple[Any, Any]] = {}


def _body_type(request: Request) -> Any:
    """The type FastAPI validated the request's body against (None: no body model).

    FastAPI keeps an ``Annotated`` body's metadata apart from its type (a tagged union's
    ``Discriminator`` among it): both are put back together, once per route.
    """
    route = request.scope.get("route")
    entry = _BODY_TYPES.get(id(route))
    if entry is None or entry[0] is not route:
        info = getattr(getattr(route, "body_field", None), "field_info", None)
        kind = getattr(info, "annotation", None)
        metadata = [m for m in getattr(info, "metadata", ()) if not isinstance(m, FieldInfo)]
        if kind is not None and metadata:
            kind = Annotated[kind, *metadata]
        entry = _BODY_TYPES[id(route)] = (route, kind)
    return entry[1]


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    return _json(422, validation_detail(exc.errors(), _body_type(request), ("body",)))


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
