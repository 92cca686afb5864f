// The contour's quick layer during a drag: the foreground's scatter traces as polylines and
// circles, each with its own colours (what the canvas paints while Plotly waits).
import assert from "node:assert/strict";
import test from "node:test";
import { pathTraces } from "../../frontend/js/views/contour.js";
import { quickParts } from "../../frontend/js/views/quick.js";

const state = {
  t: null,
  runs: [{ optimizer: "gd", lr: 0.1, color: "#0072B2" }, { optimizer: "adam", lr: 0.01, color: "#D55E00" }],
};
const runs = [
  { x: [0, 1, 2], y: [0, 1, 0], status: "converged", loss: [3, 2, 1] },
  { x: [5, 6], y: [5, 7], status: "diverged", loss: [1, 9] },
];

test("each run is one polyline in its colour and width, over every point it draws", () => {
  const [lines] = quickParts(pathTraces(state, runs));
  assert.deepEqual(lines.map((l) => [l.x, l.y, l.color, l.width]), [
    [[0, 1, 2], [0, 1, 0], "#0072B2", 2.6],
    [[5, 6], [5, 7], "#D55E00", 2.6],
  ]);
});

test("end and start markers keep their per-run fill and outline", () => {
  const [, markers] = quickParts(pathTraces(state, runs));
  const ends = markers.slice(0, 2);
  const starts = markers.slice(2);
  assert.deepEqual(ends.map((m) => [m.x, m.y, m.fill, m.color]), [
    [2, 0, "#0072B2", "#0072B2"],
    [6, 7, "#D55E00", "#D55E00"],
  ]);
  assert.deepEqual(ends.map((m) => m.size), [10, 14]); // a diverged run's end is larger
  assert.deepEqual(starts.map((m) => [m.x, m.y, m.fill, m.color, m.size]), [
    [0, 0, "#ffffff", "#0072B2", 11],
    [5, 5, "#ffffff", "#D55E00", 11],
  ]);
});

test("traces other than scatter are left to the redraw after the drag", () => {
  const [lines, markers] = quickParts([{ type: "contour", x: [0], y: [0], z: [[1]] }]);
  assert.deepEqual([lines, markers], [[], []]);
});
