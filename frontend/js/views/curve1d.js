// 1-D view for one-dimensional surfaces: the curve f(w), each run's iterates with its tangent
// steps (the linear model each step trusts, then the drop to the true f), and the w axis coloured
// by the minimum each start reaches (basins of attraction). Click or drag moves the start.

import { h } from "../dom.js";
import { fmt, statusText } from "../format.js";
import { baseLayout, CONFIG, createNotice, cut, emitDrawn, eventToData } from "../plot.js";
import { surfaceSpec } from "../state.js";
import { basinColor, discreteScale } from "./basins.js";

const TANGENT_STEPS = 40; // tangent segments drawn per run: enough to read, not a thicket

/** Linear interpolation of f and df/dw on the grid's curve at w. */
export function interp(xs, ys, w) {
  const n = xs.length;
  if (w <= xs[0]) return [ys[0], (ys[1] - ys[0]) / (xs[1] - xs[0])];
  if (w >= xs[n - 1]) return [ys[n - 1], (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2])];
  const d = (xs[n - 1] - xs[0]) / (n - 1);
  const i = Math.min(n - 2, Math.floor((w - xs[0]) / d));
  const s = (w - xs[i]) / (xs[i + 1] - xs[i]);
  const slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
  return [ys[i] + s * (ys[i + 1] - ys[i]), slope];
}

export function createCurve1dView(el, { onPointer = () => {} } = {}) {
  const gd = h("div", { class: "plot", tabindex: "0", role: "application",
    "aria-label": "1-D curve. Click or drag to move the start; arrow keys nudge it." });
  el.append(gd);
  const notice = createNotice(el);
  const ctx = { state: null, xs: null, dragging: false };

  function update(state, data) {
    const spec = surfaceSpec(data.catalog, state.surface);
    if (spec?.dims !== 1) {
      notice.show("The 1-D view is for one-dimensional surfaces (pick one, e.g. in the gd-1d scene).");
      return;
    }
    const g = data.grid;
    if (!g) return;
    notice.show("");
    ctx.state = state;
    ctx.xs = g.x;
    const fx = g.z[0];
    const finite = fx.filter((v) => v !== null);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const pad = 0.08 * (hi - lo || 1);
    const size = state.present ? 1.5 : 1;
    const font = state.present ? 20 : 13;
    const traces = [{ type: "scatter", mode: "lines", x: g.x, y: fx, name: "f(w)",
      line: { color: "#333333", width: 2.5 * size }, hovertemplate: "w %{x:.4g}: f %{y:.4g}<extra></extra>" }];
    const annotations = [];
    (data.runs || []).forEach((res, i) => {
      const run = state.runs[i];
      if (!res || !run) return;
      const xs = cut(res.x, state.t);
      const ls = cut(res.loss, state.t);
      const tx = [];
      const ty = [];
      const dx = [];
      const dy = [];
      const first = Math.max(0, xs.length - 1 - TANGENT_STEPS);
      for (let k = first; k < xs.length - 1; k++) {
        const [, slope] = interp(g.x, fx, xs[k]);
        const pred = ls[k] + slope * (xs[k + 1] - xs[k]);
        tx.push(xs[k], xs[k + 1], null);
        ty.push(ls[k], pred, null);
        dx.push(xs[k + 1], xs[k + 1], null);
        dy.push(pred, ls[k + 1], null);
      }
      traces.push({ type: "scatter", mode: "lines", x: tx, y: ty, name: `run ${i + 1} tangent steps`,
        line: { color: run.color, width: 1.6 * size }, hoverinfo: "skip", cliponaxis: true });
      traces.push({ type: "scatter", mode: "lines", x: dx, y: dy, name: `run ${i + 1} drops`,
        line: { color: run.color, width: 1 * size, dash: "dot" }, hoverinfo: "skip" });
      traces.push({ type: "scatter", mode: "markers", x: xs, y: ls, name: `run ${i + 1}: ${run.optimizer}`,
        marker: { color: run.color, size: 7 * size, line: { color: "#ffffff", width: 1 } },
        hovertemplate: `run ${i + 1}, step %{pointNumber}: w %{x:.4g}, f %{y:.4g}<extra></extra>` });
      traces.push({ type: "scatter", mode: "markers", x: [xs[0]], y: [ls[0]], hoverinfo: "skip",
        marker: { color: "#ffffff", size: 12 * size, line: { color: run.color, width: 2.5 } } });
      if ((res.status === "diverged" || res.status === "escaped") && state.t === null) {
        annotations.push({ x: 0.01, y: 0.98 - 0.08 * annotations.length, xref: "paper", yref: "paper",
          xanchor: "left", showarrow: false, text: `✕ run ${i + 1} ${statusText(res)}`,
          font: { color: run.color, size: font }, bgcolor: "rgba(255,255,255,0.9)" });
      }
    });
    const base = baseLayout(state);
    const layout = {
      ...base,
      dragmode: false,
      // The w axis sits under the basin strip, so the strip reads as "the axis coloured by basin".
      xaxis: { title: { text: "w (start →  basin it reaches)", standoff: 2 }, range: [g.x[0], g.x[g.x.length - 1]],
        autorange: false, fixedrange: true, showline: true, zeroline: false, anchor: "y2" },
      yaxis: { title: { text: "f(w)", standoff: 4 }, range: [lo - pad, hi + pad], autorange: false,
        fixedrange: true, domain: [0.17, 1], showline: true, zeroline: false },
      yaxis2: { domain: [0, 0.07], range: [0, 1], fixedrange: true, showticklabels: false, showgrid: false,
        zeroline: false },
      annotations,
    };
    const b = data.basins;
    if (b && b.x && b.label?.[0]) {
      const ds = discreteScale(b.minima.length);
      traces.push({ type: "heatmap", x: b.x, y: [0, 1], z: [b.label[0].map((v) => (v === null ? null : v + 3)),
        b.label[0].map((v) => (v === null ? null : v + 3))], yaxis: "y2", colorscale: ds.scale,
        zmin: ds.zmin, zmax: ds.zmax, showscale: false,
        hovertemplate: "start w %{x:.3g}<extra></extra>" });
      b.minima.forEach((m, i) => {
        annotations.push({ x: m.x, y: 1, xref: "x", yref: "y2", yanchor: "bottom", showarrow: false,
          text: `min ${i + 1}`, font: { size: font * 0.8, color: "#333" },
          bgcolor: basinColor(i) });
      });
    }
    Plotly.react(gd, traces, layout, CONFIG).then(() => emitDrawn(el, "curve1d"));
  }

  function pointer(ev, phase) {
    if (!ctx.state) return;
    const pt = eventToData(gd, ev, { clampToAxes: phase !== "down" });
    if (pt) onPointer({ x: pt[0], y: 0, phase, probe: false });
  }
  gd.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 || !eventToData(gd, ev)) return;
    ctx.dragging = true;
    ev.preventDefault();
    pointer(ev, "down");
  }, { capture: true });
  gd.addEventListener("pointermove", (ev) => ctx.dragging && pointer(ev, "move"), { capture: true });
  const end = (ev) => {
    if (ctx.dragging) pointer(ev, "up");
    ctx.dragging = false;
  };
  gd.addEventListener("pointerup", end, { capture: true });
  gd.addEventListener("pointerleave", end, { capture: true });
  gd.addEventListener("keydown", (ev) => {
    const d = { ArrowLeft: -1, ArrowRight: 1 }[ev.key];
    if (!d || !ctx.state || !ctx.xs) return;
    ev.preventDefault();
    ev.stopPropagation();
    const span = ctx.xs[ctx.xs.length - 1] - ctx.xs[0];
    onPointer({ x: ctx.state.runs[0].start[0] + d * span * (ev.shiftKey ? 0.1 : 0.02), y: 0,
      phase: "key", probe: false });
  });

  return { update, name: "curve1d", figure: () => ({ data: gd.data, layout: gd.layout,
    width: gd.clientWidth, height: gd.clientHeight }) };
}
