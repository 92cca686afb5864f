"""Real headless Chromium against a real ``losscape serve`` on a free port.

Without Playwright or /usr/bin/chromium the browser tests skip with the reason, unless
LOSSCAPE_REQUIRE_BROWSER=1 (as .ci/run sets), where they fail. Every page is guarded: a request
to any host but the test server is aborted and recorded, and console errors, page errors,
failed requests and HTTP errors are collected for the tests to assert on.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from ..conftest import CHROMIUM, CHROMIUM_ARGS, serving

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"  # git-ignored
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
WARMUP_TIMEOUT_S = 600  # a cold numba cache compiles every kernel at start-up


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (Debian package 'chromium')"
    return None


def _require_browser() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("LOSSCAPE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"LOSSCAPE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL (with a trailing slash) of a real server started for this session."""
    _require_browser()
    with serving(timeout_s=WARMUP_TIMEOUT_S) as base:
        yield base


@pytest.fixture(scope="session")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Guarded:
    """A page plus everything that went wrong on it."""

    page: object
    base: str
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [
            *(f"external request: {u}" for u in self.external),
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"failed request: {m}" for m in self.failed),
            *(f"HTTP error: {m}" for m in self.http_errors),
        ]

    def assert_clean(self) -> None:
        assert self.problems() == []


def guard(context, base: str) -> Guarded:
    """Open a page that may talk only to the test server."""
    page = context.new_page()
    g = Guarded(page, base)
    origin = urlsplit(base).netloc

    def route(r) -> None:
        url = r.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.netloc == origin:
            r.continue_()
        else:
            g.external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and g.console_errors.append(m.text))
    page.on("pageerror", lambda e: g.page_errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: urlsplit(r.url).netloc == origin and g.failed.append(f"{r.url} {r.failure}"),
    )
    page.on("response", lambda r: r.status >= 400 and g.http_errors.append(f"{r.status} {r.url}"))
    return g


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server: str) -> Iterator[Guarded]:
    g = guard(context, server)
    yield g
    assert g.external == [], "the page must never leave the machine"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# ------------------------------------------------------------------ reading the page

PROBES = (Path(__file__).with_name("probes.js")).read_text()


def js(g: Guarded, fn: str, arg: object = None) -> object:
    """Call probes.js's `fn(arg)` in the page."""
    return g.page.evaluate(f"(arg) => ({PROBES}).{fn}(arg)", arg)


def wait(g: Guarded, fn: str, arg: object = None, timeout: float = 30_000) -> None:
    """Wait until probes.js's `fn(arg)` is truthy."""
    g.page.wait_for_function(f"(arg) => ({PROBES}).{fn}(arg)", arg=arg, timeout=timeout)


def open_page(g: Guarded, fragment: str = "") -> None:
    """Load the page at `#fragment` and wait until it has built itself from the catalog."""
    g.page.goto(g.base + ("#" + fragment if fragment else ""))
    g.page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)


def post(base: str, path: str, body: dict) -> dict:
    """POST a JSON body to the test server (``base`` + ``path``) and return its JSON answer."""
    req = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"content-type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read())


# The network page has trained: a status badge and every panel drawn.
NETWORK_TRAINED = """() =>
  /done|converged|diverged|stuck|⚠/.test(document.getElementById('badges').textContent)
  && [...document.querySelectorAll('#panels .panel-body')]
    .every((b) => Number(b.dataset.rendered) > 0)"""
# The z values of the network page's decision-boundary contour.
CONTOUR_Z = """() => {
  const gd = document.querySelector('#view-data .js-plotly-plot');
  return gd.data.find((t) => t.type === 'contour').z;
}"""


def wait_ready(g: Guarded, panel: str, runs: int, timeout: float = 30_000) -> None:
    wait(g, "ready", [panel, runs], timeout)


def to_pixel(g: Guarded, panel: str, x: float, y: float) -> tuple[float, float]:
    return tuple(js(g, "toPixel", [panel, x, y]))


def state_hash(g: Guarded) -> str:
    return g.page.evaluate("() => location.hash")


@pytest.fixture(scope="session")
def ui() -> SimpleNamespace:
    """The helpers above, for test modules (importlib import mode: they cannot import conftest)."""
    return SimpleNamespace(
        js=js, wait=wait, open_page=open_page, wait_ready=wait_ready, to_pixel=to_pixel,
        state_hash=state_hash, screenshot=screenshot, guard=guard, LAPTOP=LAPTOP,
        PROJECTOR=PROJECTOR, ROOT=ROOT, post=post, NETWORK_TRAINED=NETWORK_TRAINED,
        CONTOUR_Z=CONTOUR_Z,
    )  # fmt: skip
