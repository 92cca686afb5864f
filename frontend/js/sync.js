// Keeps the store's data in step with its state: plans the requests the shown panels need
// (planner.js over the panel registry), sends only what changed (debounced for controls, at
// once for a drag), and folds results and progress frames back into the store through each
// request's reduce. One sync for both pages.

import { planRequests } from "./planner.js";

const DEBOUNCE_MS = 40;
const DRAG_SWEEP_MS = 300; // sweeps follow a drag at a few frames per second, paths at every frame

/** createSync(store, api, {catalog, rows, base, ctx}) -> {schedule, setDragging, reset}. */
export function createSync(store, api, { catalog, rows, base, ctx = {} }) {
  const sent = new Map(); // lane -> JSON body last sent
  const lastSweepAt = new Map();
  const timers = { debounce: 0, drag: 0 };
  const flags = { dragging: false };

  function pendingWith(lane, on) {
    const pending = { ...(store.data.pending || {}) };
    if (on) pending[lane] = true;
    else delete pending[lane];
    return pending;
  }

  function onResult(req, outcome) {
    if (outcome.status === "superseded") return;
    const errors = { ...(store.data.errors || {}) };
    const patch = { errors, pending: pendingWith(req.lane, false) };
    if (outcome.status === "error") {
      errors[req.lane] = outcome.error;
      Object.assign(patch, req.onError?.(outcome.error, store.data) || {});
    } else {
      delete errors[req.lane];
      Object.assign(patch, req.reduce?.(store.data,
        { req, body: outcome.body, seq: outcome.seq, state: store.state, catalog }) || {});
    }
    store.setData(patch, { lane: req.lane });
  }

  function send(req) {
    const key = JSON.stringify(req.body);
    if (sent.get(req.lane) === key) return;
    sent.set(req.lane, key);
    if (req.sweep) lastSweepAt.set(req.lane, performance.now());
    let seq = 0;
    const onProgress = req.progress
      ? (frame) => {
        const patch = req.progress(store.data, frame, { catalog, state: store.state, seq, req });
        if (patch) store.setData(patch, { lane: req.lane, progress: true });
      }
      : undefined;
    store.data.pending = pendingWith(req.lane, true);
    const p = api.request(req.type, req.body, { lane: req.lane, mode: req.sweep || req.replace ? "replace" : "queue", onProgress });
    seq = p.seq;
    p.then((outcome) => onResult(req, outcome));
  }

  function flush() {
    timers.debounce = 0;
    const reqs = planRequests(rows, base, catalog, store.state, ctx);
    const now = performance.now();
    for (const req of reqs) {
      if (flags.dragging && req.sweep) {
        const wait = DRAG_SWEEP_MS - (now - (lastSweepAt.get(req.lane) || 0));
        if (wait > 0) {
          if (!timers.drag) timers.drag = setTimeout(() => { timers.drag = 0; flush(); }, wait);
          continue;
        }
      }
      send(req);
    }
    const live = new Set(reqs.map((r) => r.lane));
    // A lane this state no longer plans is not waited for: "settled" means every answer the
    // current view needs is in (an old sweep may still be queued behind the heavy pool).
    const pending = store.data.pending || {};
    if (Object.keys(pending).some((lane) => !live.has(lane))) {
      store.data.pending = Object.fromEntries(Object.entries(pending).filter(([lane]) => live.has(lane)));
    }
    const patch = base?.prune?.(store.data, live, store.state);
    if (patch) store.setData(patch);
  }

  return {
    /** Plan and send now (drag, scene) or after a short debounce (controls). */
    schedule({ immediate = false } = {}) {
      clearTimeout(timers.debounce);
      if (immediate) flush();
      else timers.debounce = setTimeout(flush, DEBOUNCE_MS);
    },
    setDragging(on) {
      flags.dragging = on;
      if (!on) flush();
    },
    /** Forget what was sent (a new scene asks again even for equal bodies). */
    reset() {
      sent.clear();
    },
  };
}
