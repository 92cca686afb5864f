"""Shared test configuration: a private numba cache so tests never write to $HOME."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "losscape-test-numba"))
