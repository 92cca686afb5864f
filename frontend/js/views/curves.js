// Training curves: loss vs iteration for every run, linear or log; diverged runs cut and labelled.

import { h } from "../dom.js";
import { statusText } from "../format.js";
import { logTicks } from "../logticks.js";
import { baseLayout, CONFIG, criticalPoints, emitDrawn, fontSize } from "../plot.js";
import { surfaceSpec } from "../state.js";
import { createQuickLayer } from "./quick.js";

const TINY = 1e-16;

/** The value subtracted before a log axis: the lowest known minimum or loss when either is <= 0. */
export function logOffset(runs, points) {
  let lo = Infinity;
  for (const p of points) if (p.kind === "minimum" && Number.isFinite(p.f)) lo = Math.min(lo, p.f);
  for (const r of runs) if (r) for (const v of r.loss) if (v !== null && v < lo) lo = v;
  return lo <= 0 ? lo : 0;
}

export function createCurvesView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const quick = createQuickLayer(el, gd);

  /** The plot's traces and layout for `state` and `data`: one build for Plotly and the quick layer. */
  function build(state, data) {
    const runs = data.runs || [];
    const spec = surfaceSpec(data.catalog, state.surface);
    const offset = state.logy ? logOffset(runs, criticalPoints(data, spec)) : 0;
    const val = (v) => (v === null ? null : state.logy ? Math.max(v - offset, TINY) : v);
    const size = state.present ? 1.5 : 1;
    const font = state.present ? 20 : 13;
    const traces = [];
    const annotations = [];
    let lo = Infinity;
    let hi = -Infinity;
    const grow = (v) => {
      if (v !== null && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    };
    state.runs.forEach((run, i) => {
      const res = runs[i];
      if (!res) return;
      const y = res.loss.map(val);
      const bad = res.status === "diverged" || res.status === "escaped";
      // A diverging run's last values explode: keep them out of a linear axis's range (a log
      // axis shows the blow-up whole: the loss it really reached).
      const keep = bad && !state.logy ? Math.max(1, Math.ceil(y.length * 0.5)) : y.length;
      y.slice(0, keep).forEach(grow);
      traces.push({
        type: "scatter", mode: "lines", x: y.map((_, k) => k), y, name: `run ${i + 1}: ${run.optimizer}`,
        line: { color: run.color, width: 2.4 * size },
        hovertemplate: offset
          ? `run ${i + 1} (${run.optimizer})<br>step %{x}: f − (${Number(offset.toPrecision(6))}) = %{y:.4g}<extra></extra>`
          : `run ${i + 1} (${run.optimizer})<br>step %{x}: %{y:.4g}<extra></extra>`,
      });
      if (state.averaging && res.avg_loss) {
        traces.push({ type: "scatter", mode: "lines", x: res.avg_loss.map((_, k) => k),
          y: res.avg_loss.map(val), name: `run ${i + 1} iterate average`, hoverinfo: "skip",
          line: { color: run.color, width: 1.8 * size, dash: "dot" } });
      }
      if (bad) {
        const k = y.length - 1;
        traces.push({ type: "scatter", mode: "markers", x: [k], y: [y[k]], hoverinfo: "skip",
          marker: { symbol: "x-thin-open", size: 14 * size, color: run.color, line: { width: 3 } },
          cliponaxis: true });
        annotations.push({ x: k, y: 1, xref: "x", yref: "paper", yanchor: "top",
          text: `✕ run ${i + 1} ${statusText(res)}`, showarrow: false, yshift: -4 - 22 * size * annotations.length,
          font: { color: run.color, size: font }, bgcolor: "rgba(255,255,255,0.9)" });
      }
    });
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    let range;
    if (state.logy) {
      const a = Math.log10(Math.max(lo, TINY));
      const b = Math.log10(Math.max(hi, lo * 10, TINY * 10));
      range = [a - 0.05 * (b - a || 1), b + 0.08 * (b - a || 1)];
    } else {
      const pad = 0.06 * (hi - lo || Math.abs(hi) || 1);
      range = [lo - pad, hi + pad];
    }
    const shapes = [];
    if (state.t !== null) {
      shapes.push({ type: "line", x0: state.t, x1: state.t, yref: "paper", y0: 0, y1: 1,
        line: { color: "#555", width: 1.5, dash: "dot" } });
    }
    const base = baseLayout(state);
    // A log axis gets our own ticks: Plotly labels a narrow range's minor ticks, which overlap.
    let logAxisTicks = {};
    if (state.logy) {
      const px = Math.max(60, (gd.clientHeight || 300) - base.margin.t - base.margin.b);
      logAxisTicks = { tickmode: "array", ...logTicks(10 ** range[0], 10 ** range[1], px, fontSize(state) * 1.2) };
    }
    // A short title that fits any panel: the subtracted value itself is in the hover text.
    const ytitle = state.logy ? (offset ? "f − f_min (log)" : "f (log)") : "f";
    const layout = {
      ...base,
      xaxis: { title: { text: "iteration", standoff: 2 }, range: [0, state.steps], autorange: false,
        zeroline: false, showline: true },
      yaxis: { title: { text: ytitle, standoff: 4 }, type: state.logy ? "log" : "linear", range,
        autorange: false, exponentformat: "power", zeroline: false, showline: true, ...logAxisTicks },
      annotations,
      shapes,
    };
    return { traces, layout };
  }

  function update(state, data) {
    const { traces, layout } = build(state, data);
    Plotly.react(gd, traces, layout, CONFIG).then(() => {
      quick.clear();
      emitDrawn(el, "curves");
    });
  }

  /** During a drag: the same traces on the quick layer (the shell redraws with update after). */
  function drawQuick(state, data) {
    const { traces, layout } = build(state, data);
    quick.paint(traces, layout);
  }

  return { update, quick: drawQuick, name: "curves", figure: () => ({ data: gd.data, layout: gd.layout,
    width: gd.clientWidth, height: gd.clientHeight }) };
}
