// Data points over the model's output (decision boundary at 0.5 for a binary task).

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, emitDrawn } from "../plot.js";
import { RUN_COLORS } from "../palette.js";

export function createNetDataView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const pts = data.dataset;
    const traces = [];
    const b = data.boundary;
    if (b) {
      traces.push({
        // shaded from class 0's colour (output 0) to class 1's (output 1), as the dots
        type: "contour", x: b.x, y: b.y, z: b.values, name: "model output",
        colorscale: [[0, RUN_COLORS[0].hex], [0.5, "#ffffff"], [1, RUN_COLORS[1].hex]], zmin: 0, zmax: 1,
        opacity: 0.45, showscale: false, hoverinfo: "skip",
        contours: { coloring: "fill", start: 0, end: 1, size: 0.1 },
      });
      if (data.task === "binary") {
        traces.push({ type: "contour", x: b.x, y: b.y, z: b.values, showscale: false, hoverinfo: "skip",
          // the boundary at the page's threshold: a drag moves it without a request
          contours: { coloring: "none", start: state.threshold, end: state.threshold, size: 1 },
          line: { color: "#111", width: 2.5 }, name: `boundary (p = ${state.threshold})` });
      }
    }
    if (pts) {
      const byClass = new Map();
      pts.x.forEach((p, i) => {
        const c = pts.task === "regression" ? 0 : pts.t[i];
        if (!byClass.has(c)) byClass.set(c, { x: [], y: [], t: [] });
        const g = byClass.get(c);
        g.x.push(p[0]);
        g.y.push(p[1]);
        g.t.push(pts.t[i]);
      });
      for (const [c, g] of byClass) {
        traces.push({
          type: "scatter", mode: "markers", x: g.x, y: g.y, name: pts.task === "regression" ? "points" : `class ${c}`,
          marker: pts.task === "regression"
            ? { size: 6, color: g.t, colorscale: "Viridis", line: { width: 0.5, color: "#fff" } }
            : { size: 6, color: RUN_COLORS[c % RUN_COLORS.length].hex, line: { width: 0.5, color: "#fff" } },
          hovertemplate: `(%{x:.4g}, %{y:.4g})<extra>${pts.task === "regression" ? "" : `class ${c}`}</extra>`,
        });
      }
    }
    const names = pts?.feature_names || ["x1", "x2"];
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { autorange: true, title: { text: names[0] }, zeroline: false },
      yaxis: { autorange: true, title: { text: names[1] }, zeroline: false },
      showlegend: true, legend: { orientation: "h", y: 1.02, x: 0 },
    })).then(() => emitDrawn(el, "data", { traces: traces.length }));
  }
  return { update, figure: gd };
}
