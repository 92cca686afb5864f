// Request bodies (api.md schemas) built from the page state. Pure functions: no I/O here.

import { EXPRESSION, expressionRef } from "./formula.js";
import { momentumParam, optimizerSpec, scheduleSpec, surfaceSpec } from "./state.js";

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** A run's arrays the page uses without iterate averaging (views, claims, export). */
export const PATH_FIELDS = ["x", "y", "loss", "lrs"];

/** Parameters as the API wants them: bools as JSON booleans (the page keeps them as 0/1). */
export function wire(specs, values) {
  const out = {};
  for (const p of specs || []) {
    if (values[p.name] === undefined) continue;
    out[p.name] = p.kind === "bool" ? Boolean(values[p.name]) : values[p.name];
  }
  return out;
}

export function surfaceRef(catalog, state) {
  if (state.surface === EXPRESSION) return expressionRef(state);
  return { name: state.surface, params: wire(surfaceSpec(catalog, state.surface)?.params, state.params) };
}

function hyper(catalog, run) {
  return wire(optimizerSpec(catalog, run.optimizer)?.hyperparams, run.hyperparams);
}

function scheduleRef(catalog, schedule) {
  return { name: schedule.name, params: wire(scheduleSpec(catalog, schedule.name)?.params, schedule.params) };
}

function runBody(catalog, run) {
  return { optimizer: run.optimizer, lr: run.lr, hyperparams: hyper(catalog, run), start: run.start };
}

/**
 * A run's effective (schedule, batch size, noise): its own override or the shared setting.
 * A run's batch_size of null means the full batch: the exact gradient, no noise.
 */
export function effective(state, run) {
  const own = run.batch_size !== undefined;
  return {
    schedule: run.schedule || state.schedule,
    batchSize: own ? run.batch_size : state.batch_size,
    noise: own && run.batch_size === null ? 0 : state.noise,
  };
}

/**
 * Whether `runs` runs of the state's steps may ask for their optimizer state: the server
 * bounds the numbers (runs x (steps + 1) x 2 x at most max_state_quantities, limits.py).
 */
export function stateFits(catalog, state, runs) {
  const lim = catalog.limits || {};
  const most = lim.max_state_values ?? 1e6;
  return runs * (state.steps + 1) * 2 * (lim.max_state_quantities ?? 7) <= most;
}

/** Runs grouped by their effective (schedule, batch size, noise): one trajectories request each. */
export function trajectoryGroups(catalog, state) {
  const groups = new Map();
  state.runs.forEach((run, i) => {
    const eff = effective(state, run);
    const key = JSON.stringify(eff);
    if (!groups.has(key)) groups.set(key, { ...eff, indices: [] });
    groups.get(key).indices.push(i);
  });
  return [...groups.values()].map((g, k) => ({
    lane: `trajectories:${k}`,
    type: "trajectories",
    indices: g.indices,
    body: {
      surface: surfaceRef(catalog, state),
      steps: state.steps,
      schedule: scheduleRef(catalog, g.schedule),
      noise: g.noise,
      batch_size: g.batchSize,
      seed: state.seed,
      runs: g.indices.map((i) => runBody(catalog, state.runs[i])),
      // Only the arrays the views draw: the iterate averages only while they are shown
      // (a drag's answer is then 4 arrays a run instead of 7, less for the server to
      // encode and send to every student).
      ...(state.averaging ? {} : { fields: PATH_FIELDS }),
      // The optimizer's state along each run, only while the contour draws it.
      ...(state.internals && state.panels.includes("contour") && stateFits(catalog, state, g.indices.length)
        ? { record_state: true } : {}),
    },
  }));
}

export function needsGrid(state) {
  return ["contour", "surface3d", "basins", "curve1d"].some((p) => state.panels.includes(p));
}

export function gridBody(catalog, state) {
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  return {
    surface: surfaceRef(catalog, state),
    resolution: dims === 1 ? 401 : 151,
    arrows: state.arrows && dims === 2 ? 18 : 0,
  };
}

export function hessianBody(catalog, state) {
  return state.probe ? { surface: surfaceRef(catalog, state), point: state.probe } : null;
}

function sharedNoise(catalog, state, run) {
  const eff = effective(state, run);
  return {
    schedule: scheduleRef(catalog, eff.schedule),
    noise: eff.noise,
    batch_size: eff.batchSize,
    seed: state.seed,
  };
}

/**
 * [lo, hi] clamped to [min, max], with lo lowered to at most `floor(hi)` so the range is
 * never empty (a slider pair can cross; the server refuses lo >= hi).
 */
export function clampedRange(lo, hi, min, max, floor) {
  const a = clamp(lo, min, max);
  const b = clamp(hi, min, max);
  return [Math.min(a, floor(b)), b];
}

/**
 * What both learning-rate sweeps (the lr sweep and the lr x momentum map) ask for: one run's
 * optimizer from its start on the page's surface, over `range`'s lrs clamped to the
 * optimizer's bounds and at least a decade wide.
 */
export function lrSweepBase(catalog, state, run, range) {
  const spec = optimizerSpec(catalog, run.optimizer);
  const [lrMin, lrMax] = clampedRange(range.lr_min, range.lr_max, spec.lr.min, spec.lr.max, (hi) => hi / 10);
  return {
    surface: surfaceRef(catalog, state),
    optimizer: run.optimizer,
    hyperparams: hyper(catalog, run),
    start: run.start,
    steps: state.steps,
    lr_min: lrMin,
    lr_max: lrMax,
  };
}

/** Run 1 at `count` learning rates, with its schedule and gradient noise. */
export function lrSweepBody(catalog, state) {
  const run = state.runs[0];
  return {
    ...lrSweepBase(catalog, state, run, state.sweep),
    count: state.sweep.count,
    ...sharedNoise(catalog, state, run),
    curves: false,
  };
}

export function basinsBody(catalog, state) {
  const run = state.runs[0];
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  const { schedule: _s, ...noise } = sharedNoise(catalog, state, run);
  return {
    surface: surfaceRef(catalog, state),
    optimizer: run.optimizer,
    hyperparams: hyper(catalog, run),
    lr: run.lr,
    steps: state.steps,
    resolution: dims === 1 ? 256 : state.basins.resolution,
    ...noise,
  };
}

/** The first run whose optimizer has a momentum-like hyperparameter, and that parameter. */
export function momentumRun(catalog, state) {
  for (let i = 0; i < state.runs.length; i++) {
    const spec = optimizerSpec(catalog, state.runs[i].optimizer);
    const name = momentumParam(spec);
    if (name) return { index: i, run: state.runs[i], spec, name };
  }
  return null;
}

/** The first momentum run over an lr x momentum grid (the map has no noise or schedule). */
export function lrMomentumBody(catalog, state) {
  const found = momentumRun(catalog, state);
  if (!found) return null;
  const { run, spec, name } = found;
  const p = spec.hyperparams.find((q) => q.name === name);
  const m = state.lrm;
  const [mMin, mMax] = clampedRange(m.momentum_min, m.momentum_max, p.min, p.max, (hi) => hi - 0.01);
  return {
    ...lrSweepBase(catalog, state, run, m),
    lr_count: m.lr_count,
    momentum_min: mMin,
    momentum_max: mMax,
    momentum_count: m.momentum_count,
  };
}

// --------------------------------------------------------------------------- request objects
//
// What the panel registry (panels.js) plans: {lane, type, body, reduce(data, result) -> patch,
// progress?(data, frame, ctx) -> patch, onError?(error) -> patch, sweep?}. Lanes are
// latest-wins: a newer body on a lane supersedes the older one; two panels asking for the same
// lane share one request.

function linspace(a, b, n) {
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** The runs in state order from every trajectories lane's last answer. */
export function mergeRuns(catalog, state, lanes, surfaceInfo) {
  const runs = new Array(state.runs.length).fill(null);
  let info = surfaceInfo;
  for (const g of trajectoryGroups(catalog, state)) {
    const res = lanes[g.lane];
    if (!res) continue;
    res.indices.forEach((idx, k) => {
      if (idx < runs.length && res.body.runs[k]) runs[idx] = res.body.runs[k];
    });
    info = res.body.surface;
  }
  return { runs, surfaceInfo: info };
}

/** The classroom page's requests whatever the panels: one trajectories request per run group. */
export const SURFACE_BASE = {
  requests: (catalog, state) => trajectoryGroups(catalog, state).map((g) => ({ ...g,
    reduce: (data, r) => {
      const lanes = { ...(data.trajLanes || {}), [g.lane]: { indices: r.req.indices, body: r.body } };
      return { trajLanes: lanes, ...mergeRuns(r.catalog, r.state, lanes, data.surfaceInfo), runsRev: r.seq };
    } })),
  /** Results of lanes no longer planned would be stale: forget them. */
  prune(data, live) {
    const lanes = data.trajLanes || {};
    const keep = Object.fromEntries(Object.entries(lanes).filter(([lane]) => live.has(lane)));
    return Object.keys(keep).length === Object.keys(lanes).length ? null : { trajLanes: keep };
  },
};

export function gridRequest(catalog, state) {
  return { lane: "grid", type: "grid", body: gridBody(catalog, state),
    reduce: (_, r) => ({ grid: { ...r.body, rev: r.seq } }) };
}

export function hessianRequest(catalog, state) {
  const body = hessianBody(catalog, state);
  return body && { lane: "hessian", type: "hessian", body,
    reduce: (_, r) => ({ hessian: r.body, hessianError: null }), onError: (error) => ({ hessianError: error }) };
}

export function lrSweepRequest(catalog, state) {
  return { lane: "sweep_lr", type: "sweep_lr", sweep: true, body: lrSweepBody(catalog, state),
    reduce: (_, r) => ({ lrSweep: r.body }) };
}

export function lrMomentumRequest(catalog, state) {
  const body = lrMomentumBody(catalog, state);
  return body && { lane: "sweep_lr_momentum", type: "sweep_lr_momentum", sweep: true, body,
    reduce: (_, r) => ({ lrm: r.body }) };
}

/** Basin maps fill in row by row as progress frames arrive. */
function basinProgress(data, frame, { catalog, state, seq, req }) {
  const spec = surfaceSpec(catalog, state.surface);
  const own = data.surfaceInfo?.name === spec.name;
  const view = own ? data.surfaceInfo.view : spec.view;
  const g = req.body.resolution;
  const ny = spec.dims === 1 ? 1 : g;
  let b = data.basins;
  if (!b || b.rev !== seq) {
    const pts = own ? data.surfaceInfo.critical_points : spec.critical_points;
    b = {
      x: linspace(view[0], view[1], g), y: spec.dims === 1 ? [0] : linspace(view[2], view[3], g),
      label: Array.from({ length: ny }, () => new Array(g).fill(null)),
      minima: pts.filter((p) => p.kind === "minimum"), rev: seq, done: 0, total: frame.total,
    };
  } else {
    b = { ...b, label: b.label.slice() };
  }
  const part = frame.partial;
  if (part?.rows && part.label) part.label.forEach((row, k) => { b.label[part.rows[0] + k] = row; });
  b.done = frame.done;
  b.total = frame.total;
  return { basins: b };
}

export function basinsRequest(catalog, state) {
  return { lane: "sweep_basins", type: "sweep_basins", sweep: true, body: basinsBody(catalog, state),
    progress: basinProgress,
    reduce: (_, r) => {
      const total = r.body.label.length * r.body.label[0].length;
      return { basins: { ...r.body, done: total, total, rev: r.seq } };
    } };
}

/** Where finite-difference probes go for the gradient check: centre, x +- h, y +- h. */
export function gradcheckPoints(p) {
  const hx = 1e-4 * Math.max(1, Math.abs(p[0]));
  const hy = 1e-4 * Math.max(1, Math.abs(p[1]));
  return { hx, hy, pts: [p, [p[0] + hx, p[1]], [p[0] - hx, p[1]], [p[0], p[1] + hy], [p[0], p[1] - hy]] };
}

/** Five Hessian probes at run 1's start; the last to land computes the central differences. */
export function gradcheckRequests(catalog, state) {
  if (!surfaceSpec(catalog, state.surface)) return [];
  const p = state.runs[0].start;
  const { hx, hy, pts } = gradcheckPoints(p);
  const surface = surfaceRef(catalog, state);
  const key = JSON.stringify([surface, p]);
  return pts.map((pt, i) => ({ lane: `gradcheck:${i}`, type: "hessian", body: { surface, point: pt },
    onError: () => ({ gradcheck: null }),
    reduce: (data, r) => {
      const parts = data.gcParts?.key === key ? [...data.gcParts.bodies] : [];
      parts[i] = r.body;
      const patch = { gcParts: { key, bodies: parts } };
      if (parts.filter(Boolean).length === pts.length) {
        const [c, xp, xm, yp, ym] = parts;
        patch.gradcheck = { point: p, analytic: [...c.gradient],
          numeric: [(xp.value - xm.value) / (2 * hx), (yp.value - ym.value) / (2 * hy)] };
      }
      return patch;
    } }));
}
