"""Opt-in CORS: ``LOSSCAPE_CORS_ORIGINS`` lets a course site on another origin call the API.

Off by default (the page is served from the same origin). The variable is a
comma-separated list of origins (``https://course.example.org``) or ``*`` for
any; the REST endpoints then answer preflights and carry
``Access-Control-Allow-Origin``. Credentials are never allowed (the API has
none), so ``*`` is safe to use for a public deployment.
"""

from __future__ import annotations

import os
import re

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

ENV = "LOSSCAPE_CORS_ORIGINS"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def origins(raw: str | None = None) -> list[str]:
    """The configured origins; ValueError naming the variable for a malformed one."""
    text = os.environ.get(ENV, "") if raw is None else raw
    out = [o.strip().rstrip("/") for o in text.split(",") if o.strip()]
    for o in out:
        if o != "*" and not _ORIGIN.match(o):
            raise ValueError(
                f"{ENV}: {o!r} is not an origin; give scheme://host[:port] "
                "(e.g. https://course.example.org), comma-separated, or *"
            )
    return out


def install(app: FastAPI) -> None:
    """Add the CORS middleware when origins are configured (call it last: outermost)."""
    allowed = origins()
    if allowed:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=allowed,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            max_age=600,
        )
