// The page state: one plain object, normalised against the catalog, serialised to the URL hash.
//
// Every field is listed here once; the controls, the request builders and the hash codec
// read it. Nothing here knows surface or optimizer names: those come from GET /api/catalog.

import {
  EXPRESSION, expressionSpec, formulaParams, normFormula, normFormulaParams, normView, paramValues,
} from "./formula.js";
import { nextColor } from "./palette.js";
import { roundSig } from "./format.js";
import {
  boolProp, decodeProps, encodeProps, hashPairs, listProp, numberProp, SPEEDS, stringProp, VIEW_PROPS,
} from "./codec.js";
import { SURFACE_PANELS } from "./panels.js";

/** Panel ids in display order, from the panel registry (panels.js); read at call time. */
export const panelIds = () => SURFACE_PANELS.map((p) => p.id);
export const panelTitle = (id) => SURFACE_PANELS.find((p) => p.id === id)?.title || id;
export const MAX_RUNS = 6;
export const PLAYGROUND = "playground";
export { SPEEDS, VIEW_PROPS } from "./codec.js";
export const CLICK_MODES = ["start", "probe"];

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const num = (v, fallback) => {
  const x = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return isNum(x) ? x : fallback;
};

/** A value for one catalog parameter spec ({name, default, min, max, kind}). */
export function paramValue(spec, given) {
  if (spec.kind === "bool") {
    if (given === true || given === 1 || given === "1" || given === "true") return 1;
    if (given === false || given === 0 || given === "0" || given === "false") return 0;
    return spec.default ? 1 : 0;
  }
  let v = clamp(num(given, spec.default), spec.min, spec.max);
  if (spec.kind === "int") v = Math.round(v);
  return v;
}

/** All of `specs` with `given` values clamped into bounds, defaults elsewhere. */
export function paramDict(specs, given = {}) {
  const out = {};
  for (const s of specs || []) out[s.name] = paramValue(s, given ? given[s.name] : undefined);
  return out;
}

export function surfaceSpec(catalog, name) {
  return catalog.surfaces.find((s) => s.name === name) || (name === EXPRESSION ? expressionSpec() : undefined);
}
export function optimizerSpec(catalog, name) {
  return catalog.optimizers.find((o) => o.name === name);
}
export function scheduleSpec(catalog, name) {
  return catalog.schedules.find((s) => s.name === name);
}
export function sceneById(catalog, id) {
  return (catalog.scenes || []).find((s) => s.id === id);
}
/** The optimizers usable on surfaces (all of them; `surfaces_only` ones too). */
export function optimizerNames(catalog) {
  return catalog.optimizers.map((o) => o.name);
}
/** The momentum-like hyperparameter an (lr x momentum) map sweeps, or null. */
export function momentumParam(spec) {
  const names = (spec?.hyperparams || []).map((p) => p.name);
  return ["momentum", "beta1"].find((n) => names.includes(n)) || null;
}

function normSchedule(catalog, raw) {
  const spec = scheduleSpec(catalog, raw?.name) || catalog.schedules[0];
  return { name: spec.name, params: paramDict(spec.params, raw?.params) };
}

function normBatch(catalog, v) {
  if (v === null || v === undefined || v === "" || v === "null") return null;
  const x = num(v, null);
  return x === null ? null : clamp(Math.round(x), 1, catalog.limits.max_batch_size ?? 1e6);
}

function normPoint(v, fallback, limit) {
  if (!Array.isArray(v) || v.length < 1) return [...fallback];
  const x = num(v[0], fallback[0]);
  const y = num(v[1], fallback[1] ?? 0);
  return [clamp(x, -limit, limit), clamp(y, -limit, limit)];
}

function normRun(catalog, raw, surface, usedColors) {
  const spec = optimizerSpec(catalog, raw?.optimizer) || catalog.optimizers[0];
  const lr = clamp(num(raw?.lr, spec.lr.default), spec.lr.min, spec.lr.max);
  const limit = catalog.limits.max_coordinate ?? 1e6;
  const color = /^#?[0-9a-fA-F]{6}$/.test(raw?.color || "")
    ? `#${String(raw.color).replace("#", "").toUpperCase()}`
    : nextColor(usedColors);
  const run = {
    optimizer: spec.name,
    lr,
    hyperparams: paramDict(spec.hyperparams, raw?.hyperparams),
    start: normPoint(raw?.start, surface.default_start, limit),
    color,
    schedule: raw?.schedule ? normSchedule(catalog, raw.schedule) : null,
    batch_size: raw?.batch_size === undefined ? undefined : normBatch(catalog, raw.batch_size),
  };
  if (run.batch_size === undefined) delete run.batch_size;
  return run;
}

/** Generic defaults for fields a scene leaves out. */
function defaults(catalog) {
  const pg = sceneById(catalog, PLAYGROUND);
  return pg ? pg.state : {};
}

/**
 * The full, valid state for `raw` (anything: a scene's state, a parsed hash, a patch result).
 * Unknown names fall back to defaults, numbers are clamped to the catalog's bounds.
 */
export function normalize(catalog, raw = {}) {
  const base = defaults(catalog);
  const pick = (k) => (raw[k] !== undefined ? raw[k] : base[k]);
  const surface = surfaceSpec(catalog, pick("surface")) || catalog.surfaces[0];
  const lim = catalog.limits;
  const rawRuns = Array.isArray(raw.runs) && raw.runs.length ? raw.runs : base.runs || [{}];
  const runs = [];
  for (const r of rawRuns.slice(0, MAX_RUNS)) {
    runs.push(normRun(catalog, r, surface, runs.map((x) => x.color)));
  }
  const steps = clamp(Math.round(num(pick("steps"), 200)), 1, lim.max_steps ?? 20000);
  const panels = (Array.isArray(pick("panels")) ? pick("panels") : ["contour", "curves"]).filter(
    (p, i, a) => panelIds().includes(p) && a.indexOf(p) === i,
  );
  const sweep = pick("sweep") || {};
  const basins = pick("basins") || {};
  const lrm = pick("lrm") || {};
  const t = raw.t === null || raw.t === undefined ? null : clamp(Math.round(num(raw.t, 0)), 0, steps);
  const scene = typeof raw.scene === "string" && (raw.scene === PLAYGROUND || sceneById(catalog, raw.scene))
    ? raw.scene : PLAYGROUND;
  const nSteps = (sceneById(catalog, scene)?.steps || []).length;
  return {
    scene,
    step: clamp(Math.round(num(raw.step, 0)), 0, Math.max(0, nSteps - 1)),
    surface: surface.name,
    formula: normFormula(pick("formula")),
    fparams: normFormulaParams(pick("fparams")),
    fview: normView(pick("fview"), lim.max_coordinate ?? 1e6),
    params: paramDict(surface.params, surface.name === pick("surface") ? pick("params") : {}),
    runs,
    steps,
    schedule: normSchedule(catalog, pick("schedule")),
    noise: clamp(num(pick("noise"), 0), 0, lim.max_noise ?? 1e3),
    batch_size: normBatch(catalog, pick("batch_size")),
    seed: clamp(Math.round(num(pick("seed"), 0)), 0, lim.max_seed ?? 2 ** 31 - 1),
    panels: panels.length ? panels : ["contour"],
    arrows: Boolean(pick("arrows")),
    logy: Boolean(pick("logy")),
    averaging: Boolean(pick("averaging")),
    internals: Boolean(pick("internals")),
    sweep: {
      lr_min: clamp(num(sweep.lr_min, 1e-4), 1e-8, 1e3),
      lr_max: clamp(num(sweep.lr_max, 1), 1e-8, 1e3),
      count: clamp(Math.round(num(sweep.count, 60)), 2, 400),
    },
    basins: { resolution: clamp(Math.round(num(basins.resolution, 48)), 4, 160) },
    lrm: {
      lr_min: clamp(num(lrm.lr_min, 1e-3), 1e-8, 1e3),
      lr_max: clamp(num(lrm.lr_max, 1), 1e-8, 1e3),
      lr_count: clamp(Math.round(num(lrm.lr_count, 40)), 2, 120),
      momentum_min: clamp(num(lrm.momentum_min, 0), 0, 1),
      momentum_max: clamp(num(lrm.momentum_max, 0.99), 0, 1),
      momentum_count: clamp(Math.round(num(lrm.momentum_count, 34)), 2, 120),
    },
    probe: pick("probe") ? normPoint(pick("probe"), [0, 0], lim.max_coordinate ?? 1e6) : null,
    gradbug: Boolean(pick("gradbug")),
    click: CLICK_MODES.includes(pick("click")) ? pick("click") : "start",
    t,
    speed: SPEEDS.includes(num(raw.speed, 0)) ? num(raw.speed, 0) : 30,
    present: Boolean(raw.present),
  };
}

// --------------------------------------------------------------------------- scenes

/**
 * The state of scene `id` at presenter step `k`. Python owns the scene semantics: the
 * catalog serves each step's fully merged state as `steps[k].state`.
 */
export function sceneState(catalog, id, k = 0, view = {}) {
  const scene = sceneById(catalog, id);
  if (!scene) return normalize(catalog, { ...view });
  const steps = scene.steps || [];
  const step = clamp(k, 0, Math.max(0, steps.length - 1));
  const merged = stepState(scene, step);
  return normalize(catalog, { panels: scene.panels, ...merged, ...view, scene: id, step });
}

/** Step k's full state as the catalog serves it (Python owns the merge). */
export function stepState(scene, k) {
  return scene.steps?.[k]?.state || scene.state || {};
}

// --------------------------------------------------------------------------- URL hash

const numStr = (v) => String(v);

function kv(dict, defaultsDict = {}) {
  return Object.entries(dict)
    .filter(([k, v]) => defaultsDict[k] !== v)
    .map(([k, v]) => `${k}:${numStr(v)}`)
    .join(",");
}
function parseKv(s) {
  const out = {};
  if (!s) return out;
  for (const part of s.split(",")) {
    const i = part.indexOf(":");
    if (i > 0) out[part.slice(0, i)] = Number(part.slice(i + 1));
  }
  return out;
}
const nums = (s) => (s || "").split(",").map(Number);

function encodeRun(catalog, run) {
  const spec = optimizerSpec(catalog, run.optimizer);
  const defaults = paramDict(spec.hyperparams, {});
  const parts = [run.optimizer, `lr:${numStr(run.lr)}`, `x:${numStr(run.start[0])}`,
    `y:${numStr(run.start[1])}`, `c:${run.color.replace("#", "")}`];
  const hp = kv(run.hyperparams, defaults);
  if (hp) parts.push(hp);
  if (run.batch_size !== undefined) parts.push(`bs:${run.batch_size === null ? "full" : run.batch_size}`);
  if (run.schedule) {
    parts.push(`sch:${run.schedule.name}`);
    const sdef = paramDict(scheduleSpec(catalog, run.schedule.name).params, {});
    for (const [k, v] of Object.entries(run.schedule.params)) {
      if (sdef[k] !== v) parts.push(`sch.${k}:${numStr(v)}`);
    }
  }
  return parts.join(",");
}

function decodeRun(s) {
  const [optimizer, ...rest] = s.split(",");
  const run = { optimizer, hyperparams: {}, start: [undefined, undefined] };
  let schedule = null;
  for (const part of rest) {
    const i = part.indexOf(":");
    if (i <= 0) continue;
    const k = part.slice(0, i);
    const v = part.slice(i + 1);
    if (k === "lr") run.lr = Number(v);
    else if (k === "x") run.start[0] = Number(v);
    else if (k === "y") run.start[1] = Number(v);
    else if (k === "c") run.color = v;
    else if (k === "bs") run.batch_size = v === "full" ? null : Number(v);
    else if (k === "sch") schedule = { name: v, params: { ...(schedule?.params || {}) } };
    else if (k.startsWith("sch.")) {
      schedule = schedule || { name: undefined, params: {} };
      schedule.params[k.slice(4)] = Number(v);
    } else run.hyperparams[k] = Number(v);
  }
  if (schedule) run.schedule = schedule;
  return run;
}

/** Every field of the classroom page's hash: one row each (codec.js reads and writes them). */
export const PROPS = [
  stringProp("scene", "scene", PLAYGROUND),
  numberProp("step", "step", 0),
  stringProp("s", "surface"),
  { key: "f", enc: (s) => (s.surface === EXPRESSION ? s.formula : null), dec: (v, raw) => { raw.formula = v[0]; } },
  { key: "fp", enc: (s) => (s.surface === EXPRESSION
    ? kv(paramValues(s), Object.fromEntries(formulaParams(s.formula).map((n) => [n, 1]))) || null : null),
  dec: (v, raw) => { raw.fparams = parseKv(v[0]); } },
  { key: "fv", enc: (s) => (s.surface === EXPRESSION && s.fview ? s.fview.join(",") : null),
    dec: (v, raw) => { raw.fview = nums(v[0]); } },
  { key: "sp", enc: (s, c) => kv(s.params, paramDict(surfaceSpec(c, s.surface).params, {})) || null,
    dec: (v, raw) => { raw.params = parseKv(v[0]); } },
  numberProp("n", "steps"),
  { key: "r", enc: (s, c) => s.runs.map((r) => encodeRun(c, r)), dec: (v, raw) => { raw.runs = v.map(decodeRun); } },
  { key: "sch", enc: (s, c) => (s.schedule.name !== c.schedules[0].name || kv(s.schedule.params) ? s.schedule.name : null),
    dec: (v, raw) => { raw.schedule = { ...(raw.schedule || {}), name: v[0] }; } },
  { key: "schp", enc: (s, c) => kv(s.schedule.params, paramDict(scheduleSpec(c, s.schedule.name).params, {})) || null,
    dec: (v, raw) => { raw.schedule = { ...(raw.schedule || {}), params: parseKv(v[0]) }; } },
  numberProp("noise", "noise", 0),
  numberProp("bs", "batch_size", null),
  numberProp("seed", "seed", 0),
  listProp("v", "panels"),
  boolProp("arrows"),
  boolProp("log", "logy"),
  boolProp("avg", "averaging"),
  boolProp("int", "internals"),
  { key: "sw", enc: (s) => [s.sweep.lr_min, s.sweep.lr_max, s.sweep.count].join(","),
    dec: (v, raw) => { const [lr_min, lr_max, count] = nums(v[0]); raw.sweep = { lr_min, lr_max, count }; } },
  { key: "bg", enc: (s) => String(s.basins.resolution), dec: (v, raw) => { raw.basins = { resolution: Number(v[0]) }; } },
  { key: "lrm", enc: (s) => { const m = s.lrm; return [m.lr_min, m.lr_max, m.lr_count, m.momentum_min, m.momentum_max, m.momentum_count].join(","); },
    dec: (v, raw) => {
      const [lr_min, lr_max, lr_count, momentum_min, momentum_max, momentum_count] = nums(v[0]);
      raw.lrm = { lr_min, lr_max, lr_count, momentum_min, momentum_max, momentum_count };
    } },
  { key: "probe", enc: (s) => (s.probe ? s.probe.join(",") : null), dec: (v, raw) => { raw.probe = nums(v[0]); } },
  stringProp("click", "click", "start"),
  boolProp("bug", "gradbug"),
  ...VIEW_PROPS,
];
const SCENE_PROPS = [stringProp("scene"), numberProp("step", "step", 0), ...VIEW_PROPS];

function untouchedScene(catalog, state) {
  if (!sceneById(catalog, state.scene)) return false;
  const strip = (s) => JSON.stringify({ ...s, t: 0, speed: 0, present: false });
  return strip(sceneState(catalog, state.scene, state.step)) === strip(state);
}

/** The hash (without '#') for a normalised state. A scene left untouched stays `scene=ID`. */
export function encodeHash(catalog, state) {
  return encodeProps(untouchedScene(catalog, state) ? SCENE_PROPS : PROPS, state, catalog);
}

/** The normalised state a hash describes (unknown keys ignored, bad values replaced). */
export function decodeHash(catalog, hash) {
  const pairs = hashPairs(hash);
  const raw = decodeProps(PROPS, pairs, catalog);
  const view = {};
  for (const k of ["t", "speed", "present"]) if (raw[k] !== undefined) view[k] = raw[k];
  if (raw.surface === undefined) {
    return raw.scene && sceneById(catalog, raw.scene)
      ? sceneState(catalog, raw.scene, raw.step || 0, view)
      : sceneState(catalog, PLAYGROUND, 0, view);
  }
  // A full set-up: what the hash leaves out takes the generic defaults, not the scene's.
  return normalize(catalog, { noise: 0, seed: 0, arrows: false, logy: false, averaging: false,
    internals: false, click: "start", gradbug: false, probe: null, batch_size: null,
    schedule: { name: undefined }, ...raw });
}

// --------------------------------------------------------------------------- edits

/** A new state with run `i` replaced by `fn(run)`. */
export function updateRun(state, i, fn) {
  return { ...state, runs: state.runs.map((r, j) => (j === i ? fn(r) : r)) };
}

/** Every run's start moved to (x, y) (a click or drag on the contour). */
export function moveStarts(state, x, y) {
  const p = [roundSig(x, 5), roundSig(y, 5)];
  return { ...state, runs: state.runs.map((r) => ({ ...r, start: p })), t: null };
}

/** The state with a new surface: its parameters and every run's start from the catalog. */
export function withSurface(catalog, state, name) {
  const spec = surfaceSpec(catalog, name);
  return normalize(catalog, {
    ...state,
    surface: name,
    params: {},
    probe: null,
    runs: state.runs.map((r) => ({ ...r, start: spec.default_start })),
  });
}

/** A new run appended (a copy of the last one with a free colour), up to MAX_RUNS. */
export function addRun(catalog, state) {
  if (state.runs.length >= MAX_RUNS) return state;
  const last = state.runs[state.runs.length - 1];
  const color = nextColor(state.runs.map((r) => r.color));
  return normalize(catalog, { ...state, runs: [...state.runs, { ...last, color }] });
}

export function removeRun(state, i) {
  if (state.runs.length <= 1) return state;
  return { ...state, runs: state.runs.filter((_, j) => j !== i) };
}
