// The network mode's state: one flat object, kept in the URL hash (#net&dataset=xor&...).

export const NET_PANELS = [
  "data", "training", "weights", "activations", "metrics", "landscape", "noise", "study", "gradcheck",
];
export const NET_TITLES = {
  data: "Data and decision boundary",
  training: "Training curves",
  weights: "Hidden-unit weights over time",
  activations: "Hidden activations",
  metrics: "Metrics at a threshold",
  landscape: "Loss landscape (w1, w2)",
  noise: "Mini-batch gradient variance vs S",
  study: "Steps to target vs batch size",
  gradcheck: "Gradient check",
};

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
  panels: "data,training,weights,activations,metrics",
  broken: false, // gradient check: break the backward pass on purpose
  target: 0, // batch-size study's target loss (0: its default)
};

const NUMBERS = new Set(["target", "step", "lr", "steps", "batch", "seed", "threshold", "n", "rate"]);

export function decodeNetHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, "").replace(/^net&?/, ""));
  const state = { ...DEFAULTS };
  for (const [k, v] of params) {
    if (!(k in DEFAULTS)) continue;
    if (NUMBERS.has(k)) {
      const x = Number(v);
      if (Number.isFinite(x)) state[k] = x;
    } else if (k === "normalize" || k === "broken") state[k] = v !== "0";
    else state[k] = v;
  }
  return state;
}

export function encodeNetHash(state) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (v === DEFAULTS[k]) continue;
    params.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  const rest = params.toString();
  return rest ? `#net&${rest}` : "#net";
}

/** The request body shared by train, boundary and metrics; `upload` holds a loaded CSV. */
export function trainBody(state, catalog, upload = { text: "" }) {
  const ds = (catalog.datasets || []).find((d) => d.name === state.dataset);
  const params = {};
  if (state.n > 0) params.n = state.n;
  if (state.rate > 0 && ds?.params.some((p) => p.name === "positive_rate")) params.positive_rate = state.rate;
  const modelParams = state.model === "mlp"
    ? { hidden: String(state.hidden).split(/[,x ]+/).filter(Boolean).map(Number), activation: state.activation }
    : {};
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

export function datasetTask(catalog, name) {
  return (catalog.datasets || []).find((d) => d.name === name)?.task || "binary";
}

/** A network scene's state at step k: its state with step k's patch merged in. */
export function netSceneState(scene, k) {
  const steps = scene.steps || [];
  const i = Math.max(0, Math.min(k, Math.max(steps.length - 1, 0)));
  return { ...DEFAULTS, ...scene.state, ...(steps[i]?.state || {}), scene: scene.id, step: i };
}
