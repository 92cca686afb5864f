// Hidden activations: the first hidden layer's histogram over time (a heat map), with the
// fraction of dead ReLUs and of saturated logistic / tanh units at the last record. The
// statistics come at a few of the records (histogram_steps: first, last, evenly between);
// an older answer without histogram_steps had them at every record (record_steps).

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, stepMarker, createNotice, emitDrawn } from "../plot.js";

export function createNetHistView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);

  function update(state, data) {
    let hist = data.history;
    const steps = hist ? hist.histogram_steps || hist.record_steps : null;
    if (hist && steps) hist = { ...hist, steps };
    if (hist && state.t !== null && steps) {
      // the timeline (state.t) shows the statistics records up to that training step
      const n = Math.max(1, steps.filter((v) => v <= state.t).length);
      const cut = (a) => (Array.isArray(a) ? a.slice(0, n) : a);
      hist = { ...hist, steps: cut(steps), histograms: cut(hist.histograms),
        dead_fraction: cut(hist.dead_fraction), saturated_fraction: cut(hist.saturated_fraction) };
    }
    const traces = [];
    let title = "";
    if (hist && hist.histograms && hist.histograms.length && hist.histograms[0].length) {
      const edges = Array.isArray(hist.histogram_edges[0]) ? hist.histogram_edges[0] : hist.histogram_edges;
      const centers = edges.slice(0, -1).map((e, i) => (e + edges[i + 1]) / 2);
      const z = centers.map((_, b) => hist.histograms.map((r) => r[0][b]));
      traces.push({ type: "heatmap", x: hist.steps, y: centers, z, colorscale: "Greys", reversescale: true, // empty bins white, crowded ones dark
        showscale: false, hovertemplate: "step %{x}<br>activation %{y:.3g}: %{z:.3g}<extra></extra>" });
      const last = hist.dead_fraction.length - 1;
      const dead = hist.dead_fraction[last]?.[0];
      const sat = hist.saturated_fraction[last]?.[0];
      title = `dead ${fmt(dead)} · saturated ${fmt(sat)}`;
      traces.push({ type: "scatter", mode: "lines", x: hist.steps, y: hist.dead_fraction.map((r) => r[0]),
        yaxis: "y2", name: "dead fraction", line: { color: "#d62728", width: 2 } });
      traces.push({ type: "scatter", mode: "lines", x: hist.steps, y: hist.saturated_fraction.map((r) => r[0]),
        yaxis: "y2", name: "saturated fraction", line: { color: "#1f77b4", width: 2, dash: "dash" } });
    }
    notice.show(hist && !traces.length ? "no hidden layer in this model" : "");
    el.dataset.fractions = title;
    drawLatest(gd, traces, baseLayout(state, {
      margin: { l: 60, r: 60, t: 28, b: 44, autoexpand: false },
      title: { text: title, font: { size: 13 }, y: 0.98 },
      xaxis: { range: [0, Math.max(1, state.steps)], title: { text: "step" } }, shapes: stepMarker(state.t), yaxis: { autorange: true, title: { text: "activation" } },
      yaxis2: { title: { text: "fraction" }, overlaying: "y", side: "right", range: [0, 1], tickmode: "auto", showgrid: false },
    })).then(() => emitDrawn(el, "activations", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}

function fmt(v) {
  return v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`;
}
