// The one module that knows URLs: the catalog, the live WebSocket and the REST fallback.
//
// Requests go over one socket (/api/live), tagged, one lane per kind of work. A lane is
// latest-wins: in "queue" mode at most one request is in flight and only the newest waiting
// one is kept (a drag never builds a backlog); in "replace" mode (long sweeps) a new request
// is sent at once and the server drops or cancels the older one. Without a socket, the same
// lanes run over REST (no progress frames then).

const CATALOG_URL = "/api/catalog";
const LIVE_URL = "/api/live";
const REST = {
  trajectories: "/api/trajectories",
  grid: "/api/grid",
  hessian: "/api/hessian",
  sweep_lr: "/api/sweeps/lr",
  sweep_basins: "/api/sweeps/basins",
  sweep_lr_momentum: "/api/sweeps/lr-momentum",
  network_train: "/api/networks/train",
  network_metrics: "/api/networks/metrics",
  network_boundary: "/api/networks/boundary",
  network_landscape: "/api/networks/landscape",
  network_gradient_check: "/api/networks/gradient-check",
  network_gradient_noise: "/api/networks/gradient-noise",
  network_batch_size: "/api/networks/batch-size",
  network_dataset: "/api/networks/dataset",
};
const CONNECT_WAIT_MS = 1500;

function errorText(status, detail) {
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  if (typeof detail === "string") return detail;
  return `request failed (${status})`;
}

/**
 * createApi({onTransport}) -> {catalog(), request(type, body, opts), transport(), close()}.
 *
 * request() resolves to {status, body?, error?, seq}: status "result", "error", or
 * "superseded" (a newer request on the lane replaced it; ignore it). opts: {lane,
 * mode: "queue"|"replace", onProgress(frame)}.
 */
export function createApi({ onTransport = () => {} } = {}) {
  let socket = null;
  let open = false;
  let closed = false;
  let retryMs = 500;
  let seq = 0;
  let openWaiters = [];
  const jobs = new Map(); // id -> job sent over the socket
  const lanes = new Map(); // lane -> {inflight: job|null, queued: job|null, delivered: seq}

  function lane(name) {
    if (!lanes.has(name)) lanes.set(name, { inflight: null, queued: null, delivered: 0 });
    return lanes.get(name);
  }

  function connect() {
    if (closed || typeof WebSocket === "undefined") return;
    const proto = location.protocol.replace("http", "ws"); // the page's scheme, secure or not
    const ws = new WebSocket(`${proto}//${location.host}${LIVE_URL}`);
    socket = ws;
    ws.addEventListener("open", () => {
      open = true;
      retryMs = 500;
      onTransport("live");
      for (const w of openWaiters) w(true);
      openWaiters = [];
    });
    ws.addEventListener("message", (ev) => onFrame(ev.data));
    ws.addEventListener("close", () => {
      const wasOpen = open;
      open = false;
      socket = null;
      for (const w of openWaiters) w(false);
      openWaiters = [];
      // Work sent over the dead socket finishes over REST.
      const orphans = [...jobs.values()];
      jobs.clear();
      for (const job of orphans) sendRest(job);
      if (closed) return;
      onTransport(wasOpen ? "reconnecting" : "rest");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    });
  }

  function waitOpen() {
    if (open) return Promise.resolve(true);
    if (!socket) return Promise.resolve(false);
    return new Promise((resolve) => {
      openWaiters.push(resolve);
      setTimeout(() => resolve(open), CONNECT_WAIT_MS);
    });
  }

  function onFrame(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const job = jobs.get(msg.id);
    if (!job) return;
    if (msg.type === "progress") {
      if (job.onProgress) job.onProgress(msg);
      return;
    }
    jobs.delete(msg.id);
    if (msg.type === "result") finish(job, { status: "result", body: msg.body });
    else if (msg.type === "error") {
      finish(job, { status: "error", error: errorText(msg.status, msg.detail), detail: msg.detail });
    } else finish(job, { status: "superseded" }); // dropped or cancelled
  }

  function finish(job, outcome) {
    const l = lane(job.lane);
    if (l.inflight === job) l.inflight = null;
    if (outcome.status === "result" || outcome.status === "error") {
      // A replace-mode lane can answer out of order: never go back in time.
      if (job.seq < l.delivered) outcome = { status: "superseded" };
      else l.delivered = job.seq;
    }
    job.resolve({ ...outcome, seq: job.seq });
    if (!l.inflight && l.queued) {
      const next = l.queued;
      l.queued = null;
      dispatch(next);
    }
  }

  async function dispatch(job) {
    const l = lane(job.lane);
    l.inflight = job;
    if (await waitOpen()) {
      jobs.set(job.id, job);
      socket.send(JSON.stringify({ id: job.id, type: job.type, lane: job.lane, body: job.body }));
    } else {
      sendRest(job);
    }
  }

  async function sendRest(job) {
    job.abort = new AbortController();
    try {
      const resp = await fetch(REST[job.type], {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(job.body),
        signal: job.abort.signal,
      });
      const data = await resp.json().catch(() => null);
      if (resp.ok) finish(job, { status: "result", body: data });
      else finish(job, { status: "error", error: errorText(resp.status, data?.detail), detail: data?.detail });
    } catch (err) {
      if (err?.name === "AbortError") finish(job, { status: "superseded" });
      else finish(job, { status: "error", error: String(err?.message || err) });
    }
  }

  function request(type, body, { lane: laneName = type, mode = "queue", onProgress } = {}) {
    seq += 1;
    const mySeq = seq;
    const promise = new Promise((resolve) => {
      const job = { id: `${laneName}#${mySeq}`, seq: mySeq, type, lane: laneName, body, onProgress, resolve };
      const l = lane(laneName);
      if (mode === "queue" && l.inflight) {
        if (l.queued) l.queued.resolve({ status: "superseded", seq: l.queued.seq });
        l.queued = job;
        return;
      }
      if (mode === "replace" && l.inflight?.abort) l.inflight.abort.abort();
      dispatch(job);
    });
    promise.seq = mySeq; // lets progress frames be matched to their request
    return promise;
  }

  async function catalog() {
    const resp = await fetch(CATALOG_URL, { headers: { Accept: "application/json" } });
    if (!resp.ok) throw new Error(`GET ${CATALOG_URL} failed (${resp.status})`);
    return resp.json();
  }

  connect();
  return {
    catalog,
    request,
    transport: () => (open ? "live" : "rest"),
    close() {
      closed = true;
      if (socket) socket.close();
    },
  };
}
