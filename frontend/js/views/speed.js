// Step length |θₖ₊₁ − θₖ| per iteration for every run (log axis): momentum's speed-up to
// α/(1 − μ)|∇f| on a gentle slope and a diverging run's growth are read off directly.

import { h } from "../dom.js";
import { baseLayout, CONFIG, cut, emitDrawn } from "../plot.js";

/** The step lengths of one path: |(x, y)ₖ₊₁ − (x, y)ₖ| for k = 0 .. n − 1. */
export function stepLengths(x, y) {
  return x.slice(1).map((xi, k) => Math.hypot(xi - x[k], y[k + 1] - y[k]));
}

export function createSpeedView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const traces = state.runs.map((run, i) => {
      const res = data.runs?.[i];
      const len = res ? stepLengths(cut(res.x, state.t), cut(res.y, state.t)) : [];
      return { type: "scatter", mode: "lines", x: len.map((_, k) => k + 1), y: len.map((v) => Math.max(v, 1e-16)),
        name: `run ${i + 1}: ${run.optimizer}`, line: { color: run.color, width: state.present ? 3 : 2 } };
    });
    Plotly.react(gd, traces, baseLayout(state, {
      xaxis: { title: { text: "iteration k" } },
      yaxis: { title: { text: "step length" }, type: "log", exponentformat: "power" },
    }), CONFIG).then(() => emitDrawn(el, "speed"));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
