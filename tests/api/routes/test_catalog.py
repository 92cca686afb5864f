"""GET /api/catalog and GET /healthz."""

from __future__ import annotations

import losscape
from losscape import limits, scenes
from losscape.api import schemas
from losscape.api.encoding import dumps

from ..conftest import strict_json


def test_catalog_is_the_registry(client) -> None:
    r = client.get("/api/catalog")
    assert r.status_code == 200
    data = strict_json(r.text)
    assert [s["name"] for s in data["surfaces"]] == [s["name"] for s in losscape.surfaces()]
    assert [o["name"] for o in data["optimizers"]] == [o["name"] for o in losscape.optimizers()]
    assert [s["name"] for s in data["schedules"]] == [s["name"] for s in losscape.schedules()]
    assert data["scenes"] == scenes.scenes()
    if hasattr(losscape, "datasets"):  # the networks' catalogue, where this build has it
        assert data["datasets"] == strict_json(dumps(losscape.datasets()))
        assert data["models"] == strict_json(dumps(losscape.models()))
    else:
        assert data["datasets"] == [] and data["models"] == []
    # every surface entry carries what the page builds its controls from
    for entry, ref in zip(data["surfaces"], losscape.surfaces(), strict=True):
        assert entry["params"] == ref["params"]
        assert entry["view"] == ref["view"]
        assert entry["critical_points"] == ref["critical_points"]
    for entry, ref in zip(data["optimizers"], losscape.optimizers(), strict=True):
        assert entry["hyperparams"] == ref["hyperparams"]
        assert entry["lr"] == ref["lr"]


def test_catalog_limits_are_the_web_limits(client) -> None:
    lim = client.get("/api/catalog").json()["limits"]
    assert lim["max_steps"] == limits.MAX_STEPS
    assert lim["max_runs"] == limits.MAX_RUNS
    assert lim["max_basin_resolution"] == 256
    assert lim["max_body_bytes"] == 1 << 20
    assert lim["max_expression_length"] == schemas.MAX_EXPRESSION_LENGTH
    # the networks' limits come from the same table: what the network page bounds its inputs by
    assert lim["max_train_steps"] == 20_000 and lim["max_epochs"] == 2_000
    assert lim["max_seed"] == 2**31 - 1


def test_catalog_etag_revalidates(client) -> None:
    first = client.get("/api/catalog")
    etag = first.headers["etag"]
    again = client.get("/api/catalog", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_healthz(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
