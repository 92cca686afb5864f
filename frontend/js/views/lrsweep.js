// Learning-rate sweep: final loss vs log lr for run 1's optimizer; the 2/lambda_max edge and
// GD's fastest rate 2/(lambda_min + lambda_max) marked.

import { h } from "../dom.js";
import { fmt } from "../format.js";
import { baseLayout, CONFIG, createNotice, criticalPoints, emitDrawn } from "../plot.js";
import { logTicks } from "../logticks.js";
import { surfaceSpec } from "../state.js";
import { createQuickLayer } from "./quick.js";
import { logOffset } from "./curves.js";

const TINY = 1e-16;

export function createLrSweepView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);
  const quick = createQuickLayer(el, gd);

  /** The plot's traces and layout (null before the sweep's answer): one build for Plotly and the quick layer. */
  function build(state, data) {
    const sw = data.lrSweep;
    notice.show(sw ? "" : data.pending?.sweep_lr ? "running the sweep…" : "");
    if (!sw) return null;
    const spec = surfaceSpec(data.catalog, state.surface);
    const runs = data.runs || [];
    const finite = sw.final_loss.filter((v) => v !== null);
    const pseudo = [{ loss: finite }, ...runs.filter(Boolean).map((r) => ({ loss: [r.loss[r.loss.length - 1]] }))];
    const offset = logOffset(pseudo, criticalPoints(data, spec));
    const val = (v) => (v === null ? null : Math.max(v - offset, TINY));
    const ys = sw.final_loss.map(val);
    // the runs' own markers count too: a run at the best lr may end below every swept value
    const marks = state.runs.map((run, i) => runs[i] && run.optimizer === state.runs[0].optimizer
      && runs[i].status !== "diverged" ? val(runs[i].loss[runs[i].loss.length - 1]) : null);
    const fin = [...ys, ...marks].filter((v) => v !== null);
    const lo = fin.length ? Math.min(...fin) : 1e-3;
    const hi = fin.length ? Math.max(...fin) : 1;
    const a = Math.log10(lo);
    const b = Math.log10(Math.max(hi, lo * 10));
    const range = [a - 0.08 * (b - a), b + 0.18 * (b - a)];
    const top = 10 ** (b + 0.1 * (b - a));
    const size = state.present ? 1.5 : 1;
    const font = state.present ? 20 : 13;
    const bad = sw.lrs.map((lr, i) => (sw.final_loss[i] === null ? lr : null)).filter((v) => v !== null);
    const traces = [{
      type: "scatter", mode: "lines+markers", x: sw.lrs, y: ys, name: "final loss",
      line: { color: "#333333", width: 2 * size }, marker: { size: 5 * size, color: "#333333" },
      connectgaps: false, hovertemplate: "lr %{x:.3g}: final f %{y:.4g}<extra></extra>",
    }];
    if (bad.length) {
      traces.push({ type: "scatter", mode: "markers", x: bad, y: bad.map(() => top), name: "diverged",
        marker: { symbol: "x-thin-open", size: 10 * size, color: "#D55E00", line: { width: 2.5 } },
        hovertemplate: "lr %{x:.3g}: diverged<extra></extra>" });
    }
    const swept = state.runs[0].optimizer;
    state.runs.forEach((run, i) => {
      const res = runs[i];
      if (!res || run.optimizer !== swept) return;
      const last = res.loss[res.loss.length - 1];
      const diverged = res.status === "diverged";
      traces.push({ type: "scatter", mode: "markers", x: [run.lr], y: [diverged ? top : val(last)],
        name: `run ${i + 1}`, marker: { size: 13 * size, color: run.color, symbol: diverged ? "x" : "circle",
          line: { color: "#ffffff", width: 1.5 } },
        hovertemplate: `run ${i + 1}: lr %{x:.3g}<extra></extra>` });
    });
    const shapes = [];
    const annotations = [];
    if (sw.edge_lr) {
      shapes.push({ type: "line", x0: sw.edge_lr, x1: sw.edge_lr, yref: "paper", y0: 0, y1: 1,
        line: { color: "#D55E00", width: 2, dash: "dash" } });
      // right of the edge only diverged runs lie (their crosses sit at the top): room for the label
      annotations.push({ x: Math.log10(sw.edge_lr), y: 0.6, xref: "x", yref: "paper", xanchor: "left",
        yanchor: "middle", showarrow: false, text: `2/λ_max = ${fmt(sw.edge_lr)}`,
        font: { color: "#D55E00", size: font }, bgcolor: "rgba(255,255,255,0.85)" });
    }
    if (sw.optimal_lr) {
      shapes.push({ type: "line", x0: sw.optimal_lr, x1: sw.optimal_lr, yref: "paper", y0: 0, y1: 1,
        line: { color: "#009E73", width: 2, dash: "dot" } });
      // bottom left of the optimum: the sweep's curve lies higher there
      annotations.push({ x: Math.log10(sw.optimal_lr), y: 0.02, xref: "x", yref: "paper", xanchor: "right",
        yanchor: "bottom", showarrow: false, text: `2/(λ_min+λ_max) = ${fmt(sw.optimal_lr)}`,
        font: { color: "#00734f", size: font }, bgcolor: "rgba(255,255,255,0.85)" });
    }
    const base = baseLayout(state);
    const layout = {
      ...base,
      margin: { ...base.margin, l: base.margin.l + font * 1.2 },
      xaxis: { type: "log", title: { text: `learning rate (${swept})`, standoff: 2 },
        exponentformat: "power", showline: true, dtick: 1 },
      yaxis: { type: "log", range, autorange: false, title: { text: offset ? "final f − f* (log)" : "final f (log)", standoff: 4 },
        exponentformat: "power", showline: true, tickmode: "array",
        // spaced by label height: a fixed number of decades per tick overlaps on a projector
        ...logTicks(10 ** range[0], 10 ** range[1], Math.max(60, (gd.clientHeight || 300) - base.margin.t - base.margin.b), font * 1.2) },
      shapes,
      annotations,
    };
    return { traces, layout };
  }

  function update(state, data) {
    const fig = build(state, data);
    if (!fig) return;
    Plotly.react(gd, fig.traces, fig.layout, CONFIG).then(() => {
      quick.clear();
      emitDrawn(el, "lr_sweep");
    });
  }

  /** During a drag: the same traces on the quick layer (the shell redraws with update after). */
  function drawQuick(state, data) {
    const fig = build(state, data);
    if (fig) quick.paint(fig.traces, fig.layout);
  }

  return { update, quick: drawQuick, name: "lr_sweep", figure: () => ({ data: gd.data, layout: gd.layout,
    width: gd.clientWidth, height: gd.clientHeight }) };
}
