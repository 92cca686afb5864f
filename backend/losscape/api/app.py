"""The FastAPI application: REST API, live channel, classroom page and Plotly.js.

``create_app()`` is the factory uvicorn runs (``losscape serve``). Its lifespan
warms every numba kernel group (``losscape.warmup``: the first scene's first,
then the sweeps, every catalogue pair, the networks) so no request pays compile
time, prepares the gzipped Plotly bundle, and then prints the page's URL. On a
first start ``losscape serve`` compiles the later groups in a background
process meanwhile (``losscape.first_start``): the app then loads the first
scene's groups only and any request for a kernel of the rest waits for it.
Kernels run in worker threads of the runtime's two pools (``runtime.py``:
interactive and heavy): they release the GIL, so a big sweep never stalls the
event loop or the other clients.

Every request's ``Host`` must be one of this machine's names (see
``allowed_host``; anything else is a 400, which stops DNS rebinding), and its
headers at most ``MAX_HEADERS`` lines (431). Every HTTP response carries a
Content-Security-Policy that allows scripts from this origin only and no
framing, ``X-Content-Type-Options: nosniff`` and a Referrer-Policy. ``/docs``
and ``/redoc`` are served offline (``docs.py``) under the same rule.
The Plotly.js bundle served (plotly.py 7, plotly.js 3) draws SVG and gl3d
traces (contour, heatmap, scatter, surface, scatter3d) without ``'unsafe-eval'``;
only the regl-based traces (scattergl, splom, parcoords) compile code with
``Function`` and need it, so it is off unless ``LOSSCAPE_CSP_UNSAFE_EVAL=1``.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import ipaddress
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__, first_start, limits, warmup
from . import cors, docs, errors, schemas
from .encoding import ORJSONResponse
from .runtime import runtime

log = logging.getLogger("losscape.api")

API_PREFIXES = (
    "/api/",
    "/vendor/",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/healthz",
    "/favicon.ico",
)
_CSP_COMMON = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(unsafe_eval: bool | None = None) -> str:
    """The page's CSP; ``'unsafe-eval'`` only if asked for (see the module docstring)."""
    if unsafe_eval is None:
        unsafe_eval = os.environ.get("LOSSCAPE_CSP_UNSAFE_EVAL", "") == "1"
    script = "script-src 'self' 'unsafe-eval'" if unsafe_eval else "script-src 'self'"
    return f"{_CSP_COMMON}; {script}"


# --------------------------------------------------------------------------- middleware


class SecurityAndLimits:
    """Security headers on every HTTP response; bodies over the limit answered with 413.

    A declared Content-Length over the limit is refused before the app runs;
    otherwise the bytes actually received are counted, so a chunked or lying
    client is stopped at the limit too.
    """

    def __init__(self, app: ASGIApp, max_body: int = schemas.MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body
        self.csp = content_security_policy()
        self.hosts = allowed_hosts()

    def _headers(self, path: str) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"content-security-policy", self.csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
        ]
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        problem = _header_problem(scope, self.hosts)
        if problem is not None:
            await _refuse(scope, receive, send, *problem)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = self._headers(path)
        api = path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in extra if h[0] not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store" if api else b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await errors.too_large_response()(scope, receive, send_with_headers)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise errors.TooLarge()
            return message

        await self.app(scope, counted_receive, send_with_headers)


def allowed_hosts() -> frozenset[str]:
    """Host names this server answers to (IP literals are always allowed, see below).

    localhost (and ``*.localhost``), this machine's host names, ``--host`` (``serve``
    passes it as ``LOSSCAPE_HOST``) and the comma-separated ``LOSSCAPE_ALLOWED_HOSTS``
    (e.g. ``class.example.org`` behind a proxy, or ``*`` to allow any).
    """
    names = {"localhost", socket.gethostname(), socket.getfqdn()}
    names.update(os.environ.get("LOSSCAPE_ALLOWED_HOSTS", "").split(","))
    names.add(os.environ.get("LOSSCAPE_HOST", ""))
    return frozenset(n.strip().lower().rstrip(".") for n in names if n.strip())


def allowed_host(host: str, allowed: frozenset[str]) -> bool:
    """Whether a ``Host`` header (with or without port) names this server.

    An IP literal cannot be rebound by DNS (the page's origin is that address
    itself), so any is allowed; a name must be in ``allowed``.
    """
    if "*" in allowed:
        return True
    name = host.strip().lower()
    if name.startswith("["):  # [v6]:port
        name = name[1 : name.find("]")] if "]" in name else ""
    elif name.count(":") == 1:
        name = name.rsplit(":", 1)[0]
    name = name.rstrip(".")
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name in allowed or name.endswith(".localhost")


def _header_problem(scope: Scope, hosts: frozenset[str]) -> tuple[int, str] | None:
    headers = scope.get("headers", [])
    if len(headers) > limits.MAX_HEADERS:
        return 431, f"too many request headers ({len(headers)}; at most {limits.MAX_HEADERS})"
    host = next((v for k, v in headers if k == b"host"), b"").decode("latin-1")
    if not allowed_host(host, hosts):
        shown = host[:60] if host else "(none)"
        return 400, (
            f"unknown Host {shown!r}: this server answers to localhost, its own names and "
            "addresses, and the names in LOSSCAPE_ALLOWED_HOSTS"
        )
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, msg: str) -> None:
    """Answer ``status`` before the app runs (a WebSocket handshake is refused the same way)."""
    kind = "bad_host" if status == 400 else "too_many_headers"
    body = errors.item(["header"], msg, kind)
    response = ORJSONResponse({"detail": [body]}, status_code=status)
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": response.raw_headers,
            }
        )
        await send({"type": "websocket.http.response.body", "body": response.body})
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": msg[:120]})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------- static files


def frontend_dir() -> Path | None:
    """The classroom page's folder: $LOSSCAPE_FRONTEND_DIR, the installed copy, or the checkout's.

    A wheel puts ``frontend/`` at ``losscape/frontend`` (pyproject's force-include);
    a source checkout has it at ``<repo>/frontend`` beside ``backend/``.
    """
    package = Path(__file__).resolve().parent.parent
    candidates = [
        os.environ.get("LOSSCAPE_FRONTEND_DIR"),
        package / "frontend",
        package.parent.parent / "frontend",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "index.html").is_file():
            return Path(candidate)
    return None


class _StaticRoute(Route):
    """GET/HEAD of any path outside the API: files of the frontend folder."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


_MISSING_FRONTEND = (
    "<!doctype html><title>losscape</title><h1>losscape</h1>"
    "<p>The classroom page's files were not found; the API is at <a href=/docs>/docs</a>.</p>"
)


async def _missing_frontend(request: Request) -> Response:
    status = 200 if request.url.path == "/" else 404
    return HTMLResponse(_MISSING_FRONTEND, status_code=status)


# A level-set icon for browsers' automatic /favicon.ico request when the frontend ships
# none: without it every page load logs a failed request in the console.
_FAVICON_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    b'<rect width="32" height="32" rx="6" fill="#1f2937"/>'
    b'<g fill="none" stroke="#60a5fa" stroke-width="2">'
    b'<ellipse cx="16" cy="16" rx="12" ry="7"/><ellipse cx="16" cy="16" rx="6" ry="3"/></g>'
    b'<circle cx="16" cy="16" r="1.5" fill="#f59e0b"/></svg>'
)


def _favicon(folder: Path | None) -> Any:
    async def favicon(request: Request) -> Response:
        if folder is not None and (folder / "favicon.ico").is_file():
            return FileResponse(folder / "favicon.ico", headers={"cache-control": "no-cache"})
        return Response(
            _FAVICON_SVG, media_type="image/svg+xml", headers={"cache-control": "max-age=86400"}
        )

    return favicon


@dataclass(frozen=True)
class Bundle:
    raw: bytes
    gzipped: bytes
    etag: str


@cache
def plotly_bundle() -> Bundle:
    """Plotly.js from the installed plotly package, gzipped once."""
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode("utf-8")
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    return Bundle(raw, gzip.compress(raw, compresslevel=9, mtime=0), etag)


async def vendor_plotly(request: Request) -> Response:
    """``/vendor/plotly.min.js``: cached for a year, gzipped when the client accepts it."""
    bundle = await anyio.to_thread.run_sync(plotly_bundle)
    headers = {
        "cache-control": "public, max-age=31536000",
        "etag": bundle.etag,
        "vary": "Accept-Encoding",
    }
    if bundle.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = bundle.raw
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        body = bundle.gzipped
        headers["content-encoding"] = "gzip"
    media = "text/javascript; charset=utf-8"
    if request.method == "HEAD":
        headers["content-length"] = str(len(body))
        return Response(status_code=200, headers=headers, media_type=media)
    return Response(body, headers=headers, media_type=media)


# --------------------------------------------------------------------------- warm-up


def warm_up() -> dict[str, Any]:
    """Load (or compile) every kernel group (see ``losscape.warmup``) and the Plotly bundle.

    ``losscape serve`` has already warmed them in its own process before any
    worker started, so here numba loads them from its disk cache. While its
    background process still compiles the later groups, only the first
    scene's are loaded and the compiles wait for the rest
    (``first_start.hold_compiles_until_warm``).
    """
    if first_start.background_running():
        done = warmup.warm(warmup.first_groups(), out=None)
        first_start.hold_compiles_until_warm()
    else:
        done = warmup.warm(warmup.groups(), out=None)
    plotly_bundle()
    # uvicorn.error is the logger uvicorn prints at INFO; ours would be silent by default
    logging.getLogger("uvicorn.error").info(
        "losscape: kernels warmed in %.2f s (%d runs)", done["seconds"], done["runs"]
    )
    return done


GC_YOUNG_THRESHOLD = 10_000


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from ..rooms.hub import hub as rooms_hub

    runtime(app)
    rooms = rooms_hub(app)  # before the first socket: a teacher's live channel publishes to it
    await rooms.start()
    if os.environ.get("LOSSCAPE_WARMUP", "1") != "0":
        app.state.warm_up = await anyio.to_thread.run_sync(warm_up)
    # Everything loaded so far (modules, the request models' validators, numba's
    # dispatchers: a few hundred thousand objects) lives as long as the worker: move it
    # out of the cyclic collector's reach, so its full collections, which a busy live
    # channel's allocations trigger, no longer walk it each time (~6% of an answer's CPU
    # measured in process with as many live objects).
    gc.collect()
    gc.freeze()
    # Collect the youngest generation after GC_YOUNG_THRESHOLD net new container objects,
    # not Python's 700: a few in-flight answers hold more than 700 at a time, so at 700 the
    # collector ran ~35 times a second under a classroom, each time promoting those answers'
    # temporaries to the older generations, whose collections (up to 26 and 83 ms) then
    # walked them: ~10% of a worker's CPU (measured with gc.callbacks: 520 of 5,070 ms at
    # 150 students on one worker). Garbage in cycles waits at most that many objects.
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    warmup.announce_ready()  # the URL, now that the app can answer
    yield
    await rooms.close()


# --------------------------------------------------------------------------- the app


def create_app() -> FastAPI:
    """The application (``uvicorn --factory losscape.api.app:create_app``)."""
    from ..rooms import routes as rooms
    from .live import endpoint as live_endpoint
    from .routes import catalog, compute, lectures, networks, scenes, sweeps

    app = FastAPI(
        title="losscape",
        version=__version__,
        description=(
            "Loss landscapes and optimizer trajectories for teaching optimization. "
            "All sizes are bounded (see `limits` in `GET /api/catalog`); invalid input gives "
            "422 with the valid names or bounds in the message; nothing non-finite is ever "
            "returned (undefined values are null). The page uses the live channel "
            "`/api/live` (WebSocket) with the same request bodies."
        ),
        lifespan=lifespan,
        default_response_class=ORJSONResponse,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)
    app.include_router(catalog.router)
    app.include_router(compute.router)
    app.include_router(sweeps.router)
    app.include_router(networks.router)
    app.include_router(scenes.router)
    app.include_router(lectures.scenes_router)
    app.include_router(lectures.lectures_router)
    app.add_api_websocket_route("/api/live", live_endpoint)
    app.include_router(rooms.router)
    app.add_api_websocket_route("/api/rooms/{code}/socket", rooms.socket)
    app.add_route("/vendor/plotly.min.js", vendor_plotly, methods=["GET", "HEAD"])
    folder = frontend_dir()
    app.add_route("/favicon.ico", _favicon(folder), methods=["GET", "HEAD"])
    static: Any = _missing_frontend
    if folder is not None:
        static = GZipMiddleware(StaticFiles(directory=folder, html=True), minimum_size=1024)
    app.router.routes.append(
        _StaticRoute("/{path:path}", static, methods=["GET", "HEAD"], include_in_schema=False)
    )
    app.add_middleware(SecurityAndLimits)
    cors.install(app)  # opt-in (LOSSCAPE_CORS_ORIGINS), outermost
    return app
