// metrics.js against counts made directly from labels and scores (the independent reference).
import assert from "node:assert/strict";
import test from "node:test";
import { metricsAt, rocIndex } from "../../frontend/js/metrics.js";

/** A seeded generator (mulberry32), so the cases are the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ROC as the server sends it: one point per distinct score, +inf (null) first. */
function serverRoc(labels, scores) {
  const distinct = [...new Set(scores)].sort((a, b) => b - a);
  const P = labels.filter(Boolean).length;
  const N = labels.length - P;
  const thresholds = [null, ...distinct];
  const at = (t) => labels.reduce((acc, y, i) => {
    if (t === null || scores[i] < t) return acc;
    return y ? [acc[0] + 1, acc[1]] : [acc[0], acc[1] + 1];
  }, [0, 0]);
  return { thresholds, tpr: thresholds.map((t) => at(t)[0] / P), fpr: thresholds.map((t) => at(t)[1] / N) };
}

function direct(labels, scores, t) {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  labels.forEach((y, i) => {
    const pos = scores[i] >= t;
    if (y && pos) tp++; else if (y) fn++; else if (pos) fp++; else tn++;
  });
  return { tp, fp, tn, fn };
}

test("counts at every threshold equal direct counting, ties included", () => {
  const r = rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(r() * 200);
    // rounded scores make ties; thresholds land on, between and outside the scores
    const scores = Array.from({ length: n }, () => Math.round(r() * 20) / 20);
    const labels = scores.map((s) => (r() < s ? 1 : 0));
    labels[0] = 1;
    labels[1] = 0;
    const roc = serverRoc(labels, scores);
    const P = labels.filter(Boolean).length;
    const src = { roc, positives: P, negatives: n - P };
    for (const t of [-0.5, 0, 0.025, 0.05, 0.33, 0.5, 0.5000001, 0.95, 1, 1.5]) {
      const m = metricsAt(src, t);
      const d = direct(labels, scores, t);
      assert.deepEqual({ tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn }, d, `trial ${trial} t ${t}`);
      assert.deepEqual(m.confusion, [[d.tn, d.fp], [d.fn, d.tp]]);
      assert.equal(m.accuracy, (d.tp + d.tn) / n);
      assert.equal(m.sensitivity, d.tp / P);
      assert.equal(m.specificity, d.tn / (n - P));
      assert.equal(m.precision, d.tp + d.fp ? d.tp / (d.tp + d.fp) : null);
    }
  }
});

test("rocIndex: above every score nothing is positive, at the lowest everything is", () => {
  const thr = [null, 0.9, 0.5, 0.1];
  assert.equal(rocIndex(thr, 2), 0);
  assert.equal(rocIndex(thr, 0.9), 1);
  assert.equal(rocIndex(thr, 0.6), 1);
  assert.equal(rocIndex(thr, 0.5), 2);
  assert.equal(rocIndex(thr, 0.1), 3);
  assert.equal(rocIndex(thr, -3), 3);
});

test("isoSegments: every endpoint lies on the level set of a linear field", async () => {
  const { isoSegments, segmentsPath } = await import("../../frontend/js/metrics.js");
  const x = Array.from({ length: 21 }, (_, i) => -1 + i / 10);
  const y = Array.from({ length: 11 }, (_, j) => -0.5 + j / 10);
  const z = y.map((yj) => x.map((xi) => 0.3 * xi - 0.7 * yj + 0.5));
  const segs = isoSegments(x, y, z, 0.6);
  assert.ok(segs.length >= 10);
  for (const [a, b, c, d] of segs) {
    assert.ok(Math.abs(0.3 * a - 0.7 * b + 0.5 - 0.6) < 1e-12);
    assert.ok(Math.abs(0.3 * c - 0.7 * d + 0.5 - 0.6) < 1e-12);
  }
  // a level outside the values draws nothing; a null cell is skipped
  assert.deepEqual(isoSegments(x, y, z, 5), []);
  z[5][14] = null; // (0.4, 0): its four cells hold the line
  assert.ok(isoSegments(x, y, z, 0.6).length < segs.length);
  assert.match(segmentsPath(segs.slice(0, 1)), /^M-?[\d.]+,-?[\d.]+L-?[\d.]+,-?[\d.]+$/);
});
