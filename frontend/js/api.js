// The one module that knows URLs: the catalog, the live WebSocket and the REST fallback.
//
// Requests go over one socket (/api/live), tagged, one lane per kind of work. A lane is
// latest-wins: in "queue" mode at most one request is in flight and only the newest waiting
// one is kept (a drag never builds a backlog); in "replace" mode (long sweeps) a new request
// is sent at once and the server drops or cancels the older one. Without a socket, the same
// lanes run over REST (no progress frames then).
//
// Results arrive as binary frames (/api/live?binary=1): a JSON head whose arrays are
// references into a block of typed arrays (see decodeBinary); they are rebuilt here into
// the same plain arrays (NaN -> null) the JSON answer has, so callers see one shape.
//
// When the socket drops (a server worker restarted, the network blinked), the page shows
// "reconnecting", reconnects with jittered backoff and resends each lane's latest request;
// only if the socket stays away do those requests go over REST. A 429 / 503 answer with a
// retry hint is retried after it while the request is still its lane's latest.

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
  scene_claims: "/api/scenes/claims",
};
const CONNECT_WAIT_MS = 1500;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 8000;
const MAX_BUSY_RETRIES = 4;

/** One typed-array reference of a binary frame as a plain array (non-finite -> null). */
function plain(typed) {
  const out = new Array(typed.length);
  for (let i = 0; i < typed.length; i += 1) {
    const v = typed[i];
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

const TYPED = { f4: Float32Array, f8: Float64Array, i4: Int32Array };

/**
 * A binary live frame -> the same object a JSON frame parses to. Layout: uint32 (LE) n,
 * n bytes of JSON, padding to 8, then the blob; {"$b": [dtype, offset, length, ...shape]}
 * marks an array of the blob (2-D shapes become arrays of rows).
 */
export function decodeBinary(buffer) {
  const n = new DataView(buffer).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  const base = Math.ceil((4 + n) / 8) * 8;
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const ref = v.$b;
    if (Array.isArray(ref)) {
      const [code, offset, length, rows, cols] = ref;
      const typed = new TYPED[code](buffer.slice(base + offset, base + offset + length * TYPED[code].BYTES_PER_ELEMENT));
      if (cols === undefined) return plain(typed);
      const out = new Array(rows);
      for (let r = 0; r < rows; r += 1) out[r] = plain(typed.subarray(r * cols, (r + 1) * cols));
      return out;
    }
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    return out;
  };
  return walk(head);
}

/**
 * A short fingerprint of a request body (FNV-1a over its JSON): a teaching page puts it in
 * each request's id, so a following page knows which of its own planned requests a
 * fanned-out result answers (rooms: the server never re-plans requests).
 */
export function bodyKey(body) {
  const text = JSON.stringify(body);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export function errorText(status, detail) {
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
export function createApi({ onTransport = () => {}, room = null } = {}) {
  let socket = null;
  let open = false;
  let closed = false;
  let retryMs = RETRY_FIRST_MS;
  let failures = 0; // connection attempts that failed since the socket was last open
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
    // A teacher's page drives a room: its results are also fanned out to the students.
    // The token goes as a subprotocol, not in the URL (which access logs keep).
    const drive = room ? `&room=${encodeURIComponent(room.code)}` : "";
    const ws = new WebSocket(`${proto}//${location.host}${LIVE_URL}?binary=1${drive}`,
      room ? ["losscape.room", room.token] : []);
    ws.binaryType = "arraybuffer";
    socket = ws;
    ws.addEventListener("open", () => {
      open = true;
      retryMs = RETRY_FIRST_MS;
      failures = 0;
      onTransport("live");
      for (const w of openWaiters) w(true);
      openWaiters = [];
    });
    ws.addEventListener("message", (ev) => onFrame(ev.data));
    ws.addEventListener("close", () => {
      const wasOpen = open;
      open = false;
      socket = null;
      if (!wasOpen) failures += 1;
      // Requests waiting for the socket keep waiting through a few reconnection attempts
      // (a restarted worker's students are back within a second); then they go over REST.
      if (failures >= 3 || closed) {
        for (const w of openWaiters) w(false);
        openWaiters = [];
      }
      const orphans = [...jobs.values()];
      jobs.clear();
      if (closed) return;
      onTransport(wasOpen || failures < 3 ? "reconnecting" : "rest");
      // Jittered backoff: a class whose worker restarted does not reconnect all at once.
      const wait = retryMs * (0.5 + Math.random());
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      setTimeout(connect, wait);
      // Each lane's latest request is sent again: over the new socket once it opens, or
      // over REST if it stays away.
      for (const job of orphans) resend(job);
    });
  }

  function resend(job) {
    const l = lane(job.lane);
    if (l.inflight === job) dispatch(job);
  }

  function waitOpen() {
    if (open) return Promise.resolve(true);
    if (closed || typeof WebSocket === "undefined" || failures >= 3) return Promise.resolve(false);
    return new Promise((resolve) => {
      openWaiters.push(resolve);
      setTimeout(() => resolve(open), socket ? CONNECT_WAIT_MS : 4 * CONNECT_WAIT_MS);
    });
  }

  function retryLater(job, seconds) {
    // The server is busy (429 / 503): try again after its hint, if still the lane's latest.
    job.busy = (job.busy || 0) + 1;
    if (job.busy > MAX_BUSY_RETRIES || !(seconds > 0)) return false;
    setTimeout(() => resend(job), Math.min(seconds, 30) * 1000 * (0.75 + 0.5 * Math.random()));
    return true;
  }

  function onFrame(data) {
    let msg;
    try {
      msg = typeof data === "string" ? JSON.parse(data) : decodeBinary(data);
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
      if ((msg.status === 429 || msg.status === 503) && retryLater(job, msg.retry_after)) return;
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
      const busy = resp.status === 429 || resp.status === 503;
      if (resp.ok) finish(job, { status: "result", body: data });
      else if (busy && retryLater(job, Number(resp.headers.get("Retry-After")))) return;
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
      const id = room ? `${laneName}#${mySeq}#${bodyKey(body)}` : `${laneName}#${mySeq}`;
      const job = { id, seq: mySeq, type, lane: laneName, body, onProgress, resolve };
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
    transport: () => (open ? "live" : failures < 3 && !closed ? "reconnecting" : "rest"),
    close() {
      closed = true;
      if (socket) socket.close();
    },
  };
}
