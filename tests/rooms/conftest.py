"""One app (kernels not warmed: the few runs here compile or load what they use) and its client."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*httpx2.*")
    from fastapi.testclient import TestClient

from losscape.api.app import create_app
from losscape.rooms.hub import JoinLimiter

os.environ.setdefault("LOSSCAPE_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOSSCAPE_REST_RATE", "1e9")


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    old = os.environ.get("LOSSCAPE_WARMUP")
    os.environ["LOSSCAPE_WARMUP"] = "0"
    app = create_app()
    try:
        with TestClient(app) as c:
            # every test is one client address: the join limit has its own test
            app.state.rooms.joins = JoinLimiter(1_000_000)
            app.state.rooms.creates = JoinLimiter(1_000_000)
            yield c
    finally:
        if old is None:
            os.environ.pop("LOSSCAPE_WARMUP", None)
        else:
            os.environ["LOSSCAPE_WARMUP"] = old


@pytest.fixture
def room(client: TestClient) -> dict[str, Any]:
    resp = client.post("/api/rooms", json={"page": "surfaces"})
    assert resp.status_code == 200, resp.text
    return resp.json()
