"""The SQLite store: a real file in tmp_path, ids, edit tokens, steps, export and import."""

from __future__ import annotations

import json
import sqlite3

import pytest

from losscape import limits, scenes
from losscape.lectures import (
    FORMAT,
    SCHEMA_VERSION,
    Forbidden,
    Full,
    Invalid,
    LectureStore,
    NotFound,
    data_dir,
    open_store,
)
from losscape.lectures import store as store_module

SURFACE_STATE = scenes.step_state("gd-1d", 0)
NETWORK_ID = scenes.network_scenes()[0]["id"]
NETWORK_STATE = scenes.network_step_state(NETWORK_ID, 0)


@pytest.fixture
def store(tmp_path):
    s = LectureStore(tmp_path / "lectures.sqlite3")
    yield s
    s.close()


def surface_scene():
    return {"page": "surfaces", "title": "Two wells", "caption": "GD", "state": SURFACE_STATE}


def test_the_file_is_sqlite_in_wal_mode_with_the_schema_version(tmp_path, store):
    store.create_scene(surface_scene())
    db = sqlite3.connect(tmp_path / "lectures.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
    assert db.execute("SELECT COUNT(*) FROM saved_scenes").fetchone()[0] == 1
    db.close()


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "lectures.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(RuntimeError, match=r"schema version 99.*upgrade losscape"):
        LectureStore(path)


def test_scenes_survive_reopening_the_file(tmp_path):
    first = LectureStore(tmp_path / "x" / "lectures.sqlite3")  # creates the folder too
    rec, _ = first.create_scene(surface_scene())
    first.close()
    again = LectureStore(tmp_path / "x" / "lectures.sqlite3")
    assert again.get_scene(rec["id"])["state"] == SURFACE_STATE
    again.close()


def test_ids_and_tokens_are_long_random_and_only_a_hash_of_the_token_is_stored(tmp_path, store):
    a, token_a = store.create_scene(surface_scene())
    b, token_b = store.create_scene(surface_scene())
    assert a["id"] != b["id"] and token_a != token_b
    assert a["id"].startswith("s_") and len(a["id"]) >= 2 + 22  # 128 bits in base64
    assert len(token_a) >= 32
    raw = (tmp_path / "lectures.sqlite3").read_bytes()
    assert token_a.encode() not in raw


def test_view_keys_are_dropped_from_a_saved_state(store):
    state = {**SURFACE_STATE, "scene": "gd-1d", "step": 2, "t": 5, "speed": 60, "present": True}
    rec, _ = store.create_scene({**surface_scene(), "state": state})
    assert set(rec["state"]) == set(SURFACE_STATE)


def test_only_the_token_holder_edits_or_deletes(store):
    rec, token = store.create_scene(surface_scene())
    with pytest.raises(Forbidden, match="wrong edit token"):
        store.update_scene(rec["id"], "forged", {**surface_scene(), "title": "Mine"})
    with pytest.raises(Forbidden):
        store.delete_scene(rec["id"], "")
    assert store.update_scene(rec["id"], token, {**surface_scene(), "title": "New"})["title"] == (
        "New"
    )
    store.delete_scene(rec["id"], token)
    with pytest.raises(NotFound, match="no saved scene"):
        store.get_scene(rec["id"])


def test_built_in_scenes_are_read_only(store):
    with pytest.raises(Forbidden, match=r"'gd-1d' is a built-in scene and read-only"):
        store.update_scene("gd-1d", "any", surface_scene())
    with pytest.raises(Forbidden, match="read-only"):
        store.delete_scene("momentum", "any")


def test_a_lecture_steps_through_saved_scenes_and_every_step_of_a_built_in(store):
    a, _ = store.create_scene(surface_scene())
    n, _ = store.create_scene(
        {"page": "networks", "title": "XOR", "caption": "", "state": NETWORK_STATE}
    )
    lecture, _ = store.create_lecture({"title": "Week 3", "scenes": [a["id"], "saddle", n["id"]]})
    items = store.steps(lecture["id"])
    saddle_steps = len(scenes.scene("saddle")["steps"])
    assert len(items) == 1 + saddle_steps + 1
    assert [i["page"] for i in items] == ["surfaces"] * (1 + saddle_steps) + ["networks"]
    assert items[0]["title"] == "Two wells" and items[0]["state"] == SURFACE_STATE
    assert items[1]["state"] == scenes.step_state("saddle", 0)
    assert items[-1]["state"] == NETWORK_STATE


def test_a_deleted_saved_scene_drops_out_of_its_lecture(store):
    a, token = store.create_scene(surface_scene())
    lecture, _ = store.create_lecture({"title": "L", "scenes": [a["id"], "saddle"]})
    store.delete_scene(a["id"], token)
    assert {i["ref"] for i in store.steps(lecture["id"])} == {"saddle"}


def test_an_export_leaves_out_a_deleted_saved_scene(store):
    a, token = store.create_scene(surface_scene())
    b, _ = store.create_scene(surface_scene())
    lecture, _ = store.create_lecture({"title": "L", "scenes": [a["id"], "saddle", b["id"]]})
    store.delete_scene(a["id"], token)
    doc = store.export(lecture["id"])
    assert [s["key"] for s in doc["scenes"]] == [b["id"]]
    assert doc["order"] == ["saddle", b["id"]]


def test_a_lecture_names_only_existing_scenes(store):
    with pytest.raises(Invalid, match=r"scenes\[0\]: no saved scene 's_nope'"):
        store.create_lecture({"title": "L", "scenes": ["s_nope"]})
    with pytest.raises(Invalid, match=r"scenes\[1\]: unknown scene 'nope'.*built-in: .*gd-1d"):
        store.create_lecture({"title": "L", "scenes": ["gd-1d", "nope"]})
    with pytest.raises(Invalid, match=r"scenes: has 0 items"):
        store.create_lecture({"title": "L", "scenes": []})


def test_lecture_update_reorders_and_needs_the_token(store):
    lecture, token = store.create_lecture({"title": "L", "scenes": ["gd-1d", "saddle"]})
    with pytest.raises(Forbidden):
        store.update_lecture(lecture["id"], "x", {"title": "L", "scenes": ["saddle"]})
    got = store.update_lecture(lecture["id"], token, {"title": "M", "scenes": ["saddle", "gd-1d"]})
    assert got["scenes"] == ["saddle", "gd-1d"] and got["title"] == "M"
    store.delete_lecture(lecture["id"], token)
    with pytest.raises(NotFound, match="no lecture"):
        store.get_lecture(lecture["id"])


def test_export_then_import_into_another_store_gives_the_same_lecture(tmp_path, store):
    a, _ = store.create_scene(surface_scene())
    lecture, _ = store.create_lecture({"title": "Week 3", "scenes": [a["id"], "saddle", a["id"]]})
    doc = json.loads(json.dumps(store.export(lecture["id"])))  # through a JSON file
    assert doc["format"] == FORMAT and doc["version"] == 1
    assert len(doc["scenes"]) == 1  # a scene used twice is carried once
    other = LectureStore(tmp_path / "other" / "lectures.sqlite3")
    copy, token = other.import_document(doc)
    assert copy["id"] != lecture["id"] and copy["title"] == "Week 3"
    new_id = copy["scenes"][0]
    assert new_id != a["id"] and copy["scenes"] == [new_id, "saddle", new_id]
    assert other.steps(copy["id"]) == [
        {**item, "ref": new_id if item["ref"] == a["id"] else item["ref"]}
        for item in store.steps(lecture["id"])
    ]
    other.delete_lecture(copy["id"], token)  # the importer holds the edit token
    other.delete_scene(new_id, token)
    other.close()


def test_a_bad_import_writes_nothing(store):
    a, _ = store.create_scene(surface_scene())
    lecture, _ = store.create_lecture({"title": "L", "scenes": [a["id"]]})
    doc = store.export(lecture["id"])
    doc["scenes"][0]["state"]["steps"] = 10**9
    with pytest.raises(Invalid, match=r"scenes\[0\]\.state\.steps: 1e\+09 is out of bounds"):
        store.import_document(doc)
    db = store._db
    assert db.execute("SELECT COUNT(*) FROM saved_scenes").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM lectures").fetchone()[0] == 1


def test_a_full_store_refuses_new_rows(store, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SAVED_SCENES", 1)
    store.create_scene(surface_scene())
    with pytest.raises(Full, match=r"1 saved scenes \(at most 1\)"):
        store.create_scene(surface_scene())


def test_data_dir_order_flag_then_environment_then_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSCAPE_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv("LOSSCAPE_DATA_DIR")
    assert data_dir() == tmp_path / "xdg" / "losscape"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "losscape"
    s = open_store(str(tmp_path / "flag"))
    assert s.path == tmp_path / "flag" / store_module.FILENAME
    s.close()


def test_two_workers_share_one_file(tmp_path):
    """Two connections to one file (two server workers): each sees what the other wrote."""
    path = tmp_path / "lectures.sqlite3"
    a, b = LectureStore(path), LectureStore(path)
    made, token = a.create_scene(surface_scene())
    assert b.get_scene(made["id"])["title"] == "Two wells"
    lecture, _ = b.create_lecture({"title": "L", "scenes": [made["id"]]})
    assert a.get_lecture(lecture["id"])["scenes"] == [made["id"]]
    b.update_scene(made["id"], token, {**surface_scene(), "title": "Renamed"})
    assert a.get_scene(made["id"])["title"] == "Renamed"
    a.close()
    b.close()


def test_threads_share_one_store(store):
    """The web routes call the store from worker threads: no write is lost."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda _: store.create_scene(surface_scene())[0]["id"], range(40)))
    assert len(set(ids)) == 40
    assert store._db.execute("SELECT COUNT(*) FROM saved_scenes").fetchone()[0] == 40
