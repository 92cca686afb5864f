"""Slide exports in real Chromium: SVG and PNG with the title and a legend naming the runs."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

TWO = (
    "s=quadratic&n=40&r=gd,lr:0.1,x:1.5,y:1,c:0072B2"
    "&r=momentum,lr:0.05,x:1.5,y:1,c:D55E00&v=contour,curves"
)


def test_svg_and_png_carry_title_and_legend(page, ui):
    ui.open_page(page, TWO)
    ui.wait_ready(page, "curves", 2)
    pg = page.page
    svg = pg.evaluate(
        """async () => {
          const m = await import('/js/export.js');
          const gd = document.querySelector('#view-curves .js-plotly-plot');
          return m.figureImage(gd, {format: 'svg', title: 'GD against momentum'});
        }"""
    )
    head, _, body = svg.partition(",")
    text = base64.b64decode(body).decode() if head.endswith(";base64") else unquote(body)
    assert "GD against momentum" in text
    assert "run 1: gd" in text and "run 2: momentum" in text  # the legend names each run
    png = pg.evaluate(
        """async () => {
          const m = await import('/js/export.js');
          const gd = document.querySelector('#view-curves .js-plotly-plot');
          const opts = {format: 'png', title: 'GD against momentum', width: 800, height: 500};
          return m.figureImage(gd, opts);
        }"""
    )
    raw = base64.b64decode(png.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(raw[16:20], "big")
    assert width == 1600  # scale 2 for slides
    shots = ui.ROOT / "screenshots"  # git-ignored: to look at
    shots.mkdir(exist_ok=True)
    (shots / "export-slide.png").write_bytes(raw)
    with pg.expect_download() as dl:
        pg.evaluate(
            """async () => {
              const m = await import('/js/export.js');
              m.exportData('sweep', {lrs: [0.1, 1], final_loss: [0.5, null]}, 'csv');
            }"""
        )
    assert dl.value.suggested_filename == "losscape-sweep.csv"
    csv_text = Path(dl.value.path()).read_text()
    assert csv_text.startswith("lr,final_loss,best_loss,status,stopped_at\n0.1,0.5,")
    page.assert_clean()
