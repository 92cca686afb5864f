"""``GET /api/catalog`` and ``GET /healthz``."""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from ... import limits, scenes, service
from .. import schemas
from ..encoding import dumps

router = APIRouter(tags=["catalog"])


def _networks() -> Any:
    """``losscape.network_service`` where this build has the networks, else None."""
    if importlib.util.find_spec("losscape.network_service") is None:
        return None
    from ... import network_service

    return network_service


def _optional(name: str) -> list[dict[str, Any]]:
    """The networks' catalogue sections (``datasets``, ``models``); empty without them."""
    fn = getattr(_networks(), name, None)
    return list(fn()) if callable(fn) else []


def web_limits() -> dict[str, Any]:
    """The one table of limits (the core's, the networks' and the server's, ``losscape.limits``)
    with the web app's own (basin maps, body size, formula length) applied."""
    out: dict[str, Any] = dict(limits.as_dict())
    out["max_basin_resolution"] = schemas.WEB_MAX_BASIN_RESOLUTION
    out["max_body_bytes"] = schemas.MAX_BODY_BYTES
    out["max_expression_length"] = schemas.MAX_EXPRESSION_LENGTH
    return out


@cache
def catalog_bytes() -> tuple[bytes, str]:
    """The catalog, encoded once, and its ETag."""
    import hashlib

    data = dumps(
        {
            "surfaces": service.surfaces(),
            "optimizers": service.optimizers(),
            "schedules": service.schedules(),
            "scenes": scenes.scenes(),
            "network_scenes": scenes.network_scenes() if _networks() is not None else [],
            "datasets": _optional("datasets"),
            "models": _optional("models"),
            "limits": web_limits(),
        }
    )
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@router.get(
    "/api/catalog",
    response_model=None,
    responses={200: {"model": schemas.CatalogResponse, "description": "Success."}},
    summary="Surfaces, optimizers, schedules, scenes and limits",
    operation_id="catalog",
)
async def catalog(request: Request) -> Response:
    """Everything the page builds its controls from: names, formulas (LaTeX), parameters
    with defaults and bounds, view boxes, critical points, scenes and the server's limits."""
    data, etag = catalog_bytes()
    headers = {"etag": etag, "cache-control": "no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


@router.get(
    "/healthz",
    response_model=None,
    responses={200: {"model": schemas.HealthResponse, "description": "Serving."}},
    summary="Liveness for load balancers",
    operation_id="healthz",
)
async def healthz() -> Response:
    """``{"status": "ok"}`` once the kernels are warm (the server accepts no request before)."""
    return Response(b'{"status":"ok"}', media_type="application/json")
