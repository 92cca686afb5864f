// 3-D surface with every run's path lifted onto it (z = the run's loss, same transform as the contour).

import { h } from "../dom.js";
import { SURFACE3D_SCALE } from "../palette.js";
import {
  baseLayout, colorbarTicks, CONFIG, createNotice, criticalPoints, criticalTraces, cut, emitDrawn,
  transformedZ, zTransform,
} from "../plot.js";
import { surfaceSpec } from "../state.js";
import { viewBox } from "./contour.js";

const MAX_SIDE = 70; // WebGL surface resolution: enough to read the shape, cheap to redraw

function subsample(grid, zt) {
  const stride = Math.max(1, Math.ceil(grid.x.length / MAX_SIDE));
  const pick = (a) => a.filter((_, i) => i % stride === 0);
  return { x: pick(grid.x), y: pick(grid.y), z: pick(zt).map(pick) };
}

export function createSurface3dView(el) {
  const gd = h("div", { class: "plot" });
  el.append(gd);
  const notice = createNotice(el);
  let cache = { grid: null, sub: null, present: null };

  function update(state, data) {
    const spec = surfaceSpec(data.catalog, state.surface);
    const grid = data.grid;
    if (spec?.dims === 1) {
      notice.show("This surface is one-dimensional: see the 1-D curve view.");
      return;
    }
    if (!grid) return;
    notice.show("");
    const tr = zTransform(grid);
    if (cache.grid !== grid) cache = { grid, sub: subsample(grid, transformedZ(grid, tr)) };
    const box = viewBox(data, spec);
    const zr = tr.f(grid.z_max) - tr.f(grid.z_min);
    const lift = 0.015 * (Number.isFinite(zr) ? zr : 1);
    const inside = (x, y) => x >= box[0] && x <= box[1] && y >= box[2] && y <= box[3];
    const zTop = tr.f(grid.z_max) + lift;
    const traces = [{
      type: "surface", x: cache.sub.x, y: cache.sub.y, z: cache.sub.z, colorscale: SURFACE3D_SCALE,
      opacity: 0.92, showscale: false, hoverinfo: "skip",
      contours: { z: { show: true, usecolormap: true, project: { z: true }, width: 1 } },
      lighting: { ambient: 0.75, diffuse: 0.5, specular: 0.05 },
    }];
    traces.push(...criticalTraces(criticalPoints(data, spec), state, {
      three: true, z: (p) => (p.f === null || p.f === undefined ? null : tr.f(p.f) + lift),
    }));
    const runs = data.runs || [];
    const size = state.present ? 1.5 : 1;
    state.runs.forEach((run, i) => {
      const res = runs[i];
      if (!res) return;
      const xs = cut(res.x, state.t);
      const ys = cut(res.y, state.t);
      const ls = cut(res.loss, state.t);
      const z = ls.map((v, k) => (inside(xs[k], ys[k]) && v !== null ? Math.min(tr.f(v) + lift, zTop) : null));
      traces.push({
        type: "scatter3d", mode: "lines", x: xs, y: ys, z, name: `run ${i + 1}`,
        line: { color: run.color, width: 6 * size }, hoverinfo: "skip", connectgaps: false,
      });
      const k = xs.length - 1;
      traces.push({
        type: "scatter3d", mode: "markers", x: [xs[0], xs[k]], y: [ys[0], ys[k]], z: [z[0], z[k]],
        name: `run ${i + 1} start/end`, hoverinfo: "skip",
        marker: { size: 5 * size, color: ["#ffffff", run.color], line: { color: run.color, width: 2 } },
      });
    });
    const base = baseLayout(state);
    const small = Math.round(base.font.size * 0.8);
    const axis = (title, range) => ({ title: { text: title, font: { size: base.font.size } }, range,
      autorange: !range, showspikes: false, backgroundcolor: "#fafafa", nticks: 5,
      tickfont: { size: small } });
    const ticks = colorbarTicks(grid, tr, 5);
    const zaxis = axis(tr.label);
    if (ticks.tickvals) Object.assign(zaxis, ticks);
    const layout = {
      ...base,
      margin: { l: 0, r: 0, t: 0, b: 0 },
      uirevision: state.surface, // keep the student's camera while paths change
      scene: {
        xaxis: axis("x", [box[0], box[1]]),
        yaxis: axis("y", [box[2], box[3]]),
        zaxis,
        aspectmode: "manual",
        aspectratio: { x: 1, y: 1, z: 0.65 },
        camera: { eye: { x: 1.45, y: -1.55, z: 1.05 } },
      },
    };
    Plotly.react(gd, traces, layout, CONFIG).then(() => emitDrawn(el, "surface3d"));
  }

  return { update, name: "surface3d", figure: () => ({ data: gd.data, layout: gd.layout,
    width: gd.clientWidth, height: gd.clientHeight }) };
}
