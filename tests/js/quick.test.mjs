// views/quick.js: the parts a heavy view's quick layer paints during a drag.
import assert from "node:assert/strict";
import test from "node:test";
import { quickParts } from "../../frontend/js/views/quick.js";

test("a line trace keeps its colour, width and dash; a hidden trace is left out", () => {
  const [lines, markers] = quickParts([
    { type: "scatter", mode: "lines", x: [0, 1], y: [2, 3], line: { color: "#0072B2", width: 3, dash: "dot" } },
    { type: "scatter", mode: "lines", x: [0], y: [0], visible: false },
  ]);
  assert.deepEqual(lines, [{ x: [0, 1], y: [2, 3], color: "#0072B2", width: 3, dash: "dot" }]);
  assert.equal(markers.length, 0);
});

test("markers keep their symbol, size and colours, per point or shared", () => {
  const [lines, markers] = quickParts([
    { type: "scatter", mode: "lines+markers", x: [1e-3, 1e-2], y: [0.5, null],
      line: { color: "#333333", width: 2 }, marker: { size: 5, color: "#333333" } },
    { type: "scatter", mode: "markers", x: [0.5], y: [4], marker: { symbol: "x-thin-open", size: 10,
      color: "#D55E00", line: { width: 2.5 } } },
  ]);
  assert.equal(lines.length, 1);
  assert.deepEqual(markers, [
    { x: 1e-3, y: 0.5, size: 5, fill: "#333333", color: "#333333", symbol: undefined },
    { x: 1e-2, y: null, size: 5, fill: "#333333", color: "#333333", symbol: undefined },
    { x: 0.5, y: 4, size: 10, fill: "#D55E00", color: "#D55E00", symbol: "x-thin-open" },
  ]);
});

test("non-scatter traces (a contour, a heatmap) are not painted", () => {
  const [lines, markers] = quickParts([{ type: "heatmap", x: [0], y: [0], z: [[1]] }]);
  assert.equal(lines.length + markers.length, 0);
});
