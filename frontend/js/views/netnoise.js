// Mini-batch gradient variance against the batch size S (log-log) with the 1/S prediction.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, emitDrawn } from "../plot.js";

export function createNetNoiseView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const g = data.noise;
    const traces = [];
    if (g) {
      traces.push({ type: "scatter", mode: "markers+lines", x: g.sizes, y: g.variance, name: "measured",
        marker: { size: 8, color: "#0072B2" }, line: { color: "#0072B2" } });
      traces.push({ type: "scatter", mode: "lines", x: g.sizes, y: g.predicted, name: "σ²/S (sampling without replacement)",
        line: { color: "#D55E00", dash: "dash", width: 2 } });
    }
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { autorange: true, title: { text: "batch size S" }, type: "log" },
      yaxis: { autorange: true, title: { text: "variance" }, type: "log" },
      showlegend: true, legend: { orientation: "h", y: 1.02, x: 0 },
    })).then(() => emitDrawn(el, "noise", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
