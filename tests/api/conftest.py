"""Fixtures for the web API tests: one warmed app and its TestClient for the session."""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

with warnings.catch_warnings():
    # Starlette's TestClient prefers httpx2 and warns once on import when only httpx
    # is installed; the client works the same either way.
    warnings.filterwarnings("ignore", message=r".*httpx2.*")
    from fastapi.testclient import TestClient

from losscape.api.app import create_app

# Starlette's TestClient sends ``Host: testserver``; the app answers only to its own names.
os.environ.setdefault("LOSSCAPE_ALLOWED_HOSTS", "testserver")
# Every test is the same client: the per-client REST rate limit is tested on its own app.
os.environ.setdefault("LOSSCAPE_REST_RATE", "1e9")


@pytest.fixture(scope="session")
def app() -> Any:
    return create_app()


@pytest.fixture(autouse=True)
def _fresh_answer_cache() -> Iterator[None]:
    """Each test computes its own answers: an identical request of an earlier test would
    otherwise be answered from the live channel's cache, around a test's patched service."""
    from losscape.api import live

    live.ANSWERS.clear()
    yield


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:  # runs the lifespan: kernels warmed once
        yield c


def strict_json(text: str) -> Any:
    """Parse JSON refusing NaN / Infinity literals (a response must never contain them)."""

    def refuse(token: str) -> None:
        raise AssertionError(f"non-finite literal {token} in a response")

    return json.loads(text, parse_constant=refuse)


def as_array(values: Any) -> np.ndarray:
    """A JSON array (null -> NaN) as float64."""
    return np.array(
        [math.nan if v is None else v for v in values]
        if not values or not isinstance(values[0], list)
        else [[math.nan if v is None else v for v in row] for row in values],
        dtype=np.float64,
    )
