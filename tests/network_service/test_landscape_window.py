"""The network landscape's automatic window: square in parameter units for normalised inputs."""

from __future__ import annotations

import numpy as np
import pytest

from losscape import network_service as ns
from losscape.network_service.landscape import square_window

MODEL = {"name": "linear_regression", "params": {"bias": False}}


def test_square_window_widens_the_short_side_about_its_centre():
    lo, hi = square_window(np.array([-1.0, 2.0]), np.array([3.0, 3.0]))
    np.testing.assert_allclose(lo, [-1.0, 0.5])
    np.testing.assert_allclose(hi, [3.0, 4.5])


@pytest.mark.parametrize("directions", ["axes", "pca"])
def test_normalised_inputs_give_a_square_window_holding_the_whole_path(directions):
    model = MODEL if directions == "axes" else {"name": "mlp", "params": {"hidden": [3]}}
    data = "ravine" if directions == "axes" else "moons"
    L = ns.landscape(
        data, model, [{"optimizer": "gd", "lr": 0.3}], steps=40, resolution=5,
        directions=directions, normalize=True,
    )  # fmt: skip
    width, height = L.a[-1] - L.a[0], L.b[-1] - L.b[0]
    assert width == pytest.approx(height, rel=1e-12)
    run = L.runs[0]
    assert L.a[0] <= run.coords[:, 0].min() and run.coords[:, 0].max() <= L.a[-1]
    assert L.b[0] <= run.coords[:, 1].min() and run.coords[:, 1].max() <= L.b[-1]


def test_raw_inputs_keep_a_window_fitted_to_each_axis():
    # Raw ravine inputs differ in scale by orders of magnitude: w1 and w2 are in
    # different units, and a square window would squash the path into a line.
    L = ns.landscape("ravine", MODEL, [{"optimizer": "gd", "lr": 1e-5}], steps=40,
                     resolution=5, normalize=False)  # fmt: skip
    width, height = L.a[-1] - L.a[0], L.b[-1] - L.b[0]
    assert max(width, height) / min(width, height) > 2.0


def test_a_given_view_is_kept_as_given():
    L = ns.landscape("ravine", MODEL, [{"optimizer": "gd", "lr": 0.3}], steps=10, resolution=3,
                     normalize=True, view=[-1.0, 1.0, 0.0, 4.0])  # fmt: skip
    assert (L.a[0], L.a[-1], L.b[0], L.b[-1]) == (-1.0, 1.0, 0.0, 4.0)
