"""Optimizer internals on the contour: the toggle (kept in the hash) asks for each run's state
and draws, at the timeline's step, velocity arrows and step-scale crosses that follow the
scrubbing."""

from __future__ import annotations

import pytest

import losscape

pytestmark = [pytest.mark.browser, pytest.mark.server]

# Adam and the lecture's momentum on the ravine, scrubbed to step 12 (the hash's grammar).
RAVINE = (
    "s=ravine&n=120&r=adam,lr:0.05,x:-2.5,y:1,c:0072B2&r=heavy_ball,lr:0.01,x:-2.5,y:1,c:D55E00"
    "&v=contour,curves&t=12"
)
FG = "document.querySelectorAll('#view-contour .js-plotly-plot')[1]"
ARROWS = f"() => ({FG}.layout.annotations || []).filter((a) => a.axref === 'x')"
CROSSES = f"() => {FG}.data.filter((t) => (t.name || '').startsWith('step scale'))"


def arrows_drawn(pg, n: int) -> None:
    pg.wait_for_function(f"() => ({ARROWS})().length === {n}")


def test_toggle_draws_velocity_and_step_scales_at_the_scrubbed_step(page, ui):
    pg = page.page
    ui.open_page(page, RAVINE)
    ui.wait_ready(page, "contour", 2)
    assert pg.evaluate(f"({ARROWS})().length") == 0  # off by default
    pg.locator("summary", has_text="Display").click()
    pg.get_by_label("optimizer internals (velocity, step scales)").check()
    pg.wait_for_function("() => location.hash.includes('int=1')")
    arrows_drawn(pg, 2)
    refs = [
        losscape.trajectory("ravine", "adam", lr=0.05, start=(-2.5, 1), steps=120,
                            record_state=True),
        losscape.trajectory("ravine", "heavy_ball", lr=0.01, start=(-2.5, 1), steps=120,
                            record_state=True),
    ]  # fmt: skip
    arrows = pg.evaluate(f"({ARROWS})()")
    for a, ref in zip(arrows, refs, strict=True):
        assert (a["ax"], a["ay"]) == pytest.approx(tuple(ref.path[12]), rel=1e-6, abs=1e-6)
        v = ref.state.velocity[12]
        drawn = (a["x"] - a["ax"], a["y"] - a["ay"])
        assert drawn[0] * v[1] - drawn[1] * v[0] == pytest.approx(0, abs=1e-5)
        assert drawn[0] * v[0] + drawn[1] * v[1] > 0
    (cross,) = pg.evaluate(f"({CROSSES})()")  # adam has step scales, heavy_ball has none
    sx, sy = refs[0].state.step_scale[12]
    half_x = (cross["x"][1] - cross["x"][0]) / 2
    half_y = (cross["y"][4] - cross["y"][3]) / 2
    assert half_x / half_y == pytest.approx(sx / sy, rel=1e-4)
    ui.screenshot(pg, "contour-internals")
    # Scrubbing moves them: one step on, the arrows start at point 13.
    pg.get_by_role("button", name="step forward").click()
    pg.wait_for_function("() => location.hash.includes('t=13')")
    x13 = float(refs[0].path[13, 0])
    pg.wait_for_function(f"() => Math.abs(({ARROWS})()[0].ax - {x13}) < 1e-5")
    # Off again: nothing drawn and the runs are asked without their state.
    pg.get_by_label("optimizer internals (velocity, step scales)").uncheck()
    arrows_drawn(pg, 0)
    pg.wait_for_function("() => !location.hash.includes('int=1')")
    page.assert_clean()


def test_internals_come_back_from_a_shared_link(page, ui):
    ui.open_page(page, RAVINE + "&int=1")
    ui.wait_ready(page, "contour", 2)
    arrows_drawn(page.page, 2)
    page.assert_clean()


def test_too_many_steps_to_record_say_so_instead_of_failing(page, ui):
    # 6 runs x 12,001 points x 2 x 7 numbers is over limits.MAX_STATE_VALUES: the page asks
    # without state and says why, rather than sending a request the server refuses.
    run = "r=gd,lr:0.01,x:-2.5,y:1,c:{}"
    colors = ["0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9"]
    runs = "&".join(run.format(c) for c in colors)
    ui.open_page(page, f"s=ravine&n=12000&{runs}&v=contour&int=1")
    ui.wait_ready(page, "contour", 6, timeout=60_000)
    page.page.wait_for_function(
        f"() => ({FG}.layout.annotations || []).some((a) => "
        "(a.text || '').startsWith('optimizer internals: too many steps'))"
    )
    arrows_drawn(page.page, 0)
    page.assert_clean()
