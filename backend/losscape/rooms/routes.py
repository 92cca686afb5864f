"""The rooms' HTTP and WebSocket endpoints.

REST (errors are ``{"detail": [{"loc", "msg", "type"}]}`` like every route):

* ``POST /api/rooms`` {page} -> {code, teacher_token, join_url, qr_url, idle_s}
* ``GET /api/rooms/{code}`` -> {code, page, question} (a join: rate-limited per address)
* ``GET /api/rooms/{code}/qr.svg`` -> the join link as a QR code (SVG drawn by segno)
* ``POST /api/rooms/{code}/question`` (teacher) {kind, prompt, choices | view, scene, step}
* ``POST /api/rooms/{code}/reveal`` (teacher) -> {question, tally}
* ``POST /api/rooms/{code}/votes`` {device, question, choice | point}

The teacher proves itself with ``Authorization: Bearer <teacher_token>``; a
missing or wrong token is 403, an unknown code 404, a vote on a closed question
or a second vote of one device 409. None of them change anything.

WebSocket ``/api/rooms/{code}/socket?role=student`` (or ``role=teacher`` with the
subprotocols ``losscape.room, <teacher_token>``, or ``&token=…`` from a script):
the server says ``hello`` (state, question, counts), then streams ``state``,
``question``, ``reveal`` (students), ``counts`` and ``tally`` (teacher) and the
teacher's result frames (students who follow). Students send ``{"type":
"follow"}`` / ``{"type": "explore"}``; the teacher sends ``{"type": "state",
"hash": …}``. A refused socket is closed with code 4000 + HTTP status (4404,
4403, 4429, 4503) and the reason; an oversized or invalid message gets an
``error`` frame and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import orjson
from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.websockets import WebSocket

from .. import limits
from ..api import errors, schemas
from ..api.live import origin_allowed, room_token
from ..api.routes import ERROR_RESPONSES
from . import model
from .hub import Hub, Peer, RoomError, control, hub

router = APIRouter(prefix="/api/rooms", tags=["rooms"])


def _error(description: str) -> dict[str, Any]:
    return {"model": schemas.ErrorResponse, "description": description}


ROOM_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: _error("The teacher token is missing or wrong (`Authorization: Bearer <token>`)."),
    404: _error("No open room has this code (rooms end after hours without activity)."),
    409: _error(
        "A vote on a closed or unknown question, a second vote of a device, or a "
        "reveal without an open question."
    ),
    503: _error("Rooms are off: several workers without Redis (the message says what to set)."),
}


def _client(request: Request | WebSocket) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


def _refused(exc: RoomError) -> HTTPException:
    return HTTPException(exc.status, [errors.item(["room"], exc.message, exc.kind)])


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """The hub's refusals (``RoomError``) as the HTTP answers ``ROOM_ERRORS`` documents."""
    try:
        yield
    except RoomError as exc:
        raise _refused(exc) from None


def join_url(request: Request | WebSocket, page: str, code: str) -> str:
    base = str(request.base_url).rstrip("/")
    if base.startswith("ws"):  # a socket's base is ws(s)://; the page is http(s)://
        base = "http" + base[2:]
    return f"{base}{model.PAGE_PATHS[page]}#room={code}"


@router.post(
    "",
    operation_id="room_create",
    responses=ROOM_ERRORS,
    summary="Start a class (a room the teacher's page drives)",
)
async def create_room(body: model.CreateRoom, request: Request) -> dict[str, Any]:
    """A new room: its join code and link, and the teacher token (shown once; keep it)."""
    rooms = hub(request.app)
    with _refusals():
        code, token = await rooms.create(body.page, _client(request))
    return {
        "code": code,
        "teacher_token": token,
        "page": body.page,
        "join_url": join_url(request, body.page, code),
        "qr_url": f"/api/rooms/{code}/qr.svg",
        "idle_s": limits.MAX_ROOM_IDLE_S,
    }


@router.get(
    "/{code}",
    operation_id="room_get",
    responses=ROOM_ERRORS,
    summary="Look up a room by its join code",
)
async def get_room(code: str, request: Request) -> dict[str, Any]:
    rooms = hub(request.app)
    with _refusals():
        normal, record = await rooms.room(code, _client(request))
    return {"code": normal, "page": record["page"], "question": record.get("question")}


@router.get(
    "/{code}/qr.svg",
    operation_id="room_qr",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "The QR code."},
        **ROOM_ERRORS,
    },
    summary="The join link as a QR code (SVG)",
)
async def qr_code(code: str, request: Request) -> Response:
    import segno

    with _refusals():
        normal, record = await hub(request.app).room(code)
    buffer = io.BytesIO()
    qr = segno.make(join_url(request, record["page"], normal), error="m")
    qr.save(buffer, kind="svg", scale=10, border=2, dark="#111111", light="#ffffff", xmldecl=False)
    return Response(buffer.getvalue(), media_type="image/svg+xml")


@router.post(
    "/{code}/question",
    operation_id="room_question",
    responses=ROOM_ERRORS,
    summary="Ask the room a question (teacher)",
)
async def ask(code: str, body: model.Question, request: Request) -> dict[str, Any]:
    """Choices (``kind: "choice"``) or a click on the contour (``kind: "point"``)."""
    with _refusals():
        return await hub(request.app).ask(code, _bearer(request), body)


@router.post(
    "/{code}/reveal",
    operation_id="room_reveal",
    responses=ROOM_ERRORS,
    summary="Close the question and show its answer (teacher)",
)
async def reveal(code: str, request: Request) -> dict[str, Any]:
    with _refusals():
        return await hub(request.app).reveal(code, _bearer(request))


@router.post(
    "/{code}/votes",
    operation_id="room_vote",
    responses=ROOM_ERRORS,
    summary="Answer the room's question (one answer per device)",
)
async def vote(code: str, body: model.Vote, request: Request) -> dict[str, Any]:
    with _refusals():
        return await hub(request.app).vote(code, body)


# --------------------------------------------------------------------------- the socket


def _error(status: int, loc: str, msg: str, kind: str) -> bytes:
    return control("error", status=status, detail=[errors.item([loc], msg, kind)])


def _parse(raw: str | bytes) -> dict[str, Any] | str:
    """A JSON object, or why not (NaN and Infinity are refused like in REST bodies)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            json.loads(raw)
        except (ValueError, RecursionError):
            return "malformed JSON"
        return "NaN and Infinity are not allowed"
    return value if isinstance(value, dict) else "a message must be a JSON object"


async def socket(ws: WebSocket, code: str) -> None:
    """``/api/rooms/{code}/socket``: one teacher or student page in a room."""
    if not origin_allowed(ws):
        await ws.close(code=1008, reason="cross-origin room socket refused")
        return
    rooms = hub(ws.app)
    role = ws.query_params.get("role", "student")
    token, subprotocol = room_token(ws)
    await ws.accept(subprotocol=subprotocol)
    try:
        if role == "teacher":
            normal, record = await rooms.teacher_room(code, token)
        elif role == "student":
            normal, record = await rooms.room(code, _client(ws))
        else:
            raise RoomError(422, "role must be 'student' or 'teacher'", "invalid_role")
    except RoomError as exc:
        await ws.send_text(_error(exc.status, "room", exc.message, exc.kind).decode())
        await ws.close(code=4000 + exc.status, reason=exc.message[:120])
        return
    peer = Peer(ws, role)
    counts = await rooms.broker.presence(normal)
    hello = control(
        "hello",
        role=role,
        code=normal,
        page=record["page"],
        state=record["state"],
        question=record.get("question"),
        counts=counts,
        join_url=join_url(ws, record["page"], normal),
    )
    peer.offer_control(hello)
    writer = peer.task = asyncio.create_task(peer.writer())
    await rooms.attach(normal, peer)
    try:
        await _read(ws, rooms, normal, peer)
    finally:
        writer.cancel()
        await rooms.detach(normal, peer)


async def _read(ws: WebSocket, rooms: Hub, code: str, peer: Peer) -> None:
    while not peer.closed:
        try:
            message = await ws.receive()
        except (RuntimeError, UnicodeDecodeError, ValueError):
            return
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
        if size > limits.MAX_ROOM_MESSAGE_BYTES:
            msg = f"message of {size} bytes is over the {limits.MAX_ROOM_MESSAGE_BYTES} byte limit"
            peer.offer_control(_error(413, "message", msg, "too_large"))
            continue
        parsed = _parse(raw)
        if isinstance(parsed, str):
            peer.offer_control(_error(400, "message", parsed, "malformed"))
            continue
        try:
            if peer.role == "teacher":
                state = model.StateMessage.model_validate(parsed)
                await rooms.set_state(code, state.hash)
            else:
                mode = model.ModeMessage.model_validate(parsed)
                await rooms.set_mode(
                    code, peer, "following" if mode.type == "follow" else "exploring"
                )
        except ValidationError as exc:
            detail = errors.validation_detail(exc.errors(include_url=False))
            peer.offer_control(control("error", status=422, detail=detail))
        except RoomError as exc:
            peer.offer_control(_error(exc.status, "room", exc.message, exc.kind))
