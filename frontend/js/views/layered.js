// Two stacked Plotly plots sharing margins and axis ranges: a background (contour, heatmap:
// slow to redraw, changes rarely) under a foreground (paths: cheap, changes on every drag).
// Redrawing a 150x150 contour costs ~35 ms in Chromium, the paths alone ~10 ms; keeping them
// apart is what lets a drag redraw the paths at 30 frames per second.

import { h } from "../dom.js";
import { baseLayout, CONFIG, eventToData } from "../plot.js";

const COLORBAR_W = 64;

/**
 * Cartesian layout shared by both layers. The background draws the axes (they change only with
 * the view box); the foreground's axes are invisible: redrawing tick labels was a fifth of the
 * cost of every path redraw.
 */
export function layeredLayout(state, box, { axes, colorbar = true }) {
  const base = baseLayout(state);
  const axis = (range, title) => (axes
    ? { range, autorange: false, fixedrange: true, showgrid: false, zeroline: false,
      ticks: "outside", showline: true, mirror: true, title: { text: title, standoff: 4 },
      // presenter fonts in an equal-scale (narrowed) plot: fewer ticks, or their labels overlap
      ...(state.present ? { nticks: 4 } : {}) }
    : { range, autorange: false, fixedrange: true, visible: false });
  // Equal scales on both axes: angles on screen are angles in the plane, so the gradient
  // arrows really cross the level sets at right angles and eigenvectors look orthogonal.
  return {
    ...base,
    margin: { ...base.margin, r: colorbar ? COLORBAR_W + 8 : 16 },
    dragmode: false,
    xaxis: { ...axis([box[0], box[1]], "x"), constrain: "domain" },
    yaxis: { ...axis([box[2], box[3]], "y"), scaleanchor: "x", scaleratio: 1, constrain: "domain" },
  };
}

/**
 * createLayered(el, {ariaLabel, onPointer}) -> {wrap, bg, fg, drawBg(traces, layout), drawFg(...),
 * setContext(state, box), figure()}. onPointer({x, y, phase: "down"|"move"|"up"|"key", probe}).
 */
export function createLayered(el, { ariaLabel, onPointer = () => {} }) {
  const wrap = h("div", { class: "layered", tabindex: "0", role: "application", "aria-label": ariaLabel });
  const bg = h("div", { class: "layer layer-bg" });
  const fg = h("div", { class: "layer layer-fg" });
  wrap.append(bg, fg);
  el.append(wrap);
  const ctx = { state: null, box: null, dragging: false };

  function pointer(ev, phase) {
    if (!ctx.state) return;
    const pt = eventToData(fg, ev, { clampToAxes: phase !== "down" });
    if (!pt) return;
    onPointer({ x: pt[0], y: pt[1], phase, probe: ev.shiftKey || ctx.state.click === "probe" });
  }
  wrap.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0 || !eventToData(fg, ev)) return;
    ctx.dragging = true;
    try {
      wrap.setPointerCapture(ev.pointerId);
    } catch {
      // synthetic events (tests, benchmark) have no capturable pointer
    }
    ev.preventDefault();
    pointer(ev, "down");
  }, { capture: true });
  wrap.addEventListener("pointermove", (ev) => {
    if (ctx.dragging) pointer(ev, "move");
  }, { capture: true });
  const end = (ev) => {
    if (!ctx.dragging) return;
    ctx.dragging = false;
    pointer(ev, "up");
  };
  wrap.addEventListener("pointerup", end, { capture: true });
  wrap.addEventListener("pointercancel", end, { capture: true });
  wrap.addEventListener("keydown", (ev) => {
    const keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const d = keys[ev.key];
    if (!d || !ctx.state || !ctx.box) return;
    ev.preventDefault();
    ev.stopPropagation();
    const b = ctx.box;
    const s = ctx.state.runs[0].start;
    const step = ev.shiftKey ? 0.1 : 0.02;
    onPointer({ x: s[0] + d[0] * step * (b[1] - b[0]), y: s[1] + d[1] * step * (b[3] - b[2]),
      phase: "key", probe: false });
  });

  return {
    wrap,
    bg,
    fg,
    setContext(state, box) {
      ctx.state = state;
      ctx.box = box;
    },
    drawBg: (traces, layout) => Plotly.react(bg, traces, layout, { ...CONFIG, staticPlot: true }),
    drawFg: (traces, layout) => Plotly.react(fg, traces, layout, CONFIG),
    /** Both layers as one figure (the PNG export): the background's axes, the foreground's notes. */
    figure: () => ({ data: [...(bg.data || []), ...(fg.data || [])],
      layout: { ...bg.layout, annotations: fg.layout?.annotations || [] },
      width: fg.clientWidth, height: fg.clientHeight }),
  };
}
