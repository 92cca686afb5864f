"""A class in one Chromium: a teacher's page and three students' pages in a room.

The teacher starts a class, drags the start, steps the scene and moves a slider; every
following student's plots show the very paths the teacher's page shows, and a following
student's page sends nothing on its own live channel (the results were computed once, for
the teacher). One student branches off to explore and returns with one click; the
teacher sees the counts. Then a question: each student votes, the teacher's histogram
shows the votes, and reveal shows the scene step's claims on every page. The same class
runs again with the students spread over two server processes joined by Redis.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCENE = "ravine"  # two steps, a contour, and claims on each step
STUDENTS = 3

# The contour's run paths as a comparable signature: per run, iterates and both ends (the
# drawn point count follows the plot's width, which the class bar changes).
SIGNATURE = """() => {
  const body = document.getElementById('view-contour');
  const fg = body ? body.querySelectorAll('.js-plotly-plot')[1] : null;
  if (!fg || !fg.data) return null;
  const runs = fg.data.filter((t) => t.mode === 'lines' && (t.name || '').startsWith('run '));
  if (!runs.length) return null;
  return JSON.stringify(runs.map((t) => [t.meta?.points, t.x[0], t.y[0], t.x.at(-1), t.y.at(-1)]));
}"""
SAME_AS = f"(want) => ({SIGNATURE})() === want"
SETTLED = "() => document.body.hasAttribute('data-settled') && !document.body.dataset.hashPending"


def contour_range(g) -> tuple[list[float], list[float]]:
    return g.page.evaluate(
        """() => { const gd = document.querySelectorAll('#view-contour .js-plotly-plot')[1];
        return [gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range]; }"""
    )


def teacher_signature(g) -> str:
    g.page.wait_for_function(SETTLED, timeout=30_000)
    g.page.wait_for_function(f"() => ({SIGNATURE})() !== null", timeout=30_000)
    return g.page.evaluate(SIGNATURE)


def follow(students, want: str) -> None:
    for s in students:
        s.page.wait_for_function(SAME_AS, arg=want, timeout=30_000)


def drag(g, ui, a: tuple[float, float], b: tuple[float, float]) -> None:
    start, end = ui.to_pixel(g, "contour", *a), ui.to_pixel(g, "contour", *b)
    g.page.mouse.move(*start)
    g.page.mouse.down()
    for k in range(1, 9):
        g.page.mouse.move(
            start[0] + (end[0] - start[0]) * k / 8, start[1] + (end[1] - start[1]) * k / 8
        )
        g.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
    g.page.mouse.up()


def counts(g, following: int, exploring: int) -> None:
    g.page.wait_for_function(
        "([f, e]) => { const c = document.getElementById('room-counts');"
        " return c && c.dataset.following === String(f) && c.dataset.exploring === String(e); }",
        arg=[following, exploring],
        timeout=20_000,
    )


@pytest.fixture(params=["one-server", "two-servers-redis"])
def hosts(request, server: str) -> tuple[str, list[str]]:
    """(the teacher's server, the servers students are spread over): one server with its
    in-process rooms, or two `losscape serve --redis` processes sharing one real Redis."""
    if request.param == "one-server":
        return server, [server]
    pair = request.getfixturevalue("redis_servers")
    return pair[0], pair


@pytest.fixture
def classroom(browser, hosts, ui) -> Iterator[tuple[object, list[object], list[list[str]]]]:
    server, bases = hosts
    contexts = [browser.new_context(viewport=ui.LAPTOP) for _ in range(STUDENTS + 1)]
    teacher = ui.guard(contexts[0], server)
    # students 1 and 3 on the teacher's server, student 2 on the other one (if two)
    students = [ui.guard(c, bases[i % len(bases)]) for i, c in enumerate(contexts[1:])]
    sent: list[list[str]] = [[] for _ in students]  # what each student sends on /api/live

    for s, log in zip(students, sent, strict=True):

        def on_socket(ws, log=log) -> None:
            if "/api/live" in ws.url:
                ws.on("framesent", lambda payload, log=log: log.append(str(payload)[:80]))

        s.page.on("websocket", on_socket)
    try:
        yield teacher, students, sent
        for g in [teacher, *students]:
            assert g.external == [], "the page must never leave the machine"
    finally:
        for c in contexts:
            c.close()


def test_a_class_follows_the_teacher_branches_returns_and_votes(classroom, ui) -> None:
    teacher, students, sent = classroom
    ui.open_page(teacher, f"scene={SCENE}")
    ui.wait_ready(teacher, "contour", 1)
    teacher.page.click("#start-class")
    teacher.page.wait_for_selector("#room-qr img")
    code = teacher.page.inner_text("#room-code").strip()
    assert len(code) == 8
    # the QR code's SVG loads (same origin, no script: the CSP stays strict)
    teacher.page.wait_for_function("() => document.querySelector('#room-qr img').naturalWidth > 0")
    ui.screenshot(teacher.page, "class-room-teacher")

    for s in students:
        ui.open_page(s, f"room={code}")
        s.page.wait_for_function("() => document.body.dataset.room === 'student:following'")
    counts(teacher, STUDENTS, 0)
    follow(students, teacher_signature(teacher))

    # The teacher drags the start: every student's paths end where the teacher's do.
    (x0, x1), (y0, y1) = contour_range(teacher)
    a = (x0 + 0.3 * (x1 - x0), y0 + 0.6 * (y1 - y0))
    b = (x0 + 0.7 * (x1 - x0), y0 + 0.35 * (y1 - y0))
    before = teacher_signature(teacher)
    drag(teacher, ui, a, b)
    dragged = teacher_signature(teacher)
    assert dragged != before
    follow(students, dragged)

    # The next scene step, then a slider: the students follow both.
    teacher.page.click("button[aria-label='next scene step']")
    teacher.page.wait_for_function(
        "() => document.querySelector('.step-label').textContent.includes('2 /')"
    )
    stepped = teacher_signature(teacher)
    follow(students, stepped)
    for s in students:
        assert "2 /" in s.page.inner_text(".step-label")
    teacher.page.evaluate(
        """() => { const r = document.querySelector('#controls input[type=range]');
        r.value = String(Math.round(Number(r.max) * 0.35));
        r.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    slid = teacher_signature(teacher)
    assert slid != stepped
    follow(students, slid)
    assert sent == [[] for _ in students], "a following student's page computes nothing itself"
    ui.screenshot(students[0].page, "class-room-student")

    # One student branches off (drags on their own contour) and comes back with one click.
    explorer = students[0]
    drag(explorer, ui, b, a)
    explorer.page.wait_for_selector("#room-follow")
    assert explorer.page.evaluate("() => document.body.dataset.room") == "student:exploring"
    counts(teacher, STUDENTS - 1, 1)
    explorer.page.wait_for_function(SETTLED)
    assert explorer.page.evaluate(SIGNATURE) != slid  # their own runs now
    assert sent[0], "an exploring student computes on their own live channel"
    ui.screenshot(explorer.page, "class-room-exploring")
    explorer.page.click("#room-follow")
    explorer.page.wait_for_function(SAME_AS, arg=slid, timeout=30_000)
    counts(teacher, STUDENTS, 0)

    # Predict, then reveal: a vote from each student reaches the teacher's histogram.
    teacher.page.fill("#room-prompt", "Which learning rate diverges?")
    teacher.page.fill("#room-choices", "0.001 | 0.01 | 0.1")
    teacher.page.click("#room-ask")
    picks = [2, 2, 0]
    for s, pick in zip(students, picks, strict=True):
        s.page.click(f"#room-question .room-choice[data-choice='{pick}']")
        s.page.wait_for_selector("#room-question .room-sent")
    want = [picks.count(i) for i in range(3)]
    teacher.page.wait_for_function(
        "(want) => JSON.stringify([...document.querySelectorAll('.tally-row')]"
        ".map((r) => Number(r.dataset.count))) === want",
        arg=json.dumps(want, separators=(",", ":")),
        timeout=20_000,
    )
    ui.screenshot(teacher.page, "class-room-tally")
    teacher.page.click("#room-reveal")
    teacher.page.wait_for_selector(".room-claims li")
    claims = teacher.page.eval_on_selector_all(
        ".room-claims li", "els => els.map((e) => e.textContent)"
    )
    assert claims, "reveal shows the claims of the question's scene step"
    for s in students:
        s.page.wait_for_selector("#room-reveal .room-claims li")
        shown = s.page.eval_on_selector_all(
            ".room-claims li", "els => els.map((e) => e.textContent)"
        )
        assert shown == claims
        rows = s.page.eval_on_selector_all(
            ".tally-row", "els => els.map((e) => Number(e.dataset.count))"
        )
        assert rows == want
    for g in [teacher, *students]:
        assert g.page_errors == [] and g.console_errors == []
