"""Where the lecture store lives: ``--data DIR``, ``LOSSCAPE_DATA_DIR``, or the data folder.

The default follows the XDG base directory rule (``$XDG_DATA_HOME/losscape``, else
``~/.local/share/losscape``); on Windows ``%LOCALAPPDATA%\\losscape``. ``serve --data DIR``
sets ``LOSSCAPE_DATA_DIR`` for the workers it starts, so every worker opens one file.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

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


class DataDirAction(argparse.Action):
    """``serve --data DIR``: the folder must be writable; exported as ``LOSSCAPE_DATA_DIR``.

    Set in the environment (as ``--host`` sets ``LOSSCAPE_HOST``) because uvicorn's
    workers are fresh processes that read their settings from it.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        folder = data_dir(str(values)).resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".losscape-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise argparse.ArgumentError(self, f"cannot write to {folder}: {exc.strerror}") from exc
        os.environ[ENV] = str(folder)
        setattr(namespace, self.dest, str(folder))
