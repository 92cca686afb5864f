"""``losscape serve``: the web app."""

from __future__ import annotations

import argparse


def command(args: argparse.Namespace) -> int:
    from ..api.server import serve

    return serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        open_browser=args.open,
        log_level=args.log_level,
        redis_url=args.redis,
    )
