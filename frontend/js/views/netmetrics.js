// Metrics at a decision threshold: the ROC curve with the current point and its AUC, the
// confusion matrix and the headline rates. The threshold slider lives in the panel header.

import { h, setChildren } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, createNotice, emitDrawn } from "../plot.js";

export function createNetMetricsView(el) {
  // ROC on the left, the rates and the confusion matrix beside it (CSSOM styles: CSP-safe)
  const gd = h("div", { class: "plot net-roc", style: { right: "38%" } });
  const table = h("div", { class: "net-confusion", "aria-live": "polite",
    style: { position: "absolute", top: "0", right: "0", bottom: "0", width: "37%", overflow: "auto",
      padding: "8px", fontSize: "0.95rem" } });
  el.append(gd, table);
  const notice = createNotice(el);

  function update(state, data) {
    const m = data.metrics;
    const traces = [];
    const rows = [];
    if (m && m.roc) {
      traces.push({ type: "scatter", mode: "lines", x: [0, 1], y: [0, 1], hoverinfo: "skip",
        line: { color: "#bbb", dash: "dot", width: 1 } });
      traces.push({ type: "scatter", mode: "lines", x: m.roc.fpr, y: m.roc.tpr, name: "ROC",
        line: { color: "#1f77b4", width: 2.4 }, hovertemplate: "FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>" });
      traces.push({ type: "scatter", mode: "markers", x: [1 - m.specificity], y: [m.sensitivity],
        name: "threshold", marker: { size: 14, color: "#d62728", line: { color: "#fff", width: 2 } },
        hovertemplate: `threshold ${state.threshold}<br>FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>` });
    }
    if (m) {
      const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
      const line = (text) => h("div", { class: "net-rate" }, text);
      rows.push(line(`accuracy ${pct(m.accuracy)}`));
      if (m.sensitivity !== undefined) {
        rows.push(line(`sensitivity ${pct(m.sensitivity)}`), line(`specificity ${pct(m.specificity)}`),
          line(`precision ${pct(m.precision)}`));
      }
      if (m.auc !== undefined && m.auc !== null) rows.push(line(`AUC ${m.auc.toFixed(3)}`));
      const k = m.confusion.length;
      const head = h("tr", {}, [h("th", {}, "true \\ predicted"), ...m.confusion.map((_, j) => h("th", {}, String(j)))]);
      const body = m.confusion.map((row, i) => h("tr", {}, [h("th", {}, String(i)), ...row.map((v) => h("td", {}, String(v)))]));
      rows.push(h("table", { class: "confusion", style: { marginTop: "8px", borderCollapse: "collapse" }, "aria-label": `${k} by ${k} confusion matrix` }, [head, ...body]));
    }
    setChildren(table, rows);
    notice.show(data.metricsError || (data.task === "regression" ? "metrics need a classification data set" : ""));
    el.dataset.roc = m && m.roc ? `${1 - m.specificity},${m.sensitivity}` : "";
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { title: { text: "false-positive rate" }, range: [-0.02, 1.02] },
      yaxis: { title: { text: "true-positive rate" }, range: [-0.02, 1.02], scaleanchor: "x" },
    })).then(() => emitDrawn(el, "metrics", { traces: traces.length }));
  }
  return { update, figure: gd };
}
