"""The REST routes over a real SQLite file: create, read, change, delete, export, import."""

from __future__ import annotations

import copy
import json
import warnings

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*httpx2.*")
    from fastapi.testclient import TestClient

from losscape import scenes
from losscape.api.app import create_app
from losscape.api.runtime import Runtime

SURFACE_STATE = scenes.step_state("ravine", 0)
NETWORK_STATE = scenes.network_step_state(scenes.network_scenes()[0]["id"], 0)


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")  # these routes run no kernel
    app = create_app()
    app.state.runtime = Runtime(rest_rate=1e9, rest_burst=10**6, data_dir=str(tmp_path))
    with TestClient(app, base_url="http://localhost") as c:
        yield c
    if hasattr(app.state, "lecture_store"):
        app.state.lecture_store.close()


def save(client, page="surfaces", state=SURFACE_STATE, title="Ravine"):
    r = client.post(
        "/api/saved-scenes", json={"page": page, "title": title, "caption": "c", "state": state}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_save_then_read_a_scene_by_its_id(client, tmp_path):
    made = save(client)
    assert set(made) == {"id", "page", "title", "caption", "state", "created", "edit_token"}
    got = client.get(f"/api/saved-scenes/{made['id']}")
    assert got.status_code == 200
    assert got.json()["state"] == SURFACE_STATE and "edit_token" not in got.json()
    assert (tmp_path / "lectures.sqlite3").is_file()  # the runtime's data folder


def test_change_and_delete_need_the_edit_token(client):
    made = save(client)
    url = f"/api/saved-scenes/{made['id']}"
    body = {"page": "surfaces", "title": "Mine now", "state": SURFACE_STATE}
    forged = client.put(url, json=body, headers={"X-Edit-Token": "forged"})
    assert forged.status_code == 403 and "wrong edit token" in forged.json()["detail"][0]["msg"]
    assert client.get(url).json()["title"] == "Ravine"  # nothing changed
    missing = client.put(url, json=body)
    assert missing.status_code == 422
    ok = client.put(url, json=body, headers={"X-Edit-Token": made["edit_token"]})
    assert ok.status_code == 200 and ok.json()["title"] == "Mine now"
    assert client.delete(url, headers={"X-Edit-Token": made["edit_token"]}).status_code == 204
    gone = client.get(url)
    assert gone.status_code == 404 and "no saved scene" in gone.json()["detail"][0]["msg"]


def test_saving_over_a_built_in_scene_is_refused(client):
    body = {"page": "surfaces", "title": "Mine", "state": SURFACE_STATE}
    r = client.put("/api/saved-scenes/ravine", json=body, headers={"X-Edit-Token": "x"})
    assert r.status_code == 403
    assert "built-in scene and read-only" in r.json()["detail"][0]["msg"]
    assert client.delete("/api/saved-scenes/ravine", headers={"X-Edit-Token": "x"}).status_code == (
        403
    )


def test_a_lecture_round_trip_through_export_and_import(client):
    a = save(client)
    n = save(client, "networks", NETWORK_STATE, "XOR")
    made = client.post(
        "/api/lectures", json={"title": "Week 3", "scenes": [a["id"], "saddle", n["id"]]}
    )
    assert made.status_code == 201, made.text
    lecture = made.json()
    steps = lecture["steps"]
    assert [s["ref"] for s in steps] == [a["id"]] + ["saddle"] * len(
        scenes.scene("saddle")["steps"]
    ) + [n["id"]]
    assert client.get(f"/api/lectures/{lecture['id']}").json()["steps"] == steps
    exported = client.get(f"/api/lectures/{lecture['id']}/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    doc = exported.json()
    imported = client.post("/api/lectures/import", json=doc)
    assert imported.status_code == 201, imported.text
    new = imported.json()
    assert new["id"] != lecture["id"] and new["title"] == "Week 3"
    assert [s["state"] for s in new["steps"]] == [s["state"] for s in steps]
    assert [s["title"] for s in new["steps"]] == [s["title"] for s in steps]


def test_lecture_reorder_and_delete(client):
    made = client.post("/api/lectures", json={"title": "L", "scenes": ["gd-1d", "saddle"]}).json()
    url = f"/api/lectures/{made['id']}"
    token = {"X-Edit-Token": made["edit_token"]}
    body = {"title": "L", "scenes": ["saddle", "gd-1d"]}
    assert client.put(url, json=body, headers={"X-Edit-Token": "no"}).status_code == 403
    r = client.put(url, json=body, headers=token)
    assert r.status_code == 200 and r.json()["scenes"] == ["saddle", "gd-1d"]
    assert client.delete(url, headers=token).status_code == 204
    assert client.get(url).status_code == 404


def _doc():
    state = copy.deepcopy(SURFACE_STATE)
    scene = {"key": "a", "page": "surfaces", "title": "A", "caption": "", "state": state}
    return {"format": "losscape-lecture", "version": 1, "title": "T", "scenes": [scene],
            "order": ["a", "saddle"]}  # fmt: skip


def _set(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


# (where in the import document, bad value, the error's loc, words of the message)
BAD_IMPORTS = [
    (["version"], 2, ["body", "version"], "1"),
    (["format"], "pptx", ["body", "format"], "losscape-lecture"),
    (["order", 1], "nope", ["body", "order", 1], "neither a key"),
    (
        ["scenes", 0, "state", "runs", 0, "optimizer"],
        "sgdx",
        ["body", "scenes", 0, "state", "runs", 0, "optimizer"],
        "valid: gd",
    ),
    (["scenes", 0, "state", "steps"], 10**9, ["body", "scenes", 0, "state", "steps"], "bounds"),
    (["scenes", 0, "state", "evil"], 1, ["body", "scenes", 0, "state", "evil"], "unknown"),
    (["scenes", 0, "page"], "slides", ["body", "scenes", 0, "page"], "networks"),
    (["title"], "", ["body", "title"], "at least 1"),
    (["order"], [], ["body", "order"], "at least 1"),
]


@pytest.mark.parametrize(("where", "value", "loc", "words"), BAD_IMPORTS, ids=str)
def test_bad_import_names_the_first_bad_field_and_stores_nothing(client, where, value, loc, words):
    r = client.post("/api/lectures/import", json=_set(_doc(), where, value))
    assert r.status_code == 422, r.text
    first = r.json()["detail"][0]
    assert first["loc"] == loc and words in first["msg"]
    if hasattr(client.app.state, "lecture_store"):  # pydantic refused it before the store
        db = client.app.state.lecture_store._db
        assert db.execute("SELECT COUNT(*) FROM lectures").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM saved_scenes").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "words"),
    [
        ("post", "/api/lectures", {"title": "L", "scenes": ["s_none"]}, 422, "no saved scene"),
        ("post", "/api/lectures", {"title": "L", "scenes": ["x"] * 101}, 422, "at most 100"),
        ("post", "/api/saved-scenes", {"page": "p", "title": "t", "state": {}}, 422, "surfaces"),
        ("get", "/api/lectures/l_doesnotexist", None, 404, "no lecture"),
        ("get", "/api/lectures/bad.id", None, 422, "pattern"),
        ("get", "/api/saved-scenes/" + "a" * 65, None, 422, "at most 64"),
    ],
)
def test_bad_requests_get_clear_4xx(client, method, url, body, status, words):
    r = client.request(method, url, content=None if body is None else json.dumps(body),
                       headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == status, r.text
    assert words in json.dumps(r.json()["detail"])
