// Two stacked Plotly plots sharing margins and axis ranges: a background (contour, heatmap:
// slow to redraw, changes rarely) under a foreground (paths: cheap, changes on every drag).
// Redrawing a 150x150 contour costs ~35 ms in Chromium, the paths alone ~10 ms; keeping them
// apart is what lets a drag redraw the paths at 30 frames per second. During a drag a third
// layer, a canvas over both, draws the moving paths alone (a polyline per run at the plot's
// pixel resolution, well under a millisecond) while the foreground waits hidden; it is redrawn
// once with Plotly when the drag ends. That is what brings a drag to 60 frames per second.

import { h } from "../dom.js";
import { baseLayout, CONFIG, eventToData } from "../plot.js";

const COLORBAR_W = 64;
// Plotly's named dashes as multiples of the line width (the canvas's setLineDash).
const DASHES = { dot: [1, 2], dash: [4, 2.5], dashdot: [4, 2, 1, 2] };

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
 * Draw `lines` [{x, y, color, width, dash?}] and `markers` [{x, y, color, size, fill, symbol?}]
 * (data units; a symbol starting with "x" is a cross in `fill`, any other a circle)
 * on `canvas`, laid over the Plotly plot `gd`, mapped through gd's axes (CSS pixels scaled
 * by the device pixel ratio). Points outside the axes are clipped like Plotly clips them.
 */
export function paintQuick(canvas, gd, lines, markers) {
  const fl = gd._fullLayout;
  const xa = fl?.xaxis;
  const ya = fl?.yaxis;
  if (!xa || !ya) return false;
  const ratio = window.devicePixelRatio || 1;
  const w = gd.clientWidth;
  const hgt = gd.clientHeight;
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(hgt * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(hgt * ratio);
  }
  const c = canvas.getContext("2d");
  c.setTransform(ratio, 0, 0, ratio, 0, 0);
  c.clearRect(0, 0, w, hgt);
  c.save();
  c.beginPath();
  c.rect(xa._offset, ya._offset, xa._length, ya._length);
  c.clip();
  // c2p: data to pixels on linear and log axes alike (l2p would take log10 of a log axis's data)
  const px = (x) => xa._offset + xa.c2p(x);
  const py = (y) => ya._offset + ya.c2p(y);
  c.lineJoin = "round";
  c.lineCap = "round";
  for (const line of lines) {
    c.beginPath();
    let pen = false;
    for (let i = 0; i < line.x.length; i++) {
      const x = line.x[i];
      const y = line.y[i];
      if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) c.lineTo(px(x), py(y));
      else c.moveTo(px(x), py(y));
      pen = true;
    }
    c.strokeStyle = line.color;
    c.lineWidth = line.width;
    c.setLineDash(DASHES[line.dash] ? DASHES[line.dash].map((d) => d * line.width) : []);
    c.stroke();
  }
  c.setLineDash([]);
  for (const m of markers) {
    if (m.x === null || m.y === null || !Number.isFinite(m.x) || !Number.isFinite(m.y)) continue;
    const [cx, cy] = [px(m.x), py(m.y)];
    const r = m.size / 2;
    c.beginPath();
    if (m.symbol?.startsWith("x")) { // a cross: Plotly's "x" and "x-thin-open"
      c.moveTo(cx - r, cy - r);
      c.lineTo(cx + r, cy + r);
      c.moveTo(cx + r, cy - r);
      c.lineTo(cx - r, cy + r);
      c.lineWidth = 2.5;
      c.strokeStyle = m.fill;
      c.stroke();
      continue;
    }
    c.arc(cx, cy, r, 0, 2 * Math.PI);
    c.fillStyle = m.fill;
    c.fill();
    c.lineWidth = 2;
    c.strokeStyle = m.color;
    c.stroke();
  }
  c.restore();
  return true;
}

/**
 * createLayered(el, {ariaLabel, onPointer, onDragEnd}) -> {wrap, bg, fg, drawBg(traces, layout),
 * drawFg(...), drawQuick(lines, markers), dragging(), setContext(state, box), figure()}.
 * onPointer({x, y, phase: "down"|"move"|"up"|"key", probe}); onDragEnd() after the "up", so the
 * view redraws its foreground (the quick layer is cleared by the next drawFg).
 */
export function createLayered(el, { ariaLabel, onPointer = () => {}, onDragEnd = () => {} }) {
  const wrap = h("div", { class: "layered", tabindex: "0", role: "application", "aria-label": ariaLabel });
  const bg = h("div", { class: "layer layer-bg" });
  const fg = h("div", { class: "layer layer-fg" });
  const quick = h("canvas", { class: "layer layer-quick", "aria-hidden": "true", hidden: true });
  wrap.append(bg, fg, quick);
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
    onDragEnd();
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
    drawFg: (traces, layout) => {
      quick.hidden = true;
      fg.style.visibility = "";
      return Plotly.react(fg, traces, layout, CONFIG);
    },
    /** The quick layer (see paintQuick) in place of the foreground, which is hidden meanwhile. */
    drawQuick(lines, markers) {
      if (!paintQuick(quick, fg, lines, markers)) return false;
      quick.hidden = false;
      fg.style.visibility = "hidden";
      return true;
    },
    dragging: () => ctx.dragging,
    /** Both layers as one figure (the PNG export): the background's axes, the foreground's notes. */
    figure: () => ({ data: [...(bg.data || []), ...(fg.data || [])],
      layout: { ...bg.layout, annotations: fg.layout?.annotations || [] },
      width: fg.clientWidth, height: fg.clientHeight }),
  };
}
