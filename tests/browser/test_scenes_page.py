"""Every scene opens from its link, draws every panel it lists, fits a laptop and a projector,
and never leaves the machine."""

from __future__ import annotations

import re

import pytest

from losscape import scenes

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCENES = scenes.scenes()


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s["id"])
def test_scene_draws_every_panel(page, ui, scene):
    state = scenes.step_state(scene["id"], 0)
    runs = len(state["runs"])
    ui.open_page(page, f"scene={scene['id']}")
    # which panels a surface shows is the page's rule (panels.js `applicable`), asked of the page
    panels = ui.js(page, "shownFor", scene["id"])
    assert panels and set(panels) <= set(scene["panels"])
    for panel in panels:
        ui.wait_ready(page, panel, runs)
    pg = page.page
    shown = pg.eval_on_selector_all(".panel", "els => els.map((e) => e.dataset.panel)")
    assert shown == [p for p in ui.js(page, "registry", "surface") if p in panels]
    # The caption ties the scene to the lecture; the scene picker names it.
    assert pg.locator("#caption .caption-title").inner_text() == scene["title"]
    assert pg.locator("#scene-select").input_value() == scene["id"]
    if "contour" in panels:
        bg, fg = ui.js(page, "summary", "contour")
        assert bg[0]["type"] == "contour"
        paths = [t for t in fg if t["mode"] == "lines" and t["name"].startswith("run ")]
        assert [(t["x0"], t["y0"]) for t in paths] == [
            pytest.approx(tuple(r["start"]), rel=1e-5, abs=1e-9) for r in state["runs"]
        ]
    assert not pg.locator(".toast").is_visible()
    for size in (ui.LAPTOP, ui.PROJECTOR):
        pg.set_viewport_size(size)
        # Plotly's responsive resize: wait until every plot has taken its panel's new width (not
        # plotsFit: in the saddle scene at 1366x768 the 3-D plot stays 223 px high in a 216 px box)
        ui.wait(page, "plotWidthsFit")
        fits = ui.js(page, "fits")
        assert fits["outside"] == [] and fits["scrollW"] <= fits["W"], fits
        ui.screenshot(pg, f"{scene['id']}-{size['width']}x{size['height']}")
    page.assert_clean()


def test_bare_url_opens_the_playground(page, ui):
    ui.open_page(page)
    ui.wait_ready(page, "contour", len(scenes.scene("playground")["state"]["runs"]))
    assert page.page.locator("#scene-select").input_value() == "playground"
    page.assert_clean()


def test_unknown_scene_falls_back_to_the_playground(page, ui):
    ui.open_page(page, "scene=no-such-scene")
    assert page.page.locator("#scene-select").input_value() == "playground"
    page.assert_clean()


def test_recap_rows_link_to_their_scenes(page, ui):
    ui.open_page(page, "scene=recap")
    ui.wait_ready(page, "table", 1)
    links = page.page.eval_on_selector_all(
        ".recap-table a:not(.net-link)", "els => els.map((a) => a.getAttribute('href'))"
    )
    rows = scenes.scene("recap")["table"]
    assert links == [f"#scene={s}" for r in rows for s in r["scenes"]]
    net_links = page.page.eval_on_selector_all(
        ".recap-table a.net-link", "els => els.map((a) => a.getAttribute('href'))"
    )
    assert net_links == [f"/network.html#net&scene={s}" for r in rows for s in r["network_scenes"]]
    page.page.click(".recap-table a[href='#scene=momentum']")
    page.page.wait_for_function(
        "() => document.querySelector('#scene-select').value === 'momentum'"
    )
    ui.wait_ready(page, "contour", 2)
    page.assert_clean()


def test_gradient_check_catches_the_planted_bug(page, ui):
    ui.open_page(page, "scene=recap")
    ui.wait_ready(page, "table", 1)
    assert "agree" in page.page.locator(".gradcheck .check").inner_text()
    page.page.click("button[aria-label='next scene step']")
    page.page.wait_for_function(
        "() => document.querySelector('.gradcheck .check')?.textContent.includes('fails')"
    )
    assert page.page.locator("#gradcheck-bug").is_checked()
    page.assert_clean()


def test_the_page_names_no_other_host(ui):
    """No file of the page points at another host (no CDN, no web font, no analytics)."""
    suffixes = (".html", ".js", ".css", ".svg")
    files = [p for p in (ui.ROOT / "frontend").rglob("*") if p.suffix in suffixes]
    assert any(p.name == "main.js" for p in files)
    for path in files:
        text = path.read_text().replace("http://www.w3.org/2000/svg", "")  # an XML namespace
        assert not re.search(r"https?:|//cdn|@import", text), path
