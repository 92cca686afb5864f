// Training curves: train and validation loss (log axis) and accuracy (right axis) per record.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { logTicks } from "../logticks.js";
import { baseLayout, emitDrawn, fontSize } from "../plot.js";

export function createNetCurvesView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    let hist = data.history;
    const traces = [];
    // explicit ranges: autorange after a stream of frames can keep the empty plot's axes
    let lo = Infinity;
    let hi = -Infinity;
    let xmax = 1;
    if (hist) {
      for (const v of [...hist.train_loss, ...hist.validation_loss]) {
        if (v !== null && v > 0) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      xmax = Math.max(1, state.steps, hist.record_steps.at(-1) ?? 1);
      // the timeline (state.t) cuts every curve at that training step
      const n = state.t === null ? hist.record_steps.length : hist.record_steps.filter((v) => v <= state.t).length;
      const x = hist.record_steps.slice(0, n);
      const cut = (a) => (a ? a.slice(0, n) : a);
      hist = { ...hist, train_loss: cut(hist.train_loss), validation_loss: cut(hist.validation_loss),
        train_accuracy: cut(hist.train_accuracy), validation_accuracy: cut(hist.validation_accuracy) };
      traces.push({ type: "scatter", mode: "lines", x, y: hist.train_loss, name: "train loss",
        line: { color: "#1f77b4", width: 2.4 } });
      traces.push({ type: "scatter", mode: "lines", x, y: hist.validation_loss, name: "val. loss",
        line: { color: "#ff7f0e", width: 2.4, dash: "dash" } });
      if (hist.train_accuracy && hist.train_accuracy.some((v) => v !== null)) {
        traces.push({ type: "scatter", mode: "lines", x, y: hist.train_accuracy, name: "train acc.",
          yaxis: "y2", line: { color: "#2ca02c", width: 1.8 } });
        traces.push({ type: "scatter", mode: "lines", x, y: hist.validation_accuracy, name: "val. acc.",
          yaxis: "y2", line: { color: "#d62728", width: 1.8, dash: "dot" } });
      }
    }
    const margin = { l: state.present ? 76 : 60, r: state.present ? 76 : 60, t: state.present ? 34 : 28, b: state.present ? 60 : 44, autoexpand: false };
    let yaxis = { title: { text: "loss" }, type: "log", autorange: true };
    if (hi > 0) {
      const range = [Math.log10(lo) - 0.05, Math.log10(hi) + 0.05];
      // our own ticks: Plotly labels a narrow log range's minor ticks, which overlap when short
      const px = Math.max(60, (gd.clientHeight || 300) - margin.t - margin.b);
      const ticks = logTicks(10 ** range[0], 10 ** range[1], px, fontSize(state) * 1.2);
      yaxis = { ...yaxis, autorange: false, range, tickmode: "array", ...ticks };
    }
    drawLatest(gd, traces, baseLayout(state, {
      // the legend sits above the axes (short names: one row), never over the curves
      margin,
      xaxis: { title: { text: "step" }, range: [0, xmax] },
      yaxis,
      // own ticks: an overlaying axis syncs to the log loss axis by default (unreadable fractions)
      yaxis2: { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1.02], tickmode: "auto", showgrid: false },
      showlegend: true, legend: { orientation: "h", y: 1, yanchor: "bottom", x: 0, entrywidth: 0.25, entrywidthmode: "fraction", itemwidth: 30,
        font: { size: state.present ? 13 : 11 } },
    })).then(() => emitDrawn(el, "training", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
