"""Shared test configuration: a private numba cache and data folder (tests never write to $HOME)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "losscape-test-numba"))
# Saved lectures (and every server a test starts) go to a throw-away folder.
os.environ.setdefault("LOSSCAPE_DATA_DIR", tempfile.mkdtemp(prefix="losscape-test-data-"))
