"""The live channel's envelope: who may open a socket, and what a message must look like.

Kept apart from ``live.py`` (the session: lanes, jobs, the outbox) so that the code that
reads untrusted frames can be read alone; the rooms' sockets use the same checks.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.websockets import WebSocket

from .. import limits

MAX_TAG_LENGTH = limits.MAX_TAG_LENGTH
MAX_LANE_LENGTH = limits.MAX_LANE_LENGTH
ENVELOPE_KEYS = frozenset({"id", "type", "lane", "body"})

ROOM_SUBPROTOCOL = "losscape.room"


def room_token(ws: WebSocket) -> tuple[str | None, str | None]:
    """(teacher token, subprotocol to accept) of a socket that drives a classroom room.

    The page offers the subprotocols ``losscape.room, <token>`` so the token stays out
    of the URL (and so out of access logs); scripts may pass ``?token=`` instead.
    """
    offered = [p.strip() for p in ws.headers.get("sec-websocket-protocol", "").split(",")]
    if ROOM_SUBPROTOCOL in offered:
        i = offered.index(ROOM_SUBPROTOCOL)
        token = offered[i + 1] if i + 1 < len(offered) else None
        return token, ROOM_SUBPROTOCOL
    return ws.query_params.get("token"), None


def origin_allowed(ws: WebSocket) -> bool:
    """Same-origin pages only (a browser always sends Origin; scripts may omit it).

    Behind a proxy that rewrites Host, list the page's origins in
    ``LOSSCAPE_ALLOWED_ORIGINS`` (comma-separated, e.g. ``https://class.example.org``).
    """
    origin = ws.headers.get("origin")
    if not origin:
        return True
    if urlsplit(origin).netloc.lower() == ws.headers.get("host", "").lower():
        return True
    extra = os.environ.get("LOSSCAPE_ALLOWED_ORIGINS", "")
    return origin.rstrip("/").lower() in {o.strip().rstrip("/").lower() for o in extra.split(",")}


def parse_message(raw: str | bytes) -> Any:
    """JSON, or a string saying why not. NaN / Infinity literals parse (and fail validation)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        with contextlib.suppress(Exception):
            return f"malformed JSON: {str(exc)[:200]}"
        return "malformed JSON"


def valid_tag(tag: Any) -> bool:
    if isinstance(tag, bool):
        return False
    if isinstance(tag, int):
        return abs(tag) < 2**53
    return isinstance(tag, str) and len(tag) <= MAX_TAG_LENGTH


def envelope_problem(
    message: dict[str, Any], types: tuple[str, ...]
) -> tuple[list[Any], str] | None:
    """Why ``message`` is not a valid envelope (``(loc, message)``), or None; ``types``: the
    operation types and "cancel"."""
    extra = sorted(str(k) for k in set(message) - ENVELOPE_KEYS)
    if extra:
        return [extra[0]], f"unknown field(s) {', '.join(extra)}; valid: body, id, lane, type"
    if not valid_tag(message.get("id")):
        return ["id"], f"id must be a string of at most {MAX_TAG_LENGTH} characters (or an int)"
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in types:
        shown = repr(kind) if isinstance(kind, str) and len(kind) <= 60 else "given"
        return ["type"], f"unknown type {shown}; valid types: {', '.join(types)}"
    lane = message.get("lane", kind)
    if not isinstance(lane, str) or not 0 < len(lane) <= MAX_LANE_LENGTH:
        return ["lane"], f"lane must be a string of 1 to {MAX_LANE_LENGTH} characters"
    if "body" in message and not isinstance(message["body"], dict):
        return ["body"], "body must be a JSON object"
    return None
