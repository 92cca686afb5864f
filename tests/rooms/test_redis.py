"""Rooms through a real Redis: the broker shared by two 'workers', then two real servers.

A room started on one server is joined on the other; the teacher's state, its results
(computed once, on the teacher's server), the counts and the votes cross between them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any

import httpx
import pytest

from losscape.rooms.broker_redis import RedisBroker

websockets_sync = pytest.importorskip("websockets.sync.client")

QUICK = {"surface": {"name": "rosenbrock"}, "point": [0.5, 0.5]}


def test_two_brokers_on_one_redis_share_rooms_answers_presence_and_the_channel(redis_url) -> None:
    async def scenario() -> dict[str, Any]:
        a, b = RedisBroker(redis_url, idle_s=600), RedisBroker(redis_url, idle_s=600)
        try:
            out: dict[str, Any] = {}
            out["created"] = [await a.create("RDS2TEST", {"page": "surfaces"}) for _ in range(2)]
            out["seen_by_b"] = await b.load("RDS2TEST")
            out["ttl"] = await a.redis.ttl(a.key("RDS2TEST"))
            out["answers"] = [
                await a.add_answer("RDS2TEST", 1, "device-a", b"{}"),
                await b.add_answer("RDS2TEST", 1, "device-a", b"{}"),
                await b.add_answer("RDS2TEST", 1, "device-b", b"{}"),
            ]
            await a.set_presence("RDS2TEST", "p1", "following")
            await b.set_presence("RDS2TEST", "p2", "exploring")
            out["counts"] = await a.presence("RDS2TEST")
            got: asyncio.Queue[bytes] = asyncio.Queue()
            leave = await b.subscribe("RDS2TEST", got.put_nowait)
            await asyncio.sleep(0)  # let the subscription reach Redis before publishing
            for _ in range(100):  # publish until b's subscription is live (no fixed sleep)
                await a.publish("RDS2TEST", b"hello")
                try:
                    out["message"] = await asyncio.wait_for(got.get(), 0.1)
                    break
                except TimeoutError:
                    continue
            await leave()
            await a.put_frame("RDS2TEST", "grid", b"F...")
            out["frames"] = await b.frames("RDS2TEST")
            await a.delete("RDS2TEST")
            out["deleted"] = await b.load("RDS2TEST")
            return out
        finally:
            await a.close()
            await b.close()

    # its own thread: the browser tests' Playwright keeps a loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        out = pool.submit(asyncio.run, scenario()).result()
    assert out["created"] == [True, False]
    assert out["seen_by_b"] == {"page": "surfaces"}
    assert 0 < out["ttl"] <= 600  # the room expires after inactivity
    assert out["answers"] == [True, False, True]  # one answer per device, whichever worker
    assert out["counts"] == {"following": 1, "exploring": 1}
    assert out["message"] == b"hello"
    assert out["frames"] == [b"F..."]
    assert out["deleted"] is None


def _ws(base: str, path: str):
    return websockets_sync.connect(base.replace("http", "ws", 1) + path, open_timeout=10)


def _until(ws, kind: str) -> dict[str, Any]:
    for _ in range(50):
        raw = ws.recv(timeout=30)
        message = json.loads(raw)
        if message.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} message")


def test_a_room_started_on_one_server_is_followed_on_the_other(redis_servers) -> None:
    a, b = redis_servers
    room = httpx.post(a + "api/rooms", json={"page": "surfaces"}).json()
    code, token = room["code"], room["teacher_token"]
    assert httpx.get(b + f"api/rooms/{code}").json()["code"] == code
    with (
        _ws(a, f"api/rooms/{code}/socket?role=teacher&token={token}") as teacher,
        _ws(b, f"api/rooms/{code}/socket?role=student") as student,
    ):
        _until(teacher, "hello")
        _until(student, "hello")
        assert _until(teacher, "counts")["following"] == 1
        teacher.send(json.dumps({"type": "state", "hash": "scene=saddle&step=2"}))
        assert _until(student, "state")["hash"] == "scene=saddle&step=2"
        with _ws(a, f"api/live?room={code}&token={token}") as live:
            live.send(json.dumps({"id": "hessian#1#k", "type": "hessian", "body": QUICK}))
            own = json.loads(live.recv(timeout=60))
        assert own["type"] == "result"
        assert _until(student, "result") == own  # computed on a, received on b
        question = {"kind": "choice", "prompt": "which?", "choices": ["x", "y"]}
        headers = {"Authorization": f"Bearer {token}"}
        asked = httpx.post(a + f"api/rooms/{code}/question", json=question, headers=headers)
        assert _until(student, "question")["question"]["id"] == asked.json()["id"]
        vote = {"device": "device-on-server-b", "question": asked.json()["id"], "choice": 1}
        assert httpx.post(b + f"api/rooms/{code}/votes", json=vote).status_code == 200
        again = httpx.post(a + f"api/rooms/{code}/votes", json=vote)
        assert again.status_code == 409  # the same device through the other server
        tally = _until(teacher, "tally")
        while tally["total"] < 1:
            tally = _until(teacher, "tally")
        assert tally["counts"] == [0, 1]
    forged = httpx.post(b + f"api/rooms/{code}/reveal", headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 403
