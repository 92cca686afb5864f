"""Saved scenes and lectures in one SQLite file (the standard library's ``sqlite3``).

Tables (schema version ``SCHEMA_VERSION``, kept in ``PRAGMA user_version``):

* ``saved_scenes(id, page, title, caption, state, token_hash, created)``: ``state`` is
  the page state as JSON (``validate.page_state``).
* ``lectures(id, title, refs, token_hash, created, updated)``: ``refs`` is a JSON list
  of scene ids, saved (``s_...``) or built-in (``gd-1d``: read-only, served from
  ``scenes.py``, never copied into the file).

Ids come from ``secrets`` (128 bits), so a link that names one works as a capability:
whoever has it may read. Editing and deleting need the edit token returned on
create; only its SHA-256 is stored. Nothing about a person is stored.

The methods are blocking (a few milliseconds); the web routes call them in a worker
thread. One connection serves all threads, behind a lock; the file is in WAL mode
so a reader (another process serving the same data dir) never waits for a writer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from .. import limits, scenes
from . import validate
from .validate import Invalid

SCHEMA_VERSION = 1
FORMAT = "losscape-lecture"  # an exported document's "format"
FORMAT_VERSION = 1  # and its "version"
FILENAME = "lectures.sqlite3"
SCENE_PREFIX = "s_"  # built-in ids are [a-z0-9-]+, so an underscore never collides
LECTURE_PREFIX = "l_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_scenes (
    id TEXT PRIMARY KEY,
    page TEXT NOT NULL,
    title TEXT NOT NULL,
    caption TEXT NOT NULL,
    state TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lectures (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    refs TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
"""


class NotFound(LookupError):
    """No saved scene or lecture with that id (404)."""


class Forbidden(PermissionError):
    """A built-in scene, or a wrong edit token (403)."""


class Full(RuntimeError):
    """The store holds its maximum number of rows (507)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(16)


class LectureStore:
    """The SQLite file ``path`` (created with its folder on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.execute("PRAGMA journal_mode = WAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise RuntimeError(
                f"{self.path} has schema version {version}, newer than this losscape's "
                f"{SCHEMA_VERSION}: upgrade losscape or choose another --data folder"
            )
        with self._lock:
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ saved scenes

    def create_scene(self, body: Any, token: str | None = None) -> tuple[dict[str, Any], str]:
        """A new saved scene from {page, title, caption, state}; returns it and its edit token."""
        fields = validate.scene_fields(body, [])
        token = token or secrets.token_urlsafe(24)
        with self._lock:
            self._room("saved_scenes", limits.MAX_SAVED_SCENES, 1)
            sid = self._insert_scene(fields, _hash(token))
        return self.get_scene(sid), token

    def get_scene(self, sid: str) -> dict[str, Any]:
        return _scene_record(self._row("saved_scenes", sid, "saved scene"))

    def _kept_scene(self, ref: str) -> dict[str, Any] | None:
        """A lecture's saved scene, or None when it was deleted since (the lecture still
        opens and exports without it)."""
        try:
            return self.get_scene(ref)
        except NotFound:
            return None

    def update_scene(self, sid: str, token: str, body: Any) -> dict[str, Any]:
        fields = validate.scene_fields(body, [])
        with self._lock:
            self._authorise("saved_scenes", sid, token, "saved scene")
            self._db.execute(
                "UPDATE saved_scenes SET page = ?, title = ?, caption = ?, state = ? WHERE id = ?",
                (fields["page"], fields["title"], fields["caption"], _json(fields["state"]), sid),
            )
        return self.get_scene(sid)

    def delete_scene(self, sid: str, token: str) -> None:
        with self._lock:
            self._authorise("saved_scenes", sid, token, "saved scene")
            self._db.execute("DELETE FROM saved_scenes WHERE id = ?", (sid,))

    # ------------------------------------------------------------------ lectures

    def create_lecture(self, body: Any, token: str | None = None) -> tuple[dict[str, Any], str]:
        """A new lecture from {title, scenes: [ids]}; returns it and its edit token."""
        title, refs = self._lecture_fields(body)
        token = token or secrets.token_urlsafe(24)
        now = time.time()
        lid = _new_id(LECTURE_PREFIX)
        with self._lock:
            self._room("lectures", limits.MAX_LECTURES, 1)
            self._db.execute(
                "INSERT INTO lectures VALUES (?, ?, ?, ?, ?, ?)",
                (lid, title, _json(refs), _hash(token), now, now),
            )
        return self.get_lecture(lid), token

    def get_lecture(self, lid: str) -> dict[str, Any]:
        """{id, title, scenes: [ids], created, updated}."""
        row = self._row("lectures", lid, "lecture")
        return {
            "id": row["id"],
            "title": row["title"],
            "scenes": json.loads(row["refs"]),
            "created": row["created"],
            "updated": row["updated"],
        }

    def update_lecture(self, lid: str, token: str, body: Any) -> dict[str, Any]:
        title, refs = self._lecture_fields(body)
        with self._lock:
            self._authorise("lectures", lid, token, "lecture")
            self._db.execute(
                "UPDATE lectures SET title = ?, refs = ?, updated = ? WHERE id = ?",
                (title, _json(refs), time.time(), lid),
            )
        return self.get_lecture(lid)

    def delete_lecture(self, lid: str, token: str) -> None:
        with self._lock:
            self._authorise("lectures", lid, token, "lecture")
            self._db.execute("DELETE FROM lectures WHERE id = ?", (lid,))

    def steps(self, lid: str) -> list[dict[str, Any]]:
        """The lecture as the stepper walks it: one item per stop, in order.

        A saved scene is one stop; a built-in scene is one stop per presenter step. Each
        item is {ref, page, title, caption, step_caption, state}; a saved scene deleted
        since is left out (the lecture still opens).
        """
        out: list[dict[str, Any]] = []
        for ref in self.get_lecture(lid)["scenes"]:
            if ref.startswith(SCENE_PREFIX):
                s = self._kept_scene(ref)
                if s is not None:
                    out.append({**_item(ref, s), "step_caption": ""})
                continue
            found = scenes.find(ref)
            sc = found.scene
            for step in sc["steps"]:
                item = {"ref": ref, "page": found.page, "title": sc["title"]}
                out.append(
                    {
                        **item,
                        "caption": sc.get("caption", ""),
                        "step_caption": step["caption"],
                        "state": step["state"],
                    }
                )
        return out

    # ------------------------------------------------------------------ export / import

    def export(self, lid: str) -> dict[str, Any]:
        """The lecture as a self-contained document: its saved scenes inline, built-ins by id."""
        lecture = self.get_lecture(lid)
        inline: list[dict[str, Any]] = []
        for ref in dict.fromkeys(lecture["scenes"]):
            s = self._kept_scene(ref) if ref.startswith(SCENE_PREFIX) else None
            if s is not None:
                inline.append({"key": ref, **{k: s[k] for k in ("page", "title", "caption")}})
                inline[-1]["state"] = s["state"]
        keys = {s["key"] for s in inline}
        order = [r for r in lecture["scenes"] if not r.startswith(SCENE_PREFIX) or r in keys]
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "title": lecture["title"],
            "scenes": inline,
            "order": order,
        }

    def import_document(self, doc: Any) -> tuple[dict[str, Any], str]:
        """A new lecture (and new saved scenes, fresh ids) from an exported document.

        Everything is checked before anything is written; the first bad field is
        reported by its path (``Invalid``). One edit token covers all that it creates.
        """
        root = validate.obj(doc, [], frozenset({"format", "version", "title", "scenes", "order"}))
        if root.get("format") != FORMAT:
            raise Invalid(["format"], f"must be {FORMAT!r} (a file exported by losscape)")
        if root.get("version") != FORMAT_VERSION:
            raise Invalid(["version"], f"{root.get('version')!r} unsupported; valid: 1")
        title = validate.text(root.get("title"), ["title"], limits.MAX_TITLE_LENGTH, empty=False)
        items = validate.seq(root.get("scenes", []), ["scenes"], 0, limits.MAX_IMPORT_SCENES)
        fields: dict[str, dict[str, Any]] = {}
        for i, item in enumerate(items):
            key = validate.obj(item, ["scenes", i]).get("key")
            validate.text(key, ["scenes", i, "key"], 64, empty=False)
            if key in fields:
                raise Invalid(["scenes", i, "key"], f"{key!r} appears twice")
            fields[key] = validate.scene_fields(item, ["scenes", i])
        order = validate.seq(root.get("order"), ["order"], 1, limits.MAX_LECTURE_SCENES)
        builtins = validate.builtin_ids()
        for i, ref in enumerate(order):
            if not isinstance(ref, str) or (ref not in fields and ref not in builtins):
                raise Invalid(
                    ["order", i],
                    f"{ref!r} is neither a key of this document's scenes nor a built-in scene; "
                    f"valid: {', '.join([*fields, *builtins])}",
                )
        token = secrets.token_urlsafe(24)
        now = time.time()
        lid = _new_id(LECTURE_PREFIX)
        with self._lock:
            self._room("saved_scenes", limits.MAX_SAVED_SCENES, len(fields))
            self._room("lectures", limits.MAX_LECTURES, 1)
            self._db.execute("BEGIN")
            try:
                ids = {key: self._insert_scene(f, _hash(token)) for key, f in fields.items()}
                refs = [ids.get(r, r) for r in order]
                self._db.execute(
                    "INSERT INTO lectures VALUES (?, ?, ?, ?, ?, ?)",
                    (lid, title, _json(refs), _hash(token), now, now),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return self.get_lecture(lid), token

    # ------------------------------------------------------------------ helpers

    def _lecture_fields(self, body: Any) -> tuple[str, list[str]]:
        raw = validate.obj(body, [], frozenset({"title", "scenes"}))
        title = validate.text(raw.get("title"), ["title"], limits.MAX_TITLE_LENGTH, empty=False)
        refs = validate.seq(raw.get("scenes"), ["scenes"], 1, limits.MAX_LECTURE_SCENES)
        builtins = validate.builtin_ids()
        for i, ref in enumerate(refs):
            if isinstance(ref, str) and ref.startswith(SCENE_PREFIX):
                with self._lock:
                    known = self._db.execute(
                        "SELECT 1 FROM saved_scenes WHERE id = ?", (ref,)
                    ).fetchone()
                if known is None:
                    raise Invalid(["scenes", i], f"no saved scene {ref!r}")
            elif ref not in builtins:
                raise Invalid(
                    ["scenes", i],
                    f"unknown scene {ref!r}: a saved scene's id (s_...) or a built-in one; "
                    f"built-in: {', '.join(builtins)}",
                )
        return title, list(refs)

    def _insert_scene(self, fields: dict[str, Any], token_hash: str) -> str:
        sid = _new_id(SCENE_PREFIX)
        self._db.execute(
            "INSERT INTO saved_scenes VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sid,
                fields["page"],
                fields["title"],
                fields["caption"],
                _json(fields["state"]),
                token_hash,
                time.time(),
            ),
        )
        return sid

    def _room(self, table: str, most: int, more: int) -> None:
        # ``table`` is one of this module's two table names, never user text
        count = self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        if count + more > most:
            what = "saved scenes" if table == "saved_scenes" else "lectures"
            raise Full(f"the store is full: {count} {what} (at most {most}); delete some first")

    def _row(self, table: str, oid: str, what: str) -> sqlite3.Row:
        """Row ``oid`` of ``table`` (one of this store's own table names, never user text)."""
        with self._lock:
            row = self._db.execute(f"SELECT * FROM {table} WHERE id = ?", (oid,)).fetchone()
        if row is None:
            raise NotFound(self._missing(what, oid))
        return row

    def _authorise(self, table: str, oid: str, token: str, what: str) -> None:
        if table == "saved_scenes" and oid in validate.builtin_ids():
            raise Forbidden(
                f"{oid!r} is a built-in scene and read-only; save a copy instead "
                "(POST /api/saved-scenes)"
            )
        row = self._db.execute(f"SELECT token_hash FROM {table} WHERE id = ?", (oid,)).fetchone()
        if row is None:
            raise NotFound(self._missing(what, oid))
        if not hmac.compare_digest(row["token_hash"], _hash(token or "")):
            raise Forbidden(f"wrong edit token for this {what}: only its creator may change it")

    @staticmethod
    def _missing(what: str, oid: str) -> str:
        shown = oid if len(oid) <= 40 else oid[:40] + "…"
        return f"no {what} {shown!r} (it was deleted, or the link is incomplete)"


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


def _scene_record(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "page": row["page"],
        "title": row["title"],
        "caption": row["caption"],
        "state": json.loads(row["state"]),
        "created": row["created"],
    }


def _item(ref: str, s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("page", "title", "caption", "state")} | {"ref": ref}
