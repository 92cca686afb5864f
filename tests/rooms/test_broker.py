"""The in-process broker, the join limiter, and when rooms refuse to start."""

from __future__ import annotations

import asyncio
import concurrent.futures

from losscape.rooms.broker import MemoryBroker
from losscape.rooms.hub import Hub, JoinLimiter, RoomError, make_hub


def run(coro):
    """asyncio.run in its own thread: the browser tests' Playwright keeps a loop running in
    this one for the whole session."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_a_code_is_created_once_and_an_idle_room_expires() -> None:
    async def scenario() -> tuple[bool, bool, object, object]:
        broker = MemoryBroker(idle_s=60)
        first = await broker.create("ABCDEFGH", {"state": "a=1"})
        again = await broker.create("ABCDEFGH", {"state": "b=2"})
        kept = await broker.load("ABCDEFGH")
        gone = MemoryBroker(idle_s=-1)  # expired as soon as created
        await gone.create("ABCDEFGH", {"state": "a=1"})
        return first, again, kept, await gone.load("ABCDEFGH")

    first, again, kept, expired = run(scenario())
    assert first and not again
    assert kept == {"state": "a=1"}
    assert expired is None


def test_one_answer_per_device_and_presence_counts() -> None:
    async def scenario() -> tuple[list[bool], int, dict[str, int]]:
        broker = MemoryBroker()
        await broker.create("ABCDEFGH", {})
        added = [
            await broker.add_answer("ABCDEFGH", 1, "device-a", b"1"),
            await broker.add_answer("ABCDEFGH", 1, "device-a", b"2"),
            await broker.add_answer("ABCDEFGH", 1, "device-b", b"2"),
        ]
        for peer, mode in [("p1", "following"), ("p2", "following"), ("p3", "exploring")]:
            await broker.set_presence("ABCDEFGH", peer, mode)
        await broker.set_presence("ABCDEFGH", "p2", None)
        n = len(await broker.answers("ABCDEFGH", 1))
        return added, n, await broker.presence("ABCDEFGH")

    added, n, counts = run(scenario())
    assert added == [True, False, True]
    assert n == 2
    assert counts == {"following": 1, "exploring": 1}


def test_published_messages_reach_every_subscriber_until_it_leaves() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        broker = MemoryBroker()
        await broker.create("ABCDEFGH", {})
        a: list[bytes] = []
        b: list[bytes] = []
        await broker.subscribe("ABCDEFGH", a.append)
        leave = await broker.subscribe("ABCDEFGH", b.append)
        await broker.publish("ABCDEFGH", b"one")
        await leave()
        await broker.publish("ABCDEFGH", b"two")
        return a, b

    a, b = run(scenario())
    assert a == [b"one", b"two"]
    assert b == [b"one"]


def test_the_join_limiter_allows_its_rate_per_address() -> None:
    limiter = JoinLimiter(per_minute=5)
    assert [limiter.take("10.0.0.1") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.take("10.0.0.2")  # another address has its own budget


def test_several_workers_without_redis_refuse_rooms_saying_what_to_set() -> None:
    hub = make_hub(None, workers=2)
    try:
        run(hub.create("surfaces", "10.0.0.1"))
    except RoomError as exc:
        assert exc.status == 503
        assert "--redis" in exc.message and "LOSSCAPE_REDIS_URL" in exc.message
    else:
        raise AssertionError("rooms must be refused")
    assert isinstance(make_hub(None, workers=1), Hub)
    assert make_hub(None, workers=1).problem is None


def test_wrong_codes_are_limited_per_address_while_a_class_behind_one_nat_joins() -> None:
    async def scenario() -> tuple[int, list[int], int]:
        rooms = Hub(MemoryBroker())
        code, _ = await rooms.create("surfaces", "teacher")
        joined = 0
        for _ in range(300):  # a whole class behind one address, the right code
            await rooms.room(code, "10.0.0.9")
            joined += 1
        statuses = []
        for _ in range(31):
            try:
                await rooms.room("ZZZZZZZZ", "10.0.0.9")
            except RoomError as exc:
                statuses.append(exc.status)
        try:
            await rooms.room(code, "10.0.0.9")
            blocked = 200
        except RoomError as exc:
            blocked = exc.status
        return joined, statuses, blocked

    joined, statuses, blocked = run(scenario())
    assert joined == 300
    assert statuses == [404] * 30 + [429]
    assert blocked == 429  # a guessing address waits, whatever code it tries next


def test_a_slow_student_keeps_only_the_newest_state_and_frame_of_each_lane() -> None:
    from losscape.rooms.hub import Peer

    peer = Peer(ws=None, role="student")  # type: ignore[arg-type]  (nothing is written here)
    for k in range(5):
        peer.offer_state(b'{"type":"state","hash":"t=%d"}' % k)
        peer.offer_frame("grid", b"grid %d" % k, True)
    peer.offer_frame("trajectories:0", b"paths", False)
    peer.offer_control(b'{"type":"question"}')
    assert peer.state == b'{"type":"state","hash":"t=4"}'
    assert peer.frames == {"grid": (b"grid 4", True), "trajectories:0": (b"paths", False)}
    assert peer.skipped == 4
    assert list(peer.controls) == [b'{"type":"question"}']  # questions are never skipped


def test_a_student_who_stops_reading_is_closed_and_the_others_go_on() -> None:
    from losscape.rooms.hub import Peer

    class Socket:
        def __init__(self, reads: bool) -> None:
            self.reads, self.sent, self.closed = reads, [], None

        async def send(self, message) -> None:
            if not self.reads:
                await asyncio.Event().wait()  # a client that never drains its socket
            self.sent.append(message)

        async def close(self, code: int, reason: str) -> None:
            self.closed = (code, reason)

    async def scenario() -> tuple[Socket, Socket]:
        rooms = Hub(MemoryBroker())
        rooms.stall_s = 0.2
        code, _ = await rooms.create("surfaces", "teacher")
        stuck, reader = Socket(reads=False), Socket(reads=True)
        for ws in (stuck, reader):
            peer = Peer(ws=ws, role="student")  # type: ignore[arg-type]
            await rooms.attach(code, peer)
            peer.task = asyncio.create_task(peer.writer())
        for _ in range(200):  # until the watchdog acts (bounded: 10 s)
            await rooms.broker.publish(code, b"S" + b'{"type":"question"}')
            if stuck.closed:
                break
            await asyncio.sleep(0.05)
        await rooms.close()
        return stuck, reader

    stuck, reader = run(scenario())
    assert stuck.closed == (1008, "not reading")
    assert len(reader.sent) >= 3  # the reading student kept getting messages meanwhile
