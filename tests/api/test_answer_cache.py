"""The answer cache: bounded in entries and bytes, least recently used first out, and
on the live channel identical small requests answered once."""

from __future__ import annotations

import json

import pytest

from losscape import service
from losscape.api import live
from losscape.api.answer_cache import AnswerCache, answer_size, request_key
from losscape.api.encoding import BinaryBody


def test_keys_ignore_key_order_and_tell_operations_and_frame_kinds_apart() -> None:
    a = {"steps": 5, "surface": {"name": "rosenbrock", "params": {"a": 1, "b": 2}}}
    b = {"surface": {"params": {"b": 2, "a": 1}, "name": "rosenbrock"}, "steps": 5}
    assert request_key("trajectories", True, a) == request_key("trajectories", True, b)
    assert request_key("trajectories", True, a) != request_key("trajectories", False, a)
    assert request_key("trajectories", True, a) != request_key("grid", True, a)
    assert request_key("trajectories", True, {**a, "steps": 6}) != request_key(
        "trajectories", True, a
    )
    assert request_key("grid", True, {1: 2}) is None  # not JSON an object body can be


def test_least_recently_used_goes_first_past_the_entry_bound() -> None:
    cache = AnswerCache(max_bytes=10**6, max_entries=2)
    cache.put(b"a", b"1")
    cache.put(b"b", b"2")
    assert cache.get(b"a") == b"1"  # a is now the most recently used
    cache.put(b"c", b"3")
    assert cache.get(b"b") is None
    assert cache.get(b"a") == b"1" and cache.get(b"c") == b"3"
    assert len(cache) == 2
    assert (cache.hits, cache.misses) == (3, 1)


def test_bytes_stay_within_the_bound() -> None:
    cache = AnswerCache(max_bytes=1000, max_entries=100)
    for i in range(50):
        cache.put(f"k{i:02d}".encode(), b"x" * 100)  # 103 bytes an entry
        assert cache.bytes <= 1000
    assert len(cache) == 9  # 9 x 103 = 927; a tenth would pass 1,000
    assert cache.bytes == 9 * 103
    assert cache.get(b"k49") is not None and cache.get(b"k40") is None


def test_an_answer_over_a_quarter_of_the_bound_is_not_kept() -> None:
    cache = AnswerCache(max_bytes=1000, max_entries=100)
    cache.put(b"small", b"y" * 10)
    cache.put(b"big", BinaryBody(b"{}", b"z" * 300))
    assert cache.get(b"big") is None
    assert cache.get(b"small") == b"y" * 10
    assert answer_size(BinaryBody(b"{}", b"z" * 300)) == 302


def test_replacing_a_key_counts_its_bytes_once() -> None:
    cache = AnswerCache(max_bytes=1000, max_entries=10)
    cache.put(b"k", b"a" * 50)
    cache.put(b"k", b"b" * 20)
    assert len(cache) == 1 and cache.bytes == 1 + 20
    assert cache.get(b"k") == b"b" * 20


# --------------------------------------------------------------------------- live channel

BODY = {"surface": {"name": "himmelblau"}, "steps": 40, "runs": [{"optimizer": "adam"}]}
REORDERED = {"runs": [{"optimizer": "adam"}], "steps": 40, "surface": {"name": "himmelblau"}}


def result_of(ws, tag: str) -> dict:
    """The final frame of ``tag`` (progress frames skipped)."""
    while True:
        frame = json.loads(ws.receive_text())
        if frame["id"] == tag and frame["type"] != "progress":
            return frame


@pytest.fixture
def empty_cache():
    live.ANSWERS.clear()
    yield live.ANSWERS
    live.ANSWERS.clear()


def test_identical_requests_are_computed_once(client, empty_cache, monkeypatch) -> None:
    calls = []
    real = service.trajectory
    monkeypatch.setattr(service, "trajectory", lambda *a, **k: calls.append(1) or real(*a, **k))
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "a", "type": "trajectories", "body": BODY}))
        first = result_of(ws, "a")
        ws.send_text(json.dumps({"id": "b", "type": "trajectories", "body": REORDERED}))
        second = result_of(ws, "b")
    with client.websocket_connect("/api/live") as ws:  # another student, same worker
        ws.send_text(json.dumps({"id": 7, "type": "trajectories", "body": BODY}))
        third = result_of(ws, 7)
    assert first["type"] == second["type"] == third["type"] == "result"
    assert second["body"] == first["body"] == third["body"]
    assert len(calls) == 1  # one run, computed for the first request only
    assert empty_cache.hits == 2


def test_a_different_request_is_computed(client, empty_cache) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "a", "type": "trajectories", "body": BODY}))
        first = result_of(ws, "a")
        other = {**BODY, "steps": 41}
        ws.send_text(json.dumps({"id": "b", "type": "trajectories", "body": other}))
        second = result_of(ws, "b")
    assert len(first["body"]["runs"][0]["x"]) == 41
    assert len(second["body"]["runs"][0]["x"]) == 42
    assert empty_cache.hits == 0 and len(empty_cache) == 2


def test_invalid_requests_are_never_cached_and_keep_their_errors(client, empty_cache) -> None:
    bad = {**BODY, "steps": -1}
    with client.websocket_connect("/api/live") as ws:
        for tag in ("a", "b"):
            ws.send_text(json.dumps({"id": tag, "type": "trajectories", "body": bad}))
            frame = result_of(ws, tag)
            assert frame["type"] == "error" and frame["status"] == 422
            assert frame["detail"][0]["loc"][:2] == ["body", "steps"]
    assert len(empty_cache) == 0


def test_json_and_binary_pages_get_their_own_answers(client, empty_cache) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "a", "type": "trajectories", "body": BODY}))
        assert result_of(ws, "a")["type"] == "result"
    with client.websocket_connect("/api/live?binary=1") as ws:
        ws.send_text(json.dumps({"id": "b", "type": "trajectories", "body": BODY}))
        message = ws.receive()
        assert message.get("bytes")  # a binary frame, not the cached JSON text
    assert empty_cache.hits == 0 and len(empty_cache) == 2


def test_long_requests_are_not_cached(client, empty_cache) -> None:
    body = {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 20, "count": 5}
    with client.websocket_connect("/api/live") as ws:
        for tag in ("a", "b"):
            ws.send_text(json.dumps({"id": tag, "type": "sweep_lr", "body": body}))
            assert result_of(ws, tag)["type"] == "result"
    assert len(empty_cache) == 0
