"""Saved lectures in the page: save a scene on each page, order them with a built-in scene
into a lecture, open its link in a fresh browser, step through it across both pages, export
it, and import the file into a second server with an empty data folder."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from losscape import scenes

from ..conftest import serving

pytestmark = [pytest.mark.browser, pytest.mark.server]

SADDLE_STEPS = len(scenes.scene("saddle")["steps"])
NETWORK_SCENE = scenes.network_scenes()[0]["id"]
START_TIMEOUT_S = 600  # a cold numba cache compiles at start-up


def save_scene(g, title: str, caption: str) -> str:
    pg = g.page
    pg.click("#save-scene")
    pg.fill("#save-title", title)
    pg.fill("#save-caption", caption)
    pg.click("#save-submit")
    pg.wait_for_selector("#save-dialog .lecture-status[data-saved]")
    saved = pg.get_attribute("#save-dialog .lecture-status", "data-saved")
    pg.click("#save-dialog .lecture-close")
    return saved


def settled(g) -> None:
    g.page.wait_for_function(
        "() => document.body.dataset.ready === '1' && document.body.hasAttribute('data-settled')",
        timeout=60_000,
    )


def caption(g) -> str:
    return g.page.locator("#caption").inner_text()


def second_server(data: Path) -> AbstractContextManager[str]:
    """Another ``losscape serve --data DIR`` (no warm-up: these pages need few kernels)."""
    return serving("--data", str(data), env={"LOSSCAPE_WARMUP": "0"}, timeout_s=START_TIMEOUT_S)


def test_save_build_share_step_export_import(browser, context, page, ui, tmp_path):
    # 1. A scene of the surfaces page and one of the networks page, saved with captions.
    ui.open_page(page, "scene=ravine")
    settled(page)
    surf = save_scene(page, "My ravine", "Watch the zig-zag across the valley.")
    page.page.goto(page.base + f"network.html#net&scene={NETWORK_SCENE}")
    page.page.wait_for_function("() => document.body.dataset.ready === '1'")
    net = save_scene(page, "My XOR", "Two hidden units are not enough.")
    assert surf.startswith("s_") and net.startswith("s_") and surf != net

    # 2. The lecture: the saved surface scene, the built-in saddle, the saved network scene.
    pg = page.page
    pg.click("#lecture-open")
    pg.fill("#lecture-title", "Week 3: ravines and saddles")
    for ref in (surf, "saddle", net):
        pg.select_option("#lecture-pick", ref)
        pg.click("#lecture-add")
    pg.click("#lecture-order li:nth-child(3) button[aria-label='move up']")  # reorder...
    pg.click("#lecture-order li:nth-child(2) button[aria-label='move down']")  # ...and back
    order = pg.eval_on_selector_all("#lecture-order li", "els => els.map((e) => e.dataset.ref)")
    assert order == [surf, "saddle", net]
    pg.click("#lecture-create")
    pg.wait_for_selector("#lecture-link")
    link = pg.input_value("#lecture-link")
    lecture_id = pg.get_attribute("#lecture-result", "data-lecture")
    assert link == page.base + f"#lecture={lecture_id}"
    ui.screenshot(pg, "lecture-dialog")

    # 3. Export: the download is the document import reads.
    with pg.expect_download() as dl:
        pg.click("#lecture-export")
    exported = tmp_path / "lecture.json"
    dl.value.save_as(exported)
    doc = json.loads(exported.read_text())
    assert doc["format"] == "losscape-lecture" and doc["version"] == 1
    assert [s["title"] for s in doc["scenes"]] == ["My ravine", "My XOR"]
    assert doc["order"] == [surf, "saddle", net]
    page.assert_clean()

    # 4. The link in a fresh browser (no local storage): the stepper walks the lecture.
    stops = 1 + SADDLE_STEPS + 1
    fresh_ctx = browser.new_context(viewport=ui.LAPTOP)
    try:
        student = ui.guard(fresh_ctx, page.base)
        student.page.goto(link)
        settled(student)
        sp = student.page
        assert sp.locator("#caption .caption-title").inner_text() == "Week 3: ravines and saddles"
        assert "1. My ravine: Watch the zig-zag" in caption(student)
        assert sp.locator(".step-label").inner_text() == f"step 1 / {stops}"
        assert f"scene={lecture_id}" in ui.state_hash(student)
        assert sp.locator("#scene-select").input_value() == lecture_id
        ui.screenshot(sp, "lecture-stop-1")
        for k in range(1, 1 + SADDLE_STEPS):
            sp.click("button[aria-label='next scene step']")
            sp.wait_for_function(
                "(k) => document.querySelector('.step-label').textContent.startsWith(`step ${k}`)",
                arg=k + 1,
            )
            settled(student)
            assert scenes.scene("saddle")["steps"][k - 1]["caption"] in caption(student)
        # the last stop is on the networks page: the stepper goes there
        sp.click("button[aria-label='next scene step']")
        sp.wait_for_url("**/network.html#net&scene=*")
        sp.wait_for_function("() => document.body.dataset.ready === '1'")
        assert f"{stops}. My XOR: Two hidden units" in caption(student)
        assert sp.locator(".step-label").inner_text() == f"step {stops} / {stops}"
        ui.screenshot(sp, "lecture-stop-network")
        # and back to the surfaces page
        sp.click("button[aria-label='previous scene step']")
        sp.wait_for_url("**/#scene=*")
        settled(student)
        assert sp.locator(".step-label").inner_text() == f"step {stops - 1} / {stops}"
        student.assert_clean()
    finally:
        fresh_ctx.close()

    # 5. Another teacher's server, an empty data folder: import the file, open the lecture.
    with second_server(tmp_path / "other-data") as other:
        other_ctx = browser.new_context(viewport=ui.LAPTOP)
        try:
            teacher = ui.guard(other_ctx, other)
            ui.open_page(teacher, "")
            tp = teacher.page
            tp.click("#lecture-open")
            tp.set_input_files("#lecture-import", str(exported))
            tp.wait_for_selector("#lecture-link")
            assert "Imported “Week 3: ravines and saddles”" in tp.inner_text("#lecture-dialog")
            new_link = tp.input_value("#lecture-link")
            assert new_link.startswith(other) and lecture_id not in new_link
            tp.click("#lecture-start")
            tp.wait_for_function("() => document.body.dataset.ready === '1'")
            tp.wait_for_selector("#caption .step-caption")
            assert "1. My ravine" in caption(teacher)
            assert tp.locator(".step-label").inner_text() == f"step 1 / {stops}"
            # "Open lecture" reloads the page; the first load's icon request may be cut short
            teacher.failed[:] = [f for f in teacher.failed if "favicon" not in f]
            teacher.assert_clean()
        finally:
            other_ctx.close()
    assert (tmp_path / "other-data" / "lectures.sqlite3").is_file()


def test_a_bad_import_says_which_field(page, ui, tmp_path):
    bad = tmp_path / "bad.json"
    doc = {"format": "losscape-lecture", "version": 1, "title": "T", "scenes": [],
           "order": ["no-such-scene"]}  # fmt: skip
    bad.write_text(json.dumps(doc))
    ui.open_page(page, "")
    pg = page.page
    pg.click("#lecture-open")
    pg.set_input_files("#lecture-import", str(bad))
    pg.wait_for_function(
        "() => document.querySelector('#lecture-dialog .lecture-status').textContent.length > 0"
    )
    text = pg.inner_text("#lecture-dialog .lecture-status")
    assert text.startswith("Not imported: order.0: 'no-such-scene' is neither")
    # the 422 is the point of this test (the browser logs it too)
    assert [e.split()[0] for e in page.http_errors] == ["422"]
    page.http_errors.clear()
    page.console_errors[:] = [e for e in page.console_errors if "422" not in e]
    page.assert_clean()


def test_a_deleted_or_mistyped_lecture_link_says_so(page, ui):
    ui.open_page(page, "lecture=l_doesnotexist")
    pg = page.page
    pg.wait_for_selector(".lecture-error")
    assert "Could not open the lecture: no lecture" in pg.inner_text(".lecture-error")
    assert pg.locator("#scene-select").input_value() == "playground"
    # the 404 is the point of this test (the browser logs it too)
    assert [e.split()[0] for e in page.http_errors] == ["404"]
    page.http_errors.clear()
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]
    page.assert_clean()


AXE = (Path(__file__).with_name("vendor") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(pg) -> list[str]:
    """axe-core (WCAG 2 A/AA and best practices) on the open dialog."""
    pg.evaluate(AXE)  # through the DevTools protocol: the page's CSP stays on
    found = pg.evaluate(
        """async () => {
          const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
          const r = await axe.run(document.querySelector('dialog[open]'),
                                  { runOnly: { type: 'tag', values: tags } });
          return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' '))}`);
        }"""
    )
    return found


def test_the_dialogs_are_accessible(page, ui):
    ui.open_page(page, "scene=saddle")
    pg = page.page
    pg.click("#save-scene")
    assert pg.evaluate("() => document.activeElement.id") == "save-title"
    assert axe_violations(pg) == []
    pg.keyboard.press("Escape")  # a modal dialog closes with Escape
    pg.wait_for_selector("#save-dialog", state="detached")
    pg.click("#lecture-open")
    pg.select_option("#lecture-pick", "saddle")
    pg.click("#lecture-add")
    pg.click("#lecture-create")
    pg.wait_for_selector("#lecture-link")
    assert axe_violations(pg) == []
    page.assert_clean()


def test_a_lecture_made_here_can_be_reordered_and_keeps_its_link(page, ui):
    ui.open_page(page, "")
    pg = page.page
    pg.click("#lecture-open")
    pg.fill("#lecture-title", "Draft")
    pg.select_option("#lecture-pick", "saddle")
    pg.click("#lecture-add")
    pg.click("#lecture-create")
    pg.wait_for_selector("#lecture-link")
    lecture_id = pg.get_attribute("#lecture-result", "data-lecture")
    pg.click("#lecture-dialog .lecture-close")
    pg.click("#lecture-open")  # a new dialog: the lecture is listed as made in this browser
    pg.click("#lecture-dialog details summary")
    pg.click("#lecture-dialog button[aria-label='edit Draft']")
    pg.wait_for_selector("#lecture-order li[data-ref='saddle']")
    pg.select_option("#lecture-pick", "gd-1d")
    pg.click("#lecture-add")
    pg.click("#lecture-order li:nth-child(2) button[aria-label='move up']")
    pg.fill("#lecture-title", "Final")
    assert pg.inner_text("#lecture-create") == "Save changes"
    pg.click("#lecture-create")
    pg.wait_for_selector("#lecture-link")
    assert pg.get_attribute("#lecture-result", "data-lecture") == lecture_id
    stored = pg.evaluate("(id) => fetch(`/api/lectures/${id}`).then((r) => r.json())", lecture_id)
    assert stored["title"] == "Final" and stored["scenes"] == ["gd-1d", "saddle"]
    page.assert_clean()
