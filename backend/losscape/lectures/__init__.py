"""Saved scenes and lectures: the teacher's own scenes, ordered into lectures, in SQLite.

``LectureStore`` (``store.py``) keeps them; ``validate.py`` checks every field against
the pages' state rules and the catalogue; ``paths.py`` finds the data folder. The
built-in scenes (``scenes.py``) stay read-only: a lecture names them by id.
"""

from __future__ import annotations

from .paths import data_dir
from .store import (
    FILENAME,
    FORMAT,
    FORMAT_VERSION,
    SCHEMA_VERSION,
    Forbidden,
    Full,
    LectureStore,
    NotFound,
)
from .validate import Invalid

__all__ = [
    "FILENAME",
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEMA_VERSION",
    "Forbidden",
    "Full",
    "Invalid",
    "LectureStore",
    "NotFound",
    "data_dir",
    "open_store",
]


def open_store(folder: str | None = None) -> LectureStore:
    """The store in ``folder`` (default: ``data_dir()``)."""
    return LectureStore(data_dir(folder) / FILENAME)
