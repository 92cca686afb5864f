"""Drag latency in headless Chromium: a drag on the contour to the redrawn paths.

Six runs x 1000 steps on Rosenbrock, the playground's panels (contour, 3-D surface, training
curves, lr sweep). Each sample dispatches one pointer move on the contour and waits until the
contour shows paths starting at the new point (``losscape:drawn``): the pointer event, the
state update, the live-channel round trip, the kernels, decoding and the redraw (during a
drag, the paths alone on the contour's canvas layer). Then a hand's drag: a move every
animation frame without waiting, and the gaps between frames (p95 target <= 16.7 ms, 60 fps).
Side by side, the same work done the plain way: one REST request per move and one Plotly plot
holding both the contour and the paths (``Plotly.react`` redraws both).

``--case threshold``: a threshold drag on the network page's metrics scene (the page's own
drag of bench_browser_network.py: set the slider, wait for the metrics view's
``losscape:drawn`` at that threshold), p50 / p95 of the time to the drawn view beside one
empty animation frame, and the animation frames each redraw took (1: the same frame).

    python benchmarks/bench_browser.py [--case drag|threshold|all] [--drags 100]
                                       [--width 1366 --height 768]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
RUNS = [
    "gd,lr:0.001",
    "momentum,lr:0.0005",
    "nesterov,lr:0.0005",
    "adam,lr:0.02",
    "rmsprop,lr:0.005",
    "adagrad,lr:0.1",
]
COLORS = ["0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9"]
STEPS = 1000


def fragment(panels: str) -> str:
    runs = "&".join(f"r={r},x:-1.5,y:2,c:{c}" for r, c in zip(RUNS, COLORS, strict=True))
    return f"s=rosenbrock&n={STEPS}&{runs}&v={panels}"


# In the page: press on the contour, then move along a circle; each move waits for the paths.
DRAG_JS = """async ([drags]) => {
  const wrap = document.querySelector('#view-contour .layered');
  const fg = wrap.querySelector('.layer-fg');
  const fl = fg._fullLayout, r = fg.getBoundingClientRect();
  const px = (x, y) => [r.left + fl.xaxis._offset + fl.xaxis.l2p(x),
    r.top + fl.yaxis._offset + fl.yaxis.l2p(y)];
  const ev = (type, x, y) => {
    const [cx, cy] = px(x, y);
    wrap.dispatchEvent(new PointerEvent(type, { clientX: cx, clientY: cy, button: 0, buttons: 1,
      pointerId: 1, bubbles: true, cancelable: true }));
  };
  const drawnAt = (x, y) => new Promise((resolve) => {
    const on = (e) => {
      const s = e.detail.pathStarts || [];
      const near = (p) => p && Math.abs(p[0] - x) < 2e-3 && Math.abs(p[1] - y) < 2e-3;
      const ok = s.length === 6 && s.every(near);
      if (e.detail.view === 'contour' && ok) {
        document.removeEventListener('losscape:drawn', on);
        resolve(performance.now());
      }
    };
    document.addEventListener('losscape:drawn', on);
  });
  ev('pointerdown', 0, 1);
  await drawnAt(0, 1);
  const times = [];
  for (let i = 1; i <= drags; i++) {
    const a = (2 * Math.PI * i) / drags;
    const x = Math.round(1200 * Math.cos(a)) / 1000;
    const y = Math.round(1000 + 1200 * Math.sin(a)) / 1000;
    const done = drawnAt(x, y);
    const t0 = performance.now();
    ev('pointermove', x, y);
    times.push((await done) - t0);
  }
  ev('pointerup', 1.2, 1);
  return times;
}"""

# A hand's drag: one pointer move per animation frame for `frames` frames, never waiting for
# the paths. Returns the gaps between animation frames (a frame over 16.7 ms is a dropped one
# at 60 Hz) and how many times the paths were redrawn meanwhile.
FRAMES_JS = """async ([frames]) => {
  const wrap = document.querySelector('#view-contour .layered');
  const fg = wrap.querySelector('.layer-fg');
  const fl = fg._fullLayout, r = fg.getBoundingClientRect();
  const ev = (type, x, y) => wrap.dispatchEvent(new PointerEvent(type, {
    clientX: r.left + fl.xaxis._offset + fl.xaxis.l2p(x),
    clientY: r.top + fl.yaxis._offset + fl.yaxis.l2p(y),
    button: 0, buttons: 1, pointerId: 1, bubbles: true, cancelable: true }));
  let draws = 0;
  const count = (e) => { if (e.detail.view === 'contour') draws += 1; };
  document.addEventListener('losscape:drawn', count);
  ev('pointerdown', 0, 1);
  const gaps = [];
  let last = await new Promise((ok) => requestAnimationFrame(ok));
  for (let i = 1; i <= frames; i++) {
    const a = (2 * Math.PI * i) / frames;
    ev('pointermove', 1.2 * Math.cos(a), 1 + 1.2 * Math.sin(a));
    const now = await new Promise((ok) => requestAnimationFrame(ok));
    gaps.push(now - last);
    last = now;
  }
  ev('pointerup', 1.2, 1);
  document.removeEventListener('losscape:drawn', count);
  return [gaps, draws];
}"""

# The plain way, in the same page and plot size: REST per move, one plot for contour + paths.
PLAIN_JS = """async ([drags, body]) => {
  const src = document.querySelector('#view-contour .layer-fg');
  const bg = document.querySelector('#view-contour .layer-bg');
  const div = document.createElement('div');
  div.style.width = src.clientWidth + 'px';
  div.style.height = src.clientHeight + 'px';
  document.body.append(div);
  const contour = { ...bg.data[0] };
  const layout = { ...bg.layout }; // axes, ticks and colour bar, as the app's two layers show
  const times = [];
  for (let i = 1; i <= drags; i++) {
    const a = (2 * Math.PI * i) / drags;
    const start = [1.2 * Math.cos(a), 1 + 1.2 * Math.sin(a)];
    const t0 = performance.now();
    const req = { ...body, runs: body.runs.map((r) => ({ ...r, start })) };
    const res = await (await fetch('/api/trajectories', { method: 'POST',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) })).json();
    const paths = res.runs.map((r) => ({ type: 'scatter', mode: 'lines', x: r.x, y: r.y }));
    await Plotly.react(div, [contour, ...paths], layout);
    times.push(performance.now() - t0);
  }
  div.remove();
  return times;
}"""

# The live channel alone (no drawing): what the server and the socket cost per move.
CHANNEL_JS = """async ([drags, body]) => {
  const ws = new WebSocket(location.origin.replace('http', 'ws') + '/api/live');
  await new Promise((ok) => ws.addEventListener('open', ok));
  const times = [], server = [];
  for (let i = 1; i <= drags; i++) {
    const a = (2 * Math.PI * i) / drags;
    const start = [1.2 * Math.cos(a), 1 + 1.2 * Math.sin(a)];
    const t0 = performance.now();
    const got = new Promise((ok) => {
      ws.addEventListener('message', (e) => ok(JSON.parse(e.data)), { once: true });
    });
    const runs = body.runs.map((r) => ({ ...r, start }));
    ws.send(JSON.stringify({ id: 'b' + i, type: 'trajectories', body: { ...body, runs } }));
    const msg = await got;
    times.push(performance.now() - t0);
    server.push(msg.body.elapsed_ms);
  }
  ws.close();
  return [times, server];
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The same app two ways: as `losscape serve` runs it, and with the WebSocket permessage-deflate
# extension off (uvicorn's ws_per_message_deflate): browsers always offer it, and deflating a
# 400 kB answer costs more than computing it.
SERVE = ["-m", "losscape", "serve", "--log-level", "warning", "--port"]
NO_DEFLATE = [
    "-c",
    "import sys, uvicorn; uvicorn.run('losscape.api.app:create_app', factory=True, "
    "host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', ws_per_message_deflate=False)",
]


def start_server(port: int, command: list[str]) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "backend"), env.get("PYTHONPATH")])
    )
    env.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "losscape-bench-numba"))
    proc = subprocess.Popen(
        [sys.executable, *command, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def drag_rows(browser, base: str, size: dict, drags: int, server: str) -> list[tuple]:
    """Drag latency for each panel set, then the peer and the bare channel, on one server."""
    rows = []
    page = browser.new_page(viewport=size)
    for label, panels in (
        ("contour only", "contour"),
        ("playground panels", "contour,surface3d,curves,lr_sweep"),
    ):
        page.goto("about:blank")  # a fresh page load for each case
        page.goto(base + "#" + fragment(panels))
        page.wait_for_function(
            "() => document.querySelectorAll('#view-contour .js-plotly-plot').length === 2"
            " && document.querySelector('#view-contour .layer-bg').data.length > 0",
            timeout=60_000,
        )
        page.wait_for_timeout(1500)
        page.evaluate(DRAG_JS, [10])  # warm-up
        times = page.evaluate(DRAG_JS, [drags])
        rows.append((f"drag -> paths, {label}", f"losscape, {server}", *stats(times)))
        gaps, draws = page.evaluate(FRAMES_JS, [3 * drags])
        rows.append(
            (f"  frame during a drag ({draws} redraws)", "rAF gap, a move per frame", *stats(gaps))
        )
    body = {
        "surface": {"name": "rosenbrock", "params": {}},
        "steps": STEPS,
        "runs": [{"optimizer": r.split(",")[0], "lr": float(r.split("lr:")[1])} for r in RUNS],
    }
    page.goto("about:blank")
    page.goto(base + "#" + fragment("contour"))
    page.wait_for_function(
        "() => (document.querySelector('#view-contour .layer-bg')?.data || []).length > 0",
        timeout=60_000,
    )
    page.evaluate(PLAIN_JS, [10, body])
    times = page.evaluate(PLAIN_JS, [drags, body])
    rows.append(("drag -> paths, contour only", "peer: REST + one plot", *stats(times)))
    times, compute = page.evaluate(CHANNEL_JS, [drags, body])
    rows.append(("live round trip, no drawing", f"live channel, {server}", *stats(times)))
    rows.append(("  of which server compute", "elapsed_ms in the answer", *stats(compute)))
    page.close()
    return rows


def threshold_rows(browser, base: str, size: dict, drags: int) -> tuple[list[tuple], list[int]]:
    """Threshold drag -> metrics view drawn, and the empty frame it is measured against."""
    import bench_browser_network as net  # the same directory: the one copy of the page's drag

    page = browser.new_page(viewport=size)
    page.goto(base + net.SCENE)
    page.wait_for_function("() => document.body.hasAttribute('data-settled')", timeout=300_000)
    page.wait_for_function("() => document.getElementById('view-metrics').dataset.roc !== ''")
    page.evaluate(net.DRAG_JS, [10])  # warm-up
    out = page.evaluate(net.DRAG_JS, [drags])
    page.close()
    rows = [
        ("threshold drag -> metrics drawn", "losscape, network page", *stats(out["drag"])),
        ("  one empty animation frame", "requestAnimationFrame", *stats(out["floor"])),
    ]
    return rows, out["frames"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=("drag", "threshold", "all"), default="all")
    parser.add_argument("--drags", type=int, default=100)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    size = {"width": args.width, "height": args.height}
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        frames: list[int] = []
        for server, command in (("losscape serve", SERVE), ("no ws deflate", NO_DEFLATE)):
            if args.case == "threshold" and command is not SERVE:
                continue
            port = free_port()
            proc = start_server(port, command)
            base = f"http://127.0.0.1:{port}/"
            try:
                if args.case in ("drag", "all"):
                    rows += drag_rows(browser, base, size, args.drags, server)
                if args.case in ("threshold", "all") and command is SERVE:
                    more, frames = threshold_rows(browser, base, size, args.drags)
                    rows += more
            finally:
                proc.terminate()
                proc.wait(timeout=15)
        browser.close()
    base_med = rows[0][2]
    what = (
        "threshold drags, network page"
        if args.case == "threshold"
        else f"Drag latency, {len(RUNS)} runs x {STEPS} steps"
    )
    print(f"\n{what}, {args.drags} drags, "
          f"headless Chromium {args.width}x{args.height} (target: median < 33 ms)")  # fmt: skip
    print(f"{'case':<36} {'implementation':<30} {'median':>9} {'p95':>9} {'vs first row':>13}")
    print("-" * 101)
    for case, impl, med, p95 in rows:
        print(f"{case:<36} {impl:<30} {med:7.1f}ms {p95:7.1f}ms {med / base_med:12.2f}x")
    if frames:
        p50, p95 = stats([float(f) for f in frames])
        print(f"threshold drag: animation frames per redraw p50 {p50:g}, p95 {p95:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
