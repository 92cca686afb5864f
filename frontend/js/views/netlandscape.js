// The exact loss over (w1, w2) of the 2-parameter regression, raw or normalised inputs, with
// the optimizer's path on it. The one-click toggle lives in the panel header.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, contourLevels, createNotice, emitDrawn } from "../plot.js";
import { SURFACE_SCALE } from "../palette.js";

export function createNetLandscapeView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);

  function update(state, data) {
    const L = data.landscape;
    const traces = [];
    if (L) {
      // log contours: the raw ravine spans many decades
      const z = L.values.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v, 1e-300)))));
      const lv = contourLevels(z, 24);
      traces.push({ type: "contour", x: L.a, y: L.b, z, colorscale: SURFACE_SCALE, showscale: false,
        contours: { coloring: "heatmap", start: lv.start, end: lv.end, size: lv.size },
        hovertemplate: "(%{x:.4g}, %{y:.4g})<br>log10 loss %{z:.3g}<extra></extra>" });
      for (const run of L.runs) {
        traces.push({ type: "scatter", mode: "lines+markers", x: run.a, y: run.b, name: run.optimizer,
          line: { color: "#d62728", width: 2.4 }, marker: { size: 3 } });
      }
      if (L.minimum) {
        traces.push({ type: "scatter", mode: "markers", x: [L.minimum[0]], y: [L.minimum[1]], name: "minimum",
          marker: { symbol: "star", size: 14, color: "#fff", line: { color: "#111", width: 1.5 } } });
      }
    }
    notice.show(data.landscapeError || (!L ? "the (w1, w2) landscape is for the 2-parameter linear regression" : ""));
    const names = L?.axis_names || ["w1", "w2"];
    drawLatest(gd, traces, baseLayout(state, {
      // presenter fonts in an equal-scale (narrowed) plot: fewer ticks, or their labels overlap
      xaxis: { title: { text: `${names[0]}${L && L.normalize ? " (normalised x)" : " (raw x)"}` },
        ...(L?.normalize ? { constrain: "range" } : {}), ...(state.present ? { nticks: 4 } : {}) },
      // normalised inputs: equal axis scales, so round contours look round (issue 9)
      // constrain "range": the equal scale widens the shorter range to fill the panel, so a
      // landscape much wider than tall is not squeezed into a strip with crowded ticks
      yaxis: { autorange: true, title: { text: names[1] }, ...(L?.normalize ? { scaleanchor: "x", scaleratio: 1, constrain: "range" } : {}),
        ...(state.present ? { nticks: 5 } : {}) },
    })).then(() => emitDrawn(el, "landscape", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
