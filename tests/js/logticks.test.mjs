// Log-axis ticks never crowd: consecutive labels sit at least 1.5 label heights apart.
import assert from "node:assert/strict";
import test from "node:test";
import { logTicks, tickLabel } from "../../frontend/js/logticks.js";

const spacing = (vals, lo, hi, px) => {
  const per = px / Math.log10(hi / lo);
  return Math.min(...vals.slice(1).map((v, i) => Math.log10(v / vals[i]) * per));
};

test("a narrow range on a short axis: few, spaced ticks (the crowded 0.12-0.6 curve)", () => {
  const { tickvals, ticktext } = logTicks(0.12, 0.6, 150, 20);
  assert.ok(tickvals.length >= 2 && tickvals.length <= 4, ticktext.join());
  assert.ok(spacing(tickvals, 0.12, 0.6, 150) >= 30, ticktext.join());
  assert.deepEqual(ticktext, ["0.2", "0.5"]);
});

test("a tall axis over the same range gets more ticks, still spaced", () => {
  const { tickvals } = logTicks(0.12, 0.6, 400, 14);
  assert.ok(tickvals.length >= 4, tickvals.join());
  assert.ok(spacing(tickvals, 0.12, 0.6, 400) >= 21);
});

test("many decades: powers of ten only", () => {
  const { tickvals, ticktext } = logTicks(1e-12, 10, 200, 14);
  assert.ok(tickvals.every((v) => Number.isInteger(Math.round(Math.log10(v) * 1e9) / 1e9)));
  assert.ok(spacing(tickvals, 1e-12, 10, 200) >= 21);
  assert.ok(ticktext.includes("10⁻⁶"), ticktext.join());
});

test("a range inside one nice step gets linear ticks", () => {
  const { tickvals } = logTicks(0.61, 0.69, 300, 14);
  assert.ok(tickvals.length >= 2, tickvals.join());
  assert.ok(tickvals.every((v) => v >= 0.61 && v <= 0.69));
});

test("labels are short", () => {
  assert.equal(tickLabel(0.15), "0.15");
  assert.equal(tickLabel(3e-5), "3×10⁻⁵");
  assert.equal(tickLabel(1e6), "10⁶");
});
