"""The served CSP against real headless Chromium: Plotly draws and the live channel connects.

A probe page (served from a temporary frontend folder, same app, same headers)
loads /vendor/plotly.min.js, draws the trace types the classroom page uses
(contour, heatmap, scatter, 3-D surface) and round-trips a request over the live
channel; any CSP violation or console error fails the test. It also records that
the regl-based scattergl is what would need 'unsafe-eval' (plotly.js#897).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import CHROMIUM, CHROMIUM_ARGS, free_port, stop, wait_until_healthy

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

PROBE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>probe</title>
<script src="/vendor/plotly.min.js"></script></head><body>
<div id="contour" style="width:400px;height:300px"></div>
<div id="surface" style="width:400px;height:300px"></div>
<div id="gl" style="width:400px;height:300px"></div>
<script type="module" src="/probe.js"></script></body></html>
"""

PROBE_JS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ':' + e.lineNumber));
const z = [], xs = [], ys = [];
for (let i = 0; i < 30; i++) { xs.push(i / 7.5 - 2); ys.push(i / 7.5 - 1); }
for (const y of ys) z.push(xs.map(x => (1 - x) ** 2 + 100 * (y - x * x) ** 2));
const result = {};
await Plotly.newPlot('contour', [
  {type: 'contour', x: xs, y: ys, z: z},
  {type: 'heatmap', x: xs, y: ys, z: z, visible: false},
  {type: 'scatter', x: [-1.5, -1, 0.5], y: [2, 1, 0.3], mode: 'lines+markers'}]);
result.contour = document.querySelectorAll('#contour .contourlayer path').length;
result.scatter = document.querySelectorAll('#contour .scatterlayer path').length;
await Plotly.newPlot('surface', [{type: 'surface', x: xs, y: ys, z: z}]);
result.surface = document.querySelectorAll('#surface canvas').length;
result.violations_before_gl = window.__violations.length;
if (location.hash === '#gl') {
  await Plotly.newPlot('gl', [{type: 'scattergl', x: [0, 1], y: [1, 0], mode: 'markers'}]);
}
const ws = new WebSocket(`ws://${location.host}/api/live`);
result.live = await new Promise(resolve => {
  ws.onopen = () => ws.send(JSON.stringify({id: 'p', type: 'hessian',
    body: {surface: {name: 'rosenbrock'}, point: [1, 1]}}));
  ws.onmessage = m => resolve(JSON.parse(m.data).body.kind);
  ws.onerror = () => resolve('error');
  setTimeout(() => resolve('timeout'), 20000);
});
result.violations = window.__violations;
window.__result = result;
document.body.dataset.done = '1';
"""


@pytest.fixture(scope="module")
def probe_server(tmp_path_factory):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("LOSSCAPE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api")
    folder = tmp_path_factory.mktemp("probe")
    (folder / "index.html").write_text(PROBE_HTML)
    (folder / "probe.js").write_text(PROBE_JS)
    port = free_port()
    proc = _start(port, frontend=folder)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)


def _run(url: str) -> tuple[dict, list[str], set[str]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        hosts: set[str] = set()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(url)
        # a DOM marker, not wait_for_function: Playwright's polling predicate is built
        # with eval, which this very CSP forbids
        page.wait_for_selector("body[data-done]", state="attached", timeout=60000)
        result = page.evaluate("window.__result")
        browser.close()
    return result, errors, hosts


def test_plotly_and_live_channel_work_under_the_served_csp(probe_server: str) -> None:
    result, errors, hosts = _run(probe_server)
    assert result["violations"] == []
    assert errors == []
    assert result["contour"] > 0 and result["scatter"] > 0 and result["surface"] >= 1
    assert result["live"] == "minimum"
    assert hosts == {probe_server.split("/")[2]}  # nothing leaves the machine


def test_regl_traces_are_what_would_need_unsafe_eval(probe_server: str) -> None:
    result, _, _ = _run(probe_server + "#gl")
    assert result["violations_before_gl"] == 0
    assert any(v.startswith("script-src eval") for v in result["violations"])


def test_docs_and_redoc_render_with_external_requests_blocked(probe_server: str, tmp_path) -> None:
    """Swagger UI and ReDoc come from this server only (the fastapi-offline package): with
    every request to another host aborted, both render the API, with no CSP violation."""
    from playwright.sync_api import sync_playwright

    own = probe_server.split("/")[2]
    outside: list[str] = []
    errors: list[str] = []

    def only_own(route) -> None:
        if route.request.url.split("/")[2] == own or route.request.url.startswith(
            ("data:", "blob:")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route("**/*", only_own)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(probe_server + "docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=60000)
        title = page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector(".opblock-summary-path", timeout=60000)
        paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.length")
        page.screenshot(path=str(tmp_path / "docs.png"))
        page.goto(probe_server + "redoc")
        page.wait_for_selector("h1", timeout=60000)
        heading = page.inner_text("h1")
        operations = page.eval_on_selector_all(
            "[data-section-id^='operation']", "els => els.length"
        )
        page.screenshot(path=str(tmp_path / "redoc.png"))
        browser.close()
    if os.environ.get("LOSSCAPE_SHOTS"):
        for name in ("docs.png", "redoc.png"):
            shutil.copy(tmp_path / name, Path(os.environ["LOSSCAPE_SHOTS"]) / name)
    assert title.startswith("losscape")
    assert paths >= 10  # every POST route is listed
    assert heading.startswith("losscape")
    assert operations >= 10
    assert outside == []
    # ReDoc's sidebar badge points at its CDN; the CSP blocks it (that is the point).
    badge = [e for e in errors if "cdn.redoc.ly" in e and "Content Security Policy" in e]
    assert [e for e in errors if e not in badge] == []


def _start(port: int, frontend: Path | None = None) -> subprocess.Popen:
    """``losscape serve`` on ``port`` under the strict CSP (no 'unsafe-eval'), serving the
    probe page from ``frontend`` or the real pages; returns once /healthz answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend")}
    env.pop("LOSSCAPE_CSP_UNSAFE_EVAL", None)
    env.pop("LOSSCAPE_FRONTEND_DIR", None)
    if frontend is not None:
        env["LOSSCAPE_FRONTEND_DIR"] = str(frontend)
    proc = subprocess.Popen(
        [sys.executable, "-m", "losscape", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/", proc, timeout_s=300)
    except BaseException:  # pytest.fail included: never leave the server running
        stop(proc)
        raise
    return proc


def test_the_page_shows_reconnecting_and_comes_back_live(probe_server: str, tmp_path) -> None:
    """The classroom page's server dies: the header says "reconnecting"; once a server
    answers on the port again the page is live again without a reload."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = _start(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(".transport[data-transport='live']", timeout=60000)
            proc.kill()
            proc.wait()
            page.wait_for_selector(".transport[data-transport='reconnecting']", timeout=60000)
            shown = page.inner_text(".transport")
            page.screenshot(path=str(tmp_path / "reconnecting.png"))
            proc = _start(port)
            page.wait_for_selector(".transport[data-transport='live']", timeout=120000)
            page.screenshot(path=str(tmp_path / "live-again.png"))
            browser.close()
    finally:
        proc.kill()
        proc.wait()
    if os.environ.get("LOSSCAPE_SHOTS"):
        for name in ("reconnecting.png", "live-again.png"):
            shutil.copy(tmp_path / name, Path(os.environ["LOSSCAPE_SHOTS"]) / name)
    assert "reconnecting" in shown
