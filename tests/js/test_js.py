"""The page's pure JavaScript modules (state, hash codec, request planner, metrics), tested with
``node --test`` so the README's one test command covers them; and every scene's panels checked
against the page's own panel registry (frontend/js/panels.js, the one list of panel ids).

Without node these skip with the reason, unless LOSSCAPE_REQUIRE_BROWSER=1, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from losscape.api.routes.catalog import catalog_bytes

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE_TIMEOUT_S = 300

# Prints the registry's panel ids of both pages as JSON.
REGISTRY_IDS = """
import { NETWORK_PANELS, SURFACE_PANELS } from "./frontend/js/panels.js";
const ids = (rows) => rows.map((p) => p.id);
console.log(JSON.stringify({ surface: ids(SURFACE_PANELS), network: ids(NETWORK_PANELS) }));
"""


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("LOSSCAPE_REQUIRE_BROWSER") == "1":
            pytest.fail("LOSSCAPE_REQUIRE_BROWSER=1 but node is missing (Debian package 'nodejs')")
        pytest.skip("node is not installed (Debian package 'nodejs')")
    return node


def test_node_suite_passes():
    files = sorted(str(p.relative_to(ROOT)) for p in HERE.glob("*.test.mjs"))
    assert len(files) >= 3, files
    proc = subprocess.run(
        [_node(), "--test", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout


def _registry() -> dict[str, list[str]]:
    proc = subprocess.run(
        [_node(), "--input-type=module", "-e", REGISTRY_IDS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=True,
    )
    return json.loads(proc.stdout)


def test_every_scene_shows_registered_panels():
    ids = _registry()
    assert "contour" in ids["surface"] and "metrics" in ids["network"]
    catalog = json.loads(catalog_bytes()[0])
    for scene in catalog["scenes"]:
        panels = scene["panels"]
        assert panels, scene["id"]
        assert set(panels) <= set(ids["surface"]), (scene["id"], panels)
        for step in scene["steps"]:
            step_panels = step["state"].get("panels", panels)
            assert set(step_panels) <= set(ids["surface"]), (scene["id"], step_panels)
    for scene in catalog["network_scenes"]:
        for step in [{"state": scene["state"]}, *scene["steps"]]:
            panels = step["state"].get("panels")
            if panels is not None:
                assert set(panels.split(",")) <= set(ids["network"]), (scene["id"], panels)
