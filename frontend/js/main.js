// The classroom page (/): 2-D and 1-D surfaces, optimizer paths and sweeps. Everything it has
// in common with the network page lives in shell.js; this file says what differs.

import { createControls } from "./controls.js";
import { h } from "./dom.js";
import { exportCsv, exportJson } from "./export.js";
import { statusText } from "./format.js";
import { SURFACE_PANELS } from "./panels.js";
import { SURFACE_BASE } from "./requests.js";
import {
  decodeHash, encodeHash, moveStarts, normalize, PLAYGROUND, sceneById, sceneState, surfaceSpec,
} from "./state.js";
import { bootPage } from "./shell.js";

let shell = null; // set once the page has booted (random restarts read and set its state)
bootPage((catalog, api) => {
  function randomRestarts() {
    const s = shell.getState();
    const spec = surfaceSpec(catalog, s.surface);
    const v = spec.view;
    const rand = (a, b) => Number((a + Math.random() * (b - a)).toPrecision(4));
    shell.setState({ ...s, runs: s.runs.map((r) => ({ ...r,
      start: [rand(v[0], v[1]), spec.dims === 1 ? 0 : rand(v[2], v[3])] })) });
  }
  return {
    prefix: "",
    home: "#",
    other: { href: "/network.html#net", text: "Networks", title: "small networks on real data" },
    rows: SURFACE_PANELS,
    base: SURFACE_BASE,
    freeId: PLAYGROUND,
    freeLabel: "Playground",
    freeCaption: "Every surface, optimizer and panel. Drag on the contour to move the start.",
    scenes: catalog.scenes || [],
    sceneOf: (id) => sceneById(catalog, id),
    sceneState: (id, k, view) => sceneState(catalog, id, k, view),
    decode: (hash) => decodeHash(catalog, hash),
    encode: (state) => encodeHash(catalog, state),
    normalize: (raw) => normalize(catalog, raw),
    onDrag: moveStarts,
    controls: (el, { getState, setState }) => createControls(el, { catalog, getState, setState, actions: {
      randomRestarts,
      // A typed formula is checked by a 2x2 grid before it enters the state (js/formula.js).
      checkFormula: (surface) => api.request("grid", { surface, resolution: 2 }, { lane: "formula-check" }),
    } }),
    legend: (state) => state.runs.map((r, i) => ({ color: r.color,
      label: `run ${i + 1}: ${catalog.optimizers.find((o) => o.name === r.optimizer)?.title || r.optimizer}, α = ${r.lr}` })),
    badges: (state, data) => state.runs.map((run, i) => {
      const res = data.runs?.[i];
      const text = statusText(res);
      if (!text || res.status === "converged" || res.status === "done") return null;
      return h("span", { class: `badge badge-${res.status}`, role: "status", style: { borderColor: run.color } },
        [h("span", { class: "swatch", style: { background: run.color } }), ` run ${i + 1} (${run.optimizer}) ${text}`]);
    }).filter(Boolean),
    claimsPage: "surfaces",
    exports: {
      json: (state, data) => exportJson(state, data.runs || []),
      csv: (state, data) => exportCsv(state, data.runs || []),
    },
  };
}, "surfaces").then((s) => { shell = s; });
