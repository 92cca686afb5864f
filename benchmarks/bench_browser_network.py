"""Threshold drag on the network page's metrics panel, in headless Chromium.

The metrics scene (screening data, 1% positives). Each sample sets the threshold slider to a
new value and waits until the metrics view has drawn that threshold (``losscape:drawn``): the
input event, the state update, the rates, confusion matrix and ROC point computed in the page
from the ROC it already holds (frontend/js/metrics.js), the boundary contour at the new level,
and the Plotly redraw. Reported beside it, measured in the same run:

- floor: one empty animation frame (what "redraws in one frame" is measured against);
- frames: animation frames between the input event and the drawn view;
- live frames sent during the drag (0: no request);
- peer: what the page did before, one POST /api/networks/metrics per threshold step.

    python benchmarks/bench_browser_network.py [--steps 60] [--url http://127.0.0.1:8000/]
"""

from __future__ import annotations

import argparse
import json
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
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SCENE = os.environ.get("BENCH_FRAGMENT", "network.html#net&scene=metrics")

DRAG_JS = """async ([n]) => {
  const input = document.getElementById('net-threshold');
  const body = document.getElementById('view-metrics');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const out = { floor: [], drag: [], frames: [] };
  for (let i = 0; i < n; i++) {
    const t = (((i * 37) % 98) + 1) / 100;
    if (String(t) === input.value) continue;
    const f0 = performance.now();
    await frame();
    out.floor.push(performance.now() - f0);
    let count = 0;
    let counting = true;
    const tick = () => { if (counting) { count += 1; requestAnimationFrame(tick); } };
    const drawn = new Promise((resolve) => body.addEventListener('losscape:drawn', function on(e) {
      if (e.detail.threshold === t) { body.removeEventListener('losscape:drawn', on); resolve(); }
    }));
    const t0 = performance.now();
    requestAnimationFrame(tick);
    input.value = String(t);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await drawn;
    out.drag.push(performance.now() - t0);
    counting = false;
    out.frames.push(count);
  }
  return out;
}"""

# The page before: one metrics request per threshold step (REST, the same body as the page's).
PEER_JS = """async ([n, body]) => {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch('/api/networks/metrics', { method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, threshold: (((i * 37) % 98) + 1) / 100 }) });
    await res.json();
    times.push(performance.now() - t0);
  }
  return times;
}"""

TRAIN_BODY_JS = """async () => {
  const st = await import('/js/network/state.js');
  const catalog = await (await fetch('/api/catalog')).json();
  return st.trainBody(st.netSceneState(catalog, 'metrics', 0), catalog);
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ)
    paths = [str(ROOT / "backend"), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "losscape-bench-numba"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "losscape", "serve", "--log-level", "warning", "--port", str(port)],
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


def stats(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered):8.2f} ms   p95 {p95:8.2f} ms   (n = {len(ordered)})"


def run(base: str, steps: int, peers: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        sent = {"n": 0, "counting": False}

        def on_ws(ws) -> None:
            def framesent(_payload) -> None:
                if sent["counting"]:
                    sent["n"] += 1

            ws.on("framesent", framesent)

        page.on("websocket", on_ws)
        page.goto(base + SCENE)
        page.wait_for_function("() => document.body.hasAttribute('data-settled')", timeout=300_000)
        page.wait_for_function("() => document.getElementById('view-metrics').dataset.roc !== ''")
        sent["counting"] = True
        out = page.evaluate(DRAG_JS, [steps])
        sent["counting"] = False
        body = page.evaluate(TRAIN_BODY_JS)
        peer = page.evaluate(PEER_JS, [peers, body])
        browser.close()
    frames = out["frames"]
    print("threshold drag, metrics scene (1366x768, headless Chromium, machine shared and loaded)")
    print(f"  floor: one empty animation frame   {stats(out['floor'])}")
    print(f"  threshold -> metrics view drawn    {stats(out['drag'])}")
    print(f"  frames per redraw: median {statistics.median(frames)}, max {max(frames)}")
    print(f"  live frames sent during the drag: {sent['n']}")
    print(f"  peer: POST /api/networks/metrics   {stats(peer)}")
    raw = {"drag_ms": out["drag"], "floor_ms": out["floor"], "peer_ms": peer}
    print(json.dumps(raw), file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--peers", type=int, default=15)
    ap.add_argument("--url", help="an already running server (default: start one)")
    args = ap.parse_args()
    if args.url:
        run(args.url.rstrip("/") + "/", args.steps, args.peers)
        return 0
    port = free_port()
    proc = start_server(port)
    try:
        run(f"http://127.0.0.1:{port}/", args.steps, args.peers)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
