// The network page's views at a training step t, computed in the page from data it already has:
// the training run's weight snapshots (history.snapshots, one parameter vector theta per
// snapshot step), the data set's points and the boundary answer's grid. Scrubbing the timeline
// therefore sends no request: the boundary and the metrics at step t are one forward pass each.
//
// theta's layout is the server's (networks/mlp.py, Architecture.param_names): per layer l with
// shape (n_out, n_in), W_l row-major (W_l[j][i] at offset j * n_in + i), then b_l (n_out) when
// the model has biases, then with batch normalisation gamma_l and beta_l (n_out each) for a
// hidden layer. Hidden layers apply the activation, the last layer is linear; a binary
// model's score is sigmoid(z), a multiclass model's the softmax, a regression's z itself.
// Batch normalisation evaluates as the server does: z_hat = (z - mean) / sqrt(var + eps) with
// the training points' statistics at that snapshot (history.snapshot_norm).

const BN_EPS = 1e-5; // networks/batchnorm.py BN_EPS

import { metricsAt, rocOf } from "../metrics.js";

const ACTIVATIONS = {
  tanh: Math.tanh,
  logistic: (z) => 0.5 + 0.5 * Math.tanh(0.5 * z), // the kernel's form (no overflow)
  relu: (z) => (z > 0 ? z : 0),
  "": (z) => z,
};

/** Index of the last snapshot step <= t (0 when t precedes every snapshot). */
export function snapshotIndex(steps, t) {
  let k = 0;
  for (let i = 0; i < steps.length; i++) if (steps[i] <= t) k = i;
  return k;
}

/**
 * unpack(theta (P,), layerShapes [[n_out, n_in], ...], batchNorm) ->
 *   [{W: (n_out x n_in) rows, b: (n_out) | null, and with batch normalisation gamma, beta (n_out)}].
 * Whether the model has biases follows from P: sum(n_out n_in) without, plus sum(n_out) with
 * (plus 2 n_out per hidden layer with batch normalisation).
 */
export function unpack(theta, layerShapes, batchNorm = false) {
  const weights = layerShapes.reduce((n, [o, i]) => n + o * i, 0);
  const norms = batchNorm ? 2 * layerShapes.slice(0, -1).reduce((n, [o]) => n + o, 0) : 0;
  const bias = theta.length > weights + norms;
  const layers = [];
  let off = 0;
  layerShapes.forEach(([nOut, nIn], l) => {
    const W = [];
    for (let j = 0; j < nOut; j++) W.push(theta.slice(off + j * nIn, off + (j + 1) * nIn));
    off += nOut * nIn;
    const b = bias ? theta.slice(off, off + nOut) : null;
    if (bias) off += nOut;
    let gamma = null;
    let beta = null;
    if (batchNorm && l < layerShapes.length - 1) {
      gamma = theta.slice(off, off + nOut);
      beta = theta.slice(off + nOut, off + 2 * nOut);
      off += 2 * nOut;
    }
    layers.push(gamma ? { W, b, gamma, beta } : { W, b });
  });
  return layers;
}

/**
 * The model's raw outputs z (n_out,) at one point of raw features x (2,). `stats`: per hidden
 * layer [mean (n_out), var (n_out)] for batch normalisation (null without it).
 */
export function forward(layers, activation, norm, x, stats = null) {
  const phi = ACTIVATIONS[activation] || ACTIVATIONS[""];
  let a = x.map((v, i) => (v - (norm?.mu?.[i] ?? 0)) / (norm?.sigma?.[i] ?? 1));
  layers.forEach(({ W, b, gamma, beta }, l) => {
    const last = l === layers.length - 1;
    a = W.map((row, j) => {
      let z = b ? b[j] : 0;
      for (let i = 0; i < row.length; i++) z += row[i] * a[i];
      if (gamma && stats?.[l]) z = gamma[j] * (z - stats[l][0][j]) / Math.sqrt(stats[l][1][j] + BN_EPS) + beta[j];
      return last ? z : phi(z);
    });
  });
  return a;
}

/** Scores from outputs z: P(positive) (binary), class probabilities (multiclass), z_0 (regression). */
export function scoresOf(task, z) {
  if (task === "regression") return z[0];
  if (task === "binary") return 1 / (1 + Math.exp(-Math.max(-745, Math.min(745, z[0]))));
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/** A scorer for the snapshot shown at step t: (x) -> score, or null without snapshots. */
export function scorerAt(history, t) {
  if (!history?.snapshots?.length || !history.snapshot_steps) return null;
  const k = snapshotIndex(history.snapshot_steps, t);
  const batchNorm = Boolean(history.model_params?.batch_norm);
  if (batchNorm && !history.snapshot_norm?.[k]) return null; // cannot evaluate as the server does
  const layers = unpack(history.snapshots[k], history.layer_shapes, batchNorm);
  const act = history.model_params?.activation || "";
  const stats = batchNorm ? history.snapshot_norm[k] : null;
  const score = (x) => scoresOf(history.task, forward(layers, act, history.normalization, x, stats));
  return { step: history.snapshot_steps[k], index: k, score };
}

/**
 * The boundary answer's grid {x, y, values, classes} re-evaluated with a scorer: values[j][i]
 * the score at (x[i], y[j]); with K classes the largest probability and its class, as the server's.
 */
export function boundaryWith(boundary, score) {
  const cells = boundary.y.map((yv) => boundary.x.map((xv) => score([xv, yv])));
  if (!Array.isArray(cells[0]?.[0])) return { ...boundary, values: cells };
  const top = (p) => Math.max(...p);
  return { ...boundary, values: cells.map((r) => r.map(top)), classes: cells.map((r) => r.map((p) => p.indexOf(top(p)))) };
}

/**
 * The metrics answer's shape at one snapshot, from the validation points' scores: binary
 * {task, n, accuracy, counts, confusion, roc, auc} (threshold 0.5, as the server's request);
 * multiclass {task, n, accuracy, confusion K x K} from the largest probability.
 */
export function metricsWith(dataset, task, score) {
  const idx = dataset.validation;
  const labels = idx.map((i) => dataset.t[i]);
  const scores = idx.map((i) => score(dataset.x[i]));
  if (task === "binary") {
    const src = rocOf(labels, scores);
    const at = metricsAt(src, 0.5);
    return { task, n: labels.length, accuracy: at.accuracy, confusion: at.confusion, auc: src.auc,
      roc: src.roc, counts: { tp: at.tp, fp: at.fp, tn: at.tn, fn: at.fn } };
  }
  const k = dataset.classes;
  const confusion = Array.from({ length: k }, () => new Array(k).fill(0));
  let right = 0;
  scores.forEach((p, n) => {
    const guess = p.indexOf(Math.max(...p));
    confusion[labels[n]][guess] += 1;
    if (guess === labels[n]) right += 1;
  });
  return { task, n: labels.length, accuracy: labels.length ? right / labels.length : null, confusion };
}

/**
 * createStepData() -> (state, data) -> data with `boundary` and `metrics` at the timeline's step
 * (state.t), and `shownStep` the snapshot's step. At the end of the run (t = null), or without
 * snapshots, `data` is returned as it is: the server's answers for the final model. Memoised on
 * (history, snapshot, answers), so a threshold drag or a redraw does no forward pass.
 */
export function createStepData() {
  let memo = { key: null, out: null };
  return (state, data) => {
    const hist = data.history;
    if (state.t === null || !data.dataset || hist?.task === "regression") return data;
    const scorer = scorerAt(hist, state.t);
    if (!scorer) return data;
    const key = [hist, scorer.index, data.dataset, data.boundary, data.metrics];
    if (!memo.key || key.some((v, i) => v !== memo.key[i])) {
      memo = { key, out: {
        boundary: data.boundary ? boundaryWith(data.boundary, scorer.score) : data.boundary,
        metrics: data.metrics ? metricsWith(data.dataset, hist.task, scorer.score) : data.metrics,
        shownStep: scorer.step,
      } };
    }
    return { ...data, ...memo.out };
  };
}

/** A panel factory whose view is updated with the data at the timeline's step (createStepData). */
export function atStep(factory) {
  return (el, ctx) => {
    const view = factory(el, ctx);
    const stepData = createStepData();
    return { ...view, update: (state, data) => view.update(state, stepData(state, data)) };
  };
}

/** A row's deps on the timeline: the step and, while one is shown, the run its snapshots come from. */
export const stepDeps = (s, d) => [s.t, s.t === null ? null : d.history];
