"""The network page (/network.html): every network scene opens from its link, each panel
draws traces, the metrics threshold slider moves the ROC point, and nothing leaves the machine."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from losscape import scenes

pytestmark = [pytest.mark.browser, pytest.mark.server]

NETWORK_SCENES = scenes.network_scenes()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# docs/ is committed: refresh its screenshots only when asked (LOSSCAPE_DOC_SCREENSHOTS=1)
REFRESH_DOCS = os.environ.get("LOSSCAPE_DOC_SCREENSHOTS") == "1"
FOR_DOCS = {
    "metrics": "network-metrics.png",
    "ravine": "network-ravine.png",
    "loss-plateaux": "network-loss-plateaux.png",
    "tanh-vs-logistic": "network-tanh-vs-logistic.png",
    "batch-norm": "network-batch-norm.png",
}

XTITLE = "document.querySelector('#view-landscape .js-plotly-plot').layout.xaxis.title.text"
TRACES = """(name) => {
  const body = document.getElementById(`view-${name}`);
  const gd = body && body.querySelector('.js-plotly-plot');
  return gd && gd.data ? gd.data.length : 0;
}"""


TRAINED = """() =>
  /done|converged|diverged|stuck|⚠/.test(document.getElementById('badges').textContent)
  && [...document.querySelectorAll('#panels .panel-body')]
    .every((b) => Number(b.dataset.rendered) > 0)"""


def open_network(g, fragment: str) -> None:
    g.page.goto(g.base + "network.html#" + fragment)
    g.page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)


def wait_trained(g, timeout: float = 120_000) -> None:
    """Training has finished (the badge names its final status) and every panel has drawn it."""
    g.page.wait_for_function(TRAINED, timeout=timeout)


def wait_traces(g, panel: str, timeout: float = 60_000) -> None:
    g.page.wait_for_function(f"(n) => ({TRACES})(n) > 0", arg=panel, timeout=timeout)


@pytest.mark.parametrize("scene", NETWORK_SCENES, ids=lambda s: s["id"])
def test_network_scene_draws_every_panel(page, ui, scene):
    state = scenes.network_step_state(scene["id"], 0)
    panels = state["panels"].split(",")
    open_network(page, f"net&scene={scene['id']}")
    order = ui.js(page, "registry", "network")
    multiclass = state["dataset"] == "blobs"
    for panel in panels:
        if panel == "metrics" and multiclass:  # no ROC for K classes: the K x K matrix instead
            page.page.wait_for_selector("#view-metrics .net-confusion table", timeout=60_000)
        else:
            wait_traces(page, panel)
    pg = page.page
    shown = pg.eval_on_selector_all(".panel", "els => els.map((e) => e.dataset.panel)")
    assert shown == [p for p in order if p in panels]
    assert pg.locator("#scene-select").input_value() == scene["id"]
    assert scene["title"] in pg.locator("#caption").inner_text()
    wait_trained(page)
    path = ui.screenshot(pg, f"network-{scene['id']}")
    if REFRESH_DOCS and scene["id"] in FOR_DOCS:
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / FOR_DOCS[scene["id"]])
    page.assert_clean()


def test_threshold_slider_moves_the_roc_point(page, ui):
    open_network(page, "net&scene=metrics")
    wait_traces(page, "metrics")
    pg = page.page
    pg.wait_for_function("() => document.getElementById('view-metrics').dataset.roc !== ''")
    before = pg.eval_on_selector("#view-metrics", "el => el.dataset.roc")
    fpr0, tpr0 = (float(v) for v in before.split(","))
    assert tpr0 == 0.0  # the always-negative classifier at 0.5: sensitivity 0
    pg.locator("#net-threshold").fill("0.05")
    pg.wait_for_function(
        "(b) => document.getElementById('view-metrics').dataset.roc !== b", arg=before
    )
    fpr1, tpr1 = (
        float(v) for v in pg.eval_on_selector("#view-metrics", "el => el.dataset.roc").split(",")
    )
    assert tpr1 > tpr0 and fpr1 >= fpr0
    # the hash is written after a short debounce; the page marks it pending until then
    pg.wait_for_function("() => !document.body.dataset.hashPending")
    assert "threshold=0.05" in pg.evaluate("() => location.hash")
    page.assert_clean()


def test_normalize_toggle_redraws_the_ravine(page, ui):
    open_network(page, "net&scene=ravine")
    wait_traces(page, "landscape")
    pg = page.page
    pg.wait_for_function(
        "() => document.querySelector('#view-landscape .js-plotly-plot').data.length > 1"
    )
    raw_x = pg.evaluate(f"() => {XTITLE}")
    assert "raw" in raw_x
    pg.locator("#net-normalize-toggle").click()
    pg.wait_for_function(f"() => {XTITLE}.includes('normalised')")
    assert "normalize" not in pg.evaluate("() => location.hash")  # the default: true
    page.assert_clean()


POINTS_SHOWN = """(n) => {
  const gd = document.querySelector('#view-data .js-plotly-plot');
  if (!gd || !gd.data) return false;
  const pts = gd.data.filter((t) => t.mode === 'markers').reduce((k, t) => k + t.x.length, 0);
  return pts === n;
}"""


def _xor_csv(rows: int = 60) -> bytes:
    lines = ["x1,x2,label"]
    for i in range(rows):
        a, b = (i * 7919 % 97) / 48.5 - 1.0, (i * 104729 % 89) / 44.5 - 1.0
        lines.append(f"{a:.4f},{b:.4f},{int((a > 0) != (b > 0))}")
    return ("\n".join(lines) + "\n").encode()


def test_an_uploaded_csv_trains_and_a_bad_one_names_its_line(page, ui):
    """A user's own points, from a file: trained and drawn; a malformed row is named."""
    open_network(page, "net&dataset=moons&steps=200")
    wait_traces(page, "data")
    pg = page.page
    pg.set_input_files("#net-csv", files=[
        {"name": "points.csv", "mimeType": "text/csv", "buffer": _xor_csv()},
    ])  # fmt: skip
    pg.wait_for_function("() => location.hash.includes('dataset=csv')", timeout=30_000)
    assert pg.locator("#net-dataset").input_value() == "csv"
    # The data view shows exactly the file's 60 points once the upload's answer lands.
    pg.wait_for_function(POINTS_SHOWN, arg=60, timeout=60_000)
    pg.wait_for_function(
        "() => /done|converged/.test(document.getElementById('badges').textContent)",
        timeout=60_000,
    )
    assert "uploaded CSV" in pg.locator("#net-dataset").inner_text()
    ui.screenshot(pg, "network-csv")
    page.assert_clean()
    bad = b"x1,x2,label\n0,0,0\n1,1,1\n0,1,oops\n1,0,0\n0.5,0.5,1\n"
    pg.set_input_files(
        "#net-csv", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    pg.wait_for_function(
        "() => document.getElementById('badges').textContent.includes('⚠')", timeout=30_000
    )
    assert "line" in pg.locator("#badges").inner_text()


def test_network_page_has_presenter_mode_export_and_timeline(page, ui):
    """The network page runs on the classroom page's shell: presenter mode with a run legend,
    JSON and CSV export of the run, and a timeline that cuts the training curves at step t."""
    # a set-up of its own (scenes change): XOR, 4 tanh units, plain gradient descent
    setup = "dataset=xor&hidden=4&optimizer=gd&lr=0.5&init=small_random"
    setup += "&panels=data,training,weights"
    open_network(page, f"net&{setup}")
    wait_trained(page)
    pg = page.page
    # presenter mode: the sidebar hides, a legend names the run
    pg.keyboard.press("p")
    pg.wait_for_function("() => document.body.classList.contains('presenter')")
    assert not pg.locator("#controls").is_visible()
    legend = pg.locator("#run-legend").inner_text()
    assert "gd" in legend and "α = 0.5" in legend
    pg.wait_for_function("() => location.hash.includes('present=1')")
    pg.keyboard.press("p")
    # export: the run's settings and its curves, as the server computed them
    with pg.expect_download() as dl:
        pg.locator("#export-json").click()
    record = json.loads(Path(dl.value.path()).read_text())
    assert record["settings"]["init"] == "small_random" and record["settings"]["lr"] == 0.5
    steps = record["history"]["record_steps"]
    assert len(steps) > 10 and steps[-1] == 300
    with pg.expect_download() as dl:
        pg.locator("#export-csv").click()
    rows = Path(dl.value.path()).read_text().strip().split("\n")
    assert rows[0] == "step,train_loss,validation_loss,train_accuracy,validation_accuracy"
    assert len(rows) == len(steps) + 1
    assert float(rows[-1].split(",")[1]) == pytest.approx(record["history"]["train_loss"][-1])
    # timeline: step t shows the records up to t on the training curves and the weights
    pg.locator("#timeline").fill("100")
    pg.wait_for_function("() => location.hash.includes('t=100')")
    last_x = """(name) => {
      const gd = document.querySelector(`#view-${name} .js-plotly-plot`);
      return Math.max(...gd.data.filter((t) => t.x && t.x.length).map((t) => t.x[t.x.length - 1]));
    }"""
    pg.wait_for_function(f"() => ({last_x})('training') <= 100")
    assert pg.evaluate(f"() => ({last_x})('weights')") <= 100
    assert max(s for s in steps if s <= 100) == pg.evaluate(f"() => ({last_x})('training')")
    page.assert_clean()


def test_a_scene_step_picks_the_loss_and_the_select_changes_it(page, ui):
    """loss-plateaux step 2 trains least squares on sigma(z); the Loss select sends its choice."""
    open_network(page, "net&scene=loss-plateaux&step=1")
    wait_trained(page)
    pg = page.page
    assert pg.locator("#net-loss").input_value() == "logistic_squared_error"
    sent = "() => document.getElementById('caption').textContent"
    assert "least squares" in pg.evaluate(sent)
    pg.select_option("#net-loss", "binary_cross_entropy")
    pg.wait_for_function("() => location.hash.includes('loss=binary_cross_entropy')")
    wait_trained(page)
    page.assert_clean()
