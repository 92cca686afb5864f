"""The network page with batch normalisation: the sidebar's checkbox trains a normalised net, and
the timeline evaluates a mid-training snapshot as the server does.

The reference is computed here with numpy, independently of the page's JavaScript: the run is
trained through the REST API, and its snapshot evaluated with batch normalisation over the
training points (their mean and biased variance at that snapshot, eps 1e-5), then gamma, beta.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

SETUP = "dataset=circles&hidden=6&activation=logistic&optimizer=gd&lr=2&steps=120"
BODY = {
    "dataset": {"name": "circles", "params": {}},
    "model": {"name": "mlp", "params": {"hidden": [6], "activation": "logistic",
                                        "batch_norm": True}},
    "optimizer": "gd",
    "lr": 2,
    "steps": 120,
    "init": "xavier",
    "normalize": True,
    "seed": 0,
}  # fmt: skip


def bn_scores(hist: dict, theta: list[float], X_train: np.ndarray, X: np.ndarray) -> np.ndarray:
    """P(class 1) at raw points X of a 2-h-1 logistic net with batch normalisation."""
    (h, n_in), (n_out, _) = hist["layer_shapes"]
    th = np.asarray(theta)
    W1 = th[: h * n_in].reshape(h, n_in)
    b1 = th[h * n_in : h * n_in + h]
    gamma = th[h * n_in + h : h * n_in + 2 * h]
    beta = th[h * n_in + 2 * h : h * n_in + 3 * h]
    W2 = th[h * n_in + 3 * h : h * n_in + 3 * h + n_out * h].reshape(n_out, h)
    b2 = th[-n_out:]
    norm = hist["normalization"]
    mu, sigma = np.asarray(norm["mu"]), np.asarray(norm["sigma"])
    z_train = ((X_train - mu) / sigma) @ W1.T + b1
    mean, var = z_train.mean(axis=0), z_train.var(axis=0)
    z = ((X - mu) / sigma) @ W1.T + b1
    a = 1.0 / (1.0 + np.exp(-(gamma * (z - mean) / np.sqrt(var + 1e-5) + beta)))
    out = a @ W2.T + b2
    return 1.0 / (1.0 + np.exp(-out[:, 0]))


def test_checkbox_and_timeline_with_batch_norm(page, ui, server):
    hist = ui.post(server, "api/networks/train", BODY)
    data = ui.post(server, "api/networks/dataset", {"dataset": BODY["dataset"]})
    grid = ui.post(server, "api/networks/boundary", {**BODY, "resolution": 60})
    X = np.asarray(data["x"])
    train = np.setdiff1d(np.arange(X.shape[0]), np.asarray(data["validation"]))
    gx, gy = np.meshgrid(grid["x"], grid["y"])
    plane = np.column_stack([gx.ravel(), gy.ravel()])
    final = bn_scores(hist, hist["theta"], X[train], plane).reshape(gx.shape)
    np.testing.assert_allclose(grid["values"], final, atol=1e-9)  # the server evaluates so too
    k = len(hist["snapshot_steps"]) // 3
    step = hist["snapshot_steps"][k]
    mid = bn_scores(hist, hist["snapshots"][k], X[train], plane).reshape(gx.shape)
    assert np.abs(mid - final).max() > 0.05  # the snapshot's boundary is visibly another

    pg = page.page
    pg.goto(page.base + f"network.html#net&{SETUP}&panels=data,training")
    pg.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    pg.wait_for_function(ui.NETWORK_TRAINED, timeout=120_000)
    box = pg.locator("#net-batch-norm")
    assert not box.is_checked()
    box.check()  # the sidebar's checkbox: the hash and the request follow
    pg.wait_for_function("() => location.hash.includes('batch_norm=1')")
    pg.wait_for_function(ui.NETWORK_TRAINED, timeout=120_000)
    pg.wait_for_function(
        "(z) => { const gd = document.querySelector('#view-data .js-plotly-plot');"
        " const c = gd.data.find((t) => t.type === 'contour');"
        " return c && Math.abs(c.z[0][0] - z) < 1e-9; }",
        arg=float(final[0][0]),  # the normalised net's own boundary, once it is drawn
        timeout=120_000,
    )
    np.testing.assert_allclose(pg.evaluate(ui.CONTOUR_Z), final, atol=1e-9)

    pg.locator("#timeline").fill(str(step))
    pg.wait_for_function(
        "(t) => document.getElementById('view-data').dataset.step === String(t)", arg=step
    )
    pg.wait_for_function(
        "(z) => { const gd = document.querySelector('#view-data .js-plotly-plot');"
        " return Math.abs(gd.data.find((t) => t.type === 'contour').z[0][0] - z) < 1e-9; }",
        arg=float(mid[0][0]),
    )
    np.testing.assert_allclose(pg.evaluate(ui.CONTOUR_Z), mid, atol=1e-9)
    ui.screenshot(pg, "network-batch-norm-timeline")
    page.assert_clean()
