// The two learning-rate sweeps' request bodies (requests.js): one builder, both checked here.
import assert from "node:assert/strict";
import test from "node:test";
import { clampedRange, lrMomentumBody, lrSweepBody } from "../../frontend/js/requests.js";
import { normalize } from "../../frontend/js/state.js";
import { CATALOG } from "./catalog.mjs";

const decade = (hi) => hi / 10;

test("a range is clamped to its bounds and never empty", () => {
  assert.deepEqual(clampedRange(1e-9, 50, 1e-6, 10, decade), [1e-6, 10]);
  assert.deepEqual(clampedRange(0.01, 1, 1e-6, 10, decade), [0.01, 1]);
  // crossed sliders: lo drops to a decade below hi
  assert.deepEqual(clampedRange(2, 1, 1e-6, 10, decade), [0.1, 1]);
  // an additive floor (momentum): lo at most hi - 0.01
  const [lo, hi] = clampedRange(0.9, 0.5, 0, 0.999, (h) => h - 0.01);
  assert.equal(hi, 0.5);
  assert.ok(Math.abs(lo - 0.49) < 1e-12);
});

test("the lr sweep asks for run 1 at the page's lrs, with its noise and schedule", () => {
  const s = normalize(CATALOG, { surface: "quadratic", runs: [{ optimizer: "gd" }], noise: 2, batch_size: 4, seed: 3,
    sweep: { lr_min: 1e-3, lr_max: 0.5, count: 30 } });
  assert.deepEqual(lrSweepBody(CATALOG, s), {
    surface: { name: "quadratic", params: { kappa: 10 } },
    optimizer: "gd", hyperparams: {}, start: [1.5, 1], steps: 200,
    lr_min: 1e-3, lr_max: 0.5, count: 30,
    schedule: { name: "constant", params: {} }, noise: 2, batch_size: 4, seed: 3,
    curves: false,
  });
});

test("an lr range beyond the optimizer's bounds is clamped to them (gd: 1e-6 to 10)", () => {
  const s = normalize(CATALOG, { runs: [{ optimizer: "gd" }], sweep: { lr_min: 1e-8, lr_max: 500, count: 10 } });
  const body = lrSweepBody(CATALOG, s);
  assert.deepEqual([body.lr_min, body.lr_max], [1e-6, 10]);
});

test("the lr x momentum map sweeps the first momentum run, without noise", () => {
  const s = normalize(CATALOG, {
    runs: [{ optimizer: "gd" }, { optimizer: "momentum", hyperparams: { momentum: 0.5 }, start: [1, -1] }],
    noise: 2, batch_size: 4,
    lrm: { lr_min: 2, lr_max: 1, lr_count: 9, momentum_min: 0.2, momentum_max: 1, momentum_count: 7 },
  });
  const body = lrMomentumBody(CATALOG, s);
  assert.deepEqual(body, {
    surface: { name: "quadratic", params: { kappa: 10 } },
    optimizer: "momentum", hyperparams: { momentum: 0.5 }, start: [1, -1], steps: 200,
    // crossed lrs: a decade below the top; momentum up to the catalog's 0.999
    lr_min: 0.1, lr_max: 1, lr_count: 9,
    momentum_min: 0.2, momentum_max: 0.999, momentum_count: 7,
  });
});

test("both sweeps describe the same run the same way when run 1 has momentum", () => {
  const s = normalize(CATALOG, { runs: [{ optimizer: "momentum", lr: 0.02 }],
    sweep: { lr_min: 1e-3, lr_max: 1, count: 20 }, lrm: { lr_min: 1e-3, lr_max: 1 } });
  const a = lrSweepBody(CATALOG, s);
  const b = lrMomentumBody(CATALOG, s);
  for (const key of ["surface", "optimizer", "hyperparams", "start", "steps", "lr_min", "lr_max"]) {
    assert.deepEqual(a[key], b[key], key);
  }
});

test("no momentum optimizer among the runs: no lr x momentum request", () => {
  const s = normalize(CATALOG, { runs: [{ optimizer: "gd" }, { optimizer: "newton" }] });
  assert.equal(lrMomentumBody(CATALOG, s), null);
});
