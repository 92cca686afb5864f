"""Command line: ``losscape serve | list | run | sweep | train | animate | warm``.

Every flag is honoured or refused with a message (never silently ignored); the
output format follows the extension of ``-o``: .json .csv .npz (data), .html
(an interactive figure with plotly.js embedded from the installed package),
.png .svg (a static figure through kaleido, which drives a locally installed
Chrome or Chromium: ``pip install 'losscape[export]'``), .gif (``animate``, with
Pillow: ``losscape[animate]``; .webm and .mp4 with imageio + imageio-ffmpeg:
``losscape[video]``). The output path is checked before any computing.
Progress goes to stderr through tqdm, only when stderr is a terminal.

One module per command (``command(args) -> exit code``); the parser is built in
``parser.py`` alone and shared helpers live in ``output.py``. A new command is a
subparser there, a module here and one row of ``HANDLERS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .. import warmup
from . import animate, listing, run, serve, sweep, train
from .output import UsageError, check_output
from .parser import build_parser

HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": warmup.with_compile_notice(run.command),
    "list": listing.command,
    "sweep": sweep.command,
    "train": train.command,
    "animate": animate.command,
    "serve": serve.command,
    "warm": warmup.command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``losscape`` command."""
    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except (UsageError, ValueError, ImportError) as exc:
        print(f"losscape: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the disk filled up while writing
        print(f"losscape: error: {exc}", file=sys.stderr)
        return 1


__all__ = ["HANDLERS", "UsageError", "build_parser", "check_output", "main"]
