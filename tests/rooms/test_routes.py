"""The rooms' REST and WebSocket endpoints on the app: follow, fan-out, votes, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

QUICK = {"surface": {"name": "rosenbrock"}, "point": [0.5, 0.5]}
CHOICE = {"kind": "choice", "prompt": "which diverges?", "choices": ["0.01", "0.1", "1"]}


def teacher_headers(room: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {room['teacher_token']}"}


def student(client, code: str):
    return client.websocket_connect(f"/api/rooms/{code}/socket?role=student")


def teacher(client, room: dict[str, Any]):
    return client.websocket_connect(
        f"/api/rooms/{room['code']}/socket?role=teacher&token={room['teacher_token']}"
    )


def until(ws, kind: str) -> dict[str, Any]:
    """The next message of this type (the others of the stream are skipped)."""
    for _ in range(50):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def test_starting_a_class_gives_a_code_a_link_and_a_qr_code(client, room) -> None:
    assert room["join_url"].endswith(f"/#room={room['code']}")
    assert len(room["teacher_token"]) >= 22
    qr = client.get(room["qr_url"])
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<svg") and "<script" not in qr.text
    net = client.post("/api/rooms", json={"page": "networks"}).json()
    assert net["join_url"].endswith(f"/network.html#room={net['code']}")
    looked = client.get(f"/api/rooms/{room['code'].lower()}").json()
    assert looked == {"code": room["code"], "page": "surfaces", "question": None}


def test_students_follow_the_teachers_state_and_results(client, room) -> None:
    code = room["code"]
    with teacher(client, room) as t, student(client, code) as s:
        assert until(t, "hello")["role"] == "teacher"
        hello = until(s, "hello")
        assert hello["state"] == "" and hello["page"] == "surfaces"
        assert hello["join_url"] == room["join_url"]  # the page's http link, not the socket's
        assert until(t, "counts") == {"type": "counts", "following": 1, "exploring": 0}
        t.send_json({"type": "state", "hash": "scene=momentum&step=1"})
        assert until(s, "state")["hash"] == "scene=momentum&step=1"
        live = f"/api/live?room={code}&token={room['teacher_token']}"
        with client.websocket_connect(live) as teacher_live:
            teacher_live.send_json({"id": "hessian#1#x", "type": "hessian", "body": QUICK})
            own = teacher_live.receive_json()
        fanned = until(s, "result")
        assert fanned == own  # the very frame the teacher got: computed once
        s.send_json({"type": "explore"})
        assert until(t, "counts") == {"type": "counts", "following": 0, "exploring": 1}
        s.send_json({"type": "follow"})
        assert until(t, "counts")["following"] == 1
        assert until(s, "result") == own  # following again: the latest frame at once
    with student(client, code) as late:
        assert until(late, "hello")["state"] == "scene=momentum&step=1"
        assert until(late, "result") == own


def test_a_vote_from_each_device_reaches_the_teachers_tally_and_reveal(client, room) -> None:
    code = room["code"]
    with teacher(client, room) as t, student(client, code) as s:
        until(t, "hello")
        asked = client.post(
            f"/api/rooms/{code}/question", json=CHOICE, headers=teacher_headers(room)
        )
        assert asked.status_code == 200, asked.text
        qid = asked.json()["id"]
        assert until(s, "question")["question"]["prompt"] == "which diverges?"
        for device, choice in [
            ("device-aaaaaaaaaaaa", 2),
            ("device-bbbbbbbbbbbb", 2),
            ("device-cccccccccccc", 0),
        ]:
            vote = {"device": device, "question": qid, "choice": choice}
            assert client.post(f"/api/rooms/{code}/votes", json=vote).status_code == 200
        tallies = [until(t, "tally") for _ in range(4)]  # the empty one, then one per vote
        assert tallies[-1]["counts"] == [1, 0, 2] and tallies[-1]["total"] == 3
        revealed = client.post(f"/api/rooms/{code}/reveal", headers=teacher_headers(room)).json()
        assert revealed["tally"]["counts"] == [1, 0, 2]
        shown = until(s, "reveal")
        assert shown["question"]["open"] is False and shown["tally"]["counts"] == [1, 0, 2]


def _detail(resp) -> str:
    return " ".join(d["msg"] for d in resp.json()["detail"])


def test_bad_rest_input_is_refused_clearly_and_changes_nothing(client, room) -> None:
    code = room["code"]
    forged = {"Authorization": "Bearer " + "A" * 22}
    cases = [
        (client.get("/api/rooms/ZZZZZZZZ"), 404, "no open room"),
        (client.get("/api/rooms/not-a-code!"), 404, "no open room"),
        (client.post("/api/rooms", json={"page": "games"}), 422, "surfaces"),
        (client.post(f"/api/rooms/{code}/question", json=CHOICE, headers=forged), 403, "teacher"),
        (client.post(f"/api/rooms/{code}/question", json=CHOICE), 403, "teacher token"),
        (client.post(f"/api/rooms/{code}/reveal", headers=teacher_headers(room)), 409, "no open"),
        (
            client.post(
                f"/api/rooms/{code}/votes", json={"device": "d" * 16, "question": 1, "choice": 0}
            ),
            409,
            "none was asked",
        ),
    ]
    for resp, status, words in cases:
        assert resp.status_code == status, resp.text
        assert words in _detail(resp)
    headers = teacher_headers(room)
    qid = client.post(f"/api/rooms/{code}/question", json=CHOICE, headers=headers).json()["id"]
    vote = {"device": "e" * 16, "question": qid, "choice": 1}
    assert client.post(f"/api/rooms/{code}/votes", json=vote).status_code == 200
    again = client.post(f"/api/rooms/{code}/votes", json={**vote, "choice": 2})
    assert again.status_code == 409 and "already answered" in _detail(again)
    out_of_range = client.post(
        f"/api/rooms/{code}/votes", json={**vote, "device": "f" * 16, "choice": 5}
    )
    assert out_of_range.status_code == 422 and "0 to 2" in _detail(out_of_range)
    nan = client.post(
        f"/api/rooms/{code}/votes",
        content=b'{"device": "gggggggggggggggg", "question": %d, "point": [NaN, 0]}' % qid,
        headers={"content-type": "application/json"},
    )
    assert nan.status_code == 422
    client.post(f"/api/rooms/{code}/reveal", headers=headers)
    closed = client.post(f"/api/rooms/{code}/votes", json={**vote, "device": "h" * 16})
    assert closed.status_code == 409 and "closed" in _detail(closed)
    final = client.post(f"/api/rooms/{code}/reveal", headers=headers)
    assert final.status_code == 409  # already revealed: nothing to reveal twice
    counts = client.get(f"/api/rooms/{code}").json()["question"]
    assert counts["open"] is False and counts["id"] == qid


@pytest.mark.parametrize(
    ("path", "close_code"),
    [
        ("/api/rooms/ZZZZZZZZ/socket?role=student", 4404),
        ("/api/rooms/{code}/socket?role=teacher&token=forged", 4403),
        ("/api/rooms/{code}/socket?role=teacher", 4403),
        ("/api/rooms/{code}/socket?role=admin", 4422),
        ("/api/live?room={code}&token=forged", 4403),
        ("/api/live?room=ZZZZZZZZ&token=x", 4404),
    ],
)
def test_refused_sockets_close_with_the_status_and_reason(client, room, path, close_code) -> None:
    with (
        client.websocket_connect(path.format(code=room["code"])) as ws,
        pytest.raises(WebSocketDisconnect) as info,
    ):
        while True:
            ws.receive_text()
    assert info.value.code == close_code
    assert info.value.reason


def test_bad_room_messages_get_an_error_frame_and_change_nothing(client, room) -> None:
    code = room["code"]
    with teacher(client, room) as t, student(client, code) as s:
        until(t, "hello")
        until(s, "hello")
        t.send_json({"type": "state", "hash": "scene=momentum"})
        until(s, "state")
        bad = [
            ("x" * 20_000, 413, "over the"),
            ("{not json", 400, "malformed"),
            ("[1, 2]", 400, "JSON object"),
            (json.dumps({"type": "state", "hash": "a=<b>"}), 422, "URL-safe"),
            (json.dumps({"type": "state", "hash": "a=1", "extra": 1}), 422, "xtra"),
            ('{"type": "state", "hash": NaN}', 400, "NaN"),
        ]
        for text, status, words in bad:
            t.send_text(text)
            error = until(t, "error")
            assert error["status"] == status, error
            assert words in json.dumps(error["detail"])
        s.send_json({"type": "state", "hash": "scene=hijack"})  # a student cannot drive
        assert until(s, "error")["status"] == 422
    with student(client, code) as later:
        assert until(later, "hello")["state"] == "scene=momentum"


def test_clicks_on_the_contour_are_collected_for_the_teachers_heat_map(client, room) -> None:
    code, headers = room["code"], teacher_headers(room)
    question = {"kind": "point", "prompt": "where does this start end up?", "view": [-2, 2, -1, 3]}
    asked = client.post(f"/api/rooms/{code}/question", json=question, headers=headers).json()
    clicks = [[1.0, 1.0], [0.9, 1.1], [-1.2, 2.5]]
    for i, point in enumerate(clicks):
        vote = {"device": f"device-click-{i:04d}", "question": asked["id"], "point": point}
        assert client.post(f"/api/rooms/{code}/votes", json=vote).status_code == 200
    choice = {"device": "device-click-9999", "question": asked["id"], "choice": 0}
    wrong = client.post(f"/api/rooms/{code}/votes", json=choice)
    assert wrong.status_code == 422 and "point" in _detail(wrong)
    revealed = client.post(f"/api/rooms/{code}/reveal", headers=headers).json()
    assert revealed["tally"]["total"] == 3
    assert sorted(revealed["tally"]["points"]) == sorted(clicks)
    assert revealed["question"]["view"] == [-2, 2, -1, 3]


def test_the_page_sends_its_teacher_token_as_a_subprotocol_not_in_the_url(client, room) -> None:
    code, token = room["code"], room["teacher_token"]
    protocols = ["losscape.room", token]
    with client.websocket_connect(
        f"/api/rooms/{code}/socket?role=teacher", subprotocols=protocols
    ) as t:
        assert t.accepted_subprotocol == "losscape.room"
        assert until(t, "hello")["role"] == "teacher"
    with client.websocket_connect(f"/api/live?room={code}", subprotocols=protocols) as live:
        assert live.accepted_subprotocol == "losscape.room"
        live.send_json({"id": "hessian#1#x", "type": "hessian", "body": QUICK})
        assert live.receive_json()["type"] == "result"
    forged = ["losscape.room", "A" * 22]
    with (
        client.websocket_connect(f"/api/live?room={code}", subprotocols=forged) as ws,
        pytest.raises(WebSocketDisconnect) as info,
    ):
        while True:
            ws.receive_text()
    assert info.value.code == 4403
