// Gradient check: backprop against central differences per parameter, with a switch that
// breaks the backward pass on purpose so the check can be seen to catch it.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, emitDrawn } from "../plot.js";

export function createNetGradcheckView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const c = data.gradcheck;
    const traces = [];
    if (c) {
      traces.push({ type: "scatter", mode: "markers", x: c.numeric, y: c.analytic, text: c.names,
        name: "parameters", marker: { size: 7, color: c.passed ? "#009E73" : "#D55E00" },
        hovertemplate: "%{text}<br>finite difference %{x:.4g}<br>backprop %{y:.4g}<extra></extra>" });
      const all = [...c.numeric, ...c.analytic].filter((v) => v !== null);
      const lo = Math.min(...all);
      const hi = Math.max(...all);
      traces.push({ type: "scatter", mode: "lines", x: [lo, hi], y: [lo, hi], name: "agreement",
        line: { color: "#999", dash: "dot" }, hoverinfo: "skip" });
    }
    el.dataset.passed = c ? String(c.passed) : "";
    const title = c ? (c.passed ? `✓ gradients agree (max relative error ${c.max_relative_error.toExponential(1)})`
      : `✗ check fails: max relative error ${c.max_relative_error.toExponential(1)}`) : "";
    drawLatest(gd, traces, baseLayout(state, {
      margin: { l: 60, r: 16, t: 28, b: 44, autoexpand: false },
      title: { text: title, font: { size: 13 }, y: 0.98 },
      xaxis: { autorange: true, title: { text: "finite difference" } }, yaxis: { autorange: true, title: { text: "backprop" } },
    })).then(() => emitDrawn(el, "gradcheck", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
