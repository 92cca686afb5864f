// Classroom rooms: the teacher's page drives, the students' pages follow (both pages, via the
// shell). The teacher starts a class (POST /api/rooms), sends its state (the URL hash) over the
// room socket, and its live channel carries the room so every result it gets is fanned out.
// A student's page (/#room=CODE) takes the teacher's state and answers its own planned
// requests from those fanned-out results instead of computing: each request's id carries a
// fingerprint of its body (api.js bodyKey), so a result is matched to exactly the request the
// student's page plans for the same state. Touching anything switches the student to
// exploring (their own live channel); "follow again" returns with one click.
//
// createRoom(api, page, onTransport) -> {api, button, bar, attach(shell), holdsHash(), onPointer(p)}

import { bodyKey, createApi, decodeBinary, errorText } from "./api.js";
import { h, setChildren } from "./dom.js";

const STATE_EVERY_MS = 33; // the teacher's state goes out at most ~30 times a second
const RECONNECT_MS = 1000;
const PAGE_PATHS = { surfaces: "/", networks: "/network.html" };

/** The room code of a hash like "#room=ABCD2345" (or null). */
export function roomCode(hash) {
  const m = /(?:^#?|&)room=([A-Za-z0-9-]{4,16})(?:&|$)/.exec(String(hash || ""));
  return m ? m[1].toUpperCase() : null;
}

/** A random id for this browser (answers are one per device; nothing personal is kept). */
function deviceId() {
  const key = "losscape-device";
  let id = "";
  try {
    id = localStorage.getItem(key) || "";
  } catch { /* storage off: a fresh id per page */ }
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    try {
      localStorage.setItem(key, id);
    } catch { /* ignore */ }
  }
  return id;
}

/** The follower's side of the api: requests are answered by the teacher's fanned-out results. */
function createFollower() {
  const lanes = new Map(); // lane -> {want: {key, resolve, seq} | null, cache: Map(key -> outcome)}
  let seq = 0;
  const lane = (name) => {
    if (!lanes.has(name)) lanes.set(name, { want: null, cache: new Map() });
    return lanes.get(name);
  };
  return {
    request(type, body, { lane: name = type } = {}) {
      seq += 1;
      const mySeq = seq;
      const key = bodyKey(body);
      const l = lane(name);
      if (l.want) l.want.resolve({ status: "superseded", seq: l.want.seq });
      l.want = null;
      const promise = new Promise((resolve) => {
        const hit = l.cache.get(key);
        if (hit) resolve({ ...hit, seq: mySeq });
        else l.want = { key, resolve, seq: mySeq };
      });
      promise.seq = mySeq;
      return promise;
    },
    /** A result (or error) frame the teacher's page got: id = "lane#seq#key". */
    onFrame(msg) {
      const id = String(msg.id ?? "");
      const first = id.indexOf("#");
      const last = id.lastIndexOf("#");
      if (first < 0 || last === first) return;
      const l = lane(id.slice(0, first));
      const key = id.slice(last + 1);
      const outcome = msg.type === "result" ? { status: "result", body: msg.body }
        : { status: "error", error: errorText(msg.status, msg.detail), detail: msg.detail };
      l.cache.delete(key);
      l.cache.set(key, outcome);
      while (l.cache.size > 8) l.cache.delete(l.cache.keys().next().value);
      if (l.want?.key === key) {
        const w = l.want;
        l.want = null;
        w.resolve({ ...outcome, seq: w.seq });
      }
    },
    /** Leave every waiting request (the page now computes its own). */
    release() {
      for (const l of lanes.values()) {
        if (l.want) l.want.resolve({ status: "superseded", seq: l.want.seq });
        l.want = null;
      }
    },
  };
}

export function createRoom(baseApi, page, onTransport = () => {}) {
  const code = roomCode(location.hash);
  const r = {
    role: code ? "student" : "none", code, mode: "following", info: null, socket: null, driver: null,
    teacherHash: "", sentHash: "", sendTimer: 0, counts: { following: 0, exploring: 0 },
    question: null, tally: null, revealed: null, answered: new Set(), problem: "", qr: false,
  };
  const follower = createFollower();
  const device = deviceId();
  let shell = null;

  const current = () => {
    if (r.role === "student" && r.mode === "following") return follower;
    if (r.role === "teacher" && r.driver) return r.driver;
    return baseApi;
  };
  const api = {
    catalog: () => baseApi.catalog(),
    request: (type, body, opts) => current().request(type, body, opts),
    transport: () => baseApi.transport(),
    close: () => baseApi.close(),
  };

  // ------------------------------------------------------------------ elements
  const button = h("button", { type: "button", class: "chrome", id: "start-class",
    title: "start a class: students open the link (or scan the QR code) and follow this page",
    onclick: () => (r.role === "teacher" ? toggleQr() : startClass()) }, "Start class");
  button.hidden = r.role === "student";
  const bar = h("section", { class: "room-bar", id: "room-bar", "aria-label": "Class", "aria-live": "polite" });
  bar.hidden = true;

  // ------------------------------------------------------------------ socket
  function openSocket() {
    const proto = location.protocol.replace("http", "ws");
    const teacher = r.role === "teacher";
    // the teacher token goes as a subprotocol, not in the URL (which access logs keep)
    const ws = new WebSocket(`${proto}//${location.host}/api/rooms/${r.code}/socket?role=${r.role}`,
      teacher ? ["losscape.room", r.info.teacher_token] : []);
    ws.binaryType = "arraybuffer";
    r.socket = ws;
    ws.addEventListener("open", () => {
      if (r.role === "teacher") sendState(true);
      else if (r.mode === "exploring") ws.send(JSON.stringify({ type: "explore" }));
    });
    ws.addEventListener("message", (ev) => onMessage(ev.data));
    ws.addEventListener("close", (ev) => {
      if (r.socket === ws) r.socket = null;
      if (ev.code >= 4400 && ev.code < 4500) { // refused (no such room, forged token): do not retry
        r.problem = ev.reason || `the class could not be joined (${ev.code - 4000})`;
        if (r.role === "teacher") {
          sessionStorage.removeItem(teacherKey());
          r.role = "none";
          r.driver = null;
          button.hidden = false;
        }
        renderBar();
        return;
      }
      setTimeout(() => { if (!r.socket && r.role !== "none") openSocket(); }, RECONNECT_MS * (0.5 + Math.random()));
    });
  }

  function onMessage(data) {
    let msg;
    try {
      msg = typeof data === "string" ? JSON.parse(data) : decodeBinary(data);
    } catch {
      return;
    }
    if (msg.id !== undefined && (msg.type === "result" || msg.type === "error")) {
      follower.onFrame(msg);
      return;
    }
    switch (msg.type) {
      case "hello":
        if (r.role === "student" && msg.page !== page.claimsPage) {
          location.replace(`${PAGE_PATHS[msg.page] || "/"}#room=${r.code}`);
          return;
        }
        r.counts = msg.counts || r.counts;
        r.question = msg.question?.open ? msg.question : null;
        r.info = { ...(r.info || {}), join_url: msg.join_url, code: msg.code };
        if (r.role === "student" && msg.state) takeState(msg.state);
        break;
      case "state":
        takeState(msg.hash);
        break;
      case "counts":
        r.counts = { following: msg.following, exploring: msg.exploring };
        break;
      case "question":
        r.question = msg.question;
        r.revealed = null;
        r.tally = null;
        break;
      case "tally":
        r.tally = msg;
        break;
      case "reveal":
        r.question = null;
        r.revealed = msg;
        break;
      case "error":
        r.problem = errorText(msg.status, msg.detail);
        break;
      default:
        return;
    }
    renderBar();
  }

  // ------------------------------------------------------------------ teacher
  const teacherKey = () => `losscape-teacher-${page.claimsPage}`;

  async function startClass() {
    r.problem = "";
    let resp;
    let data = null;
    try {
      resp = await fetch("/api/rooms", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ page: page.claimsPage }) });
      data = await resp.json().catch(() => null);
    } catch (err) {
      r.problem = String(err?.message || err);
      renderBar();
      return;
    }
    if (!resp.ok) {
      r.problem = errorText(resp.status, data?.detail);
      renderBar();
      return;
    }
    sessionStorage.setItem(teacherKey(), JSON.stringify(data));
    teach(data, true);
  }

  function teach(info, showQr) {
    r.role = "teacher";
    r.code = info.code;
    r.info = info;
    r.qr = showQr;
    r.driver = createApi({ onTransport, room: { code: info.code, token: info.teacher_token } });
    openSocket();
    shell.sync.reset(); // everything again over the driving channel: the class gets it too
    shell.sync.schedule({ immediate: true });
    renderBar();
  }

  function sendState(force = false) {
    clearTimeout(r.sendTimer);
    r.sendTimer = 0;
    const hash = page.encode(shell.store.state);
    if (!r.socket || r.socket.readyState !== WebSocket.OPEN || (hash === r.sentHash && !force)) return;
    r.sentHash = hash;
    r.socket.send(JSON.stringify({ type: "state", hash }));
  }

  async function teacherPost(path, body) {
    const resp = await fetch(`/api/rooms/${r.code}/${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${r.info.teacher_token}` },
      body: JSON.stringify(body || {}) });
    const data = await resp.json().catch(() => null);
    r.problem = resp.ok ? "" : errorText(resp.status, data?.detail);
    renderBar();
    return resp.ok ? data : null;
  }

  function toggleQr() {
    r.qr = !r.qr;
    renderBar();
  }

  // ------------------------------------------------------------------ student
  function takeState(hash) {
    r.teacherHash = hash;
    if (r.role !== "student" || r.mode !== "following" || !shell) return;
    const next = { ...page.decode(`#${hash}`), present: shell.store.state.present };
    shell.store.setState(next, { source: "room" });
    shell.sync.schedule({ immediate: true });
  }

  function setMode(mode) {
    if (r.mode === mode) return;
    r.mode = mode;
    if (r.socket?.readyState === WebSocket.OPEN) r.socket.send(JSON.stringify({ type: mode === "following" ? "follow" : "explore" }));
    follower.release();
    shell.sync.reset();
    if (mode === "following" && r.teacherHash) takeState(r.teacherHash);
    else shell.sync.schedule({ immediate: true });
    renderBar();
  }

  async function vote(answer) {
    const q = r.question;
    if (!q || r.answered.has(q.id)) return;
    const resp = await fetch(`/api/rooms/${r.code}/votes`, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ device, question: q.id, ...answer }) });
    const data = await resp.json().catch(() => null);
    if (resp.ok || resp.status === 409) r.answered.add(q.id);
    r.problem = resp.ok ? "" : errorText(resp.status, data?.detail);
    renderBar();
  }

  // ------------------------------------------------------------------ the bar
  function tallyView(q, t) {
    if (!q || !t) return null;
    if (q.kind === "choice") {
      const counts = t.counts || q.choices.map(() => 0);
      const most = Math.max(1, ...counts);
      return h("div", { class: "room-tally", role: "img", "aria-label": `answers: ${q.choices.map((c, i) => `${c}: ${counts[i]}`).join(", ")}` },
        q.choices.map((c, i) => h("div", { class: "tally-row", dataset: { choice: String(i), count: String(counts[i]) } }, [
          h("span", { class: "tally-label" }, c),
          h("span", { class: "tally-bar" }, h("span", { class: "tally-fill", style: { width: `${(100 * counts[i]) / most}%` } })),
          h("span", { class: "tally-count" }, String(counts[i])),
        ])));
    }
    return pointsView(q, t.points || []);
  }

  function pointsView(q, points) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 200 140");
    svg.setAttribute("class", "room-heat");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `${points.length} clicks`);
    svg.dataset.count = String(points.length);
    const v = q.view || [
      Math.min(-1, ...points.map((p) => p[0])), Math.max(1, ...points.map((p) => p[0])),
      Math.min(-1, ...points.map((p) => p[1])), Math.max(1, ...points.map((p) => p[1])),
    ];
    for (const [x, y] of points) {
      const c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", String(5 + (190 * (x - v[0])) / (v[1] - v[0] || 1)));
      c.setAttribute("cy", String(135 - (130 * (y - v[2])) / (v[3] - v[2] || 1)));
      c.setAttribute("r", "5");
      svg.append(c);
    }
    return svg;
  }

  function claimsOf(q) {
    const claims = page.sceneOf(q.scene)?.steps?.[q.step]?.claims || [];
    return claims.length ? h("ul", { class: "room-claims" }, claims.map((c) => h("li", {}, c.text || c.id))) : null;
  }

  function askForm() {
    const prompt = h("input", { type: "text", id: "room-prompt", placeholder: "question, e.g. which learning rate diverges?", maxlength: "300", "aria-label": "question" });
    const kind = h("select", { id: "room-kind", "aria-label": "answer by" }, [
      h("option", { value: "choice" }, "choices"), h("option", { value: "point" }, "click on the contour")]);
    const choices = h("input", { type: "text", id: "room-choices", placeholder: "choices, separated by |", "aria-label": "choices" });
    const ask = h("button", { type: "button", id: "room-ask", onclick: () => {
      const s = shell.store.state;
      const body = { kind: kind.value, prompt: prompt.value.trim() || "?", scene: String(s.scene || ""), step: Number(s.step) || 0 };
      if (kind.value === "choice") body.choices = choices.value.split("|").map((c) => c.trim()).filter(Boolean);
      teacherPost("question", body).then((q) => { if (q) { r.question = q; r.revealed = null; renderBar(); } });
    } }, "Ask");
    return h("span", { class: "room-ask" }, [prompt, kind, choices, ask]);
  }

  function renderBar() {
    button.hidden = r.role === "student";
    button.textContent = r.role === "teacher" ? (r.qr ? "Hide code" : `Class ${r.code}`) : "Start class";
    bar.hidden = r.role === "none" && !r.problem;
    document.body.dataset.room = r.role === "none" ? "" : `${r.role}:${r.mode}`;
    const parts = [];
    if (r.problem) parts.push(h("p", { class: "room-problem", role: "alert" }, r.problem));
    if (r.role === "teacher") {
      const link = r.info?.join_url || "";
      parts.push(h("div", { class: "room-line" }, [
        h("strong", {}, "Class "), h("span", { class: "room-code", id: "room-code" }, r.code),
        h("span", { class: "room-counts", id: "room-counts", dataset: r.counts }, ` · ${r.counts.following} following · ${r.counts.exploring} exploring`),
        askForm(),
        r.question?.open ? h("button", { type: "button", id: "room-reveal", onclick: () => teacherPost("reveal").then((res) => {
          if (res) { r.revealed = res; r.question = null; renderBar(); }
        }) }, "Reveal") : null,
      ]));
      if (r.qr) {
        parts.push(h("div", { class: "room-qr", id: "room-qr" }, [
          h("img", { src: `/api/rooms/${r.code}/qr.svg`, alt: `QR code of the join link ${link}`, width: "240", height: "240" }),
          h("div", {}, [h("p", { class: "room-qr-code" }, r.code), h("p", { class: "room-link" }, link)]),
        ]));
      }
      const q = r.question || r.revealed?.question;
      if (q) {
        parts.push(h("div", { class: "room-question" }, [h("p", {}, q.prompt),
          tallyView(q, r.revealed?.tally || r.tally), r.revealed ? claimsOf(q) : null]));
      }
    } else if (r.role === "student") {
      const following = r.mode === "following";
      parts.push(h("div", { class: "room-line" }, [
        h("span", { class: "room-mode", id: "room-mode" }, following ? `Following the teacher · class ${r.code}` : `Exploring on your own · class ${r.code}`),
        following ? null : h("button", { type: "button", id: "room-follow", class: "room-follow", onclick: () => setMode("following") }, "exploring: follow again"),
      ]));
      const q = r.question;
      if (q) {
        const done = r.answered.has(q.id);
        parts.push(h("div", { class: "room-question", id: "room-question" }, [h("p", {}, q.prompt),
          done ? h("p", { class: "room-sent" }, "Answer sent.")
            : q.kind === "choice" ? h("div", { class: "room-choices" }, q.choices.map((c, i) => h("button", { type: "button", class: "room-choice", dataset: { choice: String(i) }, onclick: () => vote({ choice: i }) }, c)))
              : h("p", {}, "Click on the contour to answer.")]));
      } else if (r.revealed) {
        const rq = r.revealed.question;
        parts.push(h("div", { class: "room-question room-reveal", id: "room-reveal" }, [h("p", {}, rq.prompt),
          tallyView(rq, r.revealed.tally), claimsOf(rq)]));
      }
    }
    setChildren(bar, parts);
  }

  return {
    api,
    button,
    bar,
    /** The shell is built: join (a #room= link) or resume teaching (a reload of the teacher's tab). */
    attach(s) {
      shell = s;
      shell.store.subscribe((_, info) => {
        if (info.what !== "state") return;
        if (r.role === "teacher" && !r.sendTimer) r.sendTimer = setTimeout(() => sendState(), STATE_EVERY_MS);
        // A student who touches anything explores on their own (their own live channel).
        if (r.role === "student" && r.mode === "following" && info.source !== "room" && info.source !== "boot") {
          setMode("exploring");
        }
      });
      if (r.role === "student") openSocket();
      else {
        try {
          const saved = JSON.parse(sessionStorage.getItem(teacherKey()) || "null");
          if (saved?.code && saved?.teacher_token) teach(saved, false);
        } catch { /* nothing saved */ }
      }
      renderBar();
    },
    /** A student's page keeps #room=CODE in its address (a reload rejoins). */
    holdsHash: () => r.role === "student",
    /** A click on the contour answers an open point question (true: the click is taken). */
    onPointer({ x, y, phase }) {
      const q = r.question;
      if (r.role !== "student" || !q || q.kind !== "point" || r.answered.has(q.id)) return false;
      if (phase === "down") vote({ point: [x, y] });
      return true;
    },
  };
}
