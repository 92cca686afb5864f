"""Point numba's on-disk cache at a writable directory keyed by our kernel sources.

``cache=True`` needs a writable ``NUMBA_CACHE_DIR`` even when the cache is
full (a read-only site-packages fails otherwise). numba invalidates a cached
kernel only when the file defining it changes, not when a function it calls
(in another file) does: a kernel in kernels.py would keep running an old
surface from surfaces.py. So the cache lives in a subfolder named after a hash
of every numba source file of the package and the numba version; any edit
starts a fresh cache. An explicit ``NUMBA_CACHE_DIR`` is used as the base.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_KERNEL_DIRS = ("numerics", "networks")


def sources_fingerprint() -> str:
    """A short hash of the package's numba sources and numba's version."""
    h = hashlib.sha256()
    # numba's _version.py names its release; reading it is much faster than importlib.metadata.
    spec = importlib.util.find_spec("numba")
    if spec is not None and spec.origin:
        numba_version = Path(spec.origin).with_name("_version.py")
        if numba_version.exists():
            h.update(numba_version.read_bytes())
    for sub in _KERNEL_DIRS:
        for path in sorted((_PACKAGE / sub).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure_numba_cache() -> str:
    """Set NUMBA_CACHE_DIR to <base>/<fingerprint> and return it.

    The base is ``LOSSCAPE_NUMBA_BASE`` (remembered from the first call) or the
    user's ``NUMBA_CACHE_DIR``, else ``$XDG_CACHE_HOME/losscape/numba``, else a
    temporary directory when the home directory is not writable.
    """
    base = os.environ.get("LOSSCAPE_NUMBA_BASE") or os.environ.get("NUMBA_CACHE_DIR")
    if not base:
        home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(home) / "losscape" / "numba")
    path = os.path.join(base, sources_fingerprint())
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:  # a read-only home (some containers): fall back to /tmp
        base = os.path.join(tempfile.gettempdir(), f"losscape-numba-{os.getuid()}")
        path = os.path.join(base, sources_fingerprint())
        os.makedirs(path, exist_ok=True)
    # Child processes (uvicorn workers, subprocess tests) re-derive the same path.
    os.environ["LOSSCAPE_NUMBA_BASE"] = base
    os.environ["NUMBA_CACHE_DIR"] = path
    config = sys.modules.get("numba.core.config")
    if config is not None:
        # numba read its environment when it was imported (before us): tell it directly.
        config.CACHE_DIR = path
    return path
