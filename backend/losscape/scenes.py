"""The lecture's scenes as data (filled in by the classroom page)."""

from __future__ import annotations

from typing import Any


def scenes() -> list[dict[str, Any]]:
    """Every scene, JSON-ready, for the catalog."""
    return []
