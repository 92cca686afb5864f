"""The network page's timeline scrubs training steps across every view: the decision boundary
and the metrics at the threshold follow the run's weight snapshot at step t (computed in the
page), and the training curves, weights and activations are cut at t with a marker there.

The reference values are computed here, independently of the page's JavaScript: the same run
is trained through the REST API, and its snapshot is evaluated with numpy (theta laid out as
W1 row-major, b1, W2, b2; tanh hidden units; a sigmoid score on the linear output).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

SETUP = "dataset=xor&hidden=4&optimizer=gd&lr=0.5&init=small_random&steps=300"
PANELS = "data,training,weights,activations,metrics"
# the page's request for that set-up (network/state.js trainBody)
BODY = {
    "dataset": {"name": "xor", "params": {}},
    "model": {"name": "mlp", "params": {"hidden": [4], "activation": "tanh"}},
    "optimizer": "gd",
    "lr": 0.5,
    "steps": 300,
    "init": "small_random",
    "normalize": True,
    "seed": 0,
}

LAST_X = """(name) => {
  const gd = document.querySelector(`#view-${name} .js-plotly-plot`);
  return Math.max(...gd.data.filter((t) => t.x && t.x.length).map((t) => t.x[t.x.length - 1]));
}"""
MARKER = """(name) => {
  const shapes = document.querySelector(`#view-${name} .js-plotly-plot`).layout.shapes || [];
  return shapes.map((s) => s.x0);
}"""


def scores(hist: dict, theta: list[float], X: np.ndarray) -> np.ndarray:
    """P(class 1) at raw points X (N, 2) for a 2-h-1 tanh network with biases."""
    (h, n_in), (n_out, _) = hist["layer_shapes"]
    th = np.asarray(theta)
    W1 = th[: h * n_in].reshape(h, n_in)
    b1 = th[h * n_in : h * n_in + h]
    W2 = th[h * n_in + h : h * n_in + h + n_out * h].reshape(n_out, h)
    b2 = th[-n_out:]
    norm = hist["normalization"]
    Xn = (X - np.asarray(norm["mu"])) / np.asarray(norm["sigma"])
    z = np.tanh(Xn @ W1.T + b1) @ W2.T + b2
    return 1.0 / (1.0 + np.exp(-z[:, 0]))


def confusion(labels: np.ndarray, p: np.ndarray, threshold: float) -> list[list[int]]:
    pos = p >= threshold
    return [
        [int(np.sum(~pos & (labels == 0))), int(np.sum(pos & (labels == 0)))],
        [int(np.sum(~pos & (labels == 1))), int(np.sum(pos & (labels == 1)))],
    ]


@pytest.fixture(scope="module")
def reference(server, ui):
    hist = ui.post(server, "api/networks/train", BODY)
    data = ui.post(server, "api/networks/dataset", {"dataset": BODY["dataset"]})
    grid = ui.post(server, "api/networks/boundary", {**BODY, "resolution": 60})
    X = np.asarray(data["x"])
    val = np.asarray(data["validation"])
    labels = np.asarray(data["t"])[val]
    gx, gy = np.meshgrid(grid["x"], grid["y"])
    plane = np.column_stack([gx.ravel(), gy.ravel()])
    final = confusion(labels, scores(hist, hist["theta"], X[val]), 0.5)
    # the snapshot step nearest mid-training whose matrix differs from the final model's
    pairs = sorted(
        zip(hist["snapshot_steps"], hist["snapshots"], strict=True),
        key=lambda p: abs(p[0] - hist["steps"] / 2),
    )
    for step, theta in pairs:
        at = confusion(labels, scores(hist, theta, X[val]), 0.5)
        if 0 < step < hist["steps"] and at != final:
            break
    else:
        pytest.fail("no snapshot step whose metrics differ from the final model's")
    p_val = scores(hist, theta, X[val])
    return {
        "step": step,
        "final": final,
        "confusion": at,
        "confusion_30": confusion(labels, p_val, 0.3),
        "boundary": scores(hist, theta, plane).reshape(len(grid["y"]), len(grid["x"])),
        "final_boundary": np.asarray(grid["values"]),
        "record_steps": hist["record_steps"],
        "histogram_steps": hist["histogram_steps"],
    }


def test_timeline_moves_every_view_to_the_snapshot_of_that_step(page, ui, reference):
    page.page.goto(page.base + f"network.html#net&{SETUP}&panels={PANELS}")
    pg = page.page
    pg.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    pg.wait_for_function(ui.NETWORK_TRAINED, timeout=120_000)
    # the metrics view draws after the run's answer: wait for its first matrix
    pg.wait_for_function("() => document.getElementById('view-metrics').dataset.confusion")
    # the end of the run: the server's own answers for the final model
    shown = json.loads(pg.eval_on_selector("#view-metrics", "el => el.dataset.confusion"))
    assert shown == reference["final"]
    np.testing.assert_allclose(pg.evaluate(ui.CONTOUR_Z), reference["final_boundary"], atol=1e-9)

    step = reference["step"]
    pg.locator("#timeline").fill(str(step))
    pg.wait_for_function(
        "(t) => ['data', 'metrics'].every((v) =>"
        " document.getElementById(`view-${v}`).dataset.step === String(t))",
        arg=step,
    )
    pg.wait_for_function("(t) => location.hash.includes(`t=${t}`)", arg=step)
    # boundary and metrics: the snapshot's, not the final model's
    shown = json.loads(pg.eval_on_selector("#view-metrics", "el => el.dataset.confusion"))
    assert shown == reference["confusion"] != reference["final"]
    pg.wait_for_function(
        "(z0) => { const gd = document.querySelector('#view-data .js-plotly-plot');"
        " return gd.data.find((t) => t.type === 'contour').z[0][0] !== z0; }",
        arg=float(reference["final_boundary"][0][0]),
    )
    np.testing.assert_allclose(pg.evaluate(ui.CONTOUR_Z), reference["boundary"], atol=1e-9)
    # curves, weights and activations end at the step; the curves and weights mark it
    last_record = max(s for s in reference["record_steps"] if s <= step)
    pg.wait_for_function(f"(t) => ({LAST_X})('training') <= t", arg=step)
    assert pg.evaluate(f"() => ({LAST_X})('training')") == last_record
    assert pg.evaluate(f"() => ({LAST_X})('weights')") <= step
    # the activations: their statistics records (a few of the records) up to the step
    last_stats = max(s for s in reference["histogram_steps"] if s <= step)
    pg.wait_for_function(f"(s) => ({LAST_X})('activations') === s", arg=last_stats)
    pg.locator("#view-activations").scroll_into_view_if_needed()
    ui.screenshot(pg, "network-timeline-activations")
    assert pg.evaluate(f"() => ({MARKER})('training')") == [step]
    assert pg.evaluate(f"() => ({MARKER})('weights')") == [step]

    # the threshold at that step: the same snapshot's scores, counted at 0.3
    pg.locator("#net-threshold").fill("0.3")
    pg.wait_for_function(
        "(c) => document.getElementById('view-metrics').dataset.confusion === c",
        arg=json.dumps(reference["confusion_30"], separators=(",", ":")),
    )
    ui.screenshot(pg, "network-timeline")

    # back to the end of the run: the final answers again
    pg.locator("button[aria-label='show the whole run']").click()
    pg.wait_for_function("() => document.getElementById('view-metrics').dataset.step === ''")
    assert pg.evaluate(f"() => ({MARKER})('training')") == []
    page.assert_clean()
