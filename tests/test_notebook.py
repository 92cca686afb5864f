"""docs/python.ipynb runs in a real Jupyter kernel (nbclient + ipykernel), and its figures are
the page's: the contour's values are the log transform of the grid the API serves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import losscape

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "python.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


def _decode(value):
    """Plotly 6+ JSON packs arrays as {dtype, bdata, shape}: back to numpy."""
    import base64

    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")]
            arr = arr.reshape(dims)
        return arr
    return np.asarray(value, dtype=float)


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "backend"), old]))
    try:
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
        )
        client.execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    return nb


def _outputs(nb, needle):
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)
    return cell.outputs


def _result(nb, needle):
    """The rich output of the cell holding ``needle`` (a figure displays; a value returns)."""
    return next(
        o for o in _outputs(nb, needle) if o.output_type in ("execute_result", "display_data")
    )


def test_every_cell_ran_without_error(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert all(o.output_type != "error" for o in cell.outputs), cell.source


def test_the_contour_is_the_pages(executed):
    out = _result(executed, "plot.contour(")
    spec = out.data[PLOTLY]
    contour = spec["data"][0]
    assert contour["type"] == "contour"
    z = _decode(contour["z"])
    g = losscape.grid("rosenbrock", resolution=160)  # what /api/grid serves the page
    lo, hi = np.nanmin(g.values), np.nanmax(g.values)
    assert g.log_scale_suggested  # the page switches to log levels here too
    assert np.allclose(z, np.log10(g.values - lo + max(1e-12, (hi - lo) * 1e-6)))
    ref = losscape.trajectory("rosenbrock", "adam", lr=0.02, steps=500)
    path = next(t for t in spec["data"] if t.get("name") == "run 1: adam, lr 0.02")
    assert np.allclose(_decode(path["x"]), ref.path[:, 0])
    assert path["line"]["color"] == "#0072B2"


def test_results_draw_themselves(executed):
    needles = ("adam = ", "sweep = ", "losscape.basins(", "bumpy", "net = ", "plot.confusion(")
    for needle in needles:
        assert PLOTLY in _result(executed, needle).data, needle
    assert _result(executed, "adam = ").data["text/plain"].startswith("Trajectory: adam")
    table = _result(executed, "to_pandas()")
    assert "text/html" in table.data and "loss" in table.data["text/plain"]


def test_the_widget_renders_and_recomputes(executed):
    view = next(
        o for o in _outputs(executed, "losscape.widget(") if o.output_type == "execute_result"
    )
    assert "application/vnd.jupyter.widget-view+json" in view.data
    last = _result(executed, "w.set_run")
    assert last.data["text/plain"] == "(['done', 'done'], 2)"
    state = json.dumps(view.data["application/vnd.jupyter.widget-view+json"])
    assert "model_id" in state


def test_formula_parameters_and_optimizer_internals(executed):
    spec = _result(executed, "state_step=10").data[PLOTLY]
    arrows = [a for a in spec["layout"]["annotations"] if a.get("axref") == "x"]
    assert len(arrows) == 2  # adam and heavy_ball each carry a velocity
    ref = losscape.trajectory({"expression": "a*x**2 + b*y**2", "params": {"a": 1, "b": 20}},
                              "adam", lr=0.05, start=(-2.5, 1), steps=120)  # fmt: skip
    assert (arrows[0]["ax"], arrows[0]["ay"]) == tuple(ref.path[10])
    assert any(t.get("name", "").endswith("step scale") for t in spec["data"])
