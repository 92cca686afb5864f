"""``losscape serve``: uvicorn on the app factory, the URL printed, optionally a browser opened."""

from __future__ import annotations

import os
import sys
import threading
import time
import urllib.request
import webbrowser

from .. import _numba_cache
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
) -> int:
    """Run the web app until interrupted; returns the process exit code."""
    import uvicorn

    if not 0 <= port <= 65535:
        print(f"losscape: error: port must be between 0 and 65535, got {port}", file=sys.stderr)
        return 2
    if workers < 1:
        print(f"losscape: error: workers must be at least 1, got {workers}", file=sys.stderr)
        return 2
    _numba_cache.configure_numba_cache()  # workers inherit NUMBA_CACHE_DIR
    url = page_url(host, port)
    from .. import warmup

    if os.environ.get("LOSSCAPE_WARMUP", "1") != "0":  # once, before workers start
        warmup.warm(warmup.server_groups())
    os.environ[warmup.URL_ENV] = url  # the app prints it when it can answer
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(url,), daemon=True).start()
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        lifespan="on",
        ws_max_size=WS_MAX_SIZE,
        ws_per_message_deflate=ws_deflate(),
        server_header=False,
    )
    return 0
