"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served offline.

The scripts and stylesheet come from the installed ``fastapi-offline`` package
(its ``static`` folder: Swagger UI's bundle and CSS, ReDoc's standalone
bundle); the pages are written here with no inline script (Swagger UI starts
from ``/docs/assets/swagger-init.js``; ReDoc reads its ``<redoc spec-url>``
element), so they run under the page's own CSP: nothing from another origin.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import FileResponse, HTMLResponse, Response

ASSETS = "/docs/assets"
_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
_SWAGGER_INIT = """\
// Starts Swagger UI on the page's own OpenAPI document (kept out of the HTML: the CSP
// allows no inline script).
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
  });
});
"""


@cache
def static_dir() -> Path:
    """The installed fastapi-offline package's static files."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" type="image/png" href="{ASSETS}/favicon.png">{head}</head>'
        f"{body}</html>"
    )


def install(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their assets to ``app`` (outside the OpenAPI schema)."""
    openapi = app.openapi_url or "/openapi.json"
    title = app.title

    async def swagger(request: Request) -> Response:
        page = _page(
            f"{title} - Swagger UI",
            f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">',
            f'<body data-openapi="{html.escape(openapi)}"><div id="swagger-ui"></div>'
            f'<script src="{ASSETS}/swagger-ui-bundle.js"></script>'
            f'<script src="{ASSETS}/swagger-init.js"></script></body>',
        )
        return HTMLResponse(page)

    async def redoc(request: Request) -> Response:
        page = _page(
            f"{title} - ReDoc",
            "",
            f'<body><redoc spec-url="{html.escape(openapi)}"></redoc>'
            f'<script src="{ASSETS}/redoc.standalone.js"></script></body>',
        )
        return HTMLResponse(page)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        headers = {"cache-control": "public, max-age=86400"}
        if name == "swagger-init.js":
            return Response(
                _SWAGGER_INIT, media_type=_FILES["swagger-ui-bundle.js"], headers=headers
            )
        if name not in _FILES:
            return Response(status_code=404)
        return FileResponse(static_dir() / name, media_type=_FILES[name], headers=headers)

    app.add_route("/docs", swagger, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/redoc", redoc, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route(f"{ASSETS}/{{name}}", asset, methods=["GET", "HEAD"], include_in_schema=False)
