"""Readable in every room: every step of every scene, on both pages, at four screen sizes.

1920x1080 and 1366x768 laptops and projectors, a 1024x768 projector in presenter mode (the
sidebar hidden, so a legend names each run; a compact caption) and a 390x844 phone (panels
stacked, nothing scrolls sideways). Every axis title lies inside its plot and no two tick
labels of one axis overlap. One browser page per scene: each step opens by changing the hash,
which replaces the whole set-up.

Screenshots go to the git-ignored screenshots/ folder; docs/screenshots/ is refreshed only with
LOSSCAPE_DOC_SCREENSHOTS=1 (a plain test run leaves no diff).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from losscape import scenes

pytestmark = [pytest.mark.browser, pytest.mark.server]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("LOSSCAPE_DOC_SCREENSHOTS") == "1"
ROOMS = [
    ("1920x1080", {"width": 1920, "height": 1080}, False),
    ("1366x768", {"width": 1366, "height": 768}, False),
    ("1024x768-presenter", {"width": 1024, "height": 768}, True),
    ("390x844", {"width": 390, "height": 844}, False),
]
SETTLED = "() => document.body.hasAttribute('data-settled')"
STEP_TIMEOUT_MS = 180_000


def _visit(g, ui, fragment: str, expect_runs: int | None, name: str) -> None:
    pg = g.page
    # the mark is cleared first: the page sets it again once this hash's set-up is drawn
    pg.evaluate(
        f"() => {{ document.body.removeAttribute('data-settled'); location.hash = {fragment!r}; }}"
    )
    pg.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)
    for room, size, present in ROOMS:
        pg.set_viewport_size(size)
        if present != pg.evaluate("() => document.body.classList.contains('presenter')"):
            pg.keyboard.press("p")
            pg.wait_for_function(
                "(on) => document.body.classList.contains('presenter') === on", arg=present
            )
        pg.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)
        ui.wait(g, "plotsFit")
        seen = ui.js(g, "room")
        where = f"{name} at {room}"
        assert seen["clipped"] == [], where
        assert seen["crowded"] == [], where
        assert seen["scrollW"] <= seen["W"], where
        if present:
            if expect_runs is not None:
                assert len(seen["legend"]) == expect_runs, where
                drawn = set(ui.js(g, "runColors"))
                assert drawn <= {c.upper() for c in seen["legend"]}, where
            else:
                assert len(seen["legend"]) >= 1, where
            assert seen["captionH"] <= 0.3 * seen["H"], where
        if room == "390x844":
            assert seen["stacked"], where
        path = ui.screenshot(pg, f"room-{name}-{room}")
        if REFRESH_DOCS:
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS / path.name)
    # back to a laptop without presenter mode for the next step
    if pg.evaluate("() => document.body.classList.contains('presenter')"):
        pg.keyboard.press("p")


@pytest.mark.parametrize("sid", [s["id"] for s in scenes.scenes()])
def test_every_classroom_scene_step_reads_in_every_room(page, ui, sid):
    ui.open_page(page)
    for k in range(max(1, len(scenes.scene(sid)["steps"]))):
        runs = len(scenes.step_state(sid, k)["runs"])
        _visit(page, ui, f"scene={sid}&step={k}", runs, f"{sid}-{k + 1}")
    page.assert_clean()


@pytest.mark.parametrize("sid", [s["id"] for s in scenes.network_scenes()])
def test_every_network_scene_step_reads_in_every_room(page, ui, sid):
    page.page.goto(page.base + "network.html#net")
    page.page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    for k in range(max(1, len(scenes.find(sid, "networks").scene["steps"]))):
        _visit(page, ui, f"net&scene={sid}&step={k}", None, f"network-{sid}-{k + 1}")
    page.assert_clean()
