"""What the page saves, the store accepts: every scene step as the page normalises it
(frontend/js/state.js, network/state.js) and strips it for saving (lectures.js savedState)
passes the store's checks. Keeps the validator's key lists and the pages' states in step.

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
from losscape.lectures import validate

ROOT = Path(__file__).resolve().parents[2]

# Reads the served catalog on stdin; prints each scene step's state as the page would save it.
SAVED_STATES = """
import { readFileSync } from "node:fs";
import { savedState } from "./frontend/js/lectures.js";
import { normalize, sceneState } from "./frontend/js/state.js";
import { netSceneState } from "./frontend/js/network/state.js";
const catalog = JSON.parse(readFileSync(0, "utf8"));
const each = (list, fn) =>
  list.flatMap((s) => s.steps.map((_, k) => savedState(fn(catalog, s.id, k))));
console.log(JSON.stringify({
  surfaces: [...each(catalog.scenes, sceneState), savedState(normalize(catalog, {}))],
  networks: each(catalog.network_scenes, netSceneState),
}));
"""


@pytest.fixture(scope="module")
def saved() -> dict[str, list[dict]]:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("LOSSCAPE_REQUIRE_BROWSER") == "1":
            pytest.fail("LOSSCAPE_REQUIRE_BROWSER=1 but node is missing (Debian package 'nodejs')")
        pytest.skip("node is not installed (Debian package 'nodejs')")
    proc = subprocess.run(
        [node, "--input-type=module", "-e", SAVED_STATES],
        cwd=ROOT,
        input=catalog_bytes()[0].decode(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(proc.stdout)


def test_every_state_the_page_saves_is_accepted(saved):
    assert len(saved["surfaces"]) > 20 and len(saved["networks"]) > 5
    for page, states in saved.items():
        for state in states:
            assert validate.page_state(page, state, ["state"]) == state


def test_the_page_states_use_every_key_the_store_knows(saved):
    """A key the store allows but no page state has would be a stale rule."""
    assert set(saved["surfaces"][-1]) == validate.SURFACE_KEYS
    assert set().union(*saved["networks"]) == validate.NETWORK_KEYS
