// network/steps.js (the views at a training step) against values worked out by hand and against
// direct counting; the browser test (tests/browser/test_network_timeline.py) checks the same
// numbers against the server's trained snapshots.
import assert from "node:assert/strict";
import test from "node:test";
import { metricsAt, rocOf } from "../../frontend/js/metrics.js";
import {
  boundaryWith, createStepData, forward, metricsWith, scorerAt, snapshotIndex, unpack,
} from "../../frontend/js/network/steps.js";

test("snapshotIndex picks the last snapshot at or before t", () => {
  const steps = [0, 10, 20, 300];
  assert.equal(snapshotIndex(steps, 0), 0);
  assert.equal(snapshotIndex(steps, 9), 0);
  assert.equal(snapshotIndex(steps, 10), 1);
  assert.equal(snapshotIndex(steps, 299), 2);
  assert.equal(snapshotIndex(steps, 1000), 3);
});

test("unpack reads W row-major then b, per layer, and infers the bias from the length", () => {
  // 2 -> 2 -> 1 with biases: W1 = [[1, 2], [3, 4]], b1 = [5, 6], W2 = [[7, 8]], b2 = [9]
  const layers = unpack([1, 2, 3, 4, 5, 6, 7, 8, 9], [[2, 2], [1, 2]]);
  assert.deepEqual(layers, [{ W: [[1, 2], [3, 4]], b: [5, 6] }, { W: [[7, 8]], b: [9] }]);
  const bare = unpack([1, 2], [[1, 2]]);
  assert.deepEqual(bare, [{ W: [[1, 2]], b: null }]);
});

test("unpack reads gamma and beta after each hidden layer's b with batch normalisation", () => {
  // 2 -> 1 -> 1: W1 = [[1, 2]], b1 = [3], gamma1 = [4], beta1 = [5], W2 = [[6]], b2 = [7]
  const layers = unpack([1, 2, 3, 4, 5, 6, 7], [[1, 2], [1, 1]], true);
  assert.deepEqual(layers, [{ W: [[1, 2]], b: [3], gamma: [4], beta: [5] }, { W: [[6]], b: [7] }]);
});

test("forward normalises a hidden unit with the given mean and variance, then gamma and beta", () => {
  const layers = unpack([1, 2, 3, 4, 5, 6, 7], [[1, 2], [1, 1]], true);
  // x = (1, 1): z = 1 + 2 + 3 = 6; mean 2, var 4 - 1e-5: z_hat = 4 / 2 = 2; y = 4 * 2 + 5 = 13
  const stats = [[[2], [4 - 1e-5]]];
  const relu = forward(layers, "relu", null, [1, 1], stats);
  assert.ok(Math.abs(relu[0] - (6 * 13 + 7)) < 1e-9);
});

test("forward normalises x, applies the hidden activation and leaves the output linear", () => {
  const layers = unpack([1, -1, 0.5, 2, 0, 0.25, 3, -2, 0.1], [[2, 2], [1, 2]]);
  const norm = { mu: [1, 2], sigma: [2, 4] };
  // W1 = [[1, -1], [0.5, 2]], b1 = [0, 0.25], W2 = [[3, -2]], b2 = [0.1]
  // x = (3, 6) -> x~ = (1, 1); hidden z = (1 - 1 + 0, 0.5 + 2 + 0.25) = (0, 2.75)
  const [z] = forward(layers, "relu", norm, [3, 6]);
  assert.ok(Math.abs(z - (3 * 0 - 2 * 2.75 + 0.1)) < 1e-12);
  const [zt] = forward(layers, "tanh", norm, [3, 6]);
  assert.ok(Math.abs(zt - (3 * Math.tanh(0) - 2 * Math.tanh(2.75) + 0.1)) < 1e-12);
  const [zl] = forward(layers, "logistic", norm, [3, 6]);
  const sig = (v) => 1 / (1 + Math.exp(-v));
  assert.ok(Math.abs(zl - (3 * 0.5 - 2 * sig(2.75) + 0.1)) < 1e-12);
});

test("rocOf gives one point per distinct score and the counts metricsAt reads", () => {
  const labels = [1, 0, 1, 1, 0, 0, 1, 0];
  const scores = [0.9, 0.8, 0.8, 0.6, 0.4, 0.3, 0.3, 0.1];
  const src = rocOf(labels, scores);
  assert.deepEqual(src.roc.thresholds, [null, 0.9, 0.8, 0.6, 0.4, 0.3, 0.1]);
  assert.deepEqual(src.roc.tpr, [0, 0.25, 0.5, 0.75, 0.75, 1, 1]);
  assert.deepEqual(src.roc.fpr, [0, 0, 0.25, 0.25, 0.5, 0.75, 1]);
  // pairs (positive, negative) ranked correctly, ties half: 4 + 3.5 + 3 + 1.5 = 12 of 16
  assert.ok(Math.abs(src.auc - 12 / 16) < 1e-12);
  const at = metricsAt(src, 0.5); // predicted positive: 0.9, 0.8, 0.8, 0.6
  assert.deepEqual([at.tp, at.fp, at.tn, at.fn], [3, 1, 3, 1]);
});

// A one-layer logistic model z = w . x~ + b: its scores are easy to write down.
const hist = {
  task: "binary", layer_shapes: [[1, 2]], model_params: { activation: "" },
  normalization: { mu: [0, 0], sigma: [1, 1] },
  snapshot_steps: [0, 50, 100],
  snapshots: [[0, 0, 0], [1, 0, 0], [4, 0, -1]],
};
const dataset = { x: [[-1, 0], [0.5, 3], [1, -2], [2, 1]], t: [0, 0, 1, 1], train: [], validation: [0, 1, 2, 3], classes: 2 };

test("scorerAt scores with the snapshot shown at step t", () => {
  const s = scorerAt(hist, 60);
  assert.equal(s.step, 50);
  assert.ok(Math.abs(s.score([2, 7]) - 1 / (1 + Math.exp(-2))) < 1e-12);
  assert.equal(scorerAt({ ...hist, snapshots: null }, 60), null);
});

test("metricsWith and boundaryWith follow the snapshot", () => {
  const s = scorerAt(hist, 100).score; // z = 4 x1 - 1: positive iff x1 >= 0.25
  const m = metricsWith(dataset, "binary", s);
  assert.deepEqual(m.confusion, [[1, 1], [0, 2]]);
  assert.equal(m.accuracy, 0.75);
  const b = boundaryWith({ x: [0, 0.25, 1], y: [5, 6], values: [[0, 0, 0], [0, 0, 0]], classes: null }, s);
  assert.deepEqual(b.values.map((r) => r.map((v) => Number(v.toFixed(6)))), [[0.268941, 0.5, 0.952574], [0.268941, 0.5, 0.952574]]);
  const flat = metricsWith(dataset, "binary", scorerAt(hist, 0).score); // every score 0.5
  assert.deepEqual(flat.confusion, [[0, 2], [0, 2]]);
});

test("createStepData leaves the final answers at t = null and memoises per snapshot", () => {
  const at = createStepData();
  const data = { history: hist, dataset, boundary: { x: [0], y: [0], values: [[0.1]], classes: null }, metrics: { roc: {} } };
  assert.equal(at({ t: null }, data), data);
  const a = at({ t: 70 }, data);
  const b = at({ t: 99 }, data); // the same snapshot (step 50)
  assert.equal(a.shownStep, 50);
  assert.equal(a.metrics, b.metrics);
  assert.notEqual(at({ t: 100 }, data).metrics, a.metrics);
});

test("with K classes the boundary is the largest probability and its class, the matrix K x K", () => {
  // softmax regression on x~ = x: logits (x1, x2, 0)
  const multi = { task: "multiclass", layer_shapes: [[3, 2]], model_params: { activation: "" },
    normalization: { mu: [0, 0], sigma: [1, 1] }, snapshot_steps: [0], snapshots: [[1, 0, 0, 1, 0, 0, 0, 0, 0]] };
  const s = scorerAt(multi, 0).score;
  const p = s([Math.log(2), 0]); // exp: (2, 1, 1) / 4
  assert.deepEqual(p.map((v) => Number(v.toFixed(12))), [0.5, 0.25, 0.25]);
  const b = boundaryWith({ x: [Math.log(2), -5], y: [0, -5], values: [[0, 0], [0, 0]], classes: [[0, 0], [0, 0]] }, s);
  assert.ok(Math.abs(b.values[0][0] - 0.5) < 1e-12);
  assert.deepEqual(b.classes, [[0, 1], [0, 2]]); // (-5, 0): logits (-5, 0, 0), the first of the tie
  const pts = { x: [[3, 0], [0, 3], [-3, -3], [2, 1]], t: [0, 1, 2, 1], validation: [0, 1, 2, 3], classes: 3 };
  const m = metricsWith(pts, "multiclass", s);
  assert.deepEqual(m.confusion, [[1, 0, 0], [1, 1, 0], [0, 0, 1]]);
  assert.equal(m.accuracy, 0.75);
});
