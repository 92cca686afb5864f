"""Opt-in CORS (``LOSSCAPE_CORS_ORIGINS``): off by default, exact origins or * when set."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*httpx2.*")
    from fastapi.testclient import TestClient

from losscape.api import cors
from losscape.api.app import create_app

COURSE = "https://course.example.org"
PREFLIGHT = {
    "origin": COURSE,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
}


def _client(monkeypatch, value: str | None) -> TestClient:
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")
    if value is None:
        monkeypatch.delenv(cors.ENV, raising=False)
    else:
        monkeypatch.setenv(cors.ENV, value)
    return TestClient(create_app())


def test_off_by_default(monkeypatch):
    c = _client(monkeypatch, None)
    r = c.get("/healthz", headers={"origin": COURSE})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    assert c.options("/api/trajectories", headers=PREFLIGHT).status_code != 200


def test_a_listed_origin_is_allowed_and_another_is_not(monkeypatch):
    c = _client(monkeypatch, f"{COURSE}, http://localhost:8000")
    pre = c.options("/api/trajectories", headers=PREFLIGHT)
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == COURSE
    assert "POST" in pre.headers["access-control-allow-methods"]
    r = c.get("/healthz", headers={"origin": COURSE})
    assert r.headers["access-control-allow-origin"] == COURSE
    other = c.get("/healthz", headers={"origin": "https://elsewhere.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_star_allows_any_origin_without_credentials(monkeypatch):
    c = _client(monkeypatch, "*")
    r = c.get("/healthz", headers={"origin": "https://anywhere.example.net"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


@pytest.mark.parametrize("bad", ["course.example.org", "https://x.org/path", "ftp://x.org"])
def test_a_malformed_origin_is_refused_naming_the_variable(bad):
    with pytest.raises(ValueError, match=r"LOSSCAPE_CORS_ORIGINS: .* is not an origin"):
        cors.origins(bad)
    assert cors.origins(" https://a.org/ ,http://b.org:8080") == [
        "https://a.org",
        "http://b.org:8080",
    ]
