// Metrics at a decision threshold: the ROC curve with the current point and its AUC, the
// confusion matrix and the headline rates. The threshold slider lives in the panel header;
// every number at the threshold is computed here from the server's ROC (../metrics.js), so a
// drag redraws without a request.

import { h, setChildren } from "../dom.js";
import { metricsAt, rocSource } from "../metrics.js";
import { drawLatest } from "./netdraw.js";
import { createOverlay } from "./overlay.js";
import { baseLayout, createNotice, emitDrawn } from "../plot.js";

export function createNetMetricsView(el) {
  // ROC on the left, the rates and the confusion matrix beside it (CSSOM styles: CSP-safe)
  const gd = h("div", { class: "plot net-roc" });
  const table = h("div", { class: "net-confusion", "aria-live": "polite" });
  el.append(gd, table);
  const notice = createNotice(el);
  let memo = { m: undefined, traces: [] };
  const overlay = createOverlay(gd);
  let drawnKey = null;
  let point = null;

  function update(state, data) {
    const m = data.metrics;
    const src = rocSource(m);
    const at = src ? metricsAt(src, state.threshold) : null;
    // The ROC traces change with the answer only; the threshold's point is a layout shape, so a
    // drag redraws no trace.
    if (memo.m !== m) {
      memo = { m, traces: src ? [
        { type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], hoverinfo: "skip", line: { color: "#bbb", dash: "dot", width: 1 } },
        { type: "scatter", mode: "lines", x: src.roc.fpr, y: src.roc.tpr, name: "ROC",
          line: { color: "#1f77b4", width: 2.4 }, hovertemplate: "FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>" },
      ] : [] };
    }
    const traces = memo.traces;
    point = at ? [at.fpr ?? 0, at.tpr ?? 0] : null;
    const marks = point ? [{ circle: [...point, state.present ? 10 : 7], fill: "#d62728", stroke: "#fff", width: 2 }] : [];
    const rows = [];
    const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
    const line = (text) => h("div", { class: "net-rate" }, text);
    const confusion = at ? at.confusion : m?.confusion;
    if (at) {
      rows.push(line(`accuracy ${pct(at.accuracy)}`), line(`sensitivity ${pct(at.sensitivity)}`),
        line(`specificity ${pct(at.specificity)}`), line(`precision ${pct(at.precision)}`));
      if (src.auc !== undefined && src.auc !== null) rows.push(line(`AUC ${src.auc.toFixed(3)}`));
    } else if (m) {
      rows.push(line(`accuracy ${pct(m.accuracy)}`));
    }
    if (confusion) {
      const k = confusion.length;
      const head = h("tr", {}, [h("th", { scope: "col" }, "true \\ predicted"),
        ...confusion.map((_, j) => h("th", { scope: "col" }, String(j)))]);
      const body = confusion.map((r, i) => h("tr", {}, [h("th", { scope: "row" }, String(i)),
        ...r.map((v) => h("td", {}, String(v)))]));
      rows.push(h("table", { class: "confusion", "aria-label": `${k} by ${k} confusion matrix` }, [head, ...body]));
    }
    setChildren(table, rows);
    notice.show(data.metricsError || (data.task === "regression" ? "metrics need a classification data set" : ""));
    el.dataset.roc = at ? `${at.fpr ?? 0},${at.tpr ?? 0}` : "";
    // what the page shows, for tests and scripts: the matrix and the snapshot step (timeline)
    el.dataset.confusion = confusion ? JSON.stringify(confusion) : "";
    el.dataset.step = data.shownStep ?? "";
    const done = () => {
      overlay.draw(marks);
      emitDrawn(el, "metrics", { traces: traces.length, threshold: state.threshold, step: data.shownStep ?? null });
    };
    // A threshold drag changes only the point and the numbers: no Plotly call.
    // short axis titles where a long one would not fit (a projector, a phone)
    const short = state.present || gd.clientHeight < 260;
    if (drawnKey && drawnKey[0] === traces && drawnKey[1] === state.present && drawnKey[2] === short) {
      done();
      return;
    }
    drawnKey = [traces, state.present, short];
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { title: { text: short ? "FPR" : "false-positive rate" }, range: [-0.02, 1.02] },
      yaxis: { title: { text: short ? "TPR" : "true-positive rate" }, range: [-0.02, 1.02], scaleanchor: "x" },
    })).then(done);
  }
  const pointShape = () => (point ? [{ type: "circle", xref: "x", yref: "y", xsizemode: "pixel", ysizemode: "pixel",
    xanchor: point[0], yanchor: point[1], x0: -7, x1: 7, y0: -7, y1: 7, fillcolor: "#d62728", line: { color: "#fff", width: 2 } }] : []);
  return { update, figure: () => ({ data: gd.data, layout: { ...gd.layout, shapes: pointShape() } }) };
}
