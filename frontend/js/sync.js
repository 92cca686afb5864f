// Keeps the store's data in step with its state: plans the requests the visible panels need,
// sends only what changed (debounced for controls, at once for a drag), and folds results and
// progress frames back into the store.

import { plan, surfaceRef, trajectoryGroups } from "./requests.js";
import { sceneById, surfaceSpec } from "./state.js";

const DEBOUNCE_MS = 40;
const DRAG_SWEEP_MS = 300; // sweeps follow a drag at a few frames per second, paths at every frame
const SWEEPS = new Set(["sweep_lr", "sweep_basins", "sweep_lr_momentum"]);

function linspace(a, b, n) {
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** Where finite-difference probes go for the gradient check: centre, x +- h, y +- h. */
function gradcheckPoints(p) {
  const hx = 1e-4 * Math.max(1, Math.abs(p[0]));
  const hy = 1e-4 * Math.max(1, Math.abs(p[1]));
  return { hx, hy, pts: [p, [p[0] + hx, p[1]], [p[0] - hx, p[1]], [p[0], p[1] + hy], [p[0], p[1] - hy]] };
}

export function createSync(store, api, catalog) {
  const sent = new Map(); // lane -> JSON body last sent
  const trajResults = new Map(); // lane -> {indices, body}
  const lastSweepAt = new Map();
  const timers = { debounce: 0, drag: 0 };
  const flags = { dragging: false };

  function setPending(lane, on) {
    const pending = { ...(store.data.pending || {}) };
    if (on) pending[lane] = true;
    else delete pending[lane];
    return pending;
  }

  function mergeRuns() {
    const state = store.state;
    const runs = new Array(state.runs.length).fill(null);
    let surfaceInfo = store.data.surfaceInfo;
    for (const g of trajectoryGroups(catalog, state)) {
      const res = trajResults.get(g.lane);
      if (!res) continue;
      res.indices.forEach((idx, k) => {
        if (idx < runs.length && res.body.runs[k]) runs[idx] = res.body.runs[k];
      });
      surfaceInfo = res.body.surface;
    }
    return { runs, surfaceInfo };
  }

  function onResult(req, outcome) {
    const errors = { ...(store.data.errors || {}) };
    if (outcome.status === "superseded") return;
    const pending = setPending(req.lane, false);
    if (outcome.status === "error") {
      errors[req.lane] = outcome.error;
      const patch = { errors, pending };
      if (req.type === "hessian" && req.lane === "hessian") patch.hessianError = outcome.error;
      store.setData(patch, { lane: req.lane });
      return;
    }
    delete errors[req.lane];
    const body = outcome.body;
    const patch = { errors, pending };
    switch (req.type) {
      case "trajectories": {
        trajResults.set(req.lane, { indices: req.indices, body });
        Object.assign(patch, mergeRuns(), { runsRev: outcome.seq });
        break;
      }
      case "grid":
        patch.grid = { ...body, rev: outcome.seq };
        break;
      case "hessian":
        if (req.lane === "hessian") {
          patch.hessian = body;
          patch.hessianError = null;
        }
        break;
      case "sweep_lr":
        patch.lrSweep = body;
        break;
      case "sweep_basins": {
        const total = body.label.length * body.label[0].length;
        patch.basins = { ...body, done: total, total, rev: outcome.seq };
        break;
      }
      case "sweep_lr_momentum":
        patch.lrm = body;
        break;
      default:
        break;
    }
    store.setData(patch, { lane: req.lane });
  }

  /** Basin maps fill in row by row as progress frames arrive. */
  function onBasinProgress(req, frame, seq) {
    const state = store.state;
    const spec = surfaceSpec(catalog, state.surface);
    const view = store.data.surfaceInfo?.name === spec.name ? store.data.surfaceInfo.view : spec.view;
    const g = req.body.resolution;
    const ny = spec.dims === 1 ? 1 : g;
    let b = store.data.basins;
    if (!b || b.rev !== seq) {
      const pts = store.data.surfaceInfo?.name === spec.name
        ? store.data.surfaceInfo.critical_points : spec.critical_points;
      b = {
        x: linspace(view[0], view[1], g), y: spec.dims === 1 ? [0] : linspace(view[2], view[3], g),
        label: Array.from({ length: ny }, () => new Array(g).fill(null)),
        minima: pts.filter((p) => p.kind === "minimum"), rev: seq, done: 0, total: frame.total,
      };
    } else {
      b = { ...b, label: b.label.slice() };
    }
    const part = frame.partial;
    if (part?.rows && part.label) {
      const [r0] = part.rows;
      part.label.forEach((row, k) => { b.label[r0 + k] = row; });
    }
    b.done = frame.done;
    b.total = frame.total;
    store.setData({ basins: b }, { lane: req.lane });
  }

  function send(req) {
    const key = JSON.stringify(req.body);
    if (sent.get(req.lane) === key) return;
    sent.set(req.lane, key);
    const sweep = SWEEPS.has(req.type);
    if (sweep) lastSweepAt.set(req.lane, performance.now());
    let seq = 0;
    const onProgress = req.type === "sweep_basins"
      ? (frame) => onBasinProgress(req, frame, seq)
      : undefined;
    store.data.pending = setPending(req.lane, true);
    const p = api.request(req.type, req.body, { lane: req.lane, mode: sweep ? "replace" : "queue", onProgress });
    seq = p.seq;
    p.then((outcome) => onResult(req, outcome));
  }

  function gradcheck() {
    const state = store.state;
    if (!state.panels.includes("table")) return;
    const spec = surfaceSpec(catalog, state.surface);
    if (!spec) return;
    const p = state.runs[0].start;
    const key = JSON.stringify([state.surface, state.params, p, state.gradbug]);
    if (sent.get("gradcheck") === key) return;
    sent.set("gradcheck", key);
    const { hx, hy, pts } = gradcheckPoints(p);
    const surface = surfaceRef(catalog, state);
    Promise.all(pts.map((pt, i) => api.request("hessian", { surface, point: pt }, { lane: `gradcheck:${i}` })))
      .then((outs) => {
        if (sent.get("gradcheck") !== key) return;
        if (outs.some((o) => o.status !== "result")) {
          if (outs.some((o) => o.status === "error")) store.setData({ gradcheck: null });
          return;
        }
        const [c, xp, xm, yp, ym] = outs.map((o) => o.body);
        const analytic = [...c.gradient];
        if (store.state.gradbug) analytic[0] *= 2; // the planted bug the check must catch
        store.setData({ gradcheck: { point: p, analytic,
          numeric: [(xp.value - xm.value) / (2 * hx), (yp.value - ym.value) / (2 * hy)] } });
      });
  }

  function flush() {
    timers.debounce = 0;
    const reqs = plan(catalog, store.state);
    const now = performance.now();
    for (const req of reqs) {
      if (flags.dragging && SWEEPS.has(req.type)) {
        const wait = DRAG_SWEEP_MS - (now - (lastSweepAt.get(req.lane) || 0));
        if (wait > 0) {
          if (!timers.drag) timers.drag = setTimeout(() => { timers.drag = 0; flush(); }, wait);
          continue;
        }
      }
      send(req);
    }
    gradcheck();
    // Results of lanes no longer planned would be stale: forget them.
    const live = new Set(reqs.map((r) => r.lane));
    for (const lane of trajResults.keys()) if (!live.has(lane)) trajResults.delete(lane);
  }

  return {
    /** Plan and send now (drag) or after a short debounce (controls). */
    schedule({ immediate = false } = {}) {
      if (immediate) {
        clearTimeout(timers.debounce);
        flush();
        return;
      }
      clearTimeout(timers.debounce);
      timers.debounce = setTimeout(flush, DEBOUNCE_MS);
    },
    setDragging(on) {
      flags.dragging = on;
      if (!on) flush();
    },
    /** Re-merge the runs after the run list changed shape (a run added or removed). */
    remerge() {
      store.setData(mergeRuns());
    },
    sceneOf: (id) => sceneById(catalog, id),
  };
}
