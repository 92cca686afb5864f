"""The live channel over Starlette's TestClient: results, latest wins, cancel, errors."""

from __future__ import annotations

import asyncio
import collections
import json
import threading
from typing import Any

import numpy as np
import pytest

from losscape import limits, service
from losscape.api import live, live_jobs

from .conftest import strict_json

QUICK = {"surface": {"name": "rosenbrock"}, "point": [0.5, 0.5]}
TRAJ = {
    "surface": {"name": "rosenbrock"},
    "steps": 50,
    "runs": [{"optimizer": "gd", "lr": 1e-3}],
}
# ~10^7 steps: long enough that a newer request always arrives while it runs
BIG_BASINS = {
    "surface": {"name": "rosenbrock"},
    "optimizer": "gd",
    "lr": 5e-4,
    "steps": 1000,
    "resolution": 100,
}


def send(ws, tag: Any, type_: str, body: dict | None = None, **extra: Any) -> None:
    message = {"id": tag, "type": type_, **extra}
    if body is not None:
        message["body"] = body
    ws.send_text(json.dumps(message))


def recv(ws) -> dict:
    return strict_json(ws.receive_text())


def until_final(ws, tag: Any) -> list[dict]:
    """Frames until ``tag`` gets a result, error, dropped or cancelled frame."""
    frames = []
    while True:
        f = recv(ws)
        frames.append(f)
        if f["id"] == tag and f["type"] in ("result", "error", "dropped", "cancelled"):
            return frames


def of(frames: list[dict], tag: Any) -> list[str]:
    return [f["type"] for f in frames if f["id"] == tag]


@pytest.mark.parametrize(
    ("type_", "path", "body"),
    [
        ("trajectories", "/api/trajectories", TRAJ),
        ("grid", "/api/grid", {"surface": {"name": "quadratic"}, "resolution": 7, "arrows": 3}),
        ("hessian", "/api/hessian", QUICK),
        (
            "sweep_lr",
            "/api/sweeps/lr",
            {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 20, "count": 9},
        ),
        (
            "sweep_basins",
            "/api/sweeps/basins",
            {"surface": {"name": "rosenbrock"}, "optimizer": "gd", "lr": 1e-3, "resolution": 9},
        ),
    ],
)
def test_result_body_is_the_rest_response(client, type_: str, path: str, body: dict) -> None:
    rest = client.post(path, json=body).json()
    with client.websocket_connect("/api/live") as ws:
        send(ws, "t1", type_, body)
        frames = until_final(ws, "t1")
    result = frames[-1]
    assert result["type"] == "result"
    rest.pop("elapsed_ms", None)
    result["body"].pop("elapsed_ms", None)
    assert result["body"] == rest


def test_progress_rows_assemble_the_basin_map(client) -> None:
    body = {**BIG_BASINS, "resolution": 64, "steps": 200}
    with client.websocket_connect("/api/live") as ws:
        send(ws, 7, "sweep_basins", body)
        frames = until_final(ws, 7)
    progress = [f for f in frames if f["type"] == "progress"]
    result = frames[-1]["body"]
    assert len(progress) >= 2  # chunks of ~50 ms; frames at most every 0.1 s, and the last
    assert [f["done"] for f in progress] == sorted(f["done"] for f in progress)
    assert all(f["total"] == 64 * 64 for f in progress)
    label = np.full((64, 64), 99)
    loss = np.full((64, 64), np.inf)
    covered = 0
    for f in progress:
        if "partial" not in f:
            continue
        lo, hi = f["partial"]["rows"]
        assert lo == covered and hi <= f["done"] // 64  # only finished rows, in order
        covered = hi
        label[lo:hi] = f["partial"]["label"]
        loss[lo:hi] = [
            [np.nan if v is None else v for v in row] for row in f["partial"]["final_loss"]
        ]
    assert covered == 64
    np.testing.assert_array_equal(label, result["label"])
    expected = np.array([[np.nan if v is None else v for v in row] for row in result["final_loss"]])
    np.testing.assert_array_equal(loss, expected)


def test_progress_rows_of_an_lr_sweep(client) -> None:
    body = {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 2000, "count": 2000}
    with client.websocket_connect("/api/live") as ws:
        send(ws, "s", "sweep_lr", body)
        frames = until_final(ws, "s")
    result = frames[-1]["body"]
    status: list[str] = []
    for f in frames[:-1]:
        lo, hi = f["partial"]["rows"]
        assert lo == len(status)
        status += f["partial"]["status"]
        assert len(status) == hi
    assert status == result["status"]


def test_latest_wins_on_a_lane(client, monkeypatch) -> None:
    # a is held inside its service call until b and c have arrived (on an idle machine the
    # vectorised basin map can finish before a newer request is read).
    started, go = _gate_first_call(monkeypatch, service, "basins")
    with client.websocket_connect("/api/live") as ws:
        send(ws, "a", "sweep_basins", BIG_BASINS)
        assert started.wait(timeout=60)
        send(ws, "b", "sweep_basins", BIG_BASINS)
        send(ws, "c", "hessian", QUICK, lane="sweep_basins")
        frames = until_final(ws, "b")  # c replaced the waiting b
        go.set()
        frames += until_final(ws, "c")
        # a was running: stopped at its next chunk; b never started
        assert of(frames, "b") == ["dropped"]
        assert of(frames, "a")[-1] == "dropped"
        assert "result" not in of(frames, "a")
        assert frames[-1]["type"] == "result"


def test_lanes_are_independent(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        send(ws, 1, "hessian", QUICK, lane="left")
        send(ws, 2, "hessian", QUICK, lane="right")
        frames = [recv(ws), recv(ws)]
    assert sorted((f["id"], f["type"]) for f in frames) == [(1, "result"), (2, "result")]


def _gate_first_call(
    monkeypatch, module: Any, name: str
) -> tuple[threading.Event, threading.Event]:
    """Make the first call of ``module.name`` wait: (started, go) events for the test to drive."""
    started, go = threading.Event(), threading.Event()
    original = getattr(module, name)
    calls = {"n": 0}

    def gated(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            started.set()
            assert go.wait(timeout=60), "the test never released the gated call"
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, gated)
    return started, go


def _threaded(monkeypatch) -> None:
    """Send every trajectory request to the thread pool (none small enough for the loop)."""
    monkeypatch.setattr(limits, "INLINE_MAX_STEPS", 0)
    monkeypatch.setattr(limits, "INLINE_MAX_STEPS_EXPRESSION", 0)


def test_small_requests_run_on_the_event_loop_and_larger_ones_in_a_thread(
    client, monkeypatch
) -> None:
    threads: list[str] = []
    original = service.trajectory

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "trajectory", recording)
    small = {**TRAJ, "steps": limits.INLINE_MAX_STEPS // len(TRAJ["runs"])}
    large = {**TRAJ, "steps": limits.INLINE_MAX_STEPS // len(TRAJ["runs"]) + 1}
    with client.websocket_connect("/api/live") as ws:
        send(ws, "small", "trajectories", small)
        assert until_final(ws, "small")[-1]["type"] == "result"
        loop_thread = threads[-1]
        send(ws, "large", "trajectories", large)
        assert until_final(ws, "large")[-1]["type"] == "result"
        pool_thread = threads[-1]
    assert loop_thread != pool_thread
    assert "AnyIO worker thread" in pool_thread and "AnyIO" not in loop_thread


def test_a_running_short_request_still_delivers(client, monkeypatch) -> None:
    """A newer request on the lane does not drop a short one already running: both answer."""
    _threaded(monkeypatch)
    started, go = _gate_first_call(monkeypatch, service, "trajectory")
    with client.websocket_connect("/api/live") as ws:
        send(ws, "t1", "trajectories", TRAJ)
        assert started.wait(timeout=60)  # t1 is running (inside the service call)
        send(ws, "t2", "trajectories", {**TRAJ, "steps": 10})
        go.set()
        frames = until_final(ws, "t2")
        if "t1" not in {f["id"] for f in frames}:
            frames += until_final(ws, "t1")
    assert of(frames, "t1") == ["result"]
    assert of(frames, "t2") == ["result"]
    final = {f["id"]: f["body"] for f in frames if f["type"] == "result"}
    assert len(final["t1"]["runs"][0]["loss"]) == 51  # each answers its own request
    assert len(final["t2"]["runs"][0]["loss"]) == 11


def test_a_waiting_request_is_dropped_for_a_newer_one(client, monkeypatch) -> None:
    """With t1 running, t2 waits; t3 replaces t2, which is dropped without running."""
    _threaded(monkeypatch)
    started, go = _gate_first_call(monkeypatch, service, "trajectory")
    with client.websocket_connect("/api/live") as ws:
        send(ws, "t1", "trajectories", TRAJ)
        assert started.wait(timeout=60)
        send(ws, "t2", "trajectories", TRAJ)
        send(ws, "t3", "trajectories", TRAJ)
        frames = until_final(ws, "t2")
        go.set()
        frames += until_final(ws, "t3")
        if of(frames, "t1") == []:
            frames += until_final(ws, "t1")
    assert of(frames, "t2") == ["dropped"]
    assert of(frames, "t1") == ["result"] and of(frames, "t3") == ["result"]


def test_cancel_a_running_sweep(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        send(ws, "big", "sweep_basins", BIG_BASINS)
        first = recv(ws)
        assert first == {**first, "id": "big", "type": "progress"}
        send(ws, "c1", "cancel", {"id": "big"})
        frames = until_final(ws, "big")
        assert frames[-1] == {"id": "big", "type": "cancelled"}
        send(ws, "after", "hessian", QUICK)
        assert recv(ws)["type"] == "result"  # the socket is still usable


def test_cancel_by_envelope_id_and_cancel_of_a_waiting_request(client) -> None:
    # A short request is never stopped by a newer one; this one runs ~0.3 s (16 Newton
    # runs of 20,000 steps), so the hessian behind it waits on the lane.
    hold = {
        "surface": {"name": "ackley"},
        "steps": 20000,
        "tol": 0.0,
        "runs": [{"optimizer": "newton", "lr": 0.01}] * 16,
    }
    with client.websocket_connect("/api/live") as ws:
        send(ws, "hold", "trajectories", hold, lane="x")
        send(ws, "waiting", "hessian", QUICK, lane="x")
        send(ws, "waiting", "cancel")  # the envelope's own id names the request
        send(ws, "c2", "cancel", {"id": "hold"})  # the body names it
        frames = until_final(ws, "waiting")
        if not of(frames, "hold"):
            frames += until_final(ws, "hold")
        assert of(frames, "waiting") == ["cancelled"]
        assert of(frames, "hold") == ["cancelled"]  # stopped between two runs
        send(ws, "after", "hessian", QUICK, lane="x")
        frames = until_final(ws, "after")
        assert of(frames, "after") == ["result"]


def test_cancel_of_an_unknown_id_gets_a_404_frame(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        send(ws, "nobody", "cancel")
        frame = recv(ws)
        assert (frame["id"], frame["type"], frame["status"]) == ("nobody", "error", 404)
        assert "no waiting or running request has this id" in frame["detail"][0]["msg"]
        send(ws, "c2", "cancel", {"id": "ghost"})
        frame = recv(ws)
        assert (frame["id"], frame["status"]) == ("ghost", 404)  # named by the id it asked for
        send(ws, "q", "hessian", QUICK)
        assert until_final(ws, "q")[-1]["type"] == "result"


@pytest.mark.parametrize(
    ("raw", "status", "loc"),
    [
        ("not json", 400, ["message"]),
        ("[1, 2]", 400, ["message"]),
        ('"text"', 400, ["message"]),
        ('{"id": "x", "type": "teleport", "body": {}}', 422, ["type"]),
        ('{"id": "x", "body": {}}', 422, ["type"]),
        ('{"id": {"a": 1}, "type": "grid", "body": {}}', 422, ["id"]),
        ('{"id": "x", "type": "grid", "body": [], "lane": "l"}', 422, ["body"]),
        ('{"id": "x", "type": "grid", "body": {}, "lane": ""}', 422, ["lane"]),
        ('{"id": "x", "type": "grid", "body": {}, "extra": 1}', 422, ["extra"]),
        ('{"id": "x", "type": "grid", "body": {"surface": {"name": "nope"}}}', 422, None),
        (
            '{"id": "x", "type": "grid", "body": {"surface": {"name": "quadratic"}, '
            '"view": [NaN, 1, 0, 1]}}',
            422,
            ["body", "view", 0],
        ),
        (
            '{"id": "x", "type": "grid", "body": {"surface": {"name": "quadratic"}, '
            '"view": [1, 0, 0, 1]}}',
            422,
            ["body"],
        ),
        ("[" * 100000, 400, ["message"]),
    ],
)
def test_bad_messages_get_an_error_frame_and_the_socket_stays(client, raw, status, loc) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(raw)
        frame = recv(ws)
        assert frame["type"] == "error"
        assert frame["status"] == status
        if loc is not None:
            assert frame["detail"][0]["loc"] == loc
        send(ws, "ok", "hessian", QUICK)
        frame = recv(ws)
        assert (frame["id"], frame["type"]) == ("ok", "result")


def test_unknown_name_frame_names_the_valid_ones(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        send(ws, "x", "trajectories", {**TRAJ, "runs": [{"optimizer": "adamx"}]})
        frame = recv(ws)
    assert frame["id"] == "x" and frame["status"] == 422
    assert frame["detail"][0]["loc"] == ["body", "runs", 0, "optimizer"]
    assert "'adamx'" in frame["detail"][0]["msg"] and "gd" in frame["detail"][0]["msg"]


def test_oversized_message_is_a_413_frame(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"id": "big", "type": "grid", "body": {"pad": "x" * (1 << 20)}}))
        frame = recv(ws)
        assert frame["status"] == 413 and frame["type"] == "error"
        ws.send_bytes(b"\x00" * ((1 << 20) + 1))
        assert recv(ws)["status"] == 413
        send(ws, "ok", "hessian", QUICK)
        assert recv(ws)["type"] == "result"


def test_binary_json_messages_are_accepted(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        ws.send_bytes(json.dumps({"id": "b", "type": "hessian", "body": QUICK}).encode())
        assert recv(ws)["type"] == "result"


def test_lanes_per_connection_are_bounded(client) -> None:
    with client.websocket_connect("/api/live") as ws:
        for i in range(live.MAX_LANES):
            send(ws, i, "hessian", QUICK, lane=f"lane{i}")
        send(ws, "one-too-many", "hessian", QUICK, lane="extra")
        frames = [recv(ws) for _ in range(live.MAX_LANES + 1)]
    refused = [f for f in frames if f["id"] == "one-too-many"]
    assert refused and refused[0]["status"] == 429
    assert sum(f["type"] == "result" for f in frames) == live.MAX_LANES


def test_disconnect_mid_sweep_stops_the_sweep(client, monkeypatch) -> None:
    """Closing the socket mid-sweep stops the sweep at its next chunk (it raises Cancelled
    instead of finishing its 10,000 starts), and the app serves the next connection."""
    outcome: list[str] = []
    ended = threading.Event()
    original = service.basins

    def watched(*args: Any, **kwargs: Any) -> Any:
        try:
            result = original(*args, **kwargs)
        except service.Cancelled:
            outcome.append("cancelled")
            raise
        else:
            outcome.append("finished")
            return result
        finally:
            ended.set()

    monkeypatch.setattr(service, "basins", watched)
    with client.websocket_connect("/api/live") as ws:
        send(ws, "big", "sweep_basins", BIG_BASINS)
        assert recv(ws)["type"] == "progress"
    assert ended.wait(timeout=120), "the sweep never ended after the socket closed"
    assert outcome == ["cancelled"]
    with client.websocket_connect("/api/live") as ws:
        send(ws, "again", "hessian", QUICK)
        assert recv(ws)["type"] == "result"


def test_cross_origin_pages_are_refused(client) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/api/live", headers={"origin": "http://evil.example"}) as ws,
    ):
        ws.receive_text()
    assert info.value.code == 1008
    with client.websocket_connect("/api/live", headers={"origin": "http://testserver"}) as ws:
        send(ws, "same", "hessian", QUICK)
        assert recv(ws)["type"] == "result"


def test_allowed_origins_from_the_environment(client, monkeypatch) -> None:
    monkeypatch.setenv("LOSSCAPE_ALLOWED_ORIGINS", "https://class.example.org, http://x.test")
    with client.websocket_connect(
        "/api/live", headers={"origin": "https://class.example.org"}
    ) as ws:
        send(ws, "proxied", "hessian", QUICK)
        assert recv(ws)["type"] == "result"


# --------------------------------------------------------------------------- issue 12

HEAVY_BODIES = {
    "sweep_lr": {"surface": {"name": "rosenbrock"}, "optimizer": "gd", "steps": 2000, "count": 600},
    "sweep_basins": {**BIG_BASINS, "resolution": 64},
    "sweep_lr_momentum": {
        "surface": {"name": "rosenbrock"},
        "optimizer": "momentum",
        "steps": 1000,
        "lr_count": 40,
        "momentum_count": 40,
    },
    "network_train": {"dataset": {"name": "moons"}, "optimizer": "adam", "steps": 2000},
    "network_metrics": {"dataset": {"name": "moons"}, "optimizer": "adam", "steps": 2000},
    "network_boundary": {"dataset": {"name": "moons"}, "optimizer": "adam", "steps": 2000},
    "network_landscape": {
        "dataset": {"name": "ravine"},
        "model": {"name": "linear_regression"},
        "steps": 200,
    },
    "network_gradient_check": {"dataset": {"name": "moons"}},
    "scene_claims": {"scene": "momentum", "step": 0},
    "network_gradient_noise": {"dataset": {"name": "moons"}, "draws": 100},
    "network_batch_size": {
        "dataset": {"name": "moons"},
        "optimizer": "gd",
        "lr": 0.1,
        "max_steps": 500,
        "count": 4,
    },
}


class _TripAfter:
    """A cancel token that trips at its ``n``-th check (the first is before any work)."""

    partials = True

    def __init__(self, n: int) -> None:
        self.n, self.checks = n, 0

    def check(self) -> None:
        self.checks += 1
        if self.checks >= self.n:
            raise live.service.Cancelled("cancelled")

    def emit(self, done: int, total: int, partial: Any) -> None:
        self.check()


def test_every_heavy_operation_is_in_the_table_here() -> None:
    heavy = {name for name, op in live.OPERATIONS.items() if op.heavy}
    assert heavy == set(HEAVY_BODIES)


@pytest.mark.parametrize("name", sorted(HEAVY_BODIES))
def test_cancel_stops_every_operation_mid_work(name: str) -> None:
    """The service checks the token while it works: a token tripping at its second check
    (the first is before the work starts) stops the operation with Cancelled."""
    op = live.OPERATIONS[name]
    body = op.adapter.validate_python(HEAVY_BODIES[name])
    with pytest.raises(live.service.Cancelled):
        op.encode(body, _TripAfter(1))  # cancelled while it waited: no work at all
    token = _TripAfter(2)
    with pytest.raises(live.service.Cancelled):
        op.encode(body, token)
    assert token.checks == 2


def test_cancel_a_running_network_training(client) -> None:
    body = {**HEAVY_BODIES["network_train"], "steps": 20000}
    with client.websocket_connect("/api/live") as ws:
        send(ws, "n", "network_train", body)
        assert recv(ws)["type"] == "progress"  # it is running
        send(ws, "c", "cancel", {"id": "n"})
        frames = until_final(ws, "n")
    assert of(frames, "n")[-1] == "cancelled"


def decode_binary(data: bytes) -> dict:
    """The binary frame layout of encoding.binary_frame, decoded independently."""
    n = int.from_bytes(data[:4], "little")
    head = json.loads(data[4 : 4 + n])
    base = -(-(4 + n) // 8) * 8
    dtypes = {"f4": "<f4", "f8": "<f8", "i4": "<i4"}

    def walk(v: Any) -> Any:
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict) and "$b" in v:
            code, offset, length, *shape = v["$b"]
            a = np.frombuffer(data, dtype=dtypes[code], count=length, offset=base + offset)
            a = a.reshape(shape).astype(np.float64)
            return (
                [[None if not np.isfinite(x) else float(x) for x in row] for row in a]
                if (a.ndim == 2)
                else [None if not np.isfinite(x) else float(x) for x in a]
            )
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(head)


@pytest.mark.parametrize(
    ("type_", "body"),
    [
        ("trajectories", {**TRAJ, "runs": [{"optimizer": "gd", "lr": 1e-3}] * 3}),
        ("trajectories", {**TRAJ, "record_state": True, "runs": [{"optimizer": "adam"}]}),
        ("grid", {"surface": {"name": "quadratic"}, "resolution": 7, "arrows": 3}),
        ("sweep_basins", {**BIG_BASINS, "lr": 5e-3, "resolution": 9, "steps": 50}),  # nulls
    ],
)
def test_binary_frames_carry_the_json_answer(client, type_: str, body: dict) -> None:
    with client.websocket_connect("/api/live") as ws:
        send(ws, "j", type_, body)
        as_json = until_final(ws, "j")[-1]
    with client.websocket_connect("/api/live?binary=1") as ws:
        send(ws, "b", type_, body)
        while True:
            message = ws.receive()
            if message.get("bytes") is not None:
                frame = decode_binary(message["bytes"])
                break
    assert frame["type"] == "result" and frame["id"] == "b"
    a, b = as_json["body"], frame["body"]
    if type_ == "trajectories":
        a.pop("elapsed_ms"), b.pop("elapsed_ms")
    if type_ == "sweep_basins":
        assert None in [v for row in a["final_loss"] for v in row]  # diverged: NaN -> null
    assert as_f32(b) == as_f32(a)  # JSON prints float32 values shortest; binary carries them


def as_f32(v: Any) -> Any:
    """Floats rounded to float32 (a float32 value printed shortest reads back as itself)."""
    if isinstance(v, float):
        return float(np.float32(v))
    if isinstance(v, list):
        return [as_f32(x) for x in v]
    if isinstance(v, dict):
        return {k: as_f32(x) for k, x in v.items()}
    return v


def test_trajectory_points_decimate_each_path(client) -> None:
    body = {**TRAJ, "steps": 1000, "tol": 0, "points": 101, "fields": ["x", "y", "loss"]}
    full = client.post("/api/trajectories", json={**TRAJ, "steps": 1000, "tol": 0}).json()
    thin = client.post("/api/trajectories", json=body).json()
    run, ref = thin["runs"][0], full["runs"][0]
    assert set(run) >= {"x", "y", "loss", "index"} and "avg_x" not in run and "lrs" not in run
    idx = run["index"]
    assert len(idx) == 101 and idx[0] == 0 and idx[-1] == 1000
    assert run["x"] == [ref["x"][i] for i in idx]
    assert run["loss"] == [ref["loss"][i] for i in idx]


def test_heavy_jobs_over_the_class_queue_get_503_with_retry_after(client, app) -> None:
    rt = live.runtime(app)
    saved = rt.heavy_waiting_max
    rt.heavy_waiting_max = 0
    try:
        with client.websocket_connect("/api/live") as ws:
            send(ws, "h", "sweep_lr", HEAVY_BODIES["sweep_lr"])
            frame = until_final(ws, "h")[-1]
            send(ws, "q", "hessian", QUICK)  # interactive work still runs
            assert until_final(ws, "q")[-1]["type"] == "result"
    finally:
        rt.heavy_waiting_max = saved
    assert (frame["type"], frame["status"]) == ("error", 503)
    assert frame["retry_after"] >= 1
    assert "busy" in frame["detail"][0]["msg"]


def test_results_of_many_lanes_queued_at_once_all_go_out(client) -> None:
    """More lanes than the outbox bound answer together: each lane's newest result is sent
    (a result only gives way to a newer result of its own lane)."""
    lanes = limits.MAX_SEND_FRAMES + 3
    with client.websocket_connect("/api/live") as ws:
        for k in range(lanes):
            send(ws, k, "trajectories", {**TRAJ, "seed": k}, lane=f"lane{k}")
        frames = [recv(ws) for _ in range(lanes)]
    assert sorted(f["id"] for f in frames if f["type"] == "result") == list(range(lanes))


def test_an_older_result_gives_way_only_to_a_newer_one_of_its_lane() -> None:
    session = live.LiveSession.__new__(live.LiveSession)
    session.outbox = collections.deque(
        [
            live_jobs.OutFrame(b"a1", tag="a1", kind="result", lane="a"),
            live_jobs.OutFrame(b"b1", tag="b1", kind="result", lane="b"),
            live_jobs.OutFrame(b"a2", tag="a2", kind="result", lane="a"),
        ]
    )
    assert session._give_way()
    kinds = [(o.tag, o.kind) for o in session.outbox]
    assert kinds == [("a1", "control"), ("b1", "result"), ("a2", "result")]
    assert json.loads(session.outbox[0].data) == {"id": "a1", "type": "dropped"}
    assert not session._give_way()  # b1 and a2 are their lanes' newest: they stay


class _StuckSocket:
    """A WebSocket whose client reads the first ``fast`` frames, then nothing more."""

    def __init__(self, fast: int) -> None:
        self.query_params: dict[str, str] = {}
        self.fast, self.sent = fast, 0
        self.closed_with: tuple[int, str] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        if self.sent >= self.fast:
            await asyncio.Event().wait()  # the send buffer never drains
        self.sent += 1

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)


def test_the_writer_gives_up_on_a_socket_that_stops_reading(monkeypatch) -> None:
    """The stall watchdog: frames written on time never trip it (however many, over more
    than the stall time in all); one write pending for the stall time closes the socket."""
    monkeypatch.setenv("LOSSCAPE_SEND_STALL_S", "0.2")

    async def scenario() -> tuple[_StuckSocket, live.LiveSession, float]:
        ws = _StuckSocket(fast=6)
        session = live.LiveSession(ws, None)  # type: ignore[arg-type]
        writer = asyncio.create_task(session._writer())
        for k in range(6):  # 0.3 s of timely writes: longer than the stall time
            await session.send(b'{"n": %d}' % k)
            await asyncio.sleep(0.05)
        assert not session.closed and ws.sent == 6
        t0 = asyncio.get_running_loop().time()
        await session.send(b'{"n": 6}')  # this one is never read
        await asyncio.wait_for(writer, 5)
        return ws, session, asyncio.get_running_loop().time() - t0

    ws, session, waited = asyncio.run(scenario())
    assert session.closed and session.gave_up and session.stalled
    assert ws.closed_with == (1008, "not reading")
    assert waited >= 0.2
    assert session.watchdog is None
