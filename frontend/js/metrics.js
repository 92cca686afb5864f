// Binary-classifier metrics at any threshold, computed in the page from the ROC curve the
// server already sent: a threshold drag redraws in one frame with no request.
//
// The server's ROC has one point per distinct score (thresholds descending, the first +inf,
// sent as null), so the counts at any threshold t are exact: predicted positive means
// score >= t, which is the ROC point of the smallest distinct score >= t.

/** Index of the ROC point whose threshold is the smallest one >= t (0: nothing predicted positive). */
export function rocIndex(thresholds, t) {
  let lo = 0; // thresholds[0] is +inf (null): always >= t
  let hi = thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const v = thresholds[mid];
    if (v === null || v >= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const ratio = (a, b) => (b > 0 ? a / b : null);

/**
 * metricsAt({roc: {fpr, tpr, thresholds}, positives, negatives}, t) ->
 * {tp, fp, tn, fn, accuracy, errorRate, sensitivity, specificity, precision, fpr, tpr, confusion}
 * with confusion = [[TN, FP], [FN, TP]] (rows true 0/1, columns predicted), as the server's.
 */
export function metricsAt({ roc, positives, negatives }, t) {
  const i = rocIndex(roc.thresholds, t);
  const tp = Math.round((roc.tpr[i] ?? 0) * positives);
  const fp = Math.round((roc.fpr[i] ?? 0) * negatives);
  const fn = positives - tp;
  const tn = negatives - fp;
  const n = positives + negatives;
  return {
    tp, fp, tn, fn,
    accuracy: ratio(tp + tn, n),
    errorRate: ratio(fp + fn, n),
    sensitivity: ratio(tp, positives),
    specificity: ratio(tn, negatives),
    precision: ratio(tp, tp + fp),
    fpr: ratio(fp, negatives),
    tpr: ratio(tp, positives),
    confusion: [[tn, fp], [fn, tp]],
  };
}

/** The threshold-free part of a server metrics answer, or null (multiclass, regression, error). */
export function rocSource(report) {
  if (!report || !report.roc || !report.counts) return null;
  const c = report.counts;
  return { roc: report.roc, positives: c.tp + c.fn, negatives: c.fp + c.tn, auc: report.auc };
}

/**
 * The level set z = level of a grid z[j][i] over (x[i], y[j]) as line segments
 * [[x0, y0, x1, y1], ...] (marching squares, linear along each cell edge). Cells touching a
 * null are skipped. Drawn as one SVG path, a boundary moves without Plotly recomputing a trace.
 */
export function isoSegments(x, y, z, level) {
  const segs = [];
  const cross = (xa, ya, va, xb, yb, vb) => {
    const f = (level - va) / (vb - va);
    return [xa + f * (xb - xa), ya + f * (yb - ya)];
  };
  for (let j = 0; j + 1 < y.length; j++) {
    for (let i = 0; i + 1 < x.length; i++) {
      const v = [z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]];
      if (v.some((c) => c === null || c === undefined)) continue;
      const corners = [[x[i], y[j]], [x[i + 1], y[j]], [x[i + 1], y[j + 1]], [x[i], y[j + 1]]];
      const pts = [];
      for (let e = 0; e < 4; e++) {
        const a = e;
        const b = (e + 1) % 4;
        if ((v[a] >= level) !== (v[b] >= level)) pts.push(cross(...corners[a], v[a], ...corners[b], v[b]));
      }
      // two crossings: one segment; four (a saddle cell): pair them in edge order
      for (let k = 0; k + 1 < pts.length; k += 2) segs.push([...pts[k], ...pts[k + 1]]);
    }
  }
  return segs;
}

/** An SVG path ("M x y L x y ...") of segments, for a Plotly layout shape in data coordinates. */
export function segmentsPath(segs) {
  const n = (v) => Number(v.toPrecision(6));
  return segs.map(([a, b, c, d]) => `M${n(a)},${n(b)}L${n(c)},${n(d)}`).join("");
}

/**
 * rocOf(labels (N,) of 0/1, scores (N,)) -> {roc: {fpr, tpr, thresholds}, positives, negatives, auc}
 * in the server's form (one point per distinct score, descending, +inf sent as null first), so
 * metricsAt reads it as it reads the server's; auc by the trapezoid rule over the points.
 */
export function rocOf(labels, scores) {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const positives = labels.reduce((n, y) => n + (y ? 1 : 0), 0);
  const negatives = labels.length - positives;
  const thresholds = [null];
  const tpr = [0];
  const fpr = [0];
  let tp = 0;
  let fp = 0;
  order.forEach((i, k) => {
    if (labels[i]) tp += 1;
    else fp += 1;
    // one point per distinct score: emit after the last of a run of ties
    if (k + 1 === order.length || scores[order[k + 1]] !== scores[i]) {
      thresholds.push(scores[i]);
      tpr.push(positives ? tp / positives : 0);
      fpr.push(negatives ? fp / negatives : 0);
    }
  });
  let auc = 0;
  for (let k = 1; k < fpr.length; k++) auc += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
  return { roc: { fpr, tpr, thresholds }, positives, negatives, auc: positives && negatives ? auc : null };
}
