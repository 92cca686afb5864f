"""A typed-in surface on the page (issue 6): type a formula, see it drawn with the same paths as
the catalogue's surface; type a bad one, see the error at its column and the last plot kept;
share the link."""

from __future__ import annotations

import os
import shutil
from urllib.parse import quote

import numpy as np
import pytest

from losscape import service

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"
STEPS = 150
LR = 0.01
START = (-1.5, 1.5)  # js/formula.js expressionSpec's default_start: where runs go on a switch
# The page asks for float32 paths (the wire's default precision): ~7 significant digits.
TOL = 2e-6
CATALOGUE = f"s=rosenbrock&n={STEPS}&r=adam,lr:{LR},x:-1,y:2,c:0072B2&v=contour,curves"


def _formula_surface(page, ui) -> None:
    """Open the catalogue Rosenbrock, switch to a typed formula and type Rosenbrock's text."""
    ui.open_page(page, CATALOGUE)
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    pg.locator("#surface").select_option("expression")
    field = pg.locator("#formula-input")
    field.wait_for(state="visible", timeout=10_000)
    field.fill(ROSENBROCK)
    pg.wait_for_function(
        "(f) => decodeURIComponent(location.hash).includes('f=' + f)", arg=ROSENBROCK
    )


def _on_path(points: list[tuple[float, float]], ref) -> bool:
    """Every drawn (decimated) point is one of the reference iterates, in order."""
    k = 0
    for x, y in points:
        while k < len(ref.path) and not (
            abs(ref.path[k, 0] - x) < TOL and abs(ref.path[k, 1] - y) < TOL
        ):
            k += 1
        if k == len(ref.path):
            return False
    return True


def _wait_for_reference_path(page, ui, ref) -> dict:
    n = len(ref.path)
    last = [float(v) for v in ref.path[-1]]
    page.page.wait_for_function(
        f"""([n, last, tol]) => {{
          const p = ({ui_probes(ui)}).paths();
          if (p.length !== 1 || p[0].meta.points !== n) return false;
          const t = p[0];
          return Math.abs(t.x[t.x.length - 1] - last[0]) < tol &&
            Math.abs(t.y[t.y.length - 1] - last[1]) < tol;
        }}""",
        arg=[n, last, TOL],
        timeout=60_000,
    )
    return page.page.evaluate(f"() => ({ui_probes(ui)}).paths()[0]")


def ui_probes(ui) -> str:
    return (ui.ROOT / "tests" / "browser" / "probes.js").read_text()


def test_typed_rosenbrock_is_drawn_with_the_catalogue_paths(page, ui):
    _formula_surface(page, ui)
    ref = service.trajectory("rosenbrock", "adam", start=START, steps=STEPS, lr=LR)
    typed = service.trajectory({"expression": ROSENBROCK}, "adam", start=START, steps=STEPS, lr=LR)
    np.testing.assert_allclose(typed.path, ref.path, rtol=0, atol=1e-12)
    path = _wait_for_reference_path(page, ui, ref)
    assert abs(path["x"][0] - START[0]) < TOL and abs(path["y"][0] - START[1]) < TOL
    assert _on_path(list(zip(path["x"], path["y"], strict=True)), ref)
    bg, _ = ui.js(page, "summary", "contour")
    assert bg[0]["type"] == "contour"
    ui.wait_ready(page, "curves", 1)
    # Rendered readably under the field, and marked valid.
    preview = page.page.locator("#formula-preview").inner_text()
    assert "x²" in preview and "·" in preview and "**" not in preview
    assert page.page.locator("#formula-input").get_attribute("aria-invalid") is None
    assert page.page.locator("#formula-error").is_hidden()
    assert page.page.evaluate("() => document.querySelector('.transport').dataset.transport") == (
        "live"
    )
    shot = ui.screenshot(page.page, "formula")
    # docs/ is committed: refresh its screenshot only when asked, so a test run leaves no diff.
    if os.environ.get("LOSSCAPE_DOC_SCREENSHOTS") == "1":
        shutil.copyfile(shot, ui.ROOT / "docs" / "screenshots" / "formula.png")
    page.assert_clean()


@pytest.mark.parametrize(
    ("text", "column", "token"),
    [("x**2 + __import__('os')", 8, "__import__"), ("x + y)", 6, ")")],
)
def test_bad_formula_shows_the_error_at_its_column_and_keeps_the_plot(
    page, ui, text, column, token
):
    _formula_surface(page, ui)
    ref = service.trajectory("rosenbrock", "adam", start=START, steps=STEPS, lr=LR)
    _wait_for_reference_path(page, ui, ref)
    pg = page.page
    hash_before = ui.state_hash(page)
    field = pg.locator("#formula-input")
    field.fill(text)
    pg.locator("#formula-error").wait_for(state="visible", timeout=30_000)
    assert field.get_attribute("aria-invalid") == "true"
    msg = pg.locator("#formula-error .formula-error-msg").inner_text()
    assert f"column {column}" in msg
    assert pg.locator("#formula-error mark").inner_text() == token
    where = pg.locator("#formula-error .formula-where").inner_text().split("\n")
    assert where[0] == text
    assert where[1] == " " * (column - 1) + "^"
    # The last good plot and link stay; the refusal came over the live channel (a 422 frame,
    # no failed HTTP request) and nothing went to the console.
    pg.wait_for_function("() => !document.body.dataset.hashPending")
    assert ui.state_hash(page) == hash_before
    assert ui.js(page, "pathLengths") == [len(ref.path)]
    assert pg.evaluate("() => document.querySelector('.transport').dataset.transport") == "live"
    assert pg.locator(".toast").is_hidden()
    ui.screenshot(page.page, f"formula-error-{column}")
    # Fixing the text clears the error.
    field.fill("x**2 + 3*y**2")
    pg.wait_for_function("() => document.getElementById('formula-error').hidden")
    assert field.get_attribute("aria-invalid") is None
    page.assert_clean()


def test_a_typed_formula_link_round_trips(page, ui, context):
    formula = "x**2 + 10*sin(y)"
    frag = (
        f"s=expression&f={quote(formula, safe='')}&fv=-2,2,-3,3&n=80"
        "&r=gd,lr:0.02,x:1,y:1,c:0072B2&v=contour,surface3d,curves,lr_sweep,basins,hessian"
        "&probe=0.5,0.5"
    )
    ui.open_page(page, frag)
    # Every view draws the typed surface through the same requests as a catalogue one.
    for panel in ("contour", "surface3d", "curves", "lr_sweep", "basins", "hessian"):
        ui.wait_ready(page, panel, 1, timeout=60_000)
    pg = page.page
    assert pg.locator("#surface").input_value() == "expression"
    assert pg.locator("#formula-input").input_value() == formula
    assert [pg.locator(f"#formula-view-{k}").input_value() for k in range(4)] == [
        "-2", "2", "-3", "3",
    ]  # fmt: skip
    ref = service.trajectory(
        {"expression": formula, "view": [-2, 2, -3, 3]}, "gd", start=(1, 1), steps=80, lr=0.02
    )
    assert ui.js(page, "pathLengths") == [len(ref.path)]
    ui.screenshot(pg, "formula-all-views")
    # the hash is rewritten after a short debounce; the shell marks the body meanwhile
    pg.wait_for_function("() => !document.body.dataset.hashPending")
    shared = ui.state_hash(page)
    assert "s=expression" in shared and "fv=-2,2,-3,3" in shared
    other = ui.guard(context, page.base)
    ui.open_page(other, shared.lstrip("#"))
    ui.wait_ready(other, "contour", 1)
    assert other.page.locator("#formula-input").input_value() == formula
    assert ui.state_hash(other) == shared
    assert ui.js(other, "pathLengths") == [len(ref.path)]
    page.assert_clean()
    other.assert_clean()


def test_a_link_with_a_bad_formula_shows_the_error_inline(page, ui):
    ui.open_page(page, f"s=expression&f={quote('x + y)', safe='')}&n=20&v=contour")
    pg = page.page
    pg.locator("#formula-error").wait_for(state="visible", timeout=30_000)
    assert pg.locator("#formula-input").get_attribute("aria-invalid") == "true"
    assert pg.locator("#formula-error mark").inner_text() == ")"
    assert "column 6" in pg.locator("#formula-error .formula-error-msg").inner_text()
    page.assert_clean()


def test_named_parameters_become_sliders_that_rerun(page, ui):
    """(x-a)**2 + b*y**2: one slider per parameter below the field; setting a reruns the paths
    with the new value (the minimum moves), kept in the link."""
    ui.open_page(page, CATALOGUE)
    ui.wait_ready(page, "contour", 1)
    pg = page.page
    text = "(x-a)**2 + b*y**2"
    pg.locator("#surface").select_option("expression")
    field = pg.locator("#formula-input")
    field.wait_for(state="visible", timeout=10_000)
    field.fill(text)
    pg.locator("#fp-a").wait_for(state="visible", timeout=10_000)
    assert pg.locator(".formula-params input[type=range]").count() == 2
    ref1 = service.trajectory({"expression": text}, "adam", start=START, steps=STEPS, lr=LR)
    _wait_for_reference_path(page, ui, ref1)
    number = pg.get_by_label("a value")
    number.fill("2")
    number.press("Enter")
    pg.wait_for_function("() => /(^|[#&])fp=a:2(&|$)/.test(location.hash)")
    ref2 = service.trajectory(
        {"expression": text, "params": {"a": 2, "b": 1}}, "adam", start=START, steps=STEPS, lr=LR
    )
    assert np.abs(ref2.path - ref1.path).max() > 0.05  # far beyond the float32 tolerance
    _wait_for_reference_path(page, ui, ref2)
    # The slider moves the other value (keyboard: one step of its range).
    slider = pg.locator("#fp-b")
    slider.focus()
    slider.press("ArrowRight")
    pg.wait_for_function("() => /(^|[#&])fp=[^&]*b:1\\.\\d/.test(location.hash)")
    ui.screenshot(pg, "formula-params")
    # A shared link brings the sliders and values back.
    other = ui.guard(page.page.context, page.base)
    other.page.goto(page.page.url)
    other.page.locator("#fp-b").wait_for(state="visible", timeout=30_000)
    assert other.page.get_by_label("a value").input_value() == "2"
    other.assert_clean()
    page.assert_clean()
