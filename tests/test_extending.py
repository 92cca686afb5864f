"""The README's "Extending" examples, applied to a copy of the package and run.

The blocks marked ``<!-- extending:... -->`` in README.md are inserted into a
copy of the package where the README says they go, and nothing else (the
dispatch on surface and optimizer ids is built from the rows). The surface:
the function and the row into ``numerics/surfaces_bowls.py``; a fresh process
then uses it through every path that compiles a catalogue dispatcher (a
trajectory, a grid, a basin map and an lr sweep) and ``GET /api/catalog``, and
the checks below compare it with the surface's closed form. The optimizer: the
step into ``numerics/optimizers.py`` and the row into ``OPTIMIZERS`` in
``numerics/optimizer_specs.py``; a fresh process runs it through
``losscape.trajectory``, an lr sweep and ``GET /api/catalog``, checked against
a plain-Python loop of the rule. If the README and the registry drift apart,
this fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

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


def run_patched_copy(
    tmp_path: Path, patches: dict[str, Callable[[str], str]], use: str, check: str
) -> dict:
    """Copy the package into ``tmp_path``, rewrite each file of ``patches`` (a path
    relative to the package -> a function of its text), save the README's usage block
    ``use`` as a script, and run ``check`` with that script's path in a fresh process
    importing the copy, with its own numba cache. Returns the JSON of its last line."""
    copy = tmp_path / "losscape"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "frontend"))
    for rel, patch in patches.items():
        target = copy / rel
        target.write_text(patch(target.read_text()))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "nc")}
    script = tmp_path / "use.py"
    script.write_text(use)
    out = subprocess.run(
        [sys.executable, "-c", check, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def patched_bowls(source: str, b: dict[str, str]) -> str:
    """surfaces_bowls.py with the README's function before the rows and its row last."""
    src = _insert_before(
        source, "# One row per surface, in id order within the group.\n", b["function"] + "\n\n"
    )
    start = src.index("BOWLS: tuple[SurfaceSpec, ...] = (")
    end = src.index("\n)\n", start)
    return src[:end] + "\n" + b["row"].rstrip("\n") + src[end:]


APP = """os.environ["LOSSCAPE_WARMUP"] = "0"
os.environ["LOSSCAPE_ALLOWED_HOSTS"] = "testserver"
from fastapi.testclient import TestClient
from losscape.api.app import create_app
"""  # the app of the patched copy, for the checks below

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
{app}with TestClient(create_app()) as client:
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
""".replace("{app}", APP)


def test_readme_blocks_are_there():
    assert set(blocks()) == {
        "function",
        "row",
        "use",
        "optimizer-function",
        "optimizer-row",
        "optimizer-use",
    }


def test_the_readme_surface_works_end_to_end(tmp_path):
    b = blocks()
    bowls = "numerics/surfaces_bowls.py"
    got = run_patched_copy(tmp_path, {bowls: lambda src: patched_bowls(src, b)}, b["use"], CHECK)
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


# ---------------------------------------------------------------- a new optimizer


def patched_steps(steps: str, b: dict[str, str]) -> str:
    """optimizers.py with the README's step before the dispatch section."""
    assert steps.count("dispatch built from the rows\n") == 1
    at = steps.index("dispatch built from the rows\n")
    at = steps.rindex("\n", 0, at) + 1  # the start of that section's comment line
    return steps[:at] + b["optimizer-function"] + "\n\n" + steps[at:]


def patched_rows(rows: str, b: dict[str, str]) -> str:
    """optimizer_specs.py with the README's row last in ``OPTIMIZERS``."""
    start = rows.index("OPTIMIZERS: tuple[OptimizerSpec, ...] = (")
    end = rows.index("\n)\n", start)
    return rows[:end] + "\n" + b["optimizer-row"].rstrip("\n") + rows[end:]


OPTIMIZER_CHECK = """
import json, os, runpy, sys
import numpy as np
import losscape
run_use = runpy.run_path(sys.argv[1])  # the README's usage block, as a script
run = losscape.trajectory(
    "rosenbrock", "lion", start=(-1.5, 2.0), lr=0.02, steps=150, tol=0.0, beta1=0.8, beta2=0.95
)
sweep = losscape.lr_sweep(
    "rosenbrock", "lion", start=(-1.5, 2.0), steps=150, lr_min=0.005, lr_max=0.05, count=3,
    tol=0.0, beta1=0.8, beta2=0.95,
)
{app}with TestClient(create_app()) as client:
    catalog = client.get("/api/catalog").json()
    def post(hyperparams):
        lion = {"optimizer": "lion", "start": [-1.5, 2.0], "lr": 0.02, "hyperparams": hyperparams}
        body = {"surface": {"name": "rosenbrock"}, "steps": 150, "tol": 0.0, "runs": [lion]}
        return client.post("/api/trajectories", json={**body, "precision": "float64"})
    good = post({"beta1": 0.8, "beta2": 0.95})
    bad = post({"gamma": 1.0})
row = [o for o in catalog["optimizers"] if o["name"] == "lion"]
print(json.dumps({
    "use_final": run_use["run"].path[-1].tolist(),
    "use_sweep": [float(f) for f in run_use["sweep"].final_loss],
    "path": run.path.tolist(),
    "loss": run.loss.tolist(),
    "status": run.status,
    "hyperparams": run.hyperparams,
    "sweep_lrs": [float(v) for v in sweep.lrs],
    "sweep_final": [float(f) for f in sweep.final_loss],
    "sweep_status": list(sweep.status),
    "last_name": [o["name"] for o in losscape.optimizers()][-1],
    "catalog": [[p["name"], p["default"]] for p in row[0]["hyperparams"]] if row else None,
    "api": [good.status_code, good.json()],
    "bad": [bad.status_code, bad.text],
}))
""".replace("{app}", APP)


def lion_reference(
    grad: Callable[[float, float], tuple[float, float]],
    start: tuple[float, float],
    lr: float,
    steps: int,
    beta1: float,
    beta2: float,
) -> list[list[float]]:
    """The README's rule in plain Python, per coordinate: the points (steps + 1, 2)."""
    theta = list(start)
    m = [0.0, 0.0]
    path = [theta.copy()]
    for _ in range(steps):
        g = grad(theta[0], theta[1])
        for i in range(2):
            c = beta1 * m[i] + (1.0 - beta1) * g[i]
            theta[i] = theta[i] - lr * (1.0 if c > 0.0 else (-1.0 if c < 0.0 else 0.0))
            m[i] = beta2 * m[i] + (1.0 - beta2) * g[i]
        path.append(theta.copy())
    return path


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    """The gradient of the catalogue's Rosenbrock at its default parameters (a = 1, b = 100)."""
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def rosenbrock(x: float, y: float) -> float:
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def test_the_readme_optimizer_works_end_to_end(tmp_path):
    b = blocks()
    patches = {
        "numerics/optimizers.py": lambda src: patched_steps(src, b),
        "numerics/optimizer_specs.py": lambda src: patched_rows(src, b),
    }
    got = run_patched_copy(tmp_path, patches, b["optimizer-use"], OPTIMIZER_CHECK)
    # The README's usage: on the unit bowl from (2, 1.5), steps of exactly 0.01 per
    # coordinate land on the minimum (0, 0) up to the rounding of 200 and 150 subtractions.
    assert all(abs(v) < 1e-12 for v in got["use_final"])
    assert len(got["use_sweep"]) == 3
    # The trajectory equals the plain-Python rule point for point.
    ref = lion_reference(rosenbrock_grad, (-1.5, 2.0), 0.02, 150, 0.8, 0.95)
    assert got["status"] == "done"
    assert len(got["path"]) == 151
    for (x, y), (rx, ry) in zip(got["path"], ref, strict=True):
        assert abs(x - rx) < 1e-12 and abs(y - ry) < 1e-12
    assert got["hyperparams"] == {"beta1": 0.8, "beta2": 0.95}
    # Every step moves each coordinate by exactly lr (or not at all).
    steps = np.abs(np.diff(np.array(got["path"]), axis=0))
    assert np.all((np.abs(steps - 0.02) < 1e-12) | (steps == 0.0))
    # The sweep's runs (one at a time: Lion has no lockstep branch) agree with the rule.
    for lr, final, status in zip(
        got["sweep_lrs"], got["sweep_final"], got["sweep_status"], strict=True
    ):
        rx, ry = lion_reference(rosenbrock_grad, (-1.5, 2.0), lr, 150, 0.8, 0.95)[-1]
        assert status == "done"
        assert abs(final - rosenbrock(rx, ry)) <= 1e-9 * max(1.0, abs(final))
    # The web API's run is the same trajectory (float64 arrays, every step kept).
    assert got["api"][0] == 200
    api_run = got["api"][1]["runs"][0]
    assert api_run["x"] == [p[0] for p in got["path"]]
    assert api_run["y"] == [p[1] for p in got["path"]]
    assert api_run["hyperparams"] == {"beta1": 0.8, "beta2": 0.95}
    assert got["last_name"] == "lion"
    assert got["catalog"] == [["beta1", 0.9], ["beta2", 0.99]]
    assert got["bad"][0] == 422 and "beta1, beta2" in got["bad"][1]
