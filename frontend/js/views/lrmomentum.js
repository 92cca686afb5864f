// (learning rate x momentum) map of final loss for the first run with a momentum-like
// hyperparameter; diverged cells in their own colour, the run's own (lr, momentum) marked.

import { h } from "../dom.js";
import { DIVERGED_COLOR } from "../palette.js";
import { baseLayout, CONFIG, createNotice, emitDrawn } from "../plot.js";
import { momentumRun } from "../requests.js";

function logTicks(lo, hi) {
  const vals = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) vals.push(e);
  return { tickvals: vals, ticktext: vals.map((e) => `1e${e}`) };
}

export function createLrMomentumView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);

  function update(state, data) {
    const found = momentumRun(data.catalog, state);
    if (!found) {
      notice.show("Give one run an optimizer with momentum (or beta1) to map lr × momentum.");
      Plotly.purge(gd);
      return;
    }
    const m = data.lrm;
    if (!m) {
      notice.show(data.pending?.sweep_lr_momentum ? "computing the map…" : "");
      return;
    }
    notice.show("");
    let lo = Infinity;
    for (const row of m.final_loss) for (const v of row) if (v !== null && v < lo) lo = v;
    const offset = lo <= 0 ? lo - 1e-12 : 0;
    const z = m.final_loss.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v - offset, 1e-16)))));
    const diverged = m.status.map((row) => row.map((s) => (s === "diverged" || s === "escaped" ? 1 : null)));
    const lx = m.lrs.map(Math.log10);
    const size = state.present ? 1.5 : 1;
    const traces = [
      { type: "heatmap", x: lx, y: m.momenta, z, colorscale: "Viridis", reversescale: true,
        colorbar: { thickness: 12, title: { text: offset ? "log₁₀(f−f*)" : "log₁₀ f", side: "top" } },
        hovertemplate: `lr 10^%{x:.2f}, ${m.hyperparam} %{y:.3f}<br>log₁₀ final f %{z:.2f}<extra></extra>` },
      { type: "heatmap", x: lx, y: m.momenta, z: diverged, showscale: false, hoverinfo: "skip",
        colorscale: [[0, DIVERGED_COLOR], [1, DIVERGED_COLOR]], zmin: 0, zmax: 1 },
      { type: "scatter", mode: "markers", x: [Math.log10(found.run.lr)], y: [found.run.hyperparams[found.name]],
        name: `run ${found.index + 1}`, marker: { size: 14 * size, color: found.run.color,
          line: { color: "#ffffff", width: 2 } }, hovertemplate: `run ${found.index + 1}<extra></extra>` },
      { type: "scatter", mode: "markers", x: [null], y: [null], name: "diverged",
        marker: { symbol: "square", size: 12, color: DIVERGED_COLOR }, showlegend: true },
    ];
    const base = baseLayout(state);
    const layout = {
      ...base,
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.7)" },
      margin: { ...base.margin, r: 80, t: 34 },
      xaxis: { title: { text: `learning rate (${found.run.optimizer})`, standoff: 2 }, showline: true,
        ...logTicks(lx[0], lx[lx.length - 1]) },
      yaxis: { title: { text: m.hyperparam, standoff: 4 }, showline: true },
    };
    Plotly.react(gd, traces, layout, CONFIG).then(() => emitDrawn(el, "lr_momentum"));
  }

  return { update, name: "lr_momentum", figure: () => ({ data: gd.data, layout: gd.layout,
    width: gd.clientWidth, height: gd.clientHeight }) };
}
