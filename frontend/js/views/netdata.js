// Data points over the model's output, and a binary task's decision boundary at the threshold.

import { h } from "../dom.js";
import { isoSegments, segmentsPath } from "../metrics.js";
import { drawLatest } from "./netdraw.js";
import { createOverlay } from "./overlay.js";
import { baseLayout, emitDrawn } from "../plot.js";
import { RUN_COLORS } from "../palette.js";

export function createNetDataView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  // The traces depend on the answers only, so they are built once per answer; a threshold drag
  // changes nothing but the boundary, drawn as a layout shape (no trace recomputed).
  let memo = { key: null, traces: [] };
  const overlay = createOverlay(gd);
  let drawnKey = null;
  let boundary = [];

  function tracesFor(data) {
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
        // legend entry only: the line itself is the layout shape below
        traces.push({ type: "scatter", mode: "lines", x: [null], y: [null], name: "boundary",
          line: { color: "#111", width: 2.5 }, hoverinfo: "skip" });
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
    return traces;
  }

  function update(state, data) {
    const key = [data.dataset, data.boundary, data.task];
    if (!memo.key || key.some((v, k) => v !== memo.key[k])) memo = { key, traces: tracesFor(data) };
    const { traces } = memo;
    const pts = data.dataset;
    const b = data.boundary;
    const segs = b && data.task === "binary" ? isoSegments(b.x, b.y, b.values, state.threshold) : [];
    boundary = segs;
    const names = pts?.feature_names || ["x1", "x2"];
    const layout = baseLayout(state, {
      xaxis: { autorange: true, title: { text: names[0] }, zeroline: false },
      yaxis: { autorange: true, title: { text: names[1] }, zeroline: false },
      showlegend: true, legend: { orientation: "h", y: 1, yanchor: "bottom", x: 0, font: { size: state.present ? 13 : 11 } },
    });
    // room above the axes for the legend, so it never covers the points
    layout.margin = { ...layout.margin, t: state.present ? 34 : 28 };
    el.dataset.step = data.shownStep ?? "";
    const marks = segs.length ? [{ segments: segs, stroke: "#111", width: 2.5 }] : [];
    // A threshold drag changes only the boundary: no Plotly call, the overlay moves it.
    const drawKey = [traces, state.present, layout.xaxis.title.text, layout.yaxis.title.text];
    if (drawnKey && drawKey.every((v, k) => v === drawnKey[k])) {
      overlay.draw(marks);
      emitDrawn(el, "data", { traces: traces.length, threshold: state.threshold, step: data.shownStep ?? null });
      return;
    }
    drawnKey = drawKey;
    drawLatest(gd, traces, layout).then(() => {
      overlay.draw(marks);
      emitDrawn(el, "data", { traces: traces.length, threshold: state.threshold, step: data.shownStep ?? null });
    });
  }
  return { update, figure: () => ({ data: gd.data, layout: { ...gd.layout, shapes: boundary.length
    ? [{ type: "path", xref: "x", yref: "y", path: segmentsPath(boundary), line: { color: "#111", width: 2.5 } }] : [] } }) };
}
