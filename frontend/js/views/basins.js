// Basin map: a grid of starts coloured by the minimum each one reaches (run 1's optimizer and lr),
// diverged starts in their own colour, filled in row by row from the live channel's progress
// frames, with every run's path drawn over it. Click or drag moves the starts, as on the contour.

import { h, setChildren } from "../dom.js";
import { fmt } from "../format.js";
import { BASIN_COLORS, DIVERGED_COLOR, ESCAPED_COLOR, NONE_COLOR } from "../palette.js";
import {
  contourLevels, createNotice, criticalTraces, emitDrawn, transformedZ, zTransform,
} from "../plot.js";
import { surfaceSpec } from "../state.js";
import { halfPixel, pathTraces, viewBox } from "./contour.js";
import { createLayered, layeredLayout } from "./layered.js";

/** Colour of label L (index into minima, -1 none, -2 diverged, -3 escaped). */
export function basinColor(label) {
  if (label === -2) return DIVERGED_COLOR;
  if (label === -3) return ESCAPED_COLOR;
  if (label === -1) return NONE_COLOR;
  return BASIN_COLORS[label % BASIN_COLORS.length];
}

/** A stepwise colour scale over codes 0..n-1 where code = label + 3. */
export function discreteScale(nMinima) {
  const n = nMinima + 3;
  const scale = [];
  for (let c = 0; c < n; c++) {
    const color = basinColor(c - 3);
    scale.push([c / n, color], [(c + 1) / n, color]);
  }
  return { scale, zmin: -0.5, zmax: n - 0.5, n };
}

export function createBasinsView(el, { onPointer = () => {} } = {}) {
  const layers = createLayered(el, {
    onPointer,
    ariaLabel: "Basin map: colour = minimum reached from each start. Click or drag to move the starts.",
  });
  const legend = h("div", { class: "legend", "aria-live": "polite" });
  el.append(legend);
  const notice = createNotice(el);
  let bgKey = null;

  function drawLegend(b, state) {
    const items = b.minima.map((m, i) => [basinColor(i), `→ min ${i + 1} (${fmt(m.x)}, ${fmt(m.y)})`]);
    const present = new Set(b.label.flat().filter((v) => v !== null));
    if (present.has(-1)) items.push([NONE_COLOR, "no known minimum"]);
    if (present.has(-2)) items.push([DIVERGED_COLOR, "diverged"]);
    if (present.has(-3)) items.push([ESCAPED_COLOR, "escaped"]);
    const run = state.runs[0];
    const parts = items.map(([c, t]) => h("span", { class: "legend-item" }, [
      h("span", { class: "swatch", style: { background: c } }), t]));
    const progress = b.done < b.total ? ` · computing ${Math.round((100 * b.done) / b.total)}%` : "";
    parts.push(h("span", { class: "legend-note" }, `${run.optimizer}, lr ${fmt(run.lr)}, ${state.steps} steps${progress}`));
    setChildren(legend, parts);
    // Keep the map clear of the legend, however many lines it wraps to.
    const bottom = `${legend.offsetHeight}px`;
    if (layers.wrap.style.bottom !== bottom) {
      layers.wrap.style.bottom = bottom;
      for (const gd of [layers.bg, layers.fg]) if (gd.data) Plotly.Plots.resize(gd);
    }
  }

  function update(state, data) {
    const b = data.basins;
    const spec = surfaceSpec(data.catalog, state.surface);
    if (!b) {
      notice.show(data.pending?.sweep_basins ? "computing the basin map…" : "");
      return;
    }
    notice.show("");
    const box = spec?.dims === 1 ? [b.x[0], b.x[b.x.length - 1], -1, 1] : viewBox(data, spec);
    layers.setContext(state, box);
    const key = [b.rev, b.done, state.present, box.join(","), data.grid?.rev].join("|");
    let bgDone = null;
    if (key !== bgKey) {
      bgKey = key;
      const ds = discreteScale(b.minima.length);
      const z = b.label.map((row) => row.map((v) => (v === null ? null : v + 3)));
      const traces = [{
        type: "heatmap", x: b.x, y: spec?.dims === 1 ? [-1, 1] : b.y,
        z: spec?.dims === 1 ? [z[0], z[0]] : z, colorscale: ds.scale, zmin: ds.zmin, zmax: ds.zmax,
        showscale: false, hoverinfo: "skip", zsmooth: false,
      }];
      const g = data.grid;
      if (g && spec?.dims === 2) {
        const tr = zTransform(g);
        const z = transformedZ(g, tr);
        traces.push({ type: "contour", x: g.x, y: g.y, z, autocontour: false, showscale: false,
          contours: { coloring: "none", ...contourLevels(z, 18) },
          line: { color: "rgba(0,0,0,0.28)", width: 0.7 }, hoverinfo: "skip" });
      }
      bgDone = layers.drawBg(traces, layeredLayout(state, box, { axes: true, colorbar: false }));
      drawLegend(b, state);
    }
    const size = state.present ? 1.5 : 1;
    const pts = b.minima.map((m) => ({ ...m, kind: "minimum" }));
    const layout = layeredLayout(state, box, { axes: false, colorbar: false });
    const tol = halfPixel(layers.fg, box);
    const traces = spec?.dims === 1 ? []
      : [...criticalTraces(pts, state), ...pathTraces(state, data.runs || [], { size, tol })];
    const fgDone = layers.drawFg(traces, layout);
    Promise.all([bgDone, fgDone]).then(() => emitDrawn(el, "basins", { done: b.done, total: b.total }));
  }

  return { update, name: "basins", figure: layers.figure };
}
