// Hidden-unit weights over time: each first-layer weight's path across the recorded steps.
// From zero (or constant) initialisation the units' lines coincide: the symmetry never breaks.

import { h } from "../dom.js";
import { drawLatest } from "./netdraw.js";
import { baseLayout, stepMarker, createNotice, emitDrawn } from "../plot.js";
import { RUN_COLORS } from "../palette.js";

const MAX_LINES = 64;

export function createNetWeightsView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);

  function update(state, data) {
    const hist = data.history;
    const traces = [];
    if (hist && hist.snapshots && hist.snapshots.length) {
      const [rows, cols] = hist.layer_shapes[0] || [0, 0];
      const count = Math.min(rows * cols, MAX_LINES, hist.param_names.length);
      // the timeline (state.t) cuts every path at that training step
      const n = state.t === null ? hist.snapshot_steps.length : hist.snapshot_steps.filter((v) => v <= state.t).length;
      for (let k = 0; k < count; k++) {
        const unit = cols ? Math.floor(k / cols) : k;
        traces.push({
          type: "scatter", mode: "lines", x: hist.snapshot_steps.slice(0, n), y: hist.snapshots.slice(0, n).map((r) => r[k]),
          name: hist.param_names[k], line: { color: RUN_COLORS[unit % RUN_COLORS.length].hex, width: 1.6 },
          hovertemplate: `${hist.param_names[k]}<br>step %{x}: %{y:.4g}<extra></extra>`,
        });
      }
    }
    notice.show(hist && !traces.length ? "no weight snapshots for this run" : "");
    drawLatest(gd, traces, baseLayout(state, {
      xaxis: { range: [0, Math.max(1, state.steps)], title: { text: "step" } }, shapes: stepMarker(state.t), yaxis: { autorange: true, title: { text: "weight" } },
    })).then(() => emitDrawn(el, "weights", { traces: traces.length }));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
