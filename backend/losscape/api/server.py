"""``losscape serve``: uvicorn on the app factory, the URL printed, optionally a browser opened.

The HTTP edge is ``GuardedH11Protocol``: h11 with the request headers bounded
(``MAX_HEADER_BYTES`` in all; the app refuses more than ``MAX_HEADERS`` lines),
a connection that has not sent its headers within ``MAX_HEADER_WAIT_S`` closed,
and past ``MAX_CONNECTIONS`` open connections a new one answered ``503`` with
``Retry-After`` and closed at once (before it can hold a file descriptor).

``--workers N`` (N > 1) runs N processes that each bind their own socket to
the port with ``SO_REUSEPORT``: the kernel spreads new connections evenly over
them by their address hash (uvicorn's shared socket hands most connections to
whichever worker wakes first: 196 / 104 of 300 were measured). A supervisor
restarts a worker that dies; its students' pages reconnect to the others
meanwhile. Without SO_REUSEPORT (not Linux/BSD) uvicorn's own workers run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
import webbrowser
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .. import _numba_cache, limits
from ..warmup import URL_ENV
from .schemas import MAX_BODY_BYTES

APP = "losscape.api.app:create_app"
# Frames over 1 MiB get an error frame from the live channel and the socket stays
# open; only a frame over this size makes the WebSocket layer close the connection.
WS_MAX_SIZE = 4 * MAX_BODY_BYTES


def ws_deflate() -> bool:
    """permessage-deflate on the live channel: off unless LOSSCAPE_WS_DEFLATE=1.

    Compressing a 400 kB trajectory frame costs the server ~5-20 ms of CPU per
    frame (measured: live-channel p50 32 ms with it, 7 ms without, on loopback);
    on a classroom LAN the bytes are cheaper than the CPU.
    """
    return os.environ.get("LOSSCAPE_WS_DEFLATE", "") == "1"


_BUSY = (
    "the server has too many open connections (at most {cap} per worker); retry in a few seconds"
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a connection cap."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > limits.MAX_CONNECTIONS:
            self._refuse(503, _BUSY.format(cap=limits.MAX_CONNECTIONS))
            return
        wait = float(os.environ.get("LOSSCAPE_HEADER_WAIT_S", limits.MAX_HEADER_WAIT_S))
        self._header_timer = self.loop.call_later(wait, self._header_timeout)

    def _header_timeout(self) -> None:
        self._header_timer = None
        upgraded = self.transport.get_protocol() is not self
        if self.cycle is None and not upgraded and not self.transport.is_closing():
            self.transport.close()  # no request line and headers in time: a slow-header client

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # reading a request line and its headers
            buffered = self.conn.trailing_data[0]
            head = bytes(buffered[-3:]) + data if buffered else data
            end = head.find(b"\r\n\r\n")
            size = len(buffered) + (len(head) if end < 0 else end)
            if size > limits.MAX_HEADER_BYTES:
                self._refuse(431, f"request headers over {limits.MAX_HEADER_BYTES} bytes")
                return
        super().data_received(data)

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode()
        phrase = {431: "Request Header Fields Too Large", 503: "Service Unavailable"}[status]
        head = (
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"connection: close\r\ncontent-length: {len(body)}\r\n"
            + ("retry-after: 5\r\n" if status == 503 else "")
            + "\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self._header_timer is not None and (
            self.cycle is not None or self.transport.get_protocol() is not self
        ):
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)


class GuardedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol; a text frame of invalid UTF-8 closes the socket (1007)
    with one line in the log instead of a traceback."""

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
            try:
                data.decode()
            except UnicodeDecodeError:
                self.frames = []
                self.logger.warning("WebSocket closed: a text frame was not valid UTF-8 (1007)")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()


def uvicorn_options(log_level: str = "info") -> dict[str, Any]:
    """The uvicorn settings every worker runs with (the hardened edge)."""
    return {
        "factory": True,
        "log_level": log_level.lower(),
        "lifespan": "on",
        "http": GuardedH11Protocol,
        "ws": GuardedWebSocketProtocol,
        "h11_max_incomplete_event_size": limits.MAX_HEADER_BYTES,
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": limits.MAX_SHUTDOWN_S,
        "ws_max_size": WS_MAX_SIZE,
        "ws_per_message_deflate": ws_deflate(),
        "server_header": False,
    }


def page_url(host: str, port: int) -> str:
    """The URL to open: a wildcard bind is reached through loopback."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _open_when_ready(url: str, timeout: float = 300.0) -> None:
    """Open the browser once /healthz answers (the warm-up may take a while the first time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    try:
        webbrowser.open(url)
    except Exception as exc:  # no browser on this machine: the URL is printed anyway
        print(f"losscape: could not open a browser ({exc})", file=sys.stderr)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    open_browser: bool = False,
    log_level: str = "info",
    redis_url: str | None = None,
) -> int:
    """Run the web app until interrupted; returns the process exit code.

    ``redis_url`` (else ``$LOSSCAPE_REDIS_URL``) shares classroom rooms between the
    workers and hosts using that Redis; the workers read it as the runtime's setting.
    """
    import uvicorn

    if not 0 <= port <= 65535:
        print(f"losscape: error: port must be between 0 and 65535, got {port}", file=sys.stderr)
        return 2
    if workers < 1:
        print(f"losscape: error: workers must be at least 1, got {workers}", file=sys.stderr)
        return 2
    _numba_cache.configure_numba_cache()  # workers inherit NUMBA_CACHE_DIR
    os.environ["LOSSCAPE_HOST"] = host  # the Host allow-list takes --host (workers inherit it)
    if redis_url:
        os.environ["LOSSCAPE_REDIS_URL"] = redis_url  # runtime.py reads it in every worker
    os.environ["LOSSCAPE_WORKERS"] = str(workers)
    if workers > 1 and not os.environ.get("LOSSCAPE_REDIS_URL"):
        print(
            f"losscape: warning: {workers} workers without Redis: classroom rooms are off "
            "(each worker would hold its own rooms). Set --redis redis://HOST:6379/0 or "
            "LOSSCAPE_REDIS_URL to share them, or run --workers 1.",
            file=sys.stderr,
            flush=True,
        )
    url = page_url(host, port)
    if os.environ.get("LOSSCAPE_WARMUP", "1") != "0":
        # Once, here, before any worker (they then load numba's cache): the first
        # scene's kernels side by side, the rest in a background process meanwhile.
        import importlib

        from .. import first_start

        # With one worker the app runs in this process: import it while the kernels compile.
        app_module = APP.split(":")[0]
        first_start.prepare(
            meanwhile=(lambda: importlib.import_module(app_module)) if workers == 1 else None
        )
    os.environ[URL_ENV] = url  # the app prints it when it can answer (workers inherit it)
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(url,), daemon=True).start()
    options = uvicorn_options(log_level)
    if workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        return _supervise(host, port, workers, options)
    uvicorn.run(APP, host=host, port=port, workers=workers, **options)
    return 0


# --------------------------------------------------------------------------- workers


def _reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker: its own SO_REUSEPORT socket (listening once the kernels are warm)."""
    import uvicorn

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor stops workers with SIGTERM
    sock = _reuseport_socket(host, port)
    config = uvicorn.Config(APP, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Start ``workers`` processes; restart any that dies until SIGINT / SIGTERM."""
    _reuseport_socket(host, port).close()  # the port is free (or fail here, clearly)
    ctx = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> Any:
        proc = ctx.Process(target=_worker, args=(host, port, options), daemon=False)
        proc.start()
        return proc

    def stop(signum: int, frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    procs = [start() for _ in range(workers)]
    print(f"losscape: {workers} workers, connections spread by SO_REUSEPORT", flush=True)
    while not stopping.wait(0.5):
        for i, proc in enumerate(procs):
            if not proc.is_alive():
                print(
                    f"losscape: worker {proc.pid} exited ({proc.exitcode}); starting another",
                    file=sys.stderr,
                    flush=True,
                )
                procs[i] = start()
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    deadline = time.monotonic() + limits.MAX_SHUTDOWN_S + 5
    for proc in procs:
        proc.join(max(0.1, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()
    return 0
