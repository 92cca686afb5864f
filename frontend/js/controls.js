// The control panel, built from the catalog: surface and its parameters, up to six runs (optimizer,
// learning rate, hyperparameters, colour, start), steps, schedule, gradient noise, batch size, seed,
// display options and the panels shown. Native inputs only, each labelled: all keyboard-reachable.
//
// The panel is rebuilt when its structure changes (another surface, optimizer, run count...);
// otherwise only the inputs' values are synced, so a slider being dragged keeps its focus.

import { h, setChildren, uid } from "./dom.js";
import { EXPRESSION, formulaControls } from "./formula.js";
import { fmt, prettyLatex, roundSig, statusText } from "./format.js";
import { RUN_COLORS } from "./palette.js";
import {
  addRun, CLICK_MODES, MAX_RUNS, panelIds, panelTitle, paramDict, removeRun, scheduleSpec,
  surfaceSpec, optimizerSpec, updateRun, withSurface,
} from "./state.js";

const SLIDER_STEPS = 1000;

/** Write an input's value only when it differs (a write invalidates layout even when equal). */
function setValue(input, value) {
  if (input.value !== value) input.value = value;
}

function toSlider(v, spec) {
  if (spec.log) {
    const a = Math.log(spec.min);
    const b = Math.log(spec.max);
    return Math.round((SLIDER_STEPS * (Math.log(Math.max(v, spec.min)) - a)) / (b - a));
  }
  return spec.kind === "int" ? v : Math.round((SLIDER_STEPS * (v - spec.min)) / (spec.max - spec.min || 1));
}
function fromSlider(s, spec) {
  if (spec.log) {
    const a = Math.log(spec.min);
    const b = Math.log(spec.max);
    const v = Math.exp(a + ((b - a) * s) / SLIDER_STEPS);
    return spec.kind === "int" ? Math.round(v) : roundSig(v, 3);
  }
  if (spec.kind === "int") return s;
  return roundSig(spec.min + ((spec.max - spec.min) * s) / SLIDER_STEPS, 4);
}

/**
 * One numeric parameter: a slider (log-scaled when spec.log) and a number box, or a checkbox for
 * a bool. Returns {el, sync(value)}; onInput(value) fires on every change.
 */
export function paramControl(id, label, spec, value, onInput, { title } = {}) {
  if (spec.kind === "bool") {
    const box = h("input", { type: "checkbox", id, props: { checked: Boolean(value) },
      onchange: (ev) => onInput(ev.target.checked ? 1 : 0) });
    const el = h("div", { class: "param param-bool", title }, [box, h("label", { for: id }, label)]);
    return { el, sync: (v) => { box.checked = Boolean(v); } };
  }
  const intLog = spec.kind === "int" && !spec.log;
  const range = h("input", {
    type: "range", id, min: intLog ? spec.min : 0, max: intLog ? spec.max : SLIDER_STEPS, step: 1,
    props: { value: String(toSlider(value, spec)) },
    "aria-valuetext": fmt(value, 4),
    oninput: (ev) => {
      const v = fromSlider(Number(ev.target.value), spec);
      number.value = String(v);
      range.setAttribute("aria-valuetext", fmt(v, 4));
      onInput(v);
    },
  });
  const number = h("input", {
    type: "number", class: "num", min: spec.min, max: spec.max, step: spec.kind === "int" ? 1 : "any",
    "aria-label": `${label} value`, props: { value: String(value) },
    onchange: (ev) => {
      let v = Number(ev.target.value);
      if (!Number.isFinite(v)) return;
      v = Math.min(spec.max, Math.max(spec.min, spec.kind === "int" ? Math.round(v) : v));
      number.value = String(v);
      range.value = String(toSlider(v, spec));
      onInput(v);
    },
  });
  const el = h("div", { class: "param", title: title || spec.description || undefined }, [
    h("label", { for: id }, [label, spec.log ? h("span", { class: "tag" }, "log") : null]), range, number,
  ]);
  return {
    el,
    sync(v) {
      if (document.activeElement !== number) setValue(number, String(v));
      if (document.activeElement !== range) setValue(range, String(toSlider(v, spec)));
      const text = fmt(v, 4);
      if (range.getAttribute("aria-valuetext") !== text) range.setAttribute("aria-valuetext", text);
    },
  };
}

function select(id, label, options, value, onChange) {
  const sel = h("select", { id, onchange: (ev) => onChange(ev.target.value) },
    options.map(([v, text]) => h("option", { value: v, props: { selected: v === value } }, text)));
  const el = h("div", { class: "param param-select" }, [h("label", { for: id }, label), sel]);
  return { el, sel, sync: (v) => { if (document.activeElement !== sel) setValue(sel, v); } };
}

function section(title, children, { open = true, id } = {}) {
  return h("details", { class: "section", open, id }, [h("summary", {}, title), ...children]);
}

/**
 * createControls(el, {catalog, getState, setState}) -> {update(state, data)}.
 * setState(next, {debounce}) commits a new state; getState() reads the current one.
 */
export function createControls(el, { catalog, getState, setState, actions }) {
  let structureKey = null;
  let syncers = [];
  const badges = [];

  const commit = (fn) => setState(fn(getState()));

  function structure(state) {
    return JSON.stringify([state.surface, state.scene, state.present, state.schedule.name,
      state.runs.map((r) => [r.optimizer, r.schedule?.name ?? null, r.batch_size !== undefined])]);
  }

  function surfaceSection(state) {
    const spec = surfaceSpec(catalog, state.surface);
    const sel = select("surface", "Surface", [...catalog.surfaces.map((s) => [s.name, s.title || s.name]),
      [EXPRESSION, "typed formula…"]], state.surface, (name) => commit((s) => withSurface(catalog, s, name)));
    syncers.push((s) => sel.sync(s.surface));
    if (state.surface === EXPRESSION) {
      const f = formulaControls(state, { commit, check: actions.checkFormula, paramControl });
      syncers.push(f.sync);
      return section("Surface", [sel.el, ...f.items]);
    }
    const items = [sel.el,
      h("p", { class: "formula", title: spec.formula }, `f = ${prettyLatex(spec.formula)}`),
      spec.concept ? h("p", { class: "concept" }, spec.concept) : null];
    for (const p of spec.params) {
      const c = paramControl(uid("sp", p.name), p.name, p, state.params[p.name],
        (v) => commit((s) => ({ ...s, params: { ...s.params, [p.name]: v } })));
      syncers.push((s) => c.sync(s.params[p.name]));
      items.push(c.el);
    }
    return section("Surface", items);
  }

  function runCard(state, run, i) {
    const spec = optimizerSpec(catalog, run.optimizer);
    const set = (fn) => commit((s) => updateRun(s, i, fn));
    const badge = h("span", { class: "badge", role: "status", hidden: true });
    badges[i] = badge;
    const colorSel = h("select", { id: uid("run", i, "color"), class: "color-select",
      "aria-label": `Run ${i + 1} colour`,
      onchange: (ev) => set((r) => ({ ...r, color: ev.target.value })) },
    RUN_COLORS.map((c) => h("option", { value: c.hex, props: { selected: c.hex === run.color } }, c.name)));
    const swatch = h("span", { class: "swatch", style: { background: run.color } });
    syncers.push((s) => {
      if (!s.runs[i]) return;
      setValue(colorSel, s.runs[i].color);
      if (swatch.dataset.color !== s.runs[i].color) {
        swatch.dataset.color = s.runs[i].color;
        swatch.style.background = s.runs[i].color;
      }
    });
    const remove = h("button", { type: "button", class: "icon", "aria-label": `Remove run ${i + 1}`,
      title: "remove this run", disabled: state.runs.length <= 1,
      onclick: () => commit((s) => removeRun(s, i)) }, "✕");
    const opt = select(uid("run", i, "optimizer"), "Optimizer",
      catalog.optimizers.map((o) => [o.name, o.title || o.name]), run.optimizer,
      (name) => set((r) => ({ ...r, optimizer: name, hyperparams: {},
        lr: optimizerSpec(catalog, name).lr.default })));
    const lrSpec = { name: "lr", min: spec.lr.min, max: spec.lr.max, default: spec.lr.default, kind: "float", log: true };
    const lr = paramControl(uid("run", i, "lr"), "learning rate α", lrSpec, run.lr,
      (v) => set((r) => ({ ...r, lr: v })));
    syncers.push((s) => s.runs[i] && lr.sync(s.runs[i].lr));
    const hps = spec.hyperparams.map((p) => {
      const c = paramControl(uid("run", i, p.name), p.name, p, run.hyperparams[p.name],
        (v) => set((r) => ({ ...r, hyperparams: { ...r.hyperparams, [p.name]: v } })));
      syncers.push((s) => s.runs[i] && c.sync(s.runs[i].hyperparams[p.name]));
      return c.el;
    });
    const changed = spec.hyperparams.some((p) => paramDict([p], {})[p.name] !== run.hyperparams[p.name]);
    const startIn = [0, 1].map((k) => {
      const input = h("input", { type: "number", step: "any", class: "num", id: uid("run", i, "start", k),
        "aria-label": `Run ${i + 1} start ${k ? "y" : "x"}`, props: { value: String(run.start[k]) },
        onchange: (ev) => {
          const v = Number(ev.target.value);
          if (Number.isFinite(v)) set((r) => ({ ...r, start: k ? [r.start[0], v] : [v, r.start[1]] }));
        } });
      syncers.push((s) => {
        if (s.runs[i] && document.activeElement !== input) setValue(input, String(s.runs[i].start[k]));
      });
      return input;
    });
    const schedOpts = [["", "(shared)"], ...catalog.schedules.map((x) => [x.name, x.title || x.name])];
    const sched = select(uid("run", i, "schedule"), "Schedule", schedOpts, run.schedule?.name || "",
      (name) => set((r) => ({ ...r, schedule: name ? { name, params: {} } : null })));
    const schedParams = run.schedule
      ? scheduleSpec(catalog, run.schedule.name).params.map((p) => {
        const c = paramControl(uid("run", i, "sch", p.name), p.name, p, run.schedule.params[p.name],
          (v) => set((r) => ({ ...r, schedule: { ...r.schedule, params: { ...r.schedule.params, [p.name]: v } } })));
        syncers.push((s) => s.runs[i]?.schedule && c.sync(s.runs[i].schedule.params[p.name]));
        return c.el;
      })
      : [];
    const own = run.batch_size !== undefined;
    const bsValue = !own ? "" : run.batch_size === null ? "full" : String(run.batch_size);
    const bsInput = h("input", { type: "text", inputmode: "numeric", class: "num", id: uid("run", i, "bs"),
      placeholder: "shared", props: { value: bsValue }, pattern: "[0-9]*|full",
      title: "a number S, 'full' (exact gradient, no noise), or empty for the shared setting",
      "aria-label": `Run ${i + 1} batch size: a number, full, or empty for the shared setting`,
      onchange: (ev) => {
        const v = ev.target.value.trim().toLowerCase();
        set((r) => {
          const out = { ...r };
          if (v === "") delete out.batch_size;
          else if (v === "full") out.batch_size = null;
          else out.batch_size = Math.max(1, Math.round(Number(v)) || 1);
          return out;
        });
      } });
    return h("fieldset", { class: "run", dataset: { run: String(i) } }, [
      h("legend", {}, [swatch, ` Run ${i + 1} `, badge]),
      h("div", { class: "run-head" }, [colorSel, remove]),
      opt.el,
      h("p", { class: "formula", title: spec.update }, prettyLatex(spec.update)),
      lr.el,
      hps.length ? h("details", { class: "hp", open: changed }, [h("summary", {}, `hyperparameters (${hps.length})`), ...hps]) : null,
      h("div", { class: "param start" }, [h("label", { for: uid("run", i, "start", 0) }, "start (x, y)"), ...startIn]),
      h("details", { class: "hp", open: Boolean(run.schedule) || own }, [
        h("summary", {}, "own schedule / batch size"),
        sched.el, ...schedParams,
        h("div", { class: "param" }, [h("label", { for: uid("run", i, "bs") }, "batch size S"), bsInput]),
      ]),
    ]);
  }

  function runsSection(state) {
    const add = h("button", { type: "button", disabled: state.runs.length >= MAX_RUNS,
      onclick: () => commit((s) => addRun(catalog, s)) }, `+ add run (up to ${MAX_RUNS})`);
    const restarts = h("button", { type: "button", title: "random starts for every run (random restarts)",
      onclick: () => actions.randomRestarts() }, "random restarts");
    return section("Runs", [...state.runs.map((r, i) => runCard(state, r, i)),
      h("div", { class: "row" }, [add, restarts])]);
  }

  function trainingSection(state) {
    const lim = catalog.limits;
    const stepsSpec = { min: 1, max: lim.max_steps ?? 20000, kind: "int", log: true, description: "step budget" };
    const steps = paramControl("steps", "steps", stepsSpec, state.steps, (v) => commit((s) => ({ ...s, steps: v, t: null })));
    syncers.push((s) => steps.sync(s.steps));
    const sched = select("schedule", "lr schedule", catalog.schedules.map((x) => [x.name, x.title || x.name]),
      state.schedule.name, (name) => commit((s) => ({ ...s, schedule: { name, params: {} } })));
    const sspec = scheduleSpec(catalog, state.schedule.name);
    const sparams = sspec.params.map((p) => {
      const c = paramControl(uid("sch", p.name), p.name, p, state.schedule.params[p.name],
        (v) => commit((s) => ({ ...s, schedule: { ...s.schedule, params: { ...s.schedule.params, [p.name]: v } } })));
      syncers.push((s) => c.sync(s.schedule.params[p.name]));
      return c.el;
    });
    const noiseSpec = { min: 0, max: Math.min(10, lim.max_noise ?? 10), kind: "float", description:
      "gradient noise σ: each step sees ∇f + N(0, σ²/S)" };
    const noise = paramControl("noise", "gradient noise σ", noiseSpec, state.noise, (v) => commit((s) => ({ ...s, noise: v })));
    syncers.push((s) => noise.sync(s.noise));
    const bs = h("input", { type: "number", id: "batch-size", min: 1, step: 1, class: "num", placeholder: "σ as is",
      props: { value: state.batch_size === null ? "" : String(state.batch_size) },
      onchange: (ev) => {
        const v = ev.target.value.trim();
        commit((s) => ({ ...s, batch_size: v === "" ? null : Math.max(1, Math.round(Number(v)) || 1) }));
      } });
    syncers.push((s) => {
      if (document.activeElement !== bs) setValue(bs, s.batch_size === null ? "" : String(s.batch_size));
    });
    const seed = h("input", { type: "number", id: "seed", min: 0, step: 1, class: "num", props: { value: String(state.seed) },
      onchange: (ev) => commit((s) => ({ ...s, seed: Math.max(0, Math.round(Number(ev.target.value)) || 0) })) });
    syncers.push((s) => { if (document.activeElement !== seed) setValue(seed, String(s.seed)); });
    return section("Training", [
      steps.el, sched.el, h("p", { class: "formula" }, prettyLatex(sspec.formula)), ...sparams, noise.el,
      h("div", { class: "param" }, [h("label", { for: "batch-size", title: "noise std σ/√S; empty: σ as given" }, "batch size S (σ/√S)"), bs]),
      h("div", { class: "param" }, [h("label", { for: "seed" }, "seed"), seed,
        h("button", { type: "button", onclick: () => commit((s) => ({ ...s, seed: (s.seed + 1) % 1000000 })) }, "new")]),
    ]);
  }

  function check(id, label, key) {
    const box = h("input", { type: "checkbox", id, props: { checked: getState()[key] },
      onchange: (ev) => commit((s) => ({ ...s, [key]: ev.target.checked })) });
    syncers.push((s) => { if (box.checked !== s[key]) box.checked = s[key]; });
    return h("div", { class: "param param-bool" }, [box, h("label", { for: id }, label)]);
  }

  function displaySection(state) {
    const clicks = h("div", { class: "param radios", role: "radiogroup", "aria-label": "A click on the map" },
      [h("span", {}, "click on the map:"), ...CLICK_MODES.map((m) => {
        const r = h("input", { type: "radio", name: "click", id: uid("click", m), value: m,
          props: { checked: state.click === m }, onchange: () => commit((s) => ({ ...s, click: m })) });
        syncers.push((s) => { if (r.checked !== (s.click === m)) r.checked = s.click === m; });
        return h("label", { for: uid("click", m), class: "inline" }, [r, m === "start" ? " moves starts" : " probes Hessian"]);
      })]);
    const PANELS = panelIds();
    const panels = PANELS.map((p) => {
      const box = h("input", { type: "checkbox", id: uid("panel", p), props: { checked: state.panels.includes(p) },
        onchange: (ev) => commit((s) => ({ ...s, panels: ev.target.checked
          ? PANELS.filter((q) => q === p || s.panels.includes(q)) : s.panels.filter((q) => q !== p) })) });
      syncers.push((s) => { if (box.checked !== s.panels.includes(p)) box.checked = s.panels.includes(p); });
      return h("div", { class: "param param-bool" }, [box, h("label", { for: uid("panel", p) }, panelTitle(p))]);
    });
    return section("Display", [
      check("opt-arrows", "gradient arrows (−∇f)", "arrows"),
      check("opt-logy", "log loss axis", "logy"),
      check("opt-avg", "iterate averaging (dotted)", "averaging"),
      check("opt-internals", "optimizer internals (velocity, step scales)", "internals"),
      clicks,
      h("fieldset", { class: "panels" }, [h("legend", {}, "panels"), ...panels]),
    ], { open: false });
  }

  function sweepSection(state) {
    const num = (id, label, get, put, spec) => {
      const c = paramControl(id, label, spec, get(state), (v) => commit((s) => put(s, v)));
      syncers.push((s) => c.sync(get(s)));
      return c.el;
    };
    const lrSpec = { min: 1e-6, max: 10, kind: "float", log: true };
    return section("Sweeps", [
      num("sw-lo", "lr sweep from", (s) => s.sweep.lr_min, (s, v) => ({ ...s, sweep: { ...s.sweep, lr_min: v } }), lrSpec),
      num("sw-hi", "lr sweep to", (s) => s.sweep.lr_max, (s, v) => ({ ...s, sweep: { ...s.sweep, lr_max: v } }), lrSpec),
      num("sw-n", "lr sweep points", (s) => s.sweep.count, (s, v) => ({ ...s, sweep: { ...s.sweep, count: v } }),
        { min: 4, max: 200, kind: "int" }),
      num("bg-res", "basin map starts per side", (s) => s.basins.resolution,
        (s, v) => ({ ...s, basins: { resolution: v } }), { min: 8, max: 128, kind: "int" }),
    ], { open: false });
  }

  function build(state) {
    syncers = [];
    badges.length = 0;
    setChildren(el, [surfaceSection(state), runsSection(state), trainingSection(state),
      displaySection(state), sweepSection(state)]);
  }

  let synced = null;
  function update(state, data) {
    const key = structure(state);
    if (key !== structureKey || state.runs.length !== badges.length) {
      structureKey = key;
      build(state);
    } else if (state !== synced) {
      for (const s of syncers) s(state);
    }
    synced = state;
    state.runs.forEach((_, i) => {
      const res = data.runs?.[i];
      const b = badges[i];
      if (!b) return;
      const text = statusText(res);
      if (b.textContent === text && !b.hidden === Boolean(text)) return;
      b.hidden = !text;
      b.textContent = text;
      b.className = `badge badge-${res?.status || "none"}`;
    });
  }

  return { update };
}
