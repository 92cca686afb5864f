// The network mode (/network.html): small models trained on real points. The state lives in
// the URL hash; every change retrains over the live channel (progress frames draw the curves
// as it trains) and refreshes the boundary, the metrics and the landscape.

import { createApi } from "../api.js";
import { createClaimsView } from "../claims.js"; // scenes hook (issue 9)
import { h, setChildren } from "../dom.js";
import { exportPng } from "../export.js";
import { createNetCurvesView } from "../views/netcurves.js";
import { createNetDataView } from "../views/netdata.js";
import { createNetGradcheckView } from "../views/netgradcheck.js";
import { createNetHistView } from "../views/nethist.js";
import { createNetLandscapeView } from "../views/netlandscape.js";
import { createNetMetricsView } from "../views/netmetrics.js";
import { createNetNoiseView } from "../views/netnoise.js";
import { createNetStudyView } from "../views/netstudy.js";
import { createNetWeightsView } from "../views/netweights.js";
import { createNetControls } from "./controls.js";
import {
  datasetTask, decodeNetHash, encodeNetHash, NET_PANELS, NET_TITLES, netSceneState, trainBody,
} from "./state.js";

const FACTORIES = {
  data: createNetDataView,
  training: createNetCurvesView,
  weights: createNetWeightsView,
  activations: createNetHistView,
  metrics: createNetMetricsView,
  landscape: createNetLandscapeView,
  noise: createNetNoiseView,
  study: createNetStudyView,
  gradcheck: createNetGradcheckView,
};
const DEBOUNCE_MS = 120;

async function boot() {
  const root = document.getElementById("app");
  const transport = h("span", { class: "transport" }, "connecting…");
  const api = createApi({ onTransport: (t) => { transport.textContent = t === "live" ? "● live" : "○ REST"; } });
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    setChildren(root, [h("div", { class: "fatal", role: "alert" }, `Could not load the catalog: ${err.message}`)]);
    return;
  }
  const scenes = catalog.network_scenes || [];
  let state = decodeNetHash(location.hash);
  const scene0 = scenes.find((s) => s.id === state.scene);
  if (scene0 && !location.hash.includes("dataset=")) state = netSceneState(scene0, state.step);
  const data = { catalog, task: datasetTask(catalog, state.dataset) };

  // ------------------------------------------------------------------ layout
  const sceneSel = h("select", { id: "net-scene", onchange: (ev) => openScene(ev.target.value, 0) }, [
    h("option", { value: "" }, "Free play"),
    ...scenes.map((s) => h("option", { value: s.id, selected: s.id === state.scene }, s.title)),
  ]);
  const stepLabel = h("span", { class: "step-label", "aria-live": "polite" });
  const header = h("header", { class: "top" }, [
    h("a", { class: "brand", href: "/", title: "losscape playground (surfaces)" }, "losscape"),
    h("span", { class: "scene-label" }, "networks"),
    h("label", { for: "net-scene", class: "scene-label" }, "Scene"), sceneSel,
    h("span", { class: "steps-nav" }, [
      h("button", { type: "button", class: "step-btn", "aria-label": "previous scene step", onclick: () => step(-1) }, "◀"),
      stepLabel,
      h("button", { type: "button", class: "step-btn", "aria-label": "next scene step", onclick: () => step(1) }, "▶"),
    ]),
    h("span", { class: "spacer" }), transport,
  ]);
  const caption = h("div", { class: "caption", id: "caption", "aria-live": "polite" });
  const controlsEl = h("aside", { class: "controls", id: "controls", "aria-label": "Controls" });
  const status = h("div", { class: "badges", id: "badges", "aria-live": "polite" });
  const panelsEl = h("div", { class: "panels", id: "panels" });
  // ---- scenes hook (issue 9): the step's claims under the caption, verdicts from the server
  const claimsEl = h("div", { class: "claims-host", id: "claims" });
  const claimsUi = { key: "", verdicts: null, hidden: false, stale: null };
  const claimsView = createClaimsView(claimsEl, { onToggle: (hidden) => { claimsUi.hidden = hidden; } });
  function claimsHook() {
    const sc = scenes.find((s) => s.id === state.scene);
    const st = sc?.steps?.[state.step];
    const claims = st?.claims || [];
    const key = `${state.scene}/${state.step}`;
    const stale = claims.length > 0 && encodeNetHash(state) !== encodeNetHash(netSceneState(sc, state.step));
    if (key !== claimsUi.key) {
      claimsUi.key = key;
      claimsUi.verdicts = null;
      if (claims.length) {
        api.request("scene_claims", { scene: state.scene, step: state.step, page: "networks" }, { lane: "scene_claims" })
          .then((res) => {
            if (res.status !== "result" || claimsUi.key !== key) return;
            claimsUi.verdicts = res.body.claims;
            claimsView.update(claimsUi.verdicts, { claims, stale: claimsUi.stale, hidden: claimsUi.hidden });
          });
      }
    } else if (stale === claimsUi.stale) return;
    claimsUi.stale = stale;
    claimsView.update(claimsUi.verdicts, { claims, pending: !claimsUi.verdicts, stale, hidden: claimsUi.hidden });
  }
  // ---- end scenes hook
  setChildren(root, [header, caption, claimsEl, h("div", { class: "layout" }, [controlsEl,
    h("main", { class: "main" }, [status, panelsEl])])]);

  // The user's CSV: in memory for this page only (it does not fit in a link).
  const upload = { text: "", name: "", error: "" };
  const controls = createNetControls(controlsEl, { catalog, getState: () => state, setState, upload });
  const views = new Map();
  const threshold = h("input", { id: "net-threshold", type: "range", min: "0", max: "1", step: "0.01",
    "aria-label": "decision threshold", oninput: (ev) => setState({ ...state, threshold: Number(ev.target.value) }) });
  const thresholdOut = h("output", { for: "net-threshold" });
  const normBtn = h("button", { type: "button", id: "net-normalize-toggle", "aria-pressed": "false",
    title: "one click: raw x or normalised (x - mu) / sigma",
    onclick: () => setState({ ...state, normalize: !state.normalize }) }, "normalise");

  function panel(name) {
    if (views.has(name)) return views.get(name);
    const body = h("div", { class: "panel-body", id: `view-${name}` });
    const tools = h("span", { class: "panel-tools" });
    if (name === "metrics") tools.append(h("label", { for: "net-threshold", class: "inline" }, ["threshold ", threshold, thresholdOut]));
    if (name === "landscape") tools.append(normBtn);
    if (name === "gradcheck") {
      tools.append(h("label", { for: "net-broken", class: "inline" }, [h("input", { id: "net-broken", type: "checkbox",
        onchange: (ev) => setState({ ...state, broken: ev.target.checked }) }), " break backprop"]));
    }
    const section = h("section", { class: "panel", dataset: { panel: name }, "aria-label": NET_TITLES[name] }, [
      h("header", { class: "panel-head" }, [h("h2", {}, NET_TITLES[name]), tools]), body]);
    const view = FACTORIES[name](body);
    tools.append(h("button", { type: "button", class: "png", "aria-label": `Download ${NET_TITLES[name]} as PNG`,
      onclick: () => exportPng(view, `network-${name}`) }, "PNG"));
    const entry = { section, view };
    views.set(name, entry);
    return entry;
  }

  function shown() {
    return NET_PANELS.filter((p) => state.panels.split(",").includes(p));
  }

  function render() {
    const names = shown();
    const sections = names.map((n) => panel(n).section);
    if (sections.length !== panelsEl.children.length || sections.some((s, i) => s !== panelsEl.children[i])) {
      setChildren(panelsEl, sections);
      panelsEl.dataset.count = String(sections.length);
      panelsEl.toggleAttribute("data-many", sections.length >= 5);
      // the grid changed size: Plotly's responsive mode only follows window resizes
      requestAnimationFrame(() => {
        for (const plot of panelsEl.querySelectorAll(".js-plotly-plot")) Plotly.Plots.resize(plot);
      });
    }
    for (const n of names) panel(n).view.update(state, data);
    controls.update(state);
    threshold.value = String(state.threshold);
    thresholdOut.textContent = Number(state.threshold).toFixed(2);
    const broken = document.getElementById("net-broken");
    if (broken) broken.checked = state.broken;
    normBtn.setAttribute("aria-pressed", String(state.normalize));
    normBtn.textContent = state.normalize ? "normalised x ✓" : "raw x (click to normalise)";
    claimsHook(); // scenes hook (issue 9)
    const sc = scenes.find((s) => s.id === state.scene);
    const stepText = sc?.steps?.[state.step]?.caption;
    caption.textContent = sc ? `${sc.title}: ${stepText || sc.caption || ""}` : "Train a small network on real points.";
    stepLabel.textContent = sc?.steps?.length ? `${state.step + 1}/${sc.steps.length}` : "";
    const hist = data.history;
    status.textContent = data.error ? `⚠ ${data.error}`
      : hist ? `${hist.optimizer}, ${hist.status}, ${hist.steps_taken ?? hist.record_steps.at(-1)} steps` : "training…";
  }

  // ------------------------------------------------------------------ requests
  let timer = 0;
  let last = {};
  function setState(next) {
    state = next;
    history.replaceState(null, "", encodeNetHash(state));
    render();
    clearTimeout(timer);
    timer = setTimeout(fetchAll, DEBOUNCE_MS);
  }

  async function ask(type, body, key, opts = {}) {
    const k = JSON.stringify(body);
    if (last[type] === k) return;
    last[type] = k;
    const res = await api.request(type, body, { lane: type, mode: "replace", ...opts });
    if (res.status === "superseded") return;
    if (res.status === "error") {
      data[`${key}Error`] = res.error;
      if (key === "history") data.error = res.error;
      data[key] = null;
    } else {
      data[`${key}Error`] = "";
      if (key === "history") data.error = "";
      data[key] = res.body;
    }
    render();
  }

  function fetchAll() {
    data.task = datasetTask(catalog, state.dataset);
    const base = trainBody(state, catalog, upload);
    const names = shown();
    ask("network_dataset", { dataset: base.dataset }, "dataset");
    ask("network_train", base, "history", { onProgress: (f) => {
      if (f.partial) {
        data.history = f.partial;
        render();
      }
    } });
    if (names.includes("data") && data.task !== "regression") ask("network_boundary", { ...base, resolution: 60 }, "boundary");
    else data.boundary = null;
    if (names.includes("metrics") && data.task !== "regression") {
      ask("network_metrics", { ...base, threshold: state.threshold }, "metrics");
    } else data.metrics = null;
    if (names.includes("landscape")) {
      ask("network_landscape", {
        dataset: base.dataset, model: base.model, // the trained model, bias included (issue 9)
        optimizers: [{ optimizer: state.optimizer, lr: state.lr }], steps: Math.min(state.steps, 2000),
        normalize: state.normalize, seed: state.seed, resolution: 61,
      }, "landscape");
    }

    const setup = { dataset: base.dataset, model: base.model, init: base.init, normalize: base.normalize, seed: base.seed };
    if (names.includes("noise")) ask("network_gradient_noise", { ...setup, draws: 300 }, "noise");
    if (names.includes("study")) {
      // the paper tunes the lr per batch size: try lr / 3, lr and 3 lr, keep the fastest
      const study = { ...setup, optimizer: state.optimizer, lrs: [state.lr / 3, state.lr, state.lr * 3],
        max_steps: Math.min(state.steps, 2000), count: 8 };
      if (state.target > 0) study.target_loss = state.target;
      ask("network_batch_size", study, "study");
    }
    if (names.includes("gradcheck")) ask("network_gradient_check", { ...setup, broken: state.broken }, "gradcheck");
  }

  function openScene(id, k) {
    const sc = scenes.find((s) => s.id === id);
    last = {};
    setState(sc ? netSceneState(sc, k) : { ...decodeNetHash("#net"), scene: "" });
  }

  function step(d) {
    const sc = scenes.find((s) => s.id === state.scene);
    if (sc?.steps?.length) openScene(sc.id, Math.max(0, Math.min(sc.steps.length - 1, state.step + d)));
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest && ev.target.closest("input, select, textarea")) return;
    if (ev.key === "ArrowRight") step(1);
    if (ev.key === "ArrowLeft") step(-1);
  });
  window.addEventListener("hashchange", () => {
    const next = decodeNetHash(location.hash);
    if (encodeNetHash(next) !== encodeNetHash(state)) setState(next);
  });
  render();
  fetchAll();
  document.body.dataset.ready = "1";
}

boot();
