// Training curves: train and validation loss (log axis) and accuracy (right axis) per record.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, emitDrawn } from "../plot.js";

export function createNetCurvesView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const hist = data.history;
    const traces = [];
    if (hist) {
      const x = hist.record_steps;
      traces.push({ type: "scatter", mode: "lines", x, y: hist.train_loss, name: "train loss",
        line: { color: "#1f77b4", width: 2.4 } });
      traces.push({ type: "scatter", mode: "lines", x, y: hist.validation_loss, name: "validation loss",
        line: { color: "#ff7f0e", width: 2.4, dash: "dash" } });
      if (hist.train_accuracy && hist.train_accuracy.some((v) => v !== null)) {
        traces.push({ type: "scatter", mode: "lines", x, y: hist.train_accuracy, name: "train accuracy",
          yaxis: "y2", line: { color: "#2ca02c", width: 1.8 } });
        traces.push({ type: "scatter", mode: "lines", x, y: hist.validation_accuracy, name: "validation accuracy",
          yaxis: "y2", line: { color: "#d62728", width: 1.8, dash: "dot" } });
      }
    }
    drawLatest(gd, traces, baseLayout(state, {
      margin: { l: 60, r: 60, t: 10, b: 44, autoexpand: false },
      xaxis: { autorange: true, title: { text: "step" } },
      yaxis: { autorange: true, title: { text: "loss" }, type: "log" },
      yaxis2: { title: { text: "accuracy" }, overlaying: "y", side: "right", range: [0, 1.02] },
      showlegend: true, legend: { orientation: "h", y: 1.02, x: 0 },
    })).then(() => emitDrawn(el, "training", { traces: traces.length }));
  }
  return { update, figure: gd };
}
