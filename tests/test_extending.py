"""The README's "Extending" example, applied to a copy of the package and run.

The blocks marked ``<!-- extending:... -->`` in README.md are inserted into a
copy of the package where the README says they go: the function and the row
into ``numerics/surfaces_bowls.py``, and nothing else (the dispatch on surface
ids is built from the rows). A fresh process then uses the new surface
through every path that compiles a catalogue dispatcher (a trajectory, a grid,
a basin map and an lr sweep) and ``GET /api/catalog``, and the checks below
compare it with the surface's closed form. If the README and the registry
drift apart, this fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import losscape

README = Path(__file__).resolve().parents[1] / "README.md"
PACKAGE = Path(losscape.__file__).resolve().parent


def blocks() -> dict[str, str]:
    text = README.read_text()
    found = re.findall(r"<!-- extending:([\w-]+) -->\n```python\n(.*?)```", text, re.S)
    return dict(found)


def _insert_before(text: str, anchor: str, block: str) -> str:
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, block + anchor)


def patched_bowls(source: str, b: dict[str, str]) -> str:
    """surfaces_bowls.py with the README's function before the rows and its row last."""
    src = _insert_before(
        source, "# One row per surface, in id order within the group.\n", b["function"] + "\n\n"
    )
    start = src.index("BOWLS: tuple[SurfaceSpec, ...] = (")
    end = src.index("\n)\n", start)
    return src[:end] + "\n" + b["row"].rstrip("\n") + src[end:]


CHECK = """
import json, os, runpy, sys
import numpy as np
import losscape
from losscape.service import resolve_surface
run = runpy.run_path(sys.argv[1])["run"]  # the README's usage block, as a script
basins = losscape.basins(
    "tilted_bowl", "gd", lr=0.5, steps=100, resolution=4, surface_params={"t": 1.5}
)
sweep = losscape.lr_sweep(
    "tilted_bowl", "gd", start=(2.0, 1.5), steps=60, lr_min=0.5, lr_max=2.5, count=2, tol=0.0
)
os.environ["LOSSCAPE_WARMUP"] = "0"
os.environ["LOSSCAPE_ALLOWED_HOSTS"] = "testserver"
from fastapi.testclient import TestClient
from losscape.api.app import create_app
with TestClient(create_app()) as client:
    catalog = client.get("/api/catalog").json()
row = [s for s in catalog["surfaces"] if s["name"] == "tilted_bowl"]
print(json.dumps({
    "final": run.path[-1].tolist(),
    "last_name": [s["name"] for s in losscape.surfaces()][-1],
    "status": run.status,
    "f": float(losscape.evaluate("tilted_bowl", np.array([[0.5, 2.0]]))[0, 0]),
    "kind": losscape.hessian("tilted_bowl", (-1.0, 0.0)).kind,
    "minima": [[c.x, c.y] for c in resolve_surface("tilted_bowl", {"t": 1.5}).minima],
    "grid": losscape.grid("tilted_bowl", view=(-1.0, 1.0, 0.0, 2.0), resolution=3).values.tolist(),
    "basin_labels": basins.label.tolist(),
    "basin_loss": basins.final_loss.tolist(),
    "sweep_final": sweep.final_loss.tolist(),
    "sweep_status": list(sweep.status),
    "catalog": [[p["name"], p["default"]] for p in row[0]["params"]] if row else None,
}))
"""


def test_readme_blocks_are_there():
    assert set(blocks()) == {"function", "row", "use"}


def test_the_readme_surface_works_end_to_end(tmp_path):
    b = blocks()
    copy = tmp_path / "losscape"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "frontend"))
    bowls = copy / "numerics" / "surfaces_bowls.py"
    bowls.write_text(patched_bowls(bowls.read_text(), b))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "nc")}
    use = tmp_path / "use.py"
    use.write_text(b["use"])
    out = subprocess.run(
        [sys.executable, "-c", CHECK, str(use)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # GD with lr 0.1 on a unit-curvature bowl: the error shrinks by 0.9 a step,
    # from (2 + 1.5, 1.5) to 0.9**200 of that, far below 1e-8.
    assert abs(got["final"][0] + 1.5) < 1e-8 and abs(got["final"][1]) < 1e-8
    assert got["status"] in ("done", "converged")
    assert got["last_name"] == "tilted_bowl"
    assert got["f"] == 0.5 * (0.5**2 + 2.0**2) + 1.0 * 0.5  # default t = 1
    assert got["kind"] == "minimum"
    assert got["minima"] == [[-1.5, 0.0]]
    # 0.5 (x^2 + y^2) + x on x, y in {-1, 0, 1} x {0, 1, 2}: rows over y
    assert got["grid"] == [[-0.5, 0.0, 1.5], [0.0, 0.5, 2.0], [1.5, 2.0, 3.5]]
    # GD with lr 0.5 halves the error each step: every start of the 4 x 4 grid ends
    # in the one minimum (label 0) at f = -t^2 / 2 = -1.125.
    assert got["basin_labels"] == [[0] * 4] * 4
    assert all(abs(f + 1.125) < 1e-12 for row in got["basin_loss"] for f in row)
    # Unit curvature: lr 0.5 converges, lr 2.5 > 2 / lambda_max = 2 diverges.
    assert abs(got["sweep_final"][0] + 0.5) < 1e-12  # default t = 1: f* = -1/2
    assert got["sweep_status"][1] == "diverged"
    assert got["catalog"] == [["t", 1.0]]
