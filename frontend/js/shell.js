// The shell both pages run on: header (scene picker, stepper, presenter mode, export, link),
// caption (with a place for the scene's claims), sidebar, panels laid out from the panel
// registry, timeline, keyboard, resize, and the URL hash. A page passes what differs:
//
// page = {
//   title, home, other: {href, text, title},      header links
//   rows, base, ctx,                               panel registry, base requests, planner context
//   scenes: [{id, title}], sceneOf(id), sceneState(id, k, view), freeLabel, freeCaption
//   decode(hash), encode(state), normalize(raw)    the hash codec and the state's rules
//   controls(el, {getState, setState}) -> {update(state, data)}
//   legend(state, data) -> [{color, label}]        runs named when the sidebar is hidden
//   badges(state, data) -> [elements]
//   exports: {json(state, data), csv(state, data)}
//   claimsPage: "surfaces" | "networks"           the scene_claims operation's page
//   derive?(state) -> data fields computed from the state (e.g. the task of the data set)
//   immediate?(info) -> bool                       send at once (drag) instead of debouncing
// }

import { createApi } from "./api.js";
import { createClaimsView } from "./claims.js";
import { exportPng } from "./export.js";
import { lectureButtons, lectureNotice, loadLecture } from "./lectures.js";
import { h, setChildren } from "./dom.js";
import { shownRows } from "./planner.js";
import { createRoom } from "./room.js";
import { createStore } from "./store.js";
import { createSync } from "./sync.js";
import { createTimeline } from "./timeline.js";

const HASH_WRITE_MS = 150;
// During a drag the contour (or 1-D curve) redraws at every answer; heavy views follow every
// FOLLOW_MS (on their quick layer when they have one: views/quick.js, Plotly again after the
// drop); afterDrag views (3-D WebGL) wait for the drop.
const FOLLOW_MS = 250;

export function showFatal(root, text) {
  setChildren(root, [h("div", { class: "fatal", role: "alert" }, [h("h1", {}, "losscape"), h("p", {}, text)])]);
}

/** The header's live-channel indicator, shared by both pages. */
export function transportBadge() {
  const el = h("span", { class: "transport", title: "how results reach this page" }, "connecting…");
  const on = (t) => {
    el.textContent = t === "live" ? "● live" : t === "reconnecting" ? "○ reconnecting" : "○ REST";
    el.dataset.transport = t;
  };
  return { el, on };
}

/**
 * Both pages' start: the live-channel badge, the API client and the catalog, then
 * `page(catalog, api) -> page description` and the shell on #app (`pageName`: "surfaces" or
 * "networks", the page a lecture link is opened on); a catalog that cannot be
 * loaded is said on the page instead.
 */
export async function bootPage(page, pageName) {
  const root = document.getElementById("app");
  const transport = transportBadge();
  const api = createApi({ onTransport: transport.on });
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    showFatal(root, `Could not load the catalog from the server: ${err.message}`);
    return null;
  }
  // A lecture link (#lecture=ID) adds the lecture to the catalog's scenes and sets the hash
  // to its current stop, before the page and the shell read either.
  const lectureError = await loadLecture(catalog, pageName);
  const shell = createShell(root, api, catalog, page(catalog, api), transport.el);
  lectureNotice(lectureError);
  return shell;
}

function same(a, b) {
  return a && b && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** createShell(root, api, catalog, page) -> {store, setState, getState, ui} (boots the page). */
export function createShell(root, baseApi, catalog, page, transport) {
  // Classroom rooms (room.js): a followed page's requests are answered by the teacher's results.
  const room = createRoom(baseApi, page);
  const api = room.api;
  const store = createStore(page.decode(location.hash));
  store.data = { catalog, runs: [], errors: {}, pending: {} };
  const ctx = page.ctx || {};
  const sync = createSync(store, api, { catalog, rows: page.rows, base: page.base, ctx });
  const ui = { hashTimer: 0, heavyAt: 0, heavyTimer: 0, chromeAt: 0, chromeTimer: 0, chromeKey: "",
    dragging: false, deps: new Map(), views: new Map(), quickDrawn: new Set() };
  const setState = (next, info = {}) => store.setState(page.normalize(next), info);
  const getState = () => store.state;

  // ------------------------------------------------------------------ layout
  const sceneSel = h("select", { id: "scene-select", onchange: (ev) => openScene(ev.target.value, 0, true) }, [
    h("option", { value: page.freeId }, page.freeLabel),
    ...page.scenes.filter((s) => s.id !== page.freeId).map((s) => h("option", { value: s.id }, s.title)),
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
    h("a", { class: "brand", href: page.home, title: "losscape" }, "losscape"),
    page.subtitle ? h("span", { class: "scene-label" }, page.subtitle) : null,
    h("label", { for: "scene-select", class: "scene-label" }, "Scene"), sceneSel,
    h("span", { class: "steps-nav" }, [prevStep, stepLabel, nextStep]),
    h("span", { class: "spacer" }),
    h("a", { class: "chrome", href: page.other.href, title: page.other.title }, page.other.text),
    transport,
    h("button", { type: "button", class: "chrome", id: "export-json", title: "download the results as JSON",
      onclick: () => page.exports.json(store.state, store.data) }, "JSON"),
    h("button", { type: "button", class: "chrome", id: "export-csv", title: "download the results as CSV",
      onclick: () => page.exports.csv(store.state, store.data) }, "CSV"),
    h("button", { type: "button", class: "chrome", title: "copy a link to exactly this view",
      onclick: (ev) => copyLink(ev.target) }, "Copy link"),
    room.button,
    ...lectureButtons({ catalog, pageName: page.claimsPage, getState }),
    presentBtn,
  ]);
  const caption = h("div", { class: "caption", id: "caption", "aria-live": "polite" });
  // The scene step's claims (claims.js), checked by the server on the step's own results.
  const claims = h("section", { class: "claims-host", id: "claims", "aria-label": "Claims of this step" });
  const claimsUi = { key: "", verdicts: null, hidden: false, stale: null };
  const claimsView = createClaimsView(claims, { onToggle: (hidden) => { claimsUi.hidden = hidden; } });
  const legend = h("div", { class: "run-legend", id: "run-legend", "aria-label": "runs" });
  const controlsEl = h("aside", { class: "controls", id: "controls", "aria-label": "Controls" });
  const badges = h("div", { class: "badges", id: "badges", "aria-live": "polite" });
  // focusable: in presenter mode the panels scroll, and a keyboard must reach them
  const panelsEl = h("div", { class: "panels", id: "panels", role: "region", "aria-label": "Panels", tabindex: "0" });
  // Panels also change size without a window resize (the caption, the claims or the class bar
  // grow or shrink), which Plotly's `responsive` does not follow: refit the plots that no
  // longer match their box, once per animation frame.
  let refit = 0;
  const refitPlots = () => {
    refit = 0;
    for (const gd of panelsEl.querySelectorAll(".js-plotly-plot")) {
      const fl = gd._fullLayout;
      if (fl && gd.clientWidth && gd.clientHeight &&
          (Math.abs(fl.width - gd.clientWidth) > 2 || Math.abs(fl.height - gd.clientHeight) > 2)) {
        Plotly.Plots.resize(gd);
      }
    }
  };
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => { refit ||= requestAnimationFrame(refitPlots); }).observe(panelsEl);
  }
  const timelineEl = h("div", { class: "timeline", role: "group", "aria-label": "Timeline" });
  const toast = h("div", { class: "toast", role: "alert", hidden: true });
  setChildren(root, [header, room.bar, caption, claims, h("div", { class: "layout" }, [controlsEl,
    h("main", { class: "main" }, [legend, badges, panelsEl, timelineEl])]), toast]);

  const controls = page.controls(controlsEl, { getState, setState });
  const timeline = createTimeline(timelineEl, { getState, setState });

  // ------------------------------------------------------------------ panels
  function onPointer({ x, y, phase, probe }) {
    if (room.onPointer({ x, y, phase })) return; // a click answering the class question
    if (probe) {
      if (phase === "down" || phase === "key") setState({ ...store.state, probe: [x, y] }, { source: "pointer" });
      return;
    }
    ui.dragging = phase === "down" || phase === "move";
    sync.setDragging(ui.dragging);
    timeline.stop();
    setState(page.onDrag(store.state, x, y), { source: "pointer", phase });
    if (!ui.dragging && ui.quickDrawn.size) scheduleRender(); // the quick layers' views, by Plotly
  }
  const viewCtx = { onPointer, getState, setState };

  function panelFor(row) {
    if (ui.views.has(row.id)) return ui.views.get(row.id);
    const body = h("div", { class: "panel-body", id: `view-${row.id}` });
    const tools = h("span", { class: "panel-tools" });
    const section = h("section", { class: "panel", dataset: { panel: row.id }, "aria-label": row.title }, [
      h("header", { class: "panel-head" }, [h("h2", {}, row.title), tools]), body,
    ]);
    const view = row.factory(body, viewCtx);
    const tool = row.tools?.(viewCtx);
    if (tool) tools.append(...tool.els);
    if (view.figure) {
      tools.append(h("button", { type: "button", class: "png", title: "download this view as PNG",
        "aria-label": `Download ${row.title} as PNG`, onclick: () => exportPng(view, `${page.prefix}${row.id}`) }, "PNG"));
    }
    const entry = { section, view, tool, body };
    ui.views.set(row.id, entry);
    return entry;
  }

  function layoutPanels(state) {
    const shown = shownRows(page.rows, catalog, state);
    const order = shown.map((r) => panelFor(r).section);
    const current = [...panelsEl.children];
    if (order.length !== current.length || order.some((s, i) => s !== current[i])) {
      setChildren(panelsEl, order);
      panelsEl.dataset.count = String(order.length);
      panelsEl.toggleAttribute("data-many", order.length >= 5);
      resizePlots();
      ui.deps.clear();
    }
    return shown;
  }
  function resizePlots() {
    requestAnimationFrame(() => {
      for (const plot of panelsEl.querySelectorAll(".js-plotly-plot")) Plotly.Plots.resize(plot);
    });
  }

  // ------------------------------------------------------------------ render
  function render() {
    const state = store.state;
    const data = page.derive ? { ...store.data, ...page.derive(state) } : store.data;
    const shown = layoutPanels(state);
    const now = performance.now();
    let deferred = false;
    let heavyDrawn = false;
    const heavyDue = now - ui.heavyAt >= FOLLOW_MS;
    for (const row of shown) {
      const entry = ui.views.get(row.id);
      entry.tool?.sync(state);
      const deps = row.deps(state, data);
      // drawn on its quick layer during the drag: Plotly draws it again once the drag is over
      if (!ui.dragging && ui.quickDrawn.delete(row.id)) ui.deps.delete(row.id);
      if (same(deps, ui.deps.get(row.id))) continue;
      if (ui.dragging && (row.afterDrag || (row.heavy && !heavyDue))) {
        deferred = true;
        continue;
      }
      ui.deps.set(row.id, deps);
      if (ui.dragging && row.heavy && entry.view.quick) {
        entry.view.quick(state, data);
        ui.quickDrawn.add(row.id);
        heavyDrawn = true;
        continue;
      }
      entry.view.update(state, data);
      // a test or benchmark waits for this, not for a fixed time
      entry.body.dataset.rendered = String(Number(entry.body.dataset.rendered || 0) + 1);
      heavyDrawn ||= Boolean(row.heavy);
    }
    if (heavyDrawn) ui.heavyAt = now;
    // Every planned answer is in and drawn: tests and the room check wait for this, not a sleep.
    document.body.toggleAttribute("data-settled", !deferred && !Object.keys(data.pending || {}).length);
    if (deferred && !ui.heavyTimer) {
      ui.heavyTimer = setTimeout(() => {
        ui.heavyTimer = 0;
        render();
      }, FOLLOW_MS);
    }
    // The chrome follows at a lower rate during a drag: every DOM write forces a relayout.
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

  /** The step's claims: verdicts fetched once per step; "settings changed" once the state moves. */
  function renderClaims(state) {
    const scene = page.sceneOf(state.scene);
    const list = scene?.steps?.[state.step]?.claims || [];
    const key = `${state.scene}/${state.step}`;
    const view = { present: state.present, speed: state.speed, t: state.t };
    const stale = list.length > 0
      && page.encode(state) !== page.encode(page.sceneState(state.scene, state.step, view));
    if (key !== claimsUi.key) {
      claimsUi.key = key;
      claimsUi.verdicts = null;
      if (list.length) {
        api.request("scene_claims", { scene: state.scene, step: state.step, page: page.claimsPage },
          { lane: "scene_claims" }).then((res) => {
          if (res.status !== "result" || claimsUi.key !== key) return;
          claimsUi.verdicts = res.body.claims;
          claimsView.update(claimsUi.verdicts, { claims: list, stale: claimsUi.stale, hidden: claimsUi.hidden });
        });
      }
    } else if (stale === claimsUi.stale) return;
    claimsUi.stale = stale;
    claimsView.update(claimsUi.verdicts, { claims: list, pending: !claimsUi.verdicts, stale, hidden: claimsUi.hidden });
  }

  /** Caption, stepper, legend, badges and errors; rebuilt only when what they show changed. */
  function renderChrome(state, data) {
    renderClaims(state);
    const legendItems = page.legend(state, data);
    const badgeItems = page.badges(state, data);
    const key = JSON.stringify([state.scene, state.step, state.present, legendItems,
      badgeItems.map((b) => b.textContent), Object.values(data.errors || {})]);
    if (key === ui.chromeKey) return;
    ui.chromeKey = key;
    const scene = page.sceneOf(state.scene);
    sceneSel.value = scene ? state.scene : page.freeId;
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
      h("strong", { class: "caption-title" }, scene ? scene.title : page.freeLabel),
      scene?.lecture ? h("span", { class: "lecture" }, ` · ${scene.lecture}`) : null,
      h("p", { class: "caption-text" }, scene ? scene.caption : page.freeCaption),
      stepCaption ? h("p", { class: "step-caption" }, stepCaption) : null,
    ]);
    setChildren(legend, legendItems.map((it) => h("span", { class: "legend-item", dataset: { color: it.color } },
      [h("span", { class: "swatch", style: { background: it.color } }), ` ${it.label}`])));
    setChildren(badges, badgeItems);
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
      document.body.removeAttribute("data-settled");
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
    if (room.holdsHash()) return; // a student's address stays the join link
    const write = () => {
      ui.hashTimer = 0;
      delete document.body.dataset.hashPending;
      const hash = `#${page.encode(store.state)}`;
      if (hash === location.hash) return;
      if (info.push) history.pushState(null, "", hash);
      else history.replaceState(null, "", hash);
    };
    clearTimeout(ui.hashTimer);
    // tests wait for this mark to clear instead of sleeping through the debounce
    document.body.dataset.hashPending = "1";
    if (info.push) write();
    else ui.hashTimer = setTimeout(write, HASH_WRITE_MS);
  }

  // A link to another scene (or set-up) replaces the whole state.
  window.addEventListener("hashchange", (ev) => {
    // the event's own URL: a debounced hash write may have replaced location.hash meanwhile
    const next = page.decode(new URL(ev.newURL).hash);
    if (page.encode(next) !== page.encode(store.state)) store.setState(next, { source: "scene" });
    else scheduleRender(); // the same set-up: say so again (data-settled)
  });

  function openScene(id, k, push = false) {
    const away = page.sceneOf(id)?.steps?.[k]?.href; // a saved lecture's stop on the other page
    if (away) {
      location.assign(away);
      return;
    }
    timeline.stop();
    const next = page.sceneState(id, k, { present: store.state.present, speed: store.state.speed });
    store.setState(next, { source: "scene", push });
  }
  function step(d) {
    const n = page.sceneOf(store.state.scene)?.steps?.length || 0;
    const k = store.state.step + d;
    if (k < 0 || k >= n) return;
    openScene(store.state.scene, k);
  }
  function togglePresenter() {
    setState({ ...store.state, present: !store.state.present });
    resizePlots();
  }
  async function copyLink(btn) {
    const url = `${location.origin}${location.pathname}#${page.encode(store.state)}`;
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
  room.attach({ store, sync, setState });
  document.body.dataset.ready = "1";
  return { store, setState, getState, ui, timeline };
}
