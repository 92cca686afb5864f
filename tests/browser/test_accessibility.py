"""axe-core (vendor/axe.min.js, the axe-core npm package, MPL-2.0) on both pages, presenter
mode too: no violation of WCAG 2 A/AA or axe's best practices."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

AXE = (Path(__file__).with_name("vendor") / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# No exceptions: every rule runs on every element.
KNOWN: set[tuple[str, str]] = set()


def violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays on.
    page.evaluate(AXE)
    found = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
          return r.violations.map((v) => ({
            id: v.id, help: v.help,
            nodes: v.nodes.map((n) => [n.target.join(' '), n.failureSummary]),
          }));
        }""",
        TAGS,
    )
    out = []
    for v in found:
        nodes = [f"{t}: {why}" for t, why in v["nodes"] if (v["id"], t) not in KNOWN]
        if nodes:
            out.append(f"{v['id']} ({v['help']}): {nodes[:4]}")
    return out


@pytest.mark.parametrize("present", [False, True], ids=["page", "presenter"])
def test_classroom_page_has_no_axe_violation(page, ui, present):
    ui.open_page(page, "scene=momentum" + ("&present=1" if present else ""))
    ui.wait_ready(page, "contour", 2)
    if present:
        page.page.wait_for_function("() => document.body.classList.contains('presenter')")
    ui.screenshot(page.page, f"a11y-classroom-{'presenter' if present else 'page'}")
    found = violations(page.page)
    assert not found, "\n".join(found)
    page.assert_clean()


def test_formula_sliders_and_internals_have_no_axe_violation(page, ui):
    """A typed formula with named parameters (one slider each) and the optimizer internals."""
    ui.open_page(
        page,
        "s=expression&f=a*x**2%2Bb*y**2&fp=b:10&n=60&r=adam,lr:0.05,x:-2,y:1,c:0072B2"
        "&v=contour,curves&int=1&t=10",
    )
    ui.wait_ready(page, "contour", 1)
    page.page.locator("#fp-b").wait_for(state="visible")
    found = violations(page.page)
    assert not found, "\n".join(found)
    page.assert_clean()


@pytest.mark.parametrize("present", [False, True], ids=["page", "presenter"])
def test_network_page_has_no_axe_violation(page, ui, present):
    page.page.goto(page.base + "network.html" + ("#present=1" if present else ""))
    page.page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
    page.page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length > 0", timeout=60_000
    )
    found = violations(page.page)
    assert not found, "\n".join(found)
    page.assert_clean()


TAG_CONTROLS = """() => {
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const all = [...document.querySelectorAll(sel)].filter((e) =>
    !e.disabled && e.tabIndex >= 0 && e.checkVisibility() && e.getClientRects().length > 0);
  all.forEach((e, i) => { e.dataset.kbd = String(i); });
  return all.map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} "${
    (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30)}"`);
}"""


def _unreached(pg) -> list[str]:
    names = pg.evaluate(TAG_CONTROLS)
    assert len(names) >= 5
    reached = set()
    for _ in range(len(names) + 10):
        pg.keyboard.press("Tab")
        k = pg.evaluate("() => document.activeElement && document.activeElement.dataset.kbd")
        if k is not None:
            reached.add(int(k))
    return [n for i, n in enumerate(names) if i not in reached]


def test_every_visible_control_of_the_classroom_is_reachable_by_tab(page, ui):
    ui.open_page(page, "scene=momentum")
    ui.wait_ready(page, "contour", 2)
    assert _unreached(page.page) == []


def test_every_visible_control_of_the_network_page_is_reachable_by_tab(page, ui):
    page.page.goto(page.base + "network.html")
    page.page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
    assert _unreached(page.page) == []
