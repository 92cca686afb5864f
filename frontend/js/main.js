// Boot: fetch the catalog, restore the state from the URL hash, build the page, wire the store
// to the views, the controls, the live channel and the keyboard.

import { createApi } from "./api.js";
import { createClaimsView } from "./claims.js"; // scenes hook (issue 9)
import { createControls } from "./controls.js";
import { h, setChildren } from "./dom.js";
import { exportCsv, exportJson, exportPng } from "./export.js";
import { statusText } from "./format.js";
import {
  decodeHash, encodeHash, moveStarts, normalize, PANEL_TITLES, PANELS, PLAYGROUND, sceneById,
  sceneState, surfaceSpec,
} from "./state.js";
import { createStore } from "./store.js";
import { createSync } from "./sync.js";
import { createTimeline } from "./timeline.js";
import { createBasinsView } from "./views/basins.js";
import { createContourView } from "./views/contour.js";
import { createCurve1dView } from "./views/curve1d.js";
import { createCurvesView } from "./views/curves.js";
import { createHessianView } from "./views/hessian.js";
import { createLrMomentumView } from "./views/lrmomentum.js";
import { createLrSweepView } from "./views/lrsweep.js";
import { createSurface3dView } from "./views/surface3d.js";
import { createTableView } from "./views/table.js";

const HASH_WRITE_MS = 150;
// During a drag the contour (or 1-D curve) redraws at every answer; the other 2-D views follow
// every FOLLOW_MS; the 3-D view waits for the drop (WebGL on a laptop without a GPU, or in
// headless Chromium, takes a few hundred ms per frame and would stall the drag).
const FOLLOW_MS = 250;
const HEAVY = new Set(["curves", "lr_sweep", "basins", "lr_momentum"]);
const AFTER_DRAG = new Set(["surface3d"]);

/** What each view reads: it redraws only when one of these changes (compared with ===). */
const colors = (s) => s.runs.map((r) => r.color).join();
const runKey = (s) => JSON.stringify(s.runs.map((r) => [r.optimizer, r.lr, r.hyperparams]));
const DEPS = {
  contour: (s, d) => [d.runs, d.grid, d.hessian, d.surfaceInfo, s.t, s.arrows, s.probe, s.present,
    s.averaging, s.click, colors(s), s.surface, s.runs.length],
  surface3d: (s, d) => [d.runs, d.grid, s.t, s.present, colors(s)],
  curve1d: (s, d) => [d.runs, d.grid, d.basins, s.t, s.present, colors(s)],
  curves: (s, d) => [d.runs, s.t, s.logy, s.present, s.averaging, colors(s), s.steps],
  lr_sweep: (s, d) => [d.lrSweep, d.runs, s.present, colors(s), d.pending?.sweep_lr],
  basins: (s, d) => [d.basins, d.runs, d.grid, s.t, s.present, colors(s), s.click, d.pending?.sweep_basins],
  lr_momentum: (s, d) => [d.lrm, s.present, runKey(s), colors(s)],
  hessian: (s, d) => [d.hessian, d.hessianError, s.probe, s.present],
  table: (s, d) => [d.gradcheck, s.gradbug, s.scene, s.present],
};

function showFatal(root, text) {
  setChildren(root, [h("div", { class: "fatal", role: "alert" }, [h("h1", {}, "losscape"), h("p", {}, text)])]);
}

async function boot() {
  const root = document.getElementById("app");
  const transport = h("span", { class: "transport", title: "how results reach this page" }, "connecting…");
  const api = createApi({ onTransport: (t) => {
    transport.textContent = t === "live" ? "● live" : t === "reconnecting" ? "○ reconnecting" : "○ REST";
    transport.dataset.transport = t;
  } });
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    showFatal(root, `Could not load the catalog from the server: ${err.message}`);
    return;
  }
  const store = createStore(decodeHash(catalog, location.hash));
  store.data = { catalog, runs: [], errors: {}, pending: {} };
  const sync = createSync(store, api, catalog);
  const ui = { hashTimer: 0, heavyAt: 0, heavyTimer: 0, chromeAt: 0, chromeTimer: 0, chromeKey: "",
    dragging: false, deps: new Map(), views: new Map() };

  const setState = (next, info = {}) => store.setState(normalize(catalog, next), info);
  const getState = () => store.state;

  // ------------------------------------------------------------------ layout
  const sceneSel = h("select", { id: "scene-select", onchange: (ev) => openScene(ev.target.value, 0, true) }, [
    h("option", { value: PLAYGROUND }, "Playground"),
    ...(catalog.scenes || []).filter((s) => s.id !== PLAYGROUND).map((s) => h("option", { value: s.id }, s.title)),
  ]);
  const prevStep = h("button", { type: "button", class: "step-btn", "aria-label": "previous scene step",
    onclick: () => step(-1) }, "◀");
  const nextStep = h("button", { type: "button", class: "step-btn", "aria-label": "next scene step",
    onclick: () => step(1) }, "▶");
  const stepLabel = h("span", { class: "step-label", "aria-live": "polite" });
  const presentBtn = h("button", { type: "button", id: "present", "aria-pressed": "false",
    title: "presenter mode (P): large fonts, no chrome, arrow keys step through the scene",
    onclick: () => togglePresenter() }, "Present");
  const header = h("header", { class: "top" }, [
    h("a", { class: "brand", href: "#", title: "losscape playground" }, "losscape"),
    h("label", { for: "scene-select", class: "scene-label" }, "Scene"), sceneSel,
    h("span", { class: "steps-nav" }, [prevStep, stepLabel, nextStep]),
    h("span", { class: "spacer" }),
    h("a", { class: "chrome", href: "/network.html#net", title: "small networks on real data" }, "Networks"),
    transport,
    h("button", { type: "button", class: "chrome", title: "download every run as JSON",
      onclick: () => exportJson(store.state, store.data.runs || []) }, "JSON"),
    h("button", { type: "button", class: "chrome", title: "download every run as CSV",
      onclick: () => exportCsv(store.state, store.data.runs || []) }, "CSV"),
    h("button", { type: "button", class: "chrome", title: "copy a link to exactly this view",
      onclick: (ev) => copyLink(ev.target) }, "Copy link"),
    presentBtn,
  ]);
  const caption = h("div", { class: "caption", id: "caption", "aria-live": "polite" });
  const controlsEl = h("aside", { class: "controls", id: "controls", "aria-label": "Controls" });
  const badges = h("div", { class: "badges", id: "badges", "aria-live": "polite" });
  const panelsEl = h("div", { class: "panels", id: "panels" });
  const timelineEl = h("div", { class: "timeline", role: "group", "aria-label": "Timeline" });
  const toast = h("div", { class: "toast", role: "alert", hidden: true });
  // ---- scenes hook (issue 9): the step's claims under the caption, verdicts from the server
  const claimsEl = h("div", { class: "claims-host", id: "claims" });
  const claimsUi = { key: "", verdicts: null, hidden: false, stale: null };
  const claimsView = createClaimsView(claimsEl, { onToggle: (hidden) => { claimsUi.hidden = hidden; } });
  function claimsHook(state) {
    const steps = sceneById(catalog, state.scene)?.steps || [];
    const claims = steps[state.step]?.claims || [];
    const key = `${state.scene}/${state.step}`;
    const stale = claims.length > 0 && encodeHash(catalog, state) !== encodeHash(catalog,
      sceneState(catalog, state.scene, state.step, { present: state.present, speed: state.speed }));
    if (key !== claimsUi.key) {
      claimsUi.key = key;
      claimsUi.verdicts = null;
      if (claims.length) {
        api.request("scene_claims", { scene: state.scene, step: state.step, page: "surfaces" }, { lane: "scene_claims" })
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
    h("main", { class: "main" }, [badges, panelsEl, timelineEl])]), toast]);

  const controls = createControls(controlsEl, { catalog, getState, setState, actions: { randomRestarts,
    // A typed formula is checked by a 2x2 grid before it enters the state (js/formula.js).
    checkFormula: (surface) => api.request("grid", { surface, resolution: 2 }, { lane: "formula-check" }) } });
  const timeline = createTimeline(timelineEl, { getState, setState });

  // ------------------------------------------------------------------ views
  function onPointer({ x, y, phase, probe }) {
    if (probe) {
      if (phase === "down" || phase === "key") setState({ ...store.state, probe: [x, y] }, { source: "pointer" });
      return;
    }
    ui.dragging = phase === "down" || phase === "move";
    sync.setDragging(ui.dragging);
    timeline.stop();
    setState(moveStarts(store.state, x, y), { source: "pointer", phase });
  }
  const FACTORIES = {
    contour: (el) => createContourView(el, { onPointer }),
    surface3d: createSurface3dView,
    curve1d: (el) => createCurve1dView(el, { onPointer }),
    curves: createCurvesView,
    lr_sweep: createLrSweepView,
    basins: (el) => createBasinsView(el, { onPointer }),
    lr_momentum: createLrMomentumView,
    hessian: createHessianView,
    table: (el) => createTableView(el, { onToggleBug: (on) => setState({ ...store.state, gradbug: on }) }),
  };

  function panelFor(name) {
    if (ui.views.has(name)) return ui.views.get(name);
    const body = h("div", { class: "panel-body", id: `view-${name}` });
    const tools = h("span", { class: "panel-tools" });
    const section = h("section", { class: "panel", dataset: { panel: name }, "aria-label": PANEL_TITLES[name] }, [
      h("header", { class: "panel-head" }, [h("h2", {}, PANEL_TITLES[name]), tools]), body,
    ]);
    const view = FACTORIES[name](body);
    if (name === "curves") {
      const box = h("input", { type: "checkbox", id: "curves-log", onchange: (ev) => setState({ ...store.state, logy: ev.target.checked }) });
      tools.append(h("label", { for: "curves-log", class: "inline" }, [box, " log"]));
      view.logBox = box;
    }
    if (view.figure) {
      tools.append(h("button", { type: "button", class: "png", title: `download this view as PNG`,
        "aria-label": `Download ${PANEL_TITLES[name]} as PNG`, onclick: () => exportPng(view, name) }, "PNG"));
    }
    const entry = { section, view };
    ui.views.set(name, entry);
    return entry;
  }

  function applicable(name, state) {
    const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
    if (dims === 1) return !["contour", "surface3d", "hessian"].includes(name);
    return name !== "curve1d";
  }

  function layoutPanels(state) {
    const shown = PANELS.filter((p) => state.panels.includes(p) && applicable(p, state));
    const order = shown.map((p) => panelFor(p).section);
    const current = [...panelsEl.children];
    if (order.length !== current.length || order.some((s, i) => s !== current[i])) {
      setChildren(panelsEl, order);
      panelsEl.dataset.count = String(order.length);
      panelsEl.toggleAttribute("data-many", order.length >= 5);
      requestAnimationFrame(() => {
        for (const plot of panelsEl.querySelectorAll(".js-plotly-plot")) Plotly.Plots.resize(plot);
      });
      ui.deps.clear();
    }
    return shown;
  }

  // ------------------------------------------------------------------ render
  function same(a, b) {
    return a && b && a.length === b.length && a.every((v, i) => v === b[i]);
  }

  function render() {
    const state = store.state;
    const data = store.data;
    const shown = layoutPanels(state);
    const now = performance.now();
    let deferred = false;
    let heavyDrawn = false;
    const heavyDue = now - ui.heavyAt >= FOLLOW_MS;
    for (const name of shown) {
      const deps = DEPS[name](state, data);
      if (same(deps, ui.deps.get(name))) continue;
      if (ui.dragging && (AFTER_DRAG.has(name) || (HEAVY.has(name) && !heavyDue))) {
        deferred = true;
        continue;
      }
      ui.deps.set(name, deps);
      const { view } = ui.views.get(name);
      if (view.logBox) view.logBox.checked = state.logy;
      view.update(state, data);
      heavyDrawn ||= HEAVY.has(name);
    }
    if (heavyDrawn) ui.heavyAt = now;
    if (deferred && !ui.heavyTimer) {
      ui.heavyTimer = setTimeout(() => {
        ui.heavyTimer = 0;
        render();
      }, FOLLOW_MS);
    }
    // The chrome follows at a lower rate during a drag: every DOM write forces a relayout,
    // and the paths are what the student is watching.
    if (!ui.dragging || now - ui.chromeAt > FOLLOW_MS) {
      ui.chromeAt = now;
      controls.update(state, data);
      timeline.update(state);
      renderChrome(state, data);
    } else if (!ui.chromeTimer) {
      ui.chromeTimer = setTimeout(() => {
        ui.chromeTimer = 0;
        scheduleRender();
      }, FOLLOW_MS);
    }
  }

  /** Run badges, caption and scene controls; rebuilt only when what they show changed. */
  function renderChrome(state, data) {
    claimsHook(state); // scenes hook (issue 9)
    const statusKey = JSON.stringify([state.scene, state.step, state.present,
      state.runs.map((r) => [r.optimizer, r.color]), (data.runs || []).map((r) => r && [r.status, r.stopped_at]),
      Object.values(data.errors || {})]);
    if (statusKey === ui.chromeKey) return;
    ui.chromeKey = statusKey;
    const scene = sceneById(catalog, state.scene);
    sceneSel.value = state.scene;
    document.body.classList.toggle("presenter", state.present);
    document.documentElement.classList.toggle("presenter", state.present); // rem-sized text grows
    presentBtn.setAttribute("aria-pressed", String(state.present));
    const steps = scene?.steps || [];
    prevStep.disabled = state.step <= 0;
    nextStep.disabled = state.step >= steps.length - 1;
    prevStep.hidden = nextStep.hidden = steps.length < 2;
    stepLabel.textContent = steps.length > 1 ? `step ${state.step + 1} / ${steps.length}` : "";
    const stepCaption = steps[state.step]?.caption;
    setChildren(caption, [
      h("strong", { class: "caption-title" }, scene ? scene.title : "Playground"),
      scene?.lecture ? h("span", { class: "lecture" }, ` · ${scene.lecture}`) : null,
      h("p", { class: "caption-text" }, scene ? scene.caption : "Every surface, optimizer and panel. Drag on the contour to move the start."),
      stepCaption ? h("p", { class: "step-caption" }, stepCaption) : null,
    ]);
    const items = state.runs.map((run, i) => {
      const res = data.runs?.[i];
      const text = statusText(res);
      if (!text || res.status === "converged" || res.status === "done") return null;
      return h("span", { class: `badge badge-${res.status}`, role: "status", style: { borderColor: run.color } },
        [h("span", { class: "swatch", style: { background: run.color } }), ` run ${i + 1} (${run.optimizer}) ${text}`]);
    }).filter(Boolean);
    setChildren(badges, items);
    const errs = Object.values(data.errors || {});
    toast.hidden = !errs.length;
    toast.textContent = errs.length ? `The server refused a request: ${errs[0]}` : "";
  }

  let frame = 0;
  const scheduleRender = () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };

  store.subscribe((s, info) => {
    if (info.what === "state") {
      const immediate = info.source === "pointer" || info.source === "scene" || info.source === "boot";
      if (info.source !== "timeline") sync.schedule({ immediate });
      if (info.phase === "up") sync.setDragging(false);
      writeHash(info);
    }
    // A drag redraws the paths in the same frame as the result that carries them.
    if (info.what === "data" && ui.dragging && info.lane?.startsWith("trajectories")) render();
    else scheduleRender();
  });

  // ------------------------------------------------------------------ hash, scenes, keys
  function writeHash(info) {
    const write = () => {
      ui.hashTimer = 0;
      const hash = `#${encodeHash(catalog, store.state)}`;
      if (hash === location.hash) return;
      if (info.push) history.pushState(null, "", hash);
      else history.replaceState(null, "", hash);
    };
    clearTimeout(ui.hashTimer);
    if (info.push) write();
    else ui.hashTimer = setTimeout(write, HASH_WRITE_MS);
  }

  window.addEventListener("hashchange", () => {
    const next = decodeHash(catalog, location.hash);
    if (encodeHash(catalog, next) !== encodeHash(catalog, store.state)) store.setState(next, { source: "scene" });
  });

  function openScene(id, k, push = false) {
    timeline.stop();
    const next = sceneState(catalog, id, k, { present: store.state.present, speed: store.state.speed });
    store.setState(next, { source: "scene", push });
  }
  function step(d) {
    const scene = sceneById(catalog, store.state.scene);
    const n = scene?.steps?.length || 0;
    const k = store.state.step + d;
    if (k < 0 || k >= n) return;
    openScene(store.state.scene, k);
  }
  function togglePresenter() {
    setState({ ...store.state, present: !store.state.present });
    requestAnimationFrame(() => {
      for (const plot of panelsEl.querySelectorAll(".js-plotly-plot")) Plotly.Plots.resize(plot);
    });
  }
  function randomRestarts() {
    const spec = surfaceSpec(catalog, store.state.surface);
    const v = spec.view;
    const rand = (a, b) => Number((a + Math.random() * (b - a)).toPrecision(4));
    setState({ ...store.state, runs: store.state.runs.map((r) => ({ ...r,
      start: [rand(v[0], v[1]), spec.dims === 1 ? 0 : rand(v[2], v[3])] })) });
  }
  async function copyLink(btn) {
    writeHash({ push: false });
    const url = `${location.origin}${location.pathname}#${encodeHash(catalog, store.state)}`;
    try {
      await navigator.clipboard.writeText(url);
      btn.textContent = "Copied";
    } catch {
      btn.textContent = "See address bar";
    }
    setTimeout(() => { btn.textContent = "Copy link"; }, 1500);
  }

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    const typing = t instanceof HTMLElement && (t.matches("input, select, textarea, [role=application]") || t.isContentEditable);
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (!typing && (ev.key === "p" || ev.key === "P")) {
      ev.preventDefault();
      togglePresenter();
      return;
    }
    if (store.state.present && ev.key === "Escape") {
      togglePresenter();
      return;
    }
    if (typing) return;
    if (ev.key === " " && !(t instanceof HTMLButtonElement)) {
      ev.preventDefault();
      timeline.toggle();
      return;
    }
    if (!store.state.present) return;
    if (["ArrowRight", "PageDown", "ArrowDown"].includes(ev.key)) {
      ev.preventDefault();
      step(1);
    } else if (["ArrowLeft", "PageUp", "ArrowUp"].includes(ev.key)) {
      ev.preventDefault();
      step(-1);
    }
  });
  window.addEventListener("resize", () => ui.deps.clear());

  store.setState(store.state, { source: "boot" });
  document.body.dataset.ready = "1";
}

boot();
