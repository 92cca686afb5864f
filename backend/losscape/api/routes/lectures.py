"""``/api/saved-scenes`` and ``/api/lectures``: the teacher's scenes and lectures, in SQLite.

The store (``losscape.lectures``) blocks for a few milliseconds per call, so every
call runs in a worker thread, never on the event loop. It is opened on first use
in the runtime's data folder (``serve --data DIR`` / ``LOSSCAPE_DATA_DIR``).
Reading needs only the id (a link is a capability); changing needs the
``X-Edit-Token`` returned on create.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Path, Request
from starlette.responses import Response

from ... import lectures
from .. import errors
from ..encoding import ORJSONResponse
from ..lecture_schemas import (
    STORE_ERRORS,
    Lecture,
    LectureCreated,
    LectureDocument,
    LectureIn,
    SavedScene,
    SavedSceneCreated,
    SavedSceneIn,
)
from ..runtime import Refused, runtime
from . import ERROR_RESPONSES, client_key

scenes_router = APIRouter(prefix="/api/saved-scenes", tags=["lectures"])
lectures_router = APIRouter(prefix="/api/lectures", tags=["lectures"])

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Token = Annotated[str, Header(alias="X-Edit-Token", min_length=1, max_length=128)]
_OPEN = threading.Lock()


def _store(app: Any) -> lectures.LectureStore:
    """The app's store, opened once (in a worker thread: opening touches the disk)."""
    with _OPEN:
        store = getattr(app.state, "lecture_store", None)
        if store is None:
            store = app.state.lecture_store = lectures.open_store(runtime(app).data_dir)
        return store


async def _call(
    request: Request, fn: Callable[[lectures.LectureStore], Any], status: int = 200
) -> Response:
    """``fn(store)`` in a worker thread; the store's refusals become clear 4xx answers."""
    try:
        runtime(request.app).take_token(client_key(request))
    except Refused as exc:
        return errors.refused_response(exc)
    app = request.app
    try:
        out = await anyio.to_thread.run_sync(lambda: fn(_store(app)))
    except lectures.Invalid as exc:
        detail = [errors.item(["body", *exc.path], exc.message, "value_error")]
        return ORJSONResponse({"detail": detail}, status_code=422)
    except (lectures.NotFound, lectures.Forbidden, lectures.Full) as exc:
        code = {lectures.NotFound: 404, lectures.Forbidden: 403, lectures.Full: 507}[type(exc)]
        kind = {404: "not_found", 403: "forbidden", 507: "store_full"}[code]
        detail = [errors.item(["path"], str(exc.args[0]), kind)]
        return ORJSONResponse({"detail": detail}, status_code=code)
    if out is None:
        return Response(status_code=204)
    return ORJSONResponse(out, status_code=status)


def _with_steps(store: lectures.LectureStore, lecture: dict[str, Any]) -> dict[str, Any]:
    return {**lecture, "steps": store.steps(lecture["id"])}


def _created(record: tuple[dict[str, Any], str]) -> dict[str, Any]:
    return {**record[0], "edit_token": record[1]}


def _new_lecture(store: lectures.LectureStore, made: tuple[dict[str, Any], str]) -> dict[str, Any]:
    """A just-stored lecture with its steps and edit token (create and import answer it)."""
    return _created((_with_steps(store, made[0]), made[1]))


_ERRORS = {**ERROR_RESPONSES, **STORE_ERRORS}
_SUCCESS = {200: "Success.", 201: "Created.", 204: "Deleted."}


def _route(
    router: APIRouter,
    method: str,
    path: str,
    operation_id: str,
    summary: str,
    *,
    model: Any = None,
    status: int = 200,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The decorator every handler here shares: ``_call`` builds the response itself
    (``response_model=None``), the store's errors are documented on all of them, and the
    success entry carries ``model`` (none for 204)."""
    success: dict[str, Any] = {"description": _SUCCESS[status]}
    if model is not None:
        success["model"] = model
    return getattr(router, method)(
        path,
        status_code=status,
        response_model=None,
        responses={status: success, **_ERRORS},
        summary=summary,
        operation_id=operation_id,
    )


# --------------------------------------------------------------------------- saved scenes


@_route(
    scenes_router,
    "post",
    "",
    "create_saved_scene",
    "Save a scene",
    model=SavedSceneCreated,
    status=201,
)
async def create_saved_scene(body: SavedSceneIn, request: Request) -> Response:
    """Stores the page state with a title and caption; answers its id and edit token."""
    data = body.model_dump()
    return await _call(request, lambda s: _created(s.create_scene(data)), 201)


@_route(scenes_router, "get", "/{scene_id}", "get_saved_scene", "A saved scene", model=SavedScene)
async def get_saved_scene(scene_id: Id, request: Request) -> Response:
    return await _call(request, lambda s: s.get_scene(scene_id))


@_route(
    scenes_router,
    "put",
    "/{scene_id}",
    "update_saved_scene",
    "Change a saved scene",
    model=SavedScene,
)
async def update_saved_scene(
    scene_id: Id, body: SavedSceneIn, request: Request, token: Token
) -> Response:
    """Needs its edit token; a built-in scene is read-only (403)."""
    data = body.model_dump()
    return await _call(request, lambda s: s.update_scene(scene_id, token, data))


@_route(
    scenes_router, "delete", "/{scene_id}", "delete_saved_scene", "Delete a saved scene", status=204
)
async def delete_saved_scene(scene_id: Id, request: Request, token: Token) -> Response:
    return await _call(request, lambda s: s.delete_scene(scene_id, token))


# --------------------------------------------------------------------------- lectures


@_route(
    lectures_router,
    "post",
    "",
    "create_lecture",
    "Create a lecture",
    model=LectureCreated,
    status=201,
)
async def create_lecture(body: LectureIn, request: Request) -> Response:
    """Orders saved and built-in scenes; answers the lecture (with its steps) and edit token."""
    data = body.model_dump()
    return await _call(request, lambda s: _new_lecture(s, s.create_lecture(data)), 201)


@_route(
    lectures_router,
    "post",
    "/import",
    "import_lecture",
    "Import an exported lecture",
    model=LectureCreated,
    status=201,
)
async def import_lecture(body: LectureDocument, request: Request) -> Response:
    """A new lecture and new saved scenes (fresh ids) from a document ``export`` wrote.
    Everything is checked before anything is stored; the first bad field is named."""
    data = body.model_dump()
    return await _call(request, lambda s: _new_lecture(s, s.import_document(data)), 201)


@_route(
    lectures_router, "get", "/{lecture_id}", "get_lecture", "A lecture and its steps", model=Lecture
)
async def get_lecture(lecture_id: Id, request: Request) -> Response:
    return await _call(request, lambda s: _with_steps(s, s.get_lecture(lecture_id)))


@_route(
    lectures_router, "put", "/{lecture_id}", "update_lecture", "Change a lecture", model=Lecture
)
async def update_lecture(
    lecture_id: Id, body: LectureIn, request: Request, token: Token
) -> Response:
    data = body.model_dump()
    return await _call(request, lambda s: _with_steps(s, s.update_lecture(lecture_id, token, data)))


@_route(
    lectures_router, "delete", "/{lecture_id}", "delete_lecture", "Delete a lecture", status=204
)
async def delete_lecture(lecture_id: Id, request: Request, token: Token) -> Response:
    """Its saved scenes stay (another lecture may use them)."""
    return await _call(request, lambda s: s.delete_lecture(lecture_id, token))


@_route(
    lectures_router,
    "get",
    "/{lecture_id}/export",
    "export_lecture",
    "Export a lecture as a JSON document",
    model=LectureDocument,
)
async def export_lecture(lecture_id: Id, request: Request) -> Response:
    """The document ``import`` reads: saved scenes inline, built-in scenes by id."""
    response = await _call(request, lambda s: s.export(lecture_id))
    if response.status_code == 200:
        response.headers["content-disposition"] = 'attachment; filename="lecture.json"'
    return response
