"""The warm-up: groups in order with a line each, failures reported, the URL once ready."""

from __future__ import annotations

import io
import threading

import pytest

from losscape import cli, scenes, warmup


def test_groups_start_with_the_first_scene_and_name_its_surface() -> None:
    first = scenes.scenes()[0]
    head = f"first scene ({first['id']}: {first['state']['surface']}"
    labels = [g.label for g in warmup.groups()]
    assert labels[0].startswith(head + " x") and labels[0].endswith(", paths")
    assert labels[1] == head + "), contours"
    assert [g.label for g in warmup.first_groups()] == labels[:2]
    assert [g.label for g in warmup.later_groups()] == labels[2:]
    assert labels[-1] == "networks"
    assert len({g.marker for g in warmup.groups()}) == len(labels)


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path, monkeypatch) -> None:
    """warm() leaves markers in numba's cache folder: not in the shared one for fake groups."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))


def test_warm_prints_a_line_per_group_and_survives_a_failing_group() -> None:
    ran: list[str] = []

    def fails() -> int:
        raise RuntimeError("boom")

    todo = [
        warmup.Group("one", lambda: ran.append("one") or 2),
        warmup.Group("broken", fails),
        warmup.Group("two", lambda: ran.append("two") or 3),
    ]
    out = io.StringIO()
    done = warmup.warm(todo, out=out)
    lines = out.getvalue().splitlines()
    assert ran == ["one", "two"]
    assert done["runs"] == 5 and done["failed"] == ["broken"]
    assert [line.split(" ...")[0] for line in lines] == [
        "losscape: compiling one",
        "losscape: compiling broken",
        "losscape: compiling two",
    ]
    assert "failed (RuntimeError: boom)" in lines[1]


def test_first_groups_warm_the_first_scene_kernels_and_mark_them() -> None:
    out = io.StringIO()
    first = warmup.first_groups()
    assert not any(warmup.is_warm(g) for g in first)
    done = warmup.warm(first, out=out)
    assert done["failed"] == []
    assert out.getvalue().count("\n") == 2
    assert all(warmup.is_warm(g) for g in first)


def test_the_sweeps_group_compiles_the_batch_signature_every_sweep_uses(monkeypatch) -> None:
    """A sweep the page asks for once "every kernel compiled" never compiles ``batch`` again:
    the warm-up's sweeps call it with the argument types a basin map, an Adam lr sweep (its
    shared bias table) and an lr x momentum map use, whatever the surface, optimizer,
    schedule or noise. (A new type there would compile on demand, ~30 s on 2 cores.)"""
    from numba import typeof

    from losscape import service
    from losscape.numerics import kernels

    seen: list[tuple[str, ...]] = []
    real = kernels.batch

    def record(*args: object) -> None:
        seen.append(tuple(str(typeof(a)) for a in args))
        real(*args)

    monkeypatch.setattr(kernels, "batch", record)
    later = {g.marker: g for g in warmup.later_groups()}
    later["sweeps"].run()
    warmed = set(seen)
    assert len(warmed) == 1
    seen.clear()
    ignore = warmup._ignore
    service.basins("himmelblau", "momentum", lr=0.002, steps=20, resolution=8, progress=ignore)
    service.basins("himmelblau", "adam", steps=20, resolution=4, noise=0.1, schedule="cosine")
    service.lr_sweep("rosenbrock", "adam", steps=20, count=5, curves=True, progress=ignore)
    service.lr_sweep("rosenbrock", "adam", steps=20, count=5, progress=ignore)
    service.lr_momentum_map("quadratic", "adam", steps=20, lr_count=3, momentum_count=3)
    assert len(seen) >= 5 and set(seen) == warmed


def test_announce_ready_prints_the_url_only_when_serve_set_it(monkeypatch) -> None:
    out = io.StringIO()
    monkeypatch.delenv(warmup.URL_ENV, raising=False)
    warmup.announce_ready(out=out)
    assert out.getvalue() == ""
    monkeypatch.setenv(warmup.URL_ENV, "http://127.0.0.1:8123/")
    warmup.announce_ready(out=out)
    assert "ready, serving the classroom page at http://127.0.0.1:8123/" in out.getvalue()


class _Signalling(io.StringIO):
    """A stream that sets an event on its first write."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def write(self, s: str) -> int:
        n = super().write(s)
        self.written.set()
        return n


def test_compile_notice_speaks_when_the_work_is_slow_and_not_after() -> None:
    slow = _Signalling()
    with warmup.compile_notice(0.0, out=slow):
        assert slow.written.wait(30)  # the work "takes" until the notice has appeared
    assert "compiling the kernels" in slow.getvalue()
    quick = _Signalling()
    with warmup.compile_notice(3600.0, out=quick):
        pass
    assert quick.getvalue() == ""


def test_warm_command_runs_every_group(monkeypatch, capsys) -> None:
    ran: list[str] = []
    monkeypatch.setattr(
        warmup, "groups", lambda: [warmup.Group("g1", lambda: ran.append("g1") or 0)]
    )
    assert cli.main(["warm"]) == 0
    assert ran == ["g1"]
    out = capsys.readouterr().out
    assert "losscape: compiling g1 ..." in out and "kernels ready in" in out


def test_warm_command_fails_when_a_group_fails(monkeypatch, capsys) -> None:
    def fails() -> int:
        raise ValueError("no")

    monkeypatch.setattr(warmup, "groups", lambda: [warmup.Group("bad", fails)])
    assert cli.main(["warm"]) == 1


@pytest.mark.parametrize("argv", [["warm", "--all"]])
def test_warm_takes_no_flags(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(argv)
