// Terminal velocity: the step length |θₖ₊₁ − θₖ| per iteration for every run (log axis) and, for
// a momentum run, the terminal velocity α/(1 − μ)|∇f(θₖ)| at every step (dashed), with both
// numbers and their ratio read out at the timeline position. The gradient
// comes from the path itself: the heavy ball p ← μp − α∇f, θ ← θ + p makes each step vₖ = pₖ,
// so αₖ∇f(θₖ) = μvₖ₋₁ − vₖ exactly (v₋₁ = 0), noise included.

import { h } from "../dom.js";
import { logTicks } from "../logticks.js";
import { baseLayout, CONFIG, cut, emitDrawn, fontSize } from "../plot.js";
import { stepLengths } from "./speed.js";

/** Optimizers written p ← μp − α∇f, θ ← θ + p, whose gradient the path gives back. */
const HEAVY_BALL = new Set(["heavy_ball"]);

/**
 * The terminal velocity α/(1 − μ)|∇f(θₖ)| at each step k = 0 .. n − 1 of a heavy-ball path
 * (x, y: n + 1 points), from αₖ∇f(θₖ) = μvₖ₋₁ − vₖ; null when μ >= 1 (no terminal velocity).
 */
export function terminalVelocity(x, y, mu) {
  if (!(mu < 1)) return null;
  const out = [];
  let px = 0;
  let py = 0;
  for (let k = 0; k + 1 < x.length; k++) {
    const vx = x[k + 1] - x[k];
    const vy = y[k + 1] - y[k];
    out.push(Math.hypot(mu * px - vx, mu * py - vy) / (1 - mu));
    px = vx;
    py = vy;
  }
  return out;
}

const fmt = (v) => Number(v.toPrecision(4)).toString();

export function createVelocityView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);

  function update(state, data) {
    const traces = [];
    const annotations = [];
    const font = state.present ? 20 : 13;
    state.runs.forEach((run, i) => {
      const res = data.runs?.[i];
      const x = res ? cut(res.x, state.t) : [];
      const y = res ? cut(res.y, state.t) : [];
      const len = stepLengths(x, y);
      const ks = len.map((_, k) => k + 1);
      const width = state.present ? 3 : 2;
      traces.push({ type: "scatter", mode: "lines", x: ks, y: len.map((v) => Math.max(v, 1e-16)),
        name: `run ${i + 1}: ${run.optimizer}`, line: { color: run.color, width } });
      const mu = run.hyperparams?.momentum;
      const term = HEAVY_BALL.has(run.optimizer) && len.length ? terminalVelocity(x, y, mu) : null;
      if (!term) return;
      traces.push({ type: "scatter", mode: "lines", x: ks, y: term.map((v) => Math.max(v, 1e-16)),
        name: `run ${i + 1}: α/(1 − μ)|∇f|`, line: { color: run.color, width: width * 0.7, dash: "dash" },
        hovertemplate: `run ${i + 1} terminal velocity<br>step %{x}: %{y:.4g}<extra></extra>` });
      const k = len.length - 1;
      if (term[k] > 0) {
        // mid-height, right-aligned: clear of a slow run at the bottom and the curves' start
        annotations.push({ xref: "paper", yref: "paper", x: 0.98, y: 0.55, xanchor: "right", yanchor: "top",
          yshift: -annotations.length * font * 3, showarrow: false, bgcolor: "rgba(255,255,255,0.9)",
          font: { size: font, color: run.color }, align: "right",
          text: `step ${k + 1}: |Δθ| = ${fmt(len[k])}<br>= ${fmt(len[k] / term[k])} × α/(1 − μ)|∇f|` });
      }
    });
    const base = baseLayout(state, { annotations });
    let yaxis = { title: { text: "step length" }, type: "log", exponentformat: "power" };
    const ys = traces.flatMap((t) => t.y).filter((v) => v > 0 && Number.isFinite(v));
    if (ys.length) {
      // our own ticks: a range under a decade would get Plotly's crowded minor-tick labels
      const lo = Math.min(...ys) / 1.3;
      const hi = Math.max(...ys) * 1.3;
      const px = Math.max(60, (gd.clientHeight || 300) - base.margin.t - base.margin.b);
      yaxis = { ...yaxis, range: [Math.log10(lo), Math.log10(hi)], autorange: false, tickmode: "array",
        ...logTicks(lo, hi, px, fontSize(state) * 1.2) };
    }
    Plotly.react(gd, traces, { ...base, xaxis: { title: { text: "iteration k" } }, yaxis }, CONFIG)
      .then(() => emitDrawn(el, "velocity"));
  }
  return { update, figure: () => ({ data: gd.data, layout: gd.layout }) };
}
