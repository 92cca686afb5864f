"""Point numba's on-disk cache at a writable directory before numba is imported.

``cache=True`` needs a writable ``NUMBA_CACHE_DIR`` even when the cache is
full (a read-only site-packages fails otherwise). An explicit
``NUMBA_CACHE_DIR`` wins; else a per-user directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def configure_numba_cache() -> str:
    """Set NUMBA_CACHE_DIR if unset and return it."""
    current = os.environ.get("NUMBA_CACHE_DIR")
    if current:
        return current
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = str(Path(base) / "losscape" / "numba")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        import tempfile

        path = os.path.join(tempfile.gettempdir(), f"losscape-numba-{os.getuid()}")
        os.makedirs(path, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = path
    config = sys.modules.get("numba.core.config")
    if config is not None:
        # numba read its environment when it was imported (before us): tell it directly.
        config.CACHE_DIR = path
    return path
