// Request bodies (api.md schemas) built from the page state. Pure functions: no I/O here.

import { EXPRESSION, expressionRef } from "./formula.js";
import { momentumParam, optimizerSpec, scheduleSpec, surfaceSpec } from "./state.js";

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

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

export function lrSweepBody(catalog, state) {
  const run = state.runs[0];
  const spec = optimizerSpec(catalog, run.optimizer);
  const lo = clamp(state.sweep.lr_min, spec.lr.min, spec.lr.max);
  const hi = clamp(state.sweep.lr_max, spec.lr.min, spec.lr.max);
  return {
    surface: surfaceRef(catalog, state),
    optimizer: run.optimizer,
    hyperparams: hyper(catalog, run),
    start: run.start,
    steps: state.steps,
    lr_min: Math.min(lo, hi / 10),
    lr_max: hi,
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

export function lrMomentumBody(catalog, state) {
  const found = momentumRun(catalog, state);
  if (!found) return null;
  const { run, spec, name } = found;
  const p = spec.hyperparams.find((q) => q.name === name);
  const m = state.lrm;
  const lrLo = clamp(m.lr_min, spec.lr.min, spec.lr.max);
  const lrHi = clamp(m.lr_max, spec.lr.min, spec.lr.max);
  const mLo = clamp(m.momentum_min, p.min, p.max);
  const mHi = clamp(m.momentum_max, p.min, p.max);
  return {
    surface: surfaceRef(catalog, state),
    optimizer: run.optimizer,
    hyperparams: hyper(catalog, run),
    start: run.start,
    steps: state.steps,
    lr_min: Math.min(lrLo, lrHi / 10),
    lr_max: lrHi,
    lr_count: m.lr_count,
    momentum_min: Math.min(mLo, mHi - 0.01),
    momentum_max: mHi,
    momentum_count: m.momentum_count,
  };
}

/**
 * Every request the visible panels need, as {lane, type, body, indices?}.
 * Lanes are latest-wins: a newer body on a lane supersedes the older one.
 */
export function plan(catalog, state) {
  const out = trajectoryGroups(catalog, state);
  const show = (p) => state.panels.includes(p);
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  if (needsGrid(state)) out.push({ lane: "grid", type: "grid", body: gridBody(catalog, state) });
  const hb = hessianBody(catalog, state);
  if (hb && (show("hessian") || show("contour") || show("curve1d"))) {
    out.push({ lane: "hessian", type: "hessian", body: hb });
  }
  if (show("lr_sweep")) out.push({ lane: "sweep_lr", type: "sweep_lr", body: lrSweepBody(catalog, state) });
  if (show("basins") || (show("curve1d") && dims === 1)) {
    out.push({ lane: "sweep_basins", type: "sweep_basins", body: basinsBody(catalog, state) });
  }
  if (show("lr_momentum")) {
    const body = lrMomentumBody(catalog, state);
    if (body) out.push({ lane: "sweep_lr_momentum", type: "sweep_lr_momentum", body });
  }
  return out;
}
