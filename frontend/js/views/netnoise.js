// Mini-batch gradient variance against the batch size S (log-log) with the 1/S prediction.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { fittedLogAxis } from "../logticks.js";
import { baseLayout, emitDrawn, fontSize } from "../plot.js";

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
    // our own log ticks: Plotly's minor-tick labels (7, 8, 9 ...) overlap on a small panel
    const base = baseLayout(state);
    const font = fontSize(state);
    const w = (gd.clientWidth || 400) - base.margin.l - base.margin.r;
    const hgt = (gd.clientHeight || 300) - base.margin.t - base.margin.b;
    const xs = g ? g.sizes : [];
    const ys = g ? [...g.variance, ...g.predicted].filter((v) => v !== null) : [];
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { title: { text: "batch size S" }, type: "log", ...fittedLogAxis(xs, w, font * 3) },
      yaxis: { title: { text: "variance" }, type: "log", ...fittedLogAxis(ys, hgt, font * 1.2) },
      showlegend: true, legend: { orientation: "h", y: 1.02, x: 0 },
    })).then(() => emitDrawn(el, "noise", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
