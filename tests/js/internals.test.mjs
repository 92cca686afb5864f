// The contour's optimizer internals: arrows from each run's point along its velocity, one
// gain for every run; step-scale crosses with arms in the ratio of the step scales.
import assert from "node:assert/strict";
import test from "node:test";
import { ARROW_SHARE, CROSS_SHARE, internalsParts } from "../../frontend/js/views/internals.js";

const box = [-2, 2, -1, 3]; // width 4
const state = (t) => ({ t, runs: [{ color: "#0072B2" }, { color: "#D55E00" }, { color: "#009E73" }] });
const runs = [
  { x: [0, 1, 2], y: [0, 0, 1],
    state: { velocity: [[0, 3, 1], [0, 4, 0]], step_scale: [[0, 0.5, 0.2], [0, 0.25, 0.1]] } },
  { x: [5, 6], y: [5, 7], state: { velocity: [[0, -0.5], [0, 0]] } },
  { x: [9, 9], y: [9, 9] }, // asked without record_state: nothing drawn
];

test("arrows start at the scrubbed point and share one gain (longest = ARROW_SHARE of width)", () => {
  const { annotations } = internalsParts(state(1), runs, box);
  assert.equal(annotations.length, 2);
  const gain = (ARROW_SHARE * 4) / 5; // |(3, 4)| = 5 is the longest velocity of all steps
  const [a, b] = annotations;
  assert.deepEqual([a.ax, a.ay], [1, 0]);
  assert.ok(Math.abs(a.x - (1 + 3 * gain)) < 1e-12 && Math.abs(a.y - 4 * gain) < 1e-12);
  assert.deepEqual([b.ax, b.ay], [6, 7]);
  assert.ok(Math.abs(b.x - (6 - 0.5 * gain)) < 1e-12 && b.y === 7);
  assert.equal(a.arrowcolor, "#0072B2");
});

test("crosses have arms in the ratio of the step scales, relative to the largest", () => {
  const { traces } = internalsParts(state(2), runs, box);
  assert.equal(traces.length, 1);
  const [t] = traces;
  const hx = (CROSS_SHARE * 4 * 0.2) / 0.5;
  const hy = (CROSS_SHARE * 4 * 0.1) / 0.5;
  assert.deepEqual(t.x, [2 - hx, 2 + hx, null, 2, 2]);
  assert.deepEqual(t.y, [1, 1, null, 1 - hy, 1 + hy]);
});

test("step 0 (no step taken: zero state) draws nothing; t past a short run uses its last point", () => {
  const { annotations, traces, note } = internalsParts(state(0), runs, box);
  assert.equal(annotations.length + traces.length, 0);
  assert.equal(note, null);
  assert.match(internalsParts(state(1), runs, box).note.text, /^arrows: velocity ×0\.144 · crosses/);
  const late = internalsParts(state(50), runs, box).annotations;
  assert.deepEqual(late.map((a) => [a.ax, a.ay]), [[2, 1], [6, 7]]);
  assert.deepEqual(internalsParts(state(null), runs, box).annotations.map((a) => a.ax), [2, 6]);
});

test("the page asks for state only while it fits the server's bound", async () => {
  const { stateFits } = await import("../../frontend/js/requests.js");
  const catalog = { limits: { max_state_values: 1_000_000, max_state_quantities: 7 } };
  assert.equal(stateFits(catalog, { steps: 2000 }, 16), true); // 16 x 2001 x 14 = 448,224
  assert.equal(stateFits(catalog, { steps: 20000 }, 6), false); // 6 x 20001 x 14 > 1e6
  assert.equal(stateFits(catalog, { steps: 11903 }, 6), true); // 6 x 11904 x 14 = 999,936
});
