// Request bodies (api.md schemas) built from the page state. Pure functions: no I/O here.

import { momentumParam, optimizerSpec, surfaceSpec } from "./state.js";

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

export function surfaceRef(state) {
  return { name: state.surface, params: state.params };
}

function runBody(run) {
  return { optimizer: run.optimizer, lr: run.lr, hyperparams: run.hyperparams, start: run.start };
}

/** Runs grouped by their effective (schedule, batch size): one trajectories request per group. */
export function trajectoryGroups(state) {
  const groups = new Map();
  state.runs.forEach((run, i) => {
    const schedule = run.schedule || state.schedule;
    const batchSize = run.batch_size !== undefined ? run.batch_size : state.batch_size;
    const key = JSON.stringify([schedule, batchSize]);
    if (!groups.has(key)) groups.set(key, { schedule, batchSize, indices: [] });
    groups.get(key).indices.push(i);
  });
  return [...groups.values()].map((g, k) => ({
    lane: `trajectories:${k}`,
    type: "trajectories",
    indices: g.indices,
    body: {
      surface: surfaceRef(state),
      steps: state.steps,
      schedule: g.schedule,
      noise: state.noise,
      batch_size: g.batchSize,
      seed: state.seed,
      runs: g.indices.map((i) => runBody(state.runs[i])),
    },
  }));
}

export function needsGrid(state) {
  return ["contour", "surface3d", "basins", "curve1d"].some((p) => state.panels.includes(p));
}

export function gridBody(catalog, state) {
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  return {
    surface: surfaceRef(state),
    resolution: dims === 1 ? 401 : 151,
    arrows: state.arrows && dims === 2 ? 22 : 0,
  };
}

export function hessianBody(state) {
  return state.probe ? { surface: surfaceRef(state), point: state.probe } : null;
}

function sharedNoise(state, run) {
  return {
    schedule: run.schedule || state.schedule,
    noise: state.noise,
    batch_size: run.batch_size !== undefined ? run.batch_size : state.batch_size,
    seed: state.seed,
  };
}

export function lrSweepBody(catalog, state) {
  const run = state.runs[0];
  const spec = optimizerSpec(catalog, run.optimizer);
  const lo = clamp(state.sweep.lr_min, spec.lr.min, spec.lr.max);
  const hi = clamp(state.sweep.lr_max, spec.lr.min, spec.lr.max);
  return {
    surface: surfaceRef(state),
    optimizer: run.optimizer,
    hyperparams: run.hyperparams,
    start: run.start,
    steps: state.steps,
    lr_min: Math.min(lo, hi / 10),
    lr_max: hi,
    count: state.sweep.count,
    ...sharedNoise(state, run),
    curves: false,
  };
}

export function basinsBody(catalog, state) {
  const run = state.runs[0];
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  const { schedule: _s, ...noise } = sharedNoise(state, run);
  return {
    surface: surfaceRef(state),
    optimizer: run.optimizer,
    hyperparams: run.hyperparams,
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
    surface: surfaceRef(state),
    optimizer: run.optimizer,
    hyperparams: run.hyperparams,
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
  const out = trajectoryGroups(state);
  const show = (p) => state.panels.includes(p);
  const dims = surfaceSpec(catalog, state.surface)?.dims ?? 2;
  if (needsGrid(state)) out.push({ lane: "grid", type: "grid", body: gridBody(catalog, state) });
  const hb = hessianBody(state);
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
