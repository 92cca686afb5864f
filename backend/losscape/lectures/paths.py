"""Where the lecture store lives: ``--data DIR``, ``LOSSCAPE_DATA_DIR``, or the data folder.

The default follows the XDG base directory rule (``$XDG_DATA_HOME/losscape``, else
``~/.local/share/losscape``); on Windows ``%LOCALAPPDATA%\\losscape``. ``serve --data DIR``
sets ``LOSSCAPE_DATA_DIR`` for the workers it starts, so every worker opens one file.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "LOSSCAPE_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the store (not created here)."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "losscape"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "losscape"
