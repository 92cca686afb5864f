"""The notebook widget's front end in Chromium, hosted by a small page that implements the
anywidget model interface (get / set / on / off / save_changes) around the real Python widget:
the plots draw, and a slider change round-trips through Python and redraws."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = [pytest.mark.browser]

ORIGIN = "http://widget.test/"
HOST_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget host</title>
<script type="module" src="/host.js"></script></head>
<body><main><div id="root"></div></main></body></html>"""
HOST_JS = """
const data = await (await fetch('/initial.json')).json();
const listeners = {};
const model = {
  get: (k) => data[k],
  set: (k, v) => { data[k] = v; for (const f of listeners['change:' + k] || []) f(); },
  on: (ev, f) => { (listeners[ev] ||= []).push(f); },
  off: (ev, f) => { listeners[ev] = (listeners[ev] || []).filter((g) => g !== f); },
  save_changes: async () => {
    const answer = JSON.parse(await window.pyCommit(JSON.stringify(data.state)));
    for (const [k, v] of Object.entries(answer)) model.set(k, v);
  },
};
const mod = await import('/widget.mjs');
window.cleanup = await mod.default.render({ model, el: document.getElementById('root') });
"""


def _names(page, view):
    return page.evaluate(
        f"() => document.querySelector('[data-view={view}]').data.map((t) => t.name)"
    )


def test_widget_draws_and_a_slider_round_trips_through_python(browser, ui):
    import losscape

    w = losscape.widget("momentum")
    synced = ("state", "figures", "catalog", "title", "caption", "error", "revision")
    initial = {k: getattr(w, k) for k in synced}
    files = {
        "": ("text/html", HOST_HTML),
        "host.js": ("text/javascript", HOST_JS),
        "widget.mjs": ("text/javascript", w._esm),
        "initial.json": ("application/json", json.dumps(initial)),
    }
    external = []

    def route(r):
        path = r.request.url.removeprefix(ORIGIN)
        if path in files:
            ctype, body = files[path]
            r.fulfill(status=200, content_type=ctype, body=body)
        else:
            external.append(r.request.url)
            r.abort()

    def py_commit(state_json):
        w.state = json.loads(state_json)
        return json.dumps({"figures": w.figures, "revision": w.revision, "error": w.error})

    ctx = browser.new_context(viewport=ui.LAPTOP)
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.route("**/*", route)
        page.expose_function("pyCommit", py_commit)
        page.goto(ORIGIN)
        page.wait_for_function("() => document.querySelector('#root').dataset.revision === '1'")
        names = _names(page, "contour")
        # The scene's own runs, named as the widget names them (lr to 4 significant digits).
        scene = w.state
        runs = scene["runs"]
        for i, r in enumerate(runs[:2]):
            assert f"run {i + 1}: {r['optimizer']}, lr {r['lr']:.4g}" in names, names
        params = {k: float(v) for k, v in (scene.get("params") or {}).items()}
        # The contour drawn is the Python figure: same z as losscape.plot builds.
        z00 = page.evaluate(
            "() => document.querySelector('[data-view=contour]')._fullData[0].z[0][0]"
        )
        ref_fig = losscape.plot.contour(
            scene["surface"], w.results, surface_params=params, resolution=120
        )
        assert z00 == pytest.approx(float(ref_fig.data[0].z[0][0]))
        assert page.locator("[data-view=curves] .main-svg").count() >= 1
        ui.screenshot(page, "widget-before")
        # docs/ is committed: the README's picture (the widget alone) is refreshed only when asked.
        if os.environ.get("LOSSCAPE_DOC_SCREENSHOTS") == "1":
            page.locator("#root").screenshot(path=str(ui.ROOT / "docs" / "widget.png"))

        slider = page.locator("[data-control=lr-1]")
        slider.focus()
        for _ in range(10):  # +0.1 in log10(lr)
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('#root').dataset.revision === '2'")
        lr = w.state["runs"][1]["lr"]
        assert lr == pytest.approx(runs[1]["lr"] * 10**0.1, rel=2e-3)
        assert w.results[1].lr == lr and w.revision == 2
        assert f"run 2: {runs[1]['optimizer']}, lr {lr:.4g}" in _names(page, "contour")
        ref = losscape.trajectory(
            scene["surface"], runs[1]["optimizer"], lr=lr, start=tuple(runs[1]["start"]),
            steps=scene["steps"], surface_params=params, **runs[1].get("hyperparams", {}),
        )  # fmt: skip
        drawn = page.evaluate(
            "() => document.querySelector('[data-view=curves]')._fullData[1].y.at(-1)"
        )
        assert drawn == pytest.approx(max(ref.loss[-1], 1e-16), rel=1e-9)
        ui.screenshot(page, "widget-after")
        assert errors == [] and external == []
    finally:
        ctx.close()
