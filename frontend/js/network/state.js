// The network page's state: one flat object, normalised against the catalog and kept in the
// URL hash (#net&dataset=xor&...) through one property table (../codec.js), plus the request
// builders its panel rows (../panels.js) plan.

import {
  boolProp, decodeProps, encodeProps, hashPairs, numberProp, SPEEDS, stringProp, VIEW_PROPS,
} from "../codec.js";
import { NETWORK_PANELS } from "../panels.js";

export const HASH_PREFIX = "net";

export const DEFAULTS = {
  scene: "",
  step: 0,
  dataset: "moons",
  model: "mlp",
  hidden: "16",
  activation: "tanh",
  optimizer: "adam",
  lr: 0.01,
  steps: 300,
  batch: 0, // 0: full batch
  init: "xavier",
  normalize: true,
  seed: 0,
  threshold: 0.5,
  n: 0, // 0: the data set's default size
  rate: 0, // screening positive rate (0: default)
  panels: ["data", "training", "weights", "activations", "metrics"],
  broken: false, // gradient check: break the backward pass on purpose
  target: 0, // batch-size study's target loss (0: its default)
  loss: "", // the model's loss ("": the task's default, the catalog's first)
  batch_norm: false, // the MLP's batch normalisation (a model parameter in the catalog)
  t: null, // timeline: the training step shown (null: the end)
  speed: 30,
  present: false,
};

const NUMBERS = ["step", "lr", "steps", "batch", "seed", "threshold", "n", "rate", "target"];
const STRINGS = ["dataset", "model", "hidden", "activation", "optimizer", "init", "loss"];
const BOOLS = ["normalize", "broken", "batch_norm"];

/** Every field of the network page's hash: one row each, left out when at its default. */
export const NET_PROPS = [
  stringProp("scene", "scene", ""),
  ...NUMBERS.map((k) => numberProp(k, k, DEFAULTS[k])),
  ...STRINGS.map((k) => stringProp(k, k, DEFAULTS[k])),
  ...BOOLS.map((k) => boolProp(k, k, DEFAULTS[k])),
  { key: "panels", enc: (s) => (s.panels.join() === DEFAULTS.panels.join() ? null : s.panels.join(",")),
    dec: (v, raw) => { raw.panels = v[0]; } },
  ...VIEW_PROPS,
];
const VIEW_KEYS = new Set(["scene", "step", "t", "speed", "present"]);

export const netPanelIds = () => NETWORK_PANELS.map((p) => p.id);

const finite = (v, fallback) => {
  const x = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof x === "number" && Number.isFinite(x) ? x : fallback;
};
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Optimizers that fit networks: the catalog's, without the surfaces-only ones. */
export function networkOptimizers(catalog) {
  return (catalog.optimizers || []).filter((o) => !o.surfaces_only);
}
/** Whether the catalog's model `name` has a parameter `param` (e.g. the MLP's batch_norm). */
export function modelHasParam(catalog, name, param) {
  return Boolean((catalog.models || []).find((m) => m.name === name)?.params?.some((p) => p.name === param));
}

/** The MLP's activation choices, from the catalog's model parameters. */
export function activations(catalog) {
  const mlp = (catalog.models || []).find((m) => m.params?.some((p) => p.name === "activation"));
  return mlp?.params.find((p) => p.name === "activation").choices || [DEFAULTS.activation];
}

/** The full, valid state for `raw` (a scene's state, a decoded hash, an edit). */
export function normalizeNet(catalog, raw = {}) {
  const s = { ...DEFAULTS };
  for (const k of NUMBERS) s[k] = Math.max(0, finite(raw[k], DEFAULTS[k]));
  for (const k of STRINGS) if (typeof raw[k] === "string" && raw[k]) s[k] = raw[k];
  for (const k of BOOLS) if (raw[k] !== undefined) s[k] = Boolean(raw[k]);
  s.scene = typeof raw.scene === "string" && sceneOf(catalog, raw.scene) ? raw.scene : "";
  const nSteps = sceneOf(catalog, s.scene)?.steps?.length || 1;
  s.step = clamp(Math.round(s.step), 0, nSteps - 1);
  s.steps = Math.max(1, Math.round(s.steps));
  s.threshold = clamp(s.threshold, 0, 1);
  const ids = netPanelIds();
  const given = Array.isArray(raw.panels) ? raw.panels : typeof raw.panels === "string" ? raw.panels.split(",") : DEFAULTS.panels;
  const panels = given.filter((p, i, a) => ids.includes(p) && a.indexOf(p) === i);
  s.panels = panels.length ? panels : [...DEFAULTS.panels];
  const opts = networkOptimizers(catalog).map((o) => o.name);
  if (opts.length && !opts.includes(s.optimizer)) s.optimizer = opts.includes(DEFAULTS.optimizer) ? DEFAULTS.optimizer : opts[0];
  const acts = activations(catalog);
  if (!acts.includes(s.activation)) s.activation = acts[0];
  s.t = raw.t === null || raw.t === undefined ? null : clamp(Math.round(finite(raw.t, 0)), 0, s.steps);
  s.speed = SPEEDS.includes(finite(raw.speed, 0)) ? finite(raw.speed, 0) : DEFAULTS.speed;
  s.present = Boolean(raw.present);
  return s;
}

export function sceneOf(catalog, id) {
  return (catalog.network_scenes || []).find((s) => s.id === id);
}

/**
 * A network scene's state at step k. Python owns the scene semantics: the catalog serves
 * each step's fully merged state as `steps[k].state`.
 */
export function netSceneState(catalog, id, k = 0, view = {}) {
  const scene = sceneOf(catalog, id);
  if (!scene) return normalizeNet(catalog, { ...view });
  const steps = scene.steps || [];
  const i = clamp(k, 0, Math.max(steps.length - 1, 0));
  const merged = steps[i]?.state || scene.state || {};
  return normalizeNet(catalog, { ...merged, ...view, scene: id, step: i });
}

function untouchedScene(catalog, state) {
  if (!sceneOf(catalog, state.scene)) return false;
  const strip = (s) => JSON.stringify({ ...s, t: 0, speed: 0, present: false });
  return strip(netSceneState(catalog, state.scene, state.step)) === strip(state);
}

/** The hash (without '#'): `net`, then the scene alone when untouched, else every changed field. */
export function encodeNetHash(catalog, state) {
  const props = untouchedScene(catalog, state) ? NET_PROPS.filter((p) => VIEW_KEYS.has(p.key)) : NET_PROPS;
  const rest = encodeProps(props, state, catalog);
  return rest ? `${HASH_PREFIX}&${rest}` : HASH_PREFIX;
}

/** The state a hash describes: a scene link opens the scene's whole set-up. */
export function decodeNetHash(catalog, hash) {
  const raw = decodeProps(NET_PROPS, hashPairs(hash, HASH_PREFIX), catalog);
  const setup = Object.keys(raw).some((k) => !VIEW_KEYS.has(k));
  if (raw.scene && !setup) {
    const view = {};
    for (const k of ["t", "speed", "present"]) if (raw[k] !== undefined) view[k] = raw[k];
    return netSceneState(catalog, raw.scene, raw.step || 0, view);
  }
  return normalizeNet(catalog, raw);
}

// --------------------------------------------------------------------------- requests

/** The request body shared by train, boundary and metrics; `upload` holds a loaded CSV. */
export function trainBody(state, catalog, upload = { text: "" }) {
  const ds = (catalog.datasets || []).find((d) => d.name === state.dataset);
  const params = {};
  if (state.n > 0) params.n = state.n;
  if (state.rate > 0 && ds?.params.some((p) => p.name === "positive_rate")) params.positive_rate = state.rate;
  const modelParams = state.model === "mlp"
    ? { hidden: String(state.hidden).split(/[,x ]+/).filter(Boolean).map(Number), activation: state.activation }
    : {};
  if (state.batch_norm && modelHasParam(catalog, state.model, "batch_norm")) modelParams.batch_norm = true;
  if (state.loss && modelLosses(catalog, state.model, datasetTask(catalog, state.dataset)).includes(state.loss)) {
    modelParams.loss = state.loss;
  }
  const body = {
    dataset: state.dataset === "csv" && upload.text
      ? { csv: upload.text, task: "auto" } : { name: state.dataset, params },
    model: { name: state.model, params: modelParams },
    optimizer: state.optimizer,
    lr: state.lr,
    steps: state.steps,
    init: state.init,
    normalize: state.normalize,
    seed: state.seed,
  };
  if (state.batch > 0) body.batch_size = state.batch;
  return body;
}

/** The losses the catalog offers for `model` on a `task` (first: the default). */
export function modelLosses(catalog, model, task) {
  return (catalog.models || []).find((m) => m.name === model)?.losses?.[task] || [];
}

export function datasetTask(catalog, name) {
  return (catalog.datasets || []).find((d) => d.name === name)?.task || "binary";
}

/** A replace-mode request whose answer lands in data[key] (and its error in data[key + "Error"]). */
function ask(lane, type, body, key, extra = {}) {
  return { lane, type, body, replace: true,
    reduce: (_, r) => ({ [key]: r.body, [`${key}Error`]: "" }),
    onError: (error) => ({ [key]: null, [`${key}Error`]: error }), ...extra };
}

const setupOf = (base) => ({ dataset: base.dataset, model: base.model, init: base.init, normalize: base.normalize, seed: base.seed });
const classifier = (catalog, state) => datasetTask(catalog, state.dataset) !== "regression";

/** The requests every network state needs: the points and the training run (streamed). */
export const NETWORK_BASE = {
  requests: (catalog, state, ctx) => {
    const base = trainBody(state, catalog, ctx.upload);
    return [
      ask("network_dataset", "network_dataset", { dataset: base.dataset }, "dataset"),
      ask("network_train", "network_train", base, "history", {
        progress: (_, f) => (f.partial ? { history: f.partial } : null),
        onError: (error) => ({ history: null, historyError: error, error }),
        reduce: (_, r) => ({ history: r.body, historyError: "", error: "" }),
      }),
    ];
  },
};

/** Each network panel's requests (read by its row in ../panels.js). */
export const netRequests = {
  boundary: (c, s, ctx) => (classifier(c, s)
    ? [ask("network_boundary", "network_boundary", { ...trainBody(s, c, ctx.upload), resolution: 60 }, "boundary")] : []),
  // The threshold is not in the body: the page computes every metric at any threshold from
  // this one answer's ROC (../metrics.js), so a threshold drag sends nothing.
  metrics: (c, s, ctx) => (classifier(c, s)
    ? [ask("network_metrics", "network_metrics", { ...trainBody(s, c, ctx.upload), threshold: 0.5 }, "metrics")] : []),
  landscape: (c, s, ctx) => {
    const base = trainBody(s, c, ctx.upload);
    return [ask("network_landscape", "network_landscape", {
      dataset: base.dataset, model: base.model, // the trained model, bias included
      optimizers: [{ optimizer: s.optimizer, lr: s.lr }], steps: Math.min(s.steps, 2000),
      normalize: s.normalize, seed: s.seed, resolution: 61,
    }, "landscape")];
  },
  noise: (c, s, ctx) => [ask("network_gradient_noise", "network_gradient_noise",
    { ...setupOf(trainBody(s, c, ctx.upload)), draws: 300 }, "noise")],
  study: (c, s, ctx) => {
    // the paper tunes the lr per batch size: try lr / 3, lr and 3 lr, keep the fastest
    const study = { ...setupOf(trainBody(s, c, ctx.upload)), optimizer: s.optimizer,
      lrs: [s.lr / 3, s.lr, s.lr * 3], max_steps: Math.min(s.steps, 2000), count: 8 };
    if (s.target > 0) study.target_loss = s.target;
    return [ask("network_batch_size", "network_batch_size", study, "study")];
  },
  gradcheck: (c, s, ctx) => [ask("network_gradient_check", "network_gradient_check",
    { ...setupOf(trainBody(s, c, ctx.upload)), broken: s.broken }, "gradcheck")],
};
