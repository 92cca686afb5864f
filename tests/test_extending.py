"""The README's "Extending" example, applied to a copy of the package and run.

The blocks marked ``<!-- extending:... -->`` in README.md are inserted into a
copy of the package where the README says they go (the function and the row
into ``numerics/surfaces_bowls.py``, the import and the dispatch branches into
``numerics/surfaces.py``); a fresh
process then uses the new surface through the public API and the checks below
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


def patched_surfaces(source: str, b: dict[str, str]) -> str:
    """surfaces.py with the README's import and dispatch branches in place."""
    src = _insert_before(source, "\nEXPRESSION_ID = ", b["import"])
    src = _insert_before(src, "    return math.nan, math.nan, math.nan\n", b["dispatch"])
    nan_block = (
        "    else:\n        for r in range(n):\n            values[r], grad[r], grad[n + r] = "
    )
    src = _insert_before(src, nan_block, b["dispatch-block"])
    nan_row = "    else:\n        for i in range(n):\n            row[i] = math.nan\n"
    return _insert_before(src, nan_row, b["dispatch-values"])


CHECK = """
import json, runpy, sys
import numpy as np
import losscape
from losscape.service import resolve_surface
run = runpy.run_path(sys.argv[1])["run"]  # the README's usage block, as a script
print(json.dumps({
    "final": run.path[-1].tolist(),
    "last_name": [s["name"] for s in losscape.surfaces()][-1],
    "status": run.status,
    "f": float(losscape.evaluate("tilted_bowl", np.array([[0.5, 2.0]]))[0, 0]),
    "kind": losscape.hessian("tilted_bowl", (-1.0, 0.0)).kind,
    "minima": [[c.x, c.y] for c in resolve_surface("tilted_bowl", {"t": 1.5}).minima],
    "grid": losscape.grid("tilted_bowl", view=(-1.0, 1.0, 0.0, 2.0), resolution=3).values.tolist(),
}))
"""


def test_readme_blocks_are_there():
    assert set(blocks()) == {
        "function",
        "row",
        "import",
        "dispatch",
        "dispatch-block",
        "dispatch-values",
        "use",
    }


def test_the_readme_surface_works_end_to_end(tmp_path):
    b = blocks()
    copy = tmp_path / "losscape"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "frontend"))
    bowls = copy / "numerics" / "surfaces_bowls.py"
    bowls.write_text(patched_bowls(bowls.read_text(), b))
    surfaces = copy / "numerics" / "surfaces.py"
    surfaces.write_text(patched_surfaces(surfaces.read_text(), b))
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
