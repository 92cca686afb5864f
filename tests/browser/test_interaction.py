"""What a student does: click and drag the start, push the learning rate too far, share a link,
present, scrub the timeline, probe the Hessian, export, and do all of it from the keyboard."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest

from losscape import scenes, service

pytestmark = [pytest.mark.browser, pytest.mark.server]

# A small playground state written in the hash's own grammar (frontend/js/state.js).
QUAD = "s=quadratic&n=60&r=gd,lr:0.1,x:1.5,y:1,c:0072B2&v=contour,curves"


def test_click_moves_every_start_and_redraws_the_paths(page, ui):
    runs = len(scenes.scene("playground")["state"]["runs"])
    ui.open_page(page, "scene=playground")
    ui.wait_ready(page, "contour", runs)
    before = ui.js(page, "pathLengths")
    page.page.mouse.click(*ui.to_pixel(page, "contour", 0.5, 0.5))
    ui.wait(page, "startsAt", [0.5, 0.5, 0.02], timeout=15_000)
    page.page.wait_for_function("() => location.hash.includes('x:0.5')")
    paths = ui.js(page, "summary", "contour")[1]
    paths = [t for t in paths if t["mode"] == "lines" and t["name"].startswith("run ")]
    assert len(paths) == runs
    # The new paths are the server's: the same trajectory from the clicked start.
    ref = service.trajectory(
        "rosenbrock", "gd", start=(paths[0]["x0"], paths[0]["y0"]), steps=500, lr=0.001
    )
    assert paths[0]["n"] == ref.loss.shape[0]
    assert ui.js(page, "pathLengths") != before or ref.loss.shape[0] == before[0]
    page.assert_clean()


NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => r()))"
# The shell writes the hash a moment after the last change and marks the body meanwhile.
HASH_WRITTEN = "() => !document.body.dataset.hashPending"


def _settled_pixels(page, ui, panel: str, *points: tuple[float, float]) -> list:
    """Pixels of data points once the page's layout has settled: the run badges and claims
    drawn after the first result can move the plot a few pixels down (CI once dropped a
    drag's start 0.03 below its target that way). Same pixels over three frames = settled."""
    last = None
    for _ in range(60):
        now = [ui.to_pixel(page, panel, *p) for p in points]
        if now == last:
            return now
        last = now
        for _ in range(3):
            page.page.evaluate(NEXT_FRAME)
    return last


def _pixel_slack(page, ui, panel: str, point: tuple[float, float], pixels: float = 2.5) -> float:
    """``pixels`` page pixels in data units at ``point`` (the coarser axis): how far a
    drag's start may land from its target when the layout moves a pixel or two after
    ``_settled_pixels`` (a late claim or badge under load), never less than 0.03."""
    x, y = point
    px, py = ui.to_pixel(page, panel, x, y)
    qx, qy = ui.to_pixel(page, panel, x + 1.0, y + 1.0)
    return max(0.03, pixels / min(abs(qx - px), abs(qy - py)))


def test_drag_moves_the_start_and_the_paths_follow_live(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    ui.js(page, "countDraws")
    a, b = _settled_pixels(page, ui, "contour", (-1.5, -1.0), (1.0, -1.5))
    page.page.mouse.move(*a)
    page.page.mouse.down()
    for k in range(1, 21):
        page.page.mouse.move(a[0] + (b[0] - a[0]) * k / 20, a[1] + (b[1] - a[1]) * k / 20)
        page.page.evaluate(NEXT_FRAME)  # one move per animation frame, as a hand drags
    page.page.mouse.up()
    slack = _pixel_slack(page, ui, "contour", (1.0, -1.5))
    ui.wait(page, "startsAt", [1.0, -1.5, slack], timeout=15_000)
    assert ui.js(page, "draws")["all"] >= 5  # redrawn during the drag, not only at its end
    page.assert_clean()


# Every contour draw: whether it was the drag's quick layer, and where its paths start.
LOG_DRAWS = """() => { window.__contourDraws = [];
  document.addEventListener('losscape:drawn', (e) => { if (e.detail.view === 'contour')
    window.__contourDraws.push({ quick: Boolean(e.detail.quick), starts: e.detail.pathStarts }); });
}"""
QUICK_AT = """([x, y, tol]) => (window.__contourDraws || []).some((d) => d.quick && d.starts.every(
  (p) => p && Math.abs(p[0] - x) < tol && Math.abs(p[1] - y) < tol))"""
# Whether the quick layer shows something at page pixel (px, py): its alpha there.
QUICK_ALPHA = """([px, py]) => { const c = document.querySelector('#view-contour .layer-quick');
  const r = c.getBoundingClientRect(), k = c.width / r.width;
  return c.getContext('2d').getImageData(Math.round((px - r.left) * k),
    Math.round((py - r.top) * k), 1, 1).data[3]; }"""
LAYERS = """() => ({ quick: !document.querySelector('#view-contour .layer-quick').hidden,
  fg: document.querySelector('#view-contour .layer-fg').style.visibility !== 'hidden' })"""


def test_a_drag_redraws_only_the_paths_then_the_whole_plot_when_it_ends(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    page.page.evaluate(LOG_DRAWS)
    a, b = _settled_pixels(page, ui, "contour", (-1.5, -1.0), (1.0, -1.5))
    slack = _pixel_slack(page, ui, "contour", (1.0, -1.5))
    page.page.mouse.move(*a)
    page.page.mouse.down()
    for k in range(1, 11):
        page.page.mouse.move(a[0] + (b[0] - a[0]) * k / 10, a[1] + (b[1] - a[1]) * k / 10)
        page.page.evaluate(NEXT_FRAME)
    # Mid-drag, the paths from the dragged-to start are on the canvas, the Plotly layer hidden.
    page.page.wait_for_function(QUICK_AT, arg=[1.0, -1.5, slack], timeout=15_000)
    assert page.page.evaluate(LAYERS) == {"quick": True, "fg": False}
    assert page.page.evaluate(QUICK_ALPHA, list(b)) > 0  # the start marker is painted there
    far = ui.to_pixel(page, "contour", -1.5, 1.5)  # nowhere near the quadratic's path
    assert page.page.evaluate(QUICK_ALPHA, list(far)) == 0
    ui.screenshot(page.page, "contour-mid-drag")
    page.page.mouse.up()
    page.page.wait_for_function(f"() => {{ const l = ({LAYERS})(); return !l.quick && l.fg; }}")
    ui.wait(page, "startsAt", [1.0, -1.5, slack], timeout=15_000)
    assert not page.page.evaluate("() => window.__contourDraws.at(-1).quick")
    page.assert_clean()


# The curves panel's quick layer (views/quick.js): shown, its axes twin shown, Plotly's plot
# hidden, and how many of its canvas pixels are painted.
CURVES_QUICK = """() => { const body = document.getElementById('view-curves');
  const c = body.querySelector('.layer-quick'), twin = body.querySelector('.quick-axes');
  const gd = body.querySelector('.js-plotly-plot');
  const px = c.width && c.height
    ? c.getContext('2d').getImageData(0, 0, c.width, c.height).data : [];
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) painted += px[i] > 0;
  return { canvas: !c.hidden, twin: twin.style.visibility !== 'hidden',
    plot: gd.style.visibility !== 'hidden', painted }; }"""


def test_a_drag_paints_the_curves_on_their_quick_layer_then_plotly_redraws_them(page, ui):
    """The training curves follow a drag on a canvas (Plotly's redraw of 1,000 points a run
    dropped a frame each time); when the drag ends Plotly draws them from the new start."""
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    ui.wait(page, "ready", ["curves", 1])
    a, b = _settled_pixels(page, ui, "contour", (1.5, 1.0), (-1.0, -1.5))
    slack = _pixel_slack(page, ui, "contour", (-1.0, -1.5))
    page.page.mouse.move(*a)
    page.page.mouse.down()
    for k in range(1, 11):
        page.page.mouse.move(a[0] + (b[0] - a[0]) * k / 10, a[1] + (b[1] - a[1]) * k / 10)
        page.page.evaluate(NEXT_FRAME)
    # The button is still down: the curves follow on the quick layer within a heavy period.
    page.page.wait_for_function(f"() => ({CURVES_QUICK})().canvas", timeout=15_000)
    quick = page.page.evaluate(CURVES_QUICK)
    assert quick["twin"] and not quick["plot"]
    assert quick["painted"] > 200  # a curve, not an empty canvas
    ui.screenshot(page.page, "curves-mid-drag")
    page.page.mouse.up()
    page.page.wait_for_function(
        f"() => {{ const q = ({CURVES_QUICK})(); return !q.canvas && !q.twin && q.plot; }}",
        timeout=15_000,
    )
    ui.wait(page, "startsAt", [-1.0, -1.5, slack], timeout=15_000)
    path = ui.js(page, "paths")[0]
    start = (path["x"][0], path["y"][0])
    ref = service.trajectory("quadratic", "gd", start=start, steps=60, lr=0.1)
    page.page.wait_for_function(
        "(f0) => { const gd = document.querySelector('#view-curves .js-plotly-plot');"
        " return gd.data.length > 0"
        " && Math.abs(gd.data[0].y[0] - f0) <= 1e-9 * (1 + Math.abs(f0)); }",
        arg=float(ref.loss[0]),
        timeout=15_000,
    )
    page.assert_clean()


def test_huge_learning_rate_shows_the_diverged_badge(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    lr_box = page.page.get_by_label("learning rate α value")
    lr_box.fill("10")
    lr_box.press("Enter")
    ref = service.trajectory("quadratic", "gd", start=(1.5, 1.0), steps=60, lr=10.0)
    assert ref.status == "diverged"
    text = f"diverged at step {ref.stopped_at}"
    page.page.wait_for_function(
        f"() => document.getElementById('badges').textContent.includes({text!r})"
    )
    assert page.page.locator("#badges .badge").inner_text().strip() == f"run 1 (gd) {text}"
    assert text in page.page.locator("fieldset.run .badge").inner_text()
    # The plots say it too, and hold only finite numbers: cut, not broken.
    ui.wait(page, "ready", ["curves", 1])
    notes = ui.js(page, "annotations", ["contour", "curves"])
    assert sum(text in n for n in notes) == 2
    assert ui.js(page, "allFinite", ["contour", "curves"])
    page.assert_clean()


def test_the_url_round_trips_the_state(page, context, ui):
    ui.open_page(page, "scene=level-sets")
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    pg.locator("summary", has_text="Display").click()  # a closed section: open it first
    kappa = pg.get_by_label("kappa value")
    kappa.fill("7")
    kappa.press("Enter")
    pg.get_by_label("gradient arrows (−∇f)").uncheck()
    pg.get_by_role("button", name="+ add run (up to 6)").click()
    pg.locator("#run-1-optimizer").select_option("adam")
    pg.wait_for_function(
        "() => location.hash.includes('adam') && location.hash.includes('kappa:7')"
    )
    ui.wait_ready(page, "contour", 2)
    pg.wait_for_function(HASH_WRITTEN)
    shared = ui.state_hash(page)
    assert "arrows" not in shared and "scene=level-sets" in shared
    first = ui.js(page, "summary", "contour")[1]

    other = ui.guard(context, page.base)
    ui.open_page(other, shared.lstrip("#"))
    ui.wait_ready(other, "contour", 2)
    assert ui.state_hash(other) == shared
    assert other.page.get_by_label("kappa value").input_value() == "7"
    assert other.page.locator("#run-1-optimizer").input_value() == "adam"
    other.page.locator("summary", has_text="Display").click()
    assert not other.page.get_by_label("gradient arrows (−∇f)").is_checked()
    assert ui.js(other, "summary", "contour")[1] == first
    page.assert_clean()
    other.assert_clean()


def test_hash_codec_round_trips_every_scene_step(page, ui):
    ui.open_page(page)
    assert ui.js(page, "codecRoundTrip") == []
    page.assert_clean()


def test_presenter_mode_steps_through_the_scene(page, ui):
    ui.open_page(page, "scene=momentum")
    ui.wait_ready(page, "contour", 2)
    pg = page.page
    pg.keyboard.press("p")
    pg.wait_for_function("() => document.body.classList.contains('presenter')")
    assert not pg.locator("#controls").is_visible()
    assert pg.locator(".step-label").inner_text() == "step 1 / 4"
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function("() => location.hash.includes('step=1')")
    steps = scenes.scene("momentum")["steps"]
    assert pg.locator(".step-caption").inner_text() == steps[1]["caption"]
    ui.wait_ready(page, "contour", 2)
    size = pg.evaluate(
        "() => document.querySelectorAll('#view-contour .js-plotly-plot')[1]._fullLayout.font.size"
    )
    assert size >= 20  # text sized for the back of the room
    pg.keyboard.press("ArrowLeft")
    pg.wait_for_function("() => !location.hash.includes('step=')")
    pg.keyboard.press("Escape")
    pg.wait_for_function("() => !document.body.classList.contains('presenter')")
    assert pg.locator("#controls").is_visible()
    pg.get_by_role("button", name="Present").click()
    pg.wait_for_function("() => location.hash.includes('present=1')")
    page.assert_clean()


def test_timeline_moves_every_view_to_iteration_t(page, ui):
    ui.open_page(page, "scene=saddle")
    ui.wait_ready(page, "contour", 2)
    ui.wait_ready(page, "curves", 2)
    pg = page.page
    full = ui.js(page, "pathLengths")
    pg.get_by_role("button", name="go to the first iteration").click()
    for _ in range(3):
        pg.get_by_role("button", name="step forward").click()
    pg.wait_for_function("() => location.hash.includes('t=3')")
    ui.wait(page, "pathLengthsAre", [4, 4])
    shapes = pg.evaluate(
        "() => document.querySelector('#view-curves .js-plotly-plot').layout.shapes"
    )
    assert shapes[0]["x0"] == 3  # the curves' marker sits at t as well
    assert "t = 3 / 250" in pg.locator(".t-label").inner_text()
    pg.get_by_role("button", name="play").click()
    # Playing moves t on (read from the label: the hash is written once the changes pause,
    # and on an idle machine a whole run plays through between two debounced writes).
    label = "document.querySelector('.t-label').textContent"
    label_t = f"+(/t = (\\d+) \\//.exec({label}) || [0, 0])[1]"
    pg.wait_for_function(f"() => {label_t} > 3")
    pg.get_by_role("button", name="pause").click()
    pg.wait_for_function("() => /[?&#]t=([4-9]|\\d\\d)/.test(location.hash)")
    t = int(ui.state_hash(page).split("t=")[1].split("&")[0])
    assert t > 3
    pg.get_by_role("button", name="show the whole run").click()
    ui.wait(page, "pathLengthsAre", full)
    page.assert_clean()


def test_hessian_probe_shows_eigen_directions_and_kind(page, ui):
    ui.open_page(
        page,
        "s=bounded_saddle&n=50&r=gd,lr:0.05,x:1.5,y:0.5,c:0072B2&v=contour,hessian&probe=0,0",
    )
    ui.wait_ready(page, "hessian", 1)
    pg = page.page
    assert "saddle point" in pg.locator(".probe .kind").inner_text()
    ref = service.hessian("bounded_saddle", (0.0, 0.0))
    table = pg.locator(".probe-table").inner_text()
    assert f"{ref.eigenvalues[0]:g}" in table and f"{ref.eigenvalues[1]:g}" in table
    ui.wait_ready(page, "contour", 1)
    pg.keyboard.down("Shift")
    pg.mouse.click(*ui.to_pixel(page, "contour", 1.0, 1.0))
    pg.keyboard.up("Shift")
    pg.wait_for_function("() => location.hash.includes('probe=1')")
    pg.wait_for_function(
        "() => document.querySelector('.probe .kind')?.textContent.includes('not a critical point')"
    )
    assert ui.js(page, "probeArrows") == 6  # both eigenvectors both ways, -grad f, one GD step
    assert "x:1.5" in ui.state_hash(page)  # probing leaves the starts alone
    page.assert_clean()


def test_exports(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    ref = service.trajectory("quadratic", "gd", start=(1.5, 1.0), steps=60, lr=0.1)
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text())))
    assert len(rows) == ref.loss.shape[0]
    assert float(rows[-1]["loss"]) == pytest.approx(ref.loss[-1], rel=1e-5)
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="JSON").click()
    data = json.loads(Path(dl.value.path()).read_text())
    assert data["runs"][0]["optimizer"] == "gd"
    assert len(data["runs"][0]["x"]) == ref.loss.shape[0]
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download Contour and paths as PNG").click()
    assert dl.value.suggested_filename.endswith(".png")
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.assert_clean()


def test_every_control_is_reachable_by_keyboard(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    seen = set()
    for _ in range(80):
        pg.keyboard.press("Tab")
        seen.add(pg.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
    for want in (
        "scene-select",
        "surface",
        "run-0-optimizer",
        "run-0-lr",
        "steps",
        "schedule",
        "noise",
    ):
        assert want in seen, sorted(seen)
    # Arrow keys on the focused contour nudge the start by 2% of the view.
    pg.focus("#view-contour .layered")
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function("() => location.hash.includes('x:1.58')")
    page.assert_clean()


def test_controls_come_from_the_catalog(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    surfaces = pg.eval_on_selector_all("#surface option", "os => os.map((o) => o.value)")
    # ... and the typed-in formula's choice after them (frontend/js/formula.js)
    assert surfaces == [*(s["name"] for s in service.surfaces()), "expression"]
    optimizers = pg.eval_on_selector_all("#run-0-optimizer option", "os => os.map((o) => o.value)")
    assert optimizers == [o["name"] for o in service.optimizers()]
    pg.locator("#run-0-optimizer").select_option("adam")
    adam = next(o for o in service.optimizers() if o["name"] == "adam")
    for p in adam["hyperparams"]:
        # The run's controls are rebuilt after the change lands in the store: wait for them.
        pg.locator(f"#run-0-{p['name']}").wait_for(state="attached", timeout=10_000)
        assert pg.locator(f"#run-0-{p['name']}").count() == 1
    pg.locator("#surface").select_option("himmelblau")
    pg.wait_for_function("() => location.hash.includes('s=himmelblau')")
    spec = next(s for s in service.surfaces() if s["name"] == "himmelblau")
    ui.wait(page, "startsAt", [*spec["default_start"], 1e-6])
    page.assert_clean()


def test_one_dimensional_surface_gets_the_curve_view(page, ui):
    ui.open_page(page, QUAD)
    ui.wait_ready(page, "contour", 1)
    page.page.locator("summary", has_text="Display").click()
    page.page.get_by_label("1-D curve").check()
    page.page.locator("#surface").select_option("double_well")
    ui.wait_ready(page, "curve1d", 1)
    shown = page.page.eval_on_selector_all(".panel", "els => els.map((e) => e.dataset.panel)")
    assert "contour" not in shown and "curve1d" in shown
    page.assert_clean()


def test_sweep_panels_fill_in(page, ui):
    """The basin map streams in row by row: the page draws a partial map before the result.

    The test holds the basin sweep's last frames at the socket (its result and its last
    progress frame, done = total) until the page has drawn a partial map, so the partial
    draw is checked without racing the kernel. Holding the result alone was not enough:
    most of these runs stop early (about 400 of the 2000 steps), so the whole sweep is
    ~30 ms of kernel after its first 16-run chunk, and the page renders once per
    animation frame. When its first progress frame (done < total) and its last reached
    the page before a render, only the complete map was drawn, no partial draw was ever
    counted, and the held result left nothing more to come: the 120 s wait ran out (two
    clean-clone CI runs; reproduced by handing the page the sweep's progress frames
    together).
    """
    held: list[str] = []
    sockets = []
    hold = {"on": True}

    def relay(ws) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)

        def from_server(message) -> None:
            try:
                if isinstance(message, bytes):  # a binary frame: uint32 n, then n bytes of head
                    msg = json.loads(message[4 : 4 + int.from_bytes(message[:4], "little")])
                else:
                    msg = json.loads(message)
            except (TypeError, ValueError):
                msg = {}
            basins = str(msg.get("id", "")).startswith("sweep_basins#")
            last = msg.get("type") == "result" or (
                msg.get("type") == "progress" and msg.get("done") == msg.get("total")
            )
            if hold["on"] and basins and last:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    # The page opens /api/live?binary=1: a glob without the query string would never match.
    page.page.route_web_socket(re.compile(r"/api/live(\?|$)"), relay)
    ui.open_page(page)
    ui.js(page, "countDraws")
    frag = (
        # 160 x 160 starts (the page's cap) x up to 2000 steps (most stop near 400), in chunks.
        "s=himmelblau&n=2000&r=momentum,lr:0.002,x:0,y:0,c:0072B2"
        "&v=contour,basins,lr_momentum&bg=160"
    )
    page.page.evaluate(f"() => location.hash = {frag!r}")
    page.page.wait_for_function("() => window.__draws.partialBasins > 0", timeout=120_000)
    assert sockets, "the relay never saw the page's socket: nothing was held"
    assert ui.js(page, "draws")["partialBasins"] >= 1
    heat = ui.js(page, "summary", "basins")[0][0]
    assert heat["type"] == "heatmap" and heat["n"] == 160
    assert held, "the relay held none of the basin sweep's last frames"
    hold["on"] = False  # now let the last progress frame and the final answer through
    for message in held:
        sockets[-1].send(message)
    ui.wait_ready(page, "basins", 1, timeout=120_000)
    ui.wait_ready(page, "lr_momentum", 1, timeout=60_000)
    assert page.page.locator("#view-basins .legend").inner_text().count("→ min") == 4
    page.assert_clean()


def test_runs_with_their_own_batch_size(page, ui):
    """The sgd scene's runs differ only in batch size: S = 1 noisiest, the full batch smooth."""
    ui.open_page(page, "scene=sgd")
    ui.wait_ready(page, "curves", 4)
    spread = ui.js(page, "curveSpread", 100)
    assert spread[0] > spread[1] > spread[2] > spread[3]
    assert math.isclose(spread[3], 0.0, abs_tol=1e-3)
    page.assert_clean()
