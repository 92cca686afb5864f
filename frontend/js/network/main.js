// The network page (/network.html): small models trained on real points, on the same shell,
// store, planner and panel registry as the classroom page (../shell.js, ../panels.js).

import { h } from "../dom.js";
import { save } from "../export.js";
import { NETWORK_PANELS } from "../panels.js";
import { bootPage } from "../shell.js";
import { createNetControls } from "./controls.js";
import {
  datasetTask, decodeNetHash, encodeNetHash, NETWORK_BASE, netSceneState, normalizeNet, sceneOf,
} from "./state.js";

const RUN_COLOR = "#1f77b4"; // the training curve's colour (views/netcurves.js)

/** The run and its results as one record: settings, status, curves and metrics. */
function record(state, data) {
  const { t: _t, speed: _s, present: _p, ...settings } = state;
  return { settings, history: data.history || null, metrics: data.metrics || null, link: location.href };
}

/** One row per recorded step: step, train/validation loss and accuracy. */
export function historyCsv(hist) {
  const lines = ["step,train_loss,validation_loss,train_accuracy,validation_accuracy"];
  if (hist) {
    hist.record_steps.forEach((s, i) => {
      const v = (a) => (a && a[i] !== null && a[i] !== undefined ? a[i] : "");
      lines.push([s, v(hist.train_loss), v(hist.validation_loss), v(hist.train_accuracy), v(hist.validation_accuracy)].join(","));
    });
  }
  return `${lines.join("\n")}\n`;
}

bootPage((catalog) => {
  // The user's CSV: in memory for this page only (it does not fit in a link).
  const upload = { text: "", name: "", error: "" };
  return {
    prefix: "network-",
    home: "/",
    subtitle: "networks",
    other: { href: "/", text: "Surfaces", title: "losscape playground (surfaces)" },
    rows: NETWORK_PANELS,
    base: NETWORK_BASE,
    ctx: { upload },
    freeId: "",
    freeLabel: "Free play",
    freeCaption: "Train a small network on real points.",
    scenes: catalog.network_scenes || [],
    sceneOf: (id) => sceneOf(catalog, id),
    sceneState: (id, k, view) => netSceneState(catalog, id, k, view),
    decode: (hash) => decodeNetHash(catalog, hash),
    encode: (state) => encodeNetHash(catalog, state),
    normalize: (raw) => normalizeNet(catalog, raw),
    onDrag: (state) => state,
    derive: (state) => ({ task: datasetTask(catalog, state.dataset) }),
    controls: (el, { getState, setState }) => createNetControls(el, { catalog, getState, setState, upload }),
    legend: (state) => [{ color: RUN_COLOR, label: `${state.optimizer}, α = ${state.lr}, ${state.steps} steps` }],
    badges: (state, data) => {
      const hist = data.history;
      const text = data.error ? `⚠ ${data.error}`
        : hist ? `${hist.optimizer}, ${hist.status}, ${hist.steps_taken ?? hist.record_steps.at(-1)} steps` : "training…";
      return [h("span", { class: "badge", role: "status" }, text)];
    },
    claimsPage: "networks",
    exports: {
      json: (state, data) => save(new Blob([JSON.stringify(record(state, data), null, 1)], { type: "application/json" }),
        "losscape-network.json"),
      csv: (_, data) => save(new Blob([historyCsv(data.history)], { type: "text/csv" }), "losscape-network.csv"),
    },
  };
}, "networks");
