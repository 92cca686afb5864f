// Basin fills against the run colours, in normal vision and simulated protanopia
// (Machado, Oliveira & Fernandes 2009, severity 1), by CIE76 colour difference in Lab.
import assert from "node:assert/strict";
import test from "node:test";
import { BASIN_COLORS, RUN_COLORS } from "../../frontend/js/palette.js";

const PROTAN = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];

function linear(hex) {
  return [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}
function lab(rgb) {
  const [r, g, b] = rgb.map((v) => Math.min(1, Math.max(0, v)));
  const xyz = [0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
    0.0193 * r + 0.1192 * g + 0.9505 * b];
  const white = [0.95047, 1, 1.08883];
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = xyz.map((v, i) => f(v / white[i]));
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const protan = (rgb) => PROTAN.map((row) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]);
const dE = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

test("no basin fill looks like a run's colour", () => {
  for (const basin of BASIN_COLORS) {
    for (const run of RUN_COLORS) {
      for (const sim of [(x) => x, protan]) {
        const d = dE(lab(sim(linear(basin))), lab(sim(linear(run.hex))));
        assert.ok(d > 20, `${basin} vs ${run.name} ${run.hex}: ΔE ${d.toFixed(1)}`);
      }
    }
  }
});

test("the first four basin fills stay distinct from each other under protanopia", () => {
  const four = BASIN_COLORS.slice(0, 4);
  for (let i = 0; i < four.length; i++) {
    for (let j = i + 1; j < four.length; j++) {
      const d = dE(lab(protan(linear(four[i]))), lab(protan(linear(four[j]))));
      assert.ok(d > 8, `${four[i]} vs ${four[j]}: ΔE ${d.toFixed(1)} under protanopia`);
    }
  }
});
