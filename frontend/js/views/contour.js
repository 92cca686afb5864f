// Contour view: the surface's level sets with every run's path, start/end markers, known critical
// points, an optional gradient field and the Hessian probe. Click or drag moves every start
// (Shift-click, or the probe click mode, probes the Hessian instead). With "internals" on, each
// run's velocity arrow and step-scale cross at the scrubbed step (views/internals.js). The contour sits on the
// background layer and the paths on the foreground (see layered.js).

import { fmt, statusText } from "../format.js";
import { SURFACE_SCALE } from "../palette.js";
import {
  colorbarTicks, contourLevels, createNotice, criticalPoints, criticalTraces, cut, emitDrawn,
  transformedZ, zTransform,
} from "../plot.js";
import { surfaceSpec } from "../state.js";
import { internalsNote, internalsParts } from "./internals.js";
import { createLayered, layeredLayout } from "./layered.js";
import { quickParts } from "./quick.js";

export function viewBox(data, spec) {
  return data.surfaceInfo?.name === spec?.name && data.surfaceInfo?.view
    ? data.surfaceInfo.view
    : spec?.view || [-1, 1, -1, 1];
}

/**
 * Line segments (with arrow heads) along -grad at each arrow point: unit directions in the
 * plane (the contour has equal axis scales, so they cross the level sets at right angles on
 * screen too), all of one length, a little under the spacing of the arrow grid.
 */
export function arrowField(arrows, box) {
  const xs = [];
  const ys = [];
  if (!arrows || !arrows.x?.length) return { x: xs, y: ys };
  const n = Math.max(1, Math.round(Math.sqrt(arrows.x.length)));
  const len = 0.8 * Math.min((box[1] - box[0]) / n, (box[3] - box[2]) / n);
  const head = 0.35 * len;
  for (let i = 0; i < arrows.x.length; i++) {
    const norm = Math.hypot(arrows.gx[i], arrows.gy[i]);
    if (!(norm > 0)) continue;
    const ux = -arrows.gx[i] / norm;
    const uy = -arrows.gy[i] / norm;
    const x1 = arrows.x[i] + 0.5 * len * ux;
    const y1 = arrows.y[i] + 0.5 * len * uy;
    xs.push(arrows.x[i] - 0.5 * len * ux, x1, null);
    ys.push(arrows.y[i] - 0.5 * len * uy, y1, null);
    for (const s of [1, -1]) {
      const c = Math.cos(2.6);
      const d = Math.sin(2.6) * s;
      xs.push(x1, x1 + head * (ux * c - uy * d), null);
      ys.push(y1, y1 + head * (ux * d + uy * c), null);
    }
  }
  return { x: xs, y: ys };
}

function runLabel(run, i) {
  return `run ${i + 1}: ${run.optimizer}, lr ${fmt(run.lr)}`;
}

/**
 * Points closer than half a pixel to the last kept one add nothing to a drawn line but cost
 * Plotly time (a converging path piles hundreds of them up): keep the first, the last and
 * every point at least (tx, ty) (data units, L1 in half pixels) from the previous kept one.
 */
export function decimate(xs, ys, tx, ty) {
  const n = xs.length;
  if (!(tx > 0 && ty > 0) || n < 3) return [xs, ys];
  const ox = [xs[0]];
  const oy = [ys[0]];
  let lx = xs[0];
  let ly = ys[0];
  for (let i = 1; i < n - 1; i++) {
    if (Math.abs(xs[i] - lx) / tx + Math.abs(ys[i] - ly) / ty >= 1) {
      lx = xs[i];
      ly = ys[i];
      ox.push(lx);
      oy.push(ly);
    }
  }
  ox.push(xs[n - 1]);
  oy.push(ys[n - 1]);
  return [ox, oy];
}

/**
 * Foreground traces for the runs at timeline step t: one line per run (meta.points = the
 * iterates it stands for), one trace of start markers and one of end markers for all runs.
 * `tol` = [tx, ty], the data size of half a pixel, for decimate().
 */
export function pathTraces(state, runs, { averaging = false, size = 1, tol = [0, 0] } = {}) {
  const traces = [];
  const starts = { x: [], y: [], color: [], text: [] };
  const ends = { x: [], y: [], color: [], symbol: [], size: [], width: [], text: [] };
  state.runs.forEach((run, i) => {
    const res = runs[i];
    const color = run.color;
    const label = runLabel(run, i);
    if (!res) {
      starts.x.push(run.start[0]);
      starts.y.push(run.start[1]);
      starts.color.push(color);
      starts.text.push(label);
      return;
    }
    const x = cut(res.x, state.t);
    const y = cut(res.y, state.t);
    const k = x.length - 1;
    const [dx, dy] = decimate(x, y, tol[0], tol[1]);
    traces.push({
      type: "scatter", mode: "lines", x: dx, y: dy, name: label,
      line: { color, width: 2.6 * size }, meta: { run: i, points: x.length },
      hovertemplate: `${label}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
    });
    if (averaging && res.avg_x) {
      const [ax, ay] = decimate(cut(res.avg_x, state.t), cut(res.avg_y, state.t), tol[0], tol[1]);
      traces.push({
        type: "scatter", mode: "lines", x: ax, y: ay, name: `${label} (iterate average)`,
        line: { color, width: 2 * size, dash: "dot" }, hoverinfo: "skip",
      });
    }
    starts.x.push(x[0]);
    starts.y.push(y[0]);
    starts.color.push(color);
    starts.text.push(label);
    const bad = (res.status === "diverged" || res.status === "escaped") &&
      (state.t === null || state.t >= res.x.length - 1);
    ends.x.push(x[k]);
    ends.y.push(y[k]);
    ends.color.push(color);
    ends.symbol.push(bad ? "x-thin-open" : "circle");
    ends.size.push((bad ? 14 : 10) * size);
    ends.width.push(bad ? 3.5 : 1.5);
    ends.text.push(`${label}<br>${state.t === null ? "end" : `step ${k}`}`);
  });
  traces.push({
    type: "scatter", mode: "markers", x: ends.x, y: ends.y, name: "ends", text: ends.text,
    marker: { size: ends.size, symbol: ends.symbol, color: ends.color,
      line: { color: ends.color, width: ends.width } },
    hovertemplate: "%{text}: (%{x:.4g}, %{y:.4g})<extra></extra>",
  });
  traces.push({
    type: "scatter", mode: "markers", x: starts.x, y: starts.y, name: "starts", text: starts.text,
    marker: { size: 11 * size, color: "#ffffff", line: { color: starts.color, width: 2.5 } },
    hovertemplate: "%{text}<br>start (%{x:.4g}, %{y:.4g})<extra></extra>",
  });
  return traces;
}

/** The data size of half a pixel along each axis of a drawn Plotly plot `gd` showing `box`. */
export function halfPixel(gd, box) {
  const fl = gd._fullLayout;
  const w = fl?.xaxis?._length;
  const hgt = fl?.yaxis?._length;
  if (!(w > 0 && hgt > 0)) return [0, 0];
  return [(0.5 * (box[1] - box[0])) / w, (0.5 * (box[3] - box[2])) / hgt];
}

/** "diverged at step k" labels next to the last finite point of each stopped run. */
export function statusAnnotations(state, runs, box, size) {
  const out = [];
  state.runs.forEach((run, i) => {
    const res = runs[i];
    if (!res || (res.status !== "diverged" && res.status !== "escaped")) return;
    if (state.t !== null && state.t < res.x.length - 1) return;
    const k = res.x.length - 1;
    const cx = Math.min(box[1], Math.max(box[0], res.x[k]));
    const cy = Math.min(box[3], Math.max(box[2], res.y[k]));
    out.push({
      x: cx, y: cy, xref: "x", yref: "y", text: `✕ ${statusText(res)}`,
      showarrow: true, arrowcolor: run.color, ax: cx > (box[0] + box[1]) / 2 ? -60 : 60,
      ay: cy > (box[2] + box[3]) / 2 ? 28 : -28 - 6 * i,
      font: { color: run.color, size }, bgcolor: "rgba(255,255,255,0.88)",
      bordercolor: run.color, borderpad: 3,
    });
  });
  return out;
}

/**
 * Random restarts: when runs start from different points, the one that ends lowest is marked.
 * Returns an annotation, or null (one run, shared starts, or nothing finished yet).
 */
export function bestAnnotation(state, runs, size) {
  if (state.runs.length < 2) return null;
  const starts = new Set(state.runs.map((r) => r.start.join(",")));
  if (starts.size < 2) return null;
  let best = -1;
  let lowest = Infinity;
  runs.forEach((res, i) => {
    if (!res || !state.runs[i] || res.status === "diverged" || res.status === "escaped") return;
    const f = res.loss[res.loss.length - 1];
    if (f !== null && f < lowest) {
      lowest = f;
      best = i;
    }
  });
  if (best < 0 || (state.t !== null && state.t < runs[best].x.length - 1)) return null;
  const res = runs[best];
  const k = res.x.length - 1;
  return {
    x: res.x[k], y: res.y[k], xref: "x", yref: "y", text: `best: run ${best + 1}, f = ${fmt(lowest, 4)}`,
    showarrow: true, arrowhead: 0, arrowwidth: 2, arrowcolor: state.runs[best].color, ax: 0, ay: -34,
    font: { size, color: "#1a1a1a" }, bgcolor: "rgba(255,255,255,0.9)",
    bordercolor: state.runs[best].color, borderwidth: 2, borderpad: 3,
  };
}

/** Arrows for the Hessian probe: -gradient, the step run 1 would take, eigen-directions. */
export function probeAnnotations(state, hess, box, size) {
  if (!state.probe || !hess || !hess.point) return [];
  const [px, py] = hess.point;
  const len = 0.14 * Math.min(box[1] - box[0], box[3] - box[2]);
  const out = [];
  const arrow = (dx, dy, color, text, dash) => ({
    x: px + dx, y: py + dy, ax: px, ay: py, xref: "x", yref: "y", axref: "x", ayref: "y",
    showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: dash ? 1.5 : 2.5, arrowcolor: color,
    text: "", hovertext: text,
  });
  const label = (dx, dy, color, text) => ({
    x: px + dx, y: py + dy, xref: "x", yref: "y", showarrow: false, text,
    font: { color, size: size * 0.9 }, bgcolor: "rgba(255,255,255,0.8)",
  });
  hess.eigenvalues.forEach((lam, j) => {
    const v = hess.eigenvectors[j];
    // Paul Tol's indigo and wine: colour-blind safe and unlike any run colour (Okabe-Ito).
    const color = lam >= 0 ? "#332288" : "#882255";
    const s = len * 0.9;
    out.push(arrow(v[0] * s, v[1] * s, color, `λ${j + 1} = ${fmt(lam)}`));
    out.push(arrow(-v[0] * s, -v[1] * s, color, `λ${j + 1} = ${fmt(lam)}`));
    out.push(label(v[0] * s * 1.25, v[1] * s * 1.25, color, `λ${j + 1}=${fmt(lam)}`));
  });
  const [gx, gy] = hess.gradient;
  const gn = Math.hypot(gx, gy);
  if (gn > 0) {
    out.push(arrow((-gx / gn) * len, (-gy / gn) * len, "#000000", "−∇f (steepest descent)"));
    out.push(label((-gx / gn) * len * 1.3, (-gy / gn) * len * 1.3, "#000000", "−∇f"));
    const lr = state.runs[0].lr;
    out.push(arrow(-lr * gx, -lr * gy, "#009E73", `one GD step, lr ${fmt(lr)}`, true));
  }
  return out;
}

export function createContourView(el, { onPointer = () => {} } = {}) {
  let last = null; // the latest update's (state, data): redrawn in full when a drag ends
  let lastRuns = null;
  const layers = createLayered(el, {
    onPointer,
    onDragEnd: () => last && update(...last),
    ariaLabel: "Contour map. Click or drag to move every run's start (Shift-click probes the " +
      "Hessian); arrow keys nudge the start.",
  });
  const notice = createNotice(el);
  let bgKey = null;
  let rev = 0;

  /** The moved paths alone on the quick layer (layered.js) while a drag goes on. */
  function drawDragged(traces, runs, data) {
    if (!layers.drawQuick(...quickParts(traces))) return false;
    rev += 1;
    const pathStarts = runs.map((r) => (r ? [r.x[0], r.y[0]] : null));
    emitDrawn(el, "contour", { pathStarts, runsRev: data.runsRev, quick: true });
    return true;
  }

  function drawBackground(state, grid, box) {
    const key = [grid?.rev, state.present, box.join(","), state.arrows].join("|");
    if (key === bgKey) return null;
    bgKey = key;
    const tr = zTransform(grid);
    const traces = [];
    if (grid) {
      const z = transformedZ(grid, tr);
      traces.push({
        type: "contour", x: grid.x, y: grid.y, z, autocontour: false,
        colorscale: SURFACE_SCALE, hoverinfo: "skip",
        contours: { coloring: "fill", showlines: true, ...contourLevels(z, 26) },
        line: { color: "rgba(60,60,60,0.55)", width: 0.8, smoothing: 0.6 },
        colorbar: { thickness: 12, len: 0.9, x: 1, xpad: 6, xanchor: "left",
          title: { text: tr.log ? "f (log)" : "f", side: "top" }, outlinewidth: 0,
          ...colorbarTicks(grid, tr) },
        connectgaps: false,
      });
      if (state.arrows && grid.arrows?.x?.length) {
        const a = arrowField(grid.arrows, box);
        traces.push({ type: "scatter", mode: "lines", x: a.x, y: a.y, hoverinfo: "skip",
          line: { color: "rgba(40,40,40,0.75)", width: 1.1 }, name: "−∇f" });
      }
    }
    return layers.drawBg(traces, layeredLayout(state, box, { axes: true }));
  }

  function update(state, data) {
    last = [state, data];
    const moved = data.runs !== lastRuns;
    lastRuns = data.runs;
    const spec = surfaceSpec(data.catalog, state.surface);
    if (spec && spec.dims === 1) {
      notice.show("This surface is one-dimensional: see the 1-D curve view.");
      layers.wrap.hidden = true;
      return;
    }
    layers.wrap.hidden = false;
    notice.show("");
    const box = viewBox(data, spec);
    layers.setContext(state, box);
    const bgDone = drawBackground(state, data.grid, box);
    const size = state.present ? 1.5 : 1;
    const font = state.present ? 20 : 13;
    const runs = data.runs || [];
    const layout = layeredLayout(state, box, { axes: false });
    const tol = halfPixel(layers.fg, box);
    const traces = [
      ...criticalTraces(criticalPoints(data, spec), state),
      ...pathTraces(state, runs, { averaging: state.averaging, size, tol }),
    ];
    // While dragging, only the paths move: no annotations, internals or Plotly redraw.
    if (layers.dragging() && moved && !bgDone && runs.some(Boolean) &&
      drawDragged(traces, runs, data)) return;
    if (state.probe) {
      traces.push({ type: "scatter", mode: "markers", x: [state.probe[0]], y: [state.probe[1]],
        name: "probe", marker: { symbol: "circle-open-dot", size: 14 * size, color: "#000000",
          line: { width: 2 } }, hovertemplate: "probe (%{x:.4g}, %{y:.4g})<extra></extra>" });
    }
    // Optimizer internals at the scrubbed step (runs asked with record_state).
    const internals = state.internals ? internalsParts(state, runs, box, size) : null;
    if (internals && !internals.note && runs.some((r) => r && !r.state)) {
      // Asked without state: too many steps x runs to record (requests.js stateFits).
      internals.note = { ...internalsNote(size), text: "optimizer internals: too many steps to record; lower the steps" };
    }
    if (internals) traces.push(...internals.traces);
    const best = bestAnnotation(state, runs, font);
    layout.annotations = [
      ...(internals ? internals.annotations : []),
      ...(internals?.note ? [internals.note] : []),
      ...(best ? [best] : []),
      ...statusAnnotations(state, runs, box, font),
      ...probeAnnotations(state, data.hessian, box, font),
    ];
    rev += 1;
    const mine = rev;
    const fgDone = layers.drawFg(traces, layout);
    Promise.all([bgDone, fgDone]).then(() => {
      if (mine === rev) {
        // The start each drawn path really has (the benchmark waits for the dragged-to one).
        const pathStarts = runs.map((r) => (r ? [r.x[0], r.y[0]] : null));
        emitDrawn(el, "contour", { pathStarts, runsRev: data.runsRev });
      }
    });
  }

  return { update, name: "contour", figure: layers.figure };
}
