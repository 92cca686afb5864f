// Batch-size study: steps to reach the target loss against S (Shallue et al. 2018's shape:
// a linear speed-up, then diminishing returns), with perfect scaling from S = 1 for reference.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { fittedLogAxis } from "../logticks.js";
import { baseLayout, emitDrawn, fontSize } from "../plot.js";

export function createNetStudyView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const s = data.study;
    const traces = [];
    if (s) {
      traces.push({ type: "scatter", mode: "markers+lines", x: s.sizes, y: s.steps, name: "steps to target",
        marker: { size: 8, color: "#009E73" }, line: { color: "#009E73", width: 2.4 } });
      const first = s.steps.find((v) => v !== null);
      if (first) {
        traces.push({ type: "scatter", mode: "lines", x: s.sizes, y: s.sizes.map((S) => first * s.sizes[0] / S),
          name: "perfect scaling", line: { color: "#999", dash: "dot" } });
      }
    }
    // our own log ticks: Plotly's minor-tick labels (7, 8, 9 ...) overlap on a small panel
    const base = baseLayout(state);
    const font = fontSize(state);
    const w = (gd.clientWidth || 400) - base.margin.l - base.margin.r;
    const hgt = (gd.clientHeight || 300) - base.margin.t - base.margin.b;
    const xs = s ? s.sizes : [];
    const ys = s ? [...s.steps, ...s.sizes.map((S) => (s.steps.find((v) => v !== null) || 0) * s.sizes[0] / S)].filter((v) => v !== null) : [];
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { title: { text: "batch size S" }, type: "log", ...fittedLogAxis(xs, w, font * 3) },
      yaxis: { title: { text: "steps" }, type: "log", ...fittedLogAxis(ys, hgt, font * 1.2) },
      showlegend: true, legend: { orientation: "h", y: 1.02, x: 0 },
    })).then(() => emitDrawn(el, "study", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
