// Shared Plotly settings and helpers for the views (Plotly is the global from /vendor/plotly.min.js).

import { h } from "./dom.js";
import { distinctLabels } from "./format.js";

export const CONFIG = {
  displayModeBar: false, // own keyboard-reachable buttons instead (export, zoom reset)
  responsive: true,
  displaylogo: false,
  scrollZoom: false,
  doubleClick: false,
};

export function fontSize(state) {
  return state.present ? 20 : 13;
}

/** A layout with the house font, transparent paper and fixed margins. */
/** The timeline's marker: a dotted vertical line at step t on a step axis (none at the end, t = null). */
export function stepMarker(t) {
  return t === null || t === undefined ? [] : [{ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
    line: { color: "#444", width: 1.5, dash: "dot" } }];
}

export function baseLayout(state, extra = {}) {
  const size = fontSize(state);
  return {
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size, color: "#1a1a1a" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    margin: { l: size * 4.4, r: 16, t: 10, b: size * 3.4, autoexpand: false },
    showlegend: false,
    hovermode: "closest",
    hoverlabel: { font: { size } },
    ...extra,
  };
}

/** Tell listeners (tests, the benchmark) that a view has drawn. */
export function emitDrawn(el, view, detail = {}) {
  el.dispatchEvent(new CustomEvent("losscape:drawn", { bubbles: true, detail: { view, ...detail } }));
}

/** A message shown over a view instead of a broken plot (e.g. "needs a 2-D surface"). */
export function createNotice(el) {
  const box = h("div", { class: "notice", role: "status", hidden: true });
  el.append(box);
  return {
    show(text) {
      box.textContent = text;
      box.hidden = !text;
    },
  };
}

/** Path arrays cut at timeline step t (t null = whole path). */
export function cut(arr, t) {
  if (!arr) return [];
  return t === null || t === undefined || t + 1 >= arr.length ? arr : arr.slice(0, t + 1);
}

/** Log-scale helper: values shifted so the lowest is positive (for losses that go below 0). */
export function logShift(values, floorHint) {
  let lo = Infinity;
  for (const v of values) if (v !== null && v < lo) lo = v;
  if (floorHint !== undefined && floorHint !== null && floorHint < lo) lo = floorHint;
  return lo > 0 ? 0 : -lo;
}

/** Data coordinates of a pointer event over a Plotly cartesian plot, or null outside the axes. */
export function eventToData(gd, ev, { clampToAxes = false } = {}) {
  const fl = gd._fullLayout;
  if (!fl || !fl.xaxis || !fl.yaxis) return null;
  // Axis offsets and lengths, not the plot area: an equal-aspect plot shrinks one axis.
  const xa = fl.xaxis;
  const ya = fl.yaxis;
  const rect = gd.getBoundingClientRect();
  const px = ev.clientX - rect.left - xa._offset;
  const py = ev.clientY - rect.top - ya._offset;
  const inside = px >= 0 && py >= 0 && px <= xa._length && py <= ya._length;
  if (!inside && !clampToAxes) return null;
  const cx = Math.min(xa._length, Math.max(0, px));
  const cy = Math.min(ya._length, Math.max(0, py));
  return [xa.p2l(cx), ya.p2l(cy)];
}

/** A normalised critical-point list: from the trajectories answer when present, else the catalog. */
export function criticalPoints(data, surface) {
  return data?.surfaceInfo?.critical_points || surface?.critical_points || [];
}

export const MARKERS = {
  minimum: { symbol: "star", color: "#1a1a1a", name: "minimum" },
  saddle: { symbol: "x-thin-open", color: "#1a1a1a", name: "saddle" },
  maximum: { symbol: "triangle-up-open", color: "#1a1a1a", name: "maximum" },
};

/** Scatter traces marking known minima, saddles and maxima. */
export function criticalTraces(points, state, { z = null, three = false } = {}) {
  const out = [];
  for (const [kind, m] of Object.entries(MARKERS)) {
    const pts = points.filter((p) => p.kind === kind);
    if (!pts.length) continue;
    const size = state.present ? 16 : 12;
    out.push({
      type: three ? "scatter3d" : "scatter",
      mode: "markers",
      x: pts.map((p) => p.x),
      y: pts.map((p) => p.y),
      ...(three ? { z: pts.map((p) => (z ? z(p) : p.f)) } : {}),
      name: m.name,
      marker: {
        symbol: three ? (kind === "minimum" ? "diamond" : "x") : m.symbol,
        size: three ? size * 0.5 : size,
        color: kind === "minimum" ? "#ffffff" : m.color,
        line: { color: m.color, width: 1.5 },
      },
      hovertemplate: `${m.name} (%{x:.4g}, %{y:.4g})<extra></extra>`,
    });
  }
  return out;
}

/** Download a view as PNG through Plotly's own exporter. */
export function downloadPng(gd, name) {
  return Plotly.downloadImage(gd, { format: "png", filename: `losscape-${name}`, scale: 2 });
}

/**
 * The value transform shared by the contour, 3-D and basin views. When the grid's range is wide
 * (the server's `log_scale`), f is drawn as log10(f - f_min + delta) so evenly spaced levels in
 * the transformed value are log-spaced levels of f.
 */
export function zTransform(grid) {
  if (!grid || !grid.log_scale) {
    return { log: false, f: (v) => v, inv: (v) => v, label: "f" };
  }
  const lo = grid.z_min;
  const delta = Math.max(1e-12, (grid.z_max - grid.z_min) * 1e-6);
  return {
    log: true,
    f: (v) => (v === null || v === undefined ? null : Math.log10(Math.max(v - lo, 0) + delta)),
    inv: (u) => 10 ** u - delta + lo,
    label: "log₁₀(f − f_min)",
  };
}

/** The transformed z matrix (rows over y), cached on the grid object. */
export function transformedZ(grid, tr) {
  if (!tr.log) return grid.z;
  if (!grid._logZ) grid._logZ = grid.z.map((row) => row.map((v) => tr.f(v)));
  return grid._logZ;
}

/** Colour-bar ticks for a transformed scale: nice values of f at their transformed positions. */
export function colorbarTicks(grid, tr, count = 6) {
  if (!tr.log) return {};
  const a = tr.f(grid.z_min);
  const b = tr.f(grid.z_max);
  const vals = [];
  const text = [];
  for (let i = 0; i < count; i++) {
    const u = a + ((b - a) * i) / (count - 1);
    vals.push(u);
    text.push(tr.inv(u));
  }
  return { tickvals: vals, ticktext: distinctLabels(text) };
}

/**
 * Explicit contour levels over the finite range of z (rows of values, null for gaps).
 * Plotly's automatic levels are computed at calc time only, and Plotly.react skips calc when no
 * data array changed: a redraw with a new `contours` object then has no levels and throws. So
 * the views always say where the levels are.
 */
export function contourLevels(z, count) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of z) {
    for (const v of row) {
      if (v !== null && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!(hi > lo)) return { start: lo || 0, end: (lo || 0) + 1, size: 1 };
  const size = niceStep((hi - lo) / count);
  return { start: Math.ceil(lo / size) * size, end: hi, size };
}

/** The 1, 2, 2.5 or 5 times a power of ten nearest above `raw` (round level values). */
export function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= raw * 0.999);
}
