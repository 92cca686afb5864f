"""The app around the API: headers, static page, Plotly bundle, body limit, warm-up."""

from __future__ import annotations

import gzip
import warnings

import pytest

from losscape.api import app as app_module

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*httpx2.*")
    from fastapi.testclient import TestClient


def _csp(r) -> dict[str, str]:
    parts = [p.strip().split(None, 1) for p in r.headers["content-security-policy"].split(";")]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/api/catalog"),
        ("GET", "/healthz"),
        ("GET", "/nothing.js"),
        ("POST", "/api/grid"),
        ("GET", "/vendor/plotly.min.js"),
        ("DELETE", "/api/grid"),
    ],
)
def test_security_headers_on_every_response(client, method: str, path: str) -> None:
    r = client.request(method, path, json={"surface": {"name": "quadratic"}, "resolution": 2})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = _csp(r)
    assert csp["script-src"] == "'self'"  # same-origin scripts only, no eval, no inline
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"


def test_unsafe_eval_only_when_asked(monkeypatch) -> None:
    assert "unsafe-eval" not in app_module.content_security_policy()
    monkeypatch.setenv("LOSSCAPE_CSP_UNSAFE_EVAL", "1")
    assert "script-src 'self' 'unsafe-eval'" in app_module.content_security_policy()


def test_api_responses_are_not_cached(client) -> None:
    r = client.post("/api/grid", json={"surface": {"name": "quadratic"}, "resolution": 2})
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-type"] == "application/json"


def test_index_page_is_the_frontend(client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    folder = app_module.frontend_dir()
    assert folder is not None
    assert r.content == (folder / "index.html").read_bytes()
    assert r.headers["cache-control"] == "no-cache"


def test_frontend_dir_is_the_checkouts() -> None:
    folder = app_module.frontend_dir()
    assert folder is not None and folder.name == "frontend"
    assert (folder.parent / "backend" / "losscape").is_dir()


def test_static_files_cannot_escape_the_folder(client) -> None:
    for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"[project]" not in r.content


def test_missing_frontend_gives_a_pointer_page(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("LOSSCAPE_FRONTEND_DIR", str(tmp_path))
    monkeypatch.setattr(app_module, "frontend_dir", lambda: None)
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")
    with TestClient(app_module.create_app()) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert b"/docs" in r.content
        assert c.get("/app.js").status_code == 404


def test_frontend_dir_from_environment(monkeypatch, tmp_path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>mine</title>")
    (tmp_path / "app.js").write_text("export const a = 1;\n" * 100)
    monkeypatch.setenv("LOSSCAPE_FRONTEND_DIR", str(tmp_path))
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")
    assert app_module.frontend_dir() == tmp_path
    with TestClient(app_module.create_app()) as c:
        assert c.get("/").text == "<!doctype html><title>mine</title>"
        js = c.get("/app.js", headers={"accept-encoding": "gzip"})
        assert js.headers["content-type"].split(";")[0] in (
            "text/javascript",
            "application/javascript",
        )
        assert js.headers["content-encoding"] == "gzip"  # static files over 1 KiB are gzipped
        assert js.text == "export const a = 1;\n" * 100


def test_favicon_is_served_even_without_one_in_the_frontend(client) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/")


def test_plotly_bundle_is_the_installed_one_gzipped_and_cached(client) -> None:
    from plotly.offline import get_plotlyjs

    r = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "public, max-age=31536000"
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.content == get_plotlyjs().encode()  # httpx decoded the gzip
    assert int(r.headers["content-length"]) < len(r.content) / 2
    raw = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content == r.content
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304
    head = client.head("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert head.status_code == 200 and head.content == b""


def test_bundle_bytes_are_computed_once() -> None:
    a = app_module.plotly_bundle()
    assert a is app_module.plotly_bundle()
    assert gzip.decompress(a.gzipped) == a.raw


def test_warm_up_runs_every_optimizer_on_every_surface(app, client) -> None:
    """After the warm-up no request compiles a kernel: every optimizer on every surface of
    the catalogue answers without one numba compilation (numba's own compile events)."""
    from numba.core import event

    catalog = client.get("/api/catalog").json()
    surfaces = [s["name"] for s in catalog["surfaces"]]
    optimizers = [o["name"] for o in catalog["optimizers"]]
    assert app.state.warm_up["runs"] >= len(surfaces) * len(optimizers)
    with event.install_recorder("numba:compile") as compiled:
        for surface in surfaces:
            body = {
                "surface": {"name": surface},
                "steps": 5,
                "runs": [{"optimizer": name, "lr": 1e-3} for name in optimizers],
            }
            r = client.post("/api/trajectories", json=body)
            assert r.status_code == 200, (surface, r.text)
            assert len(r.json()["runs"]) == len(optimizers)
    # the recorder's buffer holds (timestamp, event) pairs; the event names the dispatcher
    names = sorted({str(ev.data.get("dispatcher")) for _, ev in compiled.buffer})
    assert names == [], f"compiled after the warm-up: {names}"


def test_docs_and_openapi(client) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "swagger" in r.text.lower()
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/api/catalog",
        "/api/trajectories",
        "/api/grid",
        "/api/hessian",
        "/api/sweeps/lr",
        "/api/sweeps/basins",
        "/api/sweeps/lr-momentum",
        "/healthz",
    }
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "post":
                codes = set(op["responses"])
                assert codes & {"200", "201"}, path  # 201: creates a saved scene, lecture, room
                assert {"400", "413", "422"} <= codes, path


def test_server_page_url() -> None:
    from losscape.api.server import page_url

    assert page_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert page_url("127.0.0.1", 9) == "http://127.0.0.1:9/"
    assert page_url("::1", 80) == "http://[::1]:80/"


def test_serve_refuses_bad_arguments(capsys) -> None:
    from losscape.api.server import serve

    assert serve(port=70000) == 2
    assert serve(workers=0) == 2
    assert "workers must be at least 1" in capsys.readouterr().err


# --------------------------------------------------------------------------- issue 12


def test_a_foreign_host_is_refused_and_framing_is_forbidden(client) -> None:
    r = client.get("/api/catalog", headers={"host": "evil.example:8000"})
    assert r.status_code == 400
    detail = r.json()["detail"][0]
    assert detail["type"] == "bad_host" and "LOSSCAPE_ALLOWED_HOSTS" in detail["msg"]
    ok = client.get("/healthz", headers={"host": "localhost:8000"})
    assert ok.status_code == 200
    assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
    docs = client.get("/docs")
    assert "cdn" not in docs.headers["content-security-policy"] and b"<script>" not in docs.content


def test_too_many_headers_is_431(client) -> None:
    headers = {f"x-h{i}": "1" for i in range(120)}
    r = client.get("/healthz", headers=headers)
    assert r.status_code == 431
    assert "too many request headers" in r.json()["detail"][0]["msg"]


def test_rest_rate_limit_answers_429_with_retry_after(monkeypatch) -> None:
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")
    monkeypatch.setenv("LOSSCAPE_REST_RATE", "0.01")
    monkeypatch.setenv("LOSSCAPE_REST_BURST", "2")
    body = {"surface": {"name": "quadratic"}, "point": [0.0, 0.0]}
    with TestClient(app_module.create_app()) as c:
        codes = [c.post("/api/hessian", json=body).status_code for _ in range(3)]
        r = c.post("/api/hessian", json=body)
    assert codes == [200, 200, 429]
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many requests from this client" in r.json()["detail"][0]["msg"]


def test_heavy_rest_work_over_the_class_queue_is_503(monkeypatch) -> None:
    monkeypatch.setenv("LOSSCAPE_WARMUP", "0")
    app = app_module.create_app()
    body = {"surface": {"name": "quadratic"}, "optimizer": "gd", "steps": 20, "count": 9}
    with TestClient(app) as c:
        from losscape.api.runtime import runtime

        runtime(app).heavy_waiting_max = 0
        r = c.post("/api/sweeps/lr", json=body)
        quick = c.post("/api/hessian", json={"surface": {"name": "quadratic"}, "point": [0, 0]})
    assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
    assert "busy" in r.json()["detail"][0]["msg"]
    assert quick.status_code == 200  # interactive work is not queued behind heavy work
