// The quick layer of a Cartesian view during a drag: a canvas over its Plotly plot on which
// the view's own traces are painted (a polyline per line trace, a circle or cross per
// marker), so that a view following a drag does not pay Plotly's redraw of changed data
// (12 to 18 ms a plot in Chromium: the curves and the lr sweep each dropped a frame of a
// 60 fps drag). The axes are an empty twin of the plot (see createQuickLayer); after the
// drag the view redraws with Plotly as usual and the twin and the canvas hide (`clear`).

import { h } from "../dom.js";
import { CONFIG } from "../plot.js";
import { paintQuick } from "./layered.js";

/**
 * Plotly scatter traces as paintQuick's parts: each line trace a polyline (colour, width,
 * dash), each marker a circle with its own fill and outline colour or, for an "x" symbol, a
 * cross. Hover texts, annotations and shapes wait for the redraw after the drag.
 */
export function quickParts(traces) {
  const lines = [];
  const markers = [];
  const at = (v, i) => (Array.isArray(v) ? v[i] : v);
  for (const tr of traces) {
    if (tr.type !== "scatter" || !tr.x || tr.visible === false) continue;
    const mode = tr.mode || "";
    if (mode.includes("lines")) {
      lines.push({ x: tr.x, y: tr.y, color: tr.line?.color || "#000000", width: tr.line?.width || 2,
        dash: tr.line?.dash });
    }
    if (mode.includes("markers")) {
      const m = tr.marker || {};
      for (let i = 0; i < tr.x.length; i++) {
        const fill = at(m.color, i) || "#000000";
        markers.push({ x: tr.x[i], y: tr.y[i], size: at(m.size, i) || 8, fill,
          color: at(m.line?.color, i) || fill, symbol: at(m.symbol, i) });
      }
    }
  }
  return [lines, markers];
}

/**
 * createQuickLayer(el, gd) -> {paint(traces, layout), clear()}: during a drag, an axes-only
 * twin of the plot `gd` (an empty Plotly plot: redrawing its axes costs ~1 ms, the same
 * relayout on a plot holding 6,000 points 10 to 14 ms) and a canvas over it on which `paint`
 * draws `traces` through `layout`'s axes, `gd` hidden meanwhile. An axis the layout leaves to
 * autorange keeps the range `gd` last drew. `clear` shows `gd` again once Plotly has drawn
 * it; a paint still waiting for its axes when `clear` comes is dropped.
 */
export function createQuickLayer(el, gd) {
  const axes = h("div", { class: "plot quick-axes", "aria-hidden": "true" });
  axes.style.visibility = "hidden";
  const canvas = h("canvas", { class: "layer layer-quick", "aria-hidden": "true", hidden: true });
  el.append(axes, canvas);
  let generation = 0;
  let drawn = false; // the twin holds a plot (then only changed axis attributes are sent)

  function axesLayout(layout) {
    const fixed = (name) => {
      const ax = layout[name] || {};
      const range = gd._fullLayout?.[name]?.range;
      return ax.range || !range ? ax : { ...ax, range: range.slice(), autorange: false };
    };
    return { ...layout, xaxis: fixed("xaxis"), yaxis: fixed("yaxis") };
  }

  return {
    paint(traces, layout) {
      const want = axesLayout(layout);
      let job;
      if (!drawn) {
        job = Plotly.react(axes, [], want, { ...CONFIG, staticPlot: true });
      } else {
        const patch = {};
        for (const name of ["xaxis", "yaxis"]) {
          const cur = axes.layout?.[name] || {};
          for (const [k, v] of Object.entries(want[name])) {
            if (JSON.stringify(v) !== JSON.stringify(cur[k])) patch[`${name}.${k}`] = v;
          }
        }
        job = Object.keys(patch).length ? Plotly.relayout(axes, patch) : Promise.resolve();
      }
      drawn = true;
      const gen = generation;
      job.then(() => {
        if (gen !== generation || !paintQuick(canvas, axes, ...quickParts(traces))) return;
        axes.style.visibility = "";
        canvas.hidden = false;
        gd.style.visibility = "hidden";
      });
    },
    clear() {
      generation += 1;
      drawn = false;
      canvas.hidden = true;
      axes.style.visibility = "hidden";
      gd.style.visibility = "";
    },
  };
}
