"""Request and response models of ``/api/saved-scenes`` and ``/api/lectures``.

The models give the shapes and the size limits; a saved scene's ``state`` is then
checked field by field by ``losscape.lectures.validate`` (the page's keys, catalogue
names and bounds), whose errors name the field by its path.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from .. import limits
from ..lectures import FORMAT
from .schemas import ErrorResponse, Out, Strict

Page = Literal["surfaces", "networks"]
Title = Field(min_length=1, max_length=limits.MAX_TITLE_LENGTH)
Caption = Field(default="", max_length=limits.MAX_CAPTION_LENGTH)
SceneRef = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")

_STATE_DOC = (
    "The page state as the page's link holds it: surfaces (`surface`, `params`, `runs`, "
    "`steps`, `schedule`, ...) or networks (`dataset`, `model`, `optimizer`, `lr`, ...). "
    "Only catalogue names, numbers within their bounds, at most "
    f"{limits.MAX_SCENE_STATE_BYTES} bytes as JSON. The view keys (`scene`, `step`, `t`, "
    "`speed`, `present`) are dropped."
)
_EXAMPLE_STATE = {
    "surface": "ravine",
    "params": {"kappa": 10.0},
    "runs": [{"optimizer": "gd", "lr": 0.1, "start": [-4.0, 1.5], "color": "#0072B2"}],
    "steps": 100,
}

_SAVED_SCENE_EXAMPLE = {
    "id": "s_ZTkHqyBv-qfE_OQEvEJJqg",
    "page": "surfaces",
    "title": "A narrow ravine",
    "caption": "GD zig-zags across the steep direction.",
    "state": _EXAMPLE_STATE,
    "created": 1796200000.0,
}
_LECTURE_STEP_EXAMPLE = {
    "ref": "s_ZTkHqyBv-qfE_OQEvEJJqg",
    "page": "surfaces",
    "title": "A narrow ravine",
    "caption": "GD zig-zags across the steep direction.",
    "step_caption": "",
    "state": _EXAMPLE_STATE,
}
_LECTURE_EXAMPLE = {
    "id": "l_ZTkHqyBv-qfE_OQEvEJJqg",
    "title": "Week 3: momentum",
    "scenes": ["s_ZTkHqyBv-qfE_OQEvEJJqg"],
    "created": 1796200000.0,
    "updated": 1796200000.0,
    "steps": [_LECTURE_STEP_EXAMPLE],
}


class SavedSceneIn(Strict):
    """A scene to save: the page it belongs to, a title, a caption and the page state."""

    page: Page
    title: str = Title
    caption: str = Caption
    state: dict[str, Any] = Field(description=_STATE_DOC)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "page": "surfaces",
                    "title": "A narrow ravine",
                    "caption": "GD zig-zags across the steep direction.",
                    "state": _EXAMPLE_STATE,
                }
            ]
        }
    )


class SavedScene(Out):
    id: str = Field(description="Unguessable: a link naming it lets anyone read it.")
    page: Page
    title: str
    caption: str
    state: dict[str, Any]
    created: float = Field(description="Seconds since 1970 (UTC).")

    model_config = ConfigDict(json_schema_extra={"examples": [_SAVED_SCENE_EXAMPLE]})


class SavedSceneCreated(SavedScene):
    edit_token: str = Field(
        description="Send as `X-Edit-Token` to update or delete; shown once, never stored."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_SAVED_SCENE_EXAMPLE, "edit_token": "kq3N0dW5lZC1leGFtcGxlLXRva2Vu"}]
        }
    )


class LectureIn(Strict):
    """A lecture: a title and its scenes in order, saved (`s_...`) or built-in ids."""

    title: str = Title
    scenes: list[str] = Field(min_length=1, max_length=limits.MAX_LECTURE_SCENES)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Week 3: momentum", "scenes": ["saddle"]}]}
    )


class LectureStep(Out):
    """One stop of the stepper: a saved scene, or one presenter step of a built-in scene."""

    ref: str
    page: Page
    title: str
    caption: str
    step_caption: str
    state: dict[str, Any]

    model_config = ConfigDict(json_schema_extra={"examples": [_LECTURE_STEP_EXAMPLE]})


class Lecture(Out):
    id: str
    title: str
    scenes: list[str]
    created: float
    updated: float
    steps: list[LectureStep] = Field(description="The scenes as the stepper walks them.")

    model_config = ConfigDict(json_schema_extra={"examples": [_LECTURE_EXAMPLE]})


class LectureCreated(Lecture):
    edit_token: str = Field(description="Send as `X-Edit-Token` to update or delete.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**_LECTURE_EXAMPLE, "edit_token": "kq3N0dW5lZC1leGFtcGxlLXRva2Vu"}]
        }
    )


# One saved scene as an exported document carries it (both models' examples show it).
_EXAMPLE_DOCUMENT_SCENE = {
    "key": "s_1",
    "page": "surfaces",
    "title": "A narrow ravine",
    "caption": "",
    "state": _EXAMPLE_STATE,
}


class DocumentScene(Strict):
    key: str = Field(min_length=1, max_length=64)
    page: Page
    title: str = Title
    caption: str = Caption
    state: dict[str, Any]

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_DOCUMENT_SCENE]})


class LectureDocument(Strict):
    """An exported lecture: its saved scenes inline, built-in scenes by id, and the order."""

    format: Literal["losscape-lecture"] = FORMAT
    version: Literal[1] = 1
    title: str = Title
    scenes: list[DocumentScene] = Field(default=[], max_length=limits.MAX_IMPORT_SCENES)
    order: list[str] = Field(min_length=1, max_length=limits.MAX_LECTURE_SCENES)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "format": FORMAT,
                    "version": 1,
                    "title": "Week 3",
                    "scenes": [_EXAMPLE_DOCUMENT_SCENE],
                    "order": ["s_1", "saddle"],
                }
            ]
        }
    )


STORE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorResponse, "description": "A built-in scene, or a wrong edit token."},
    404: {"model": ErrorResponse, "description": "No saved scene or lecture with that id."},
    422: {
        "model": ErrorResponse,
        "description": "A bad field; `loc` is its path, the message says what is valid.",
    },
    429: {"model": ErrorResponse, "description": "Too many requests from this client."},
    507: {"model": ErrorResponse, "description": "The store is full."},
}
