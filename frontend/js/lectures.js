// Saved scenes and lectures (the server's lecture store: /api/saved-scenes, /api/lectures).
//
// "Save scene" stores the current state with a title and caption; the "Lecture" dialog
// orders saved and built-in scenes, creates the lecture and shows its share link
// (`/#lecture=ID`), an export download and an import. A lecture opens in the scene
// stepper as one more scene whose steps are its stops: `loadLecture` fetches it before
// the shell starts and adds it to the page's scene list under the lecture's own id
// (`l_...`, never a built-in id). A stop that belongs to the other page carries `href`,
// and the shell goes there (shell.js openScene).
//
// Edit tokens stay in this browser (localStorage); the server keeps only their hashes.

import { h, setChildren } from "./dom.js";

const VIEW_KEYS = ["scene", "step", "t", "speed", "present"];
const STORAGE = "losscape.lectures";
const PAGES = {
  surfaces: { path: "/", prefix: "", list: "scenes", label: "surfaces" },
  networks: { path: "/network.html", prefix: "net&", list: "network_scenes", label: "networks" },
};

/** fetch + JSON; a refusal becomes an Error whose message names the field ("state.steps: ..."). */
async function rest(method, url, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-edit-token"] = token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const d = Array.isArray(data.detail) ? data.detail[0] : null;
    const where = d ? d.loc.filter((p) => p !== "body" && p !== "path").join(".") : "";
    throw new Error(d ? `${where ? `${where}: ` : ""}${d.msg}` : `HTTP ${res.status}`);
  }
  return data;
}

function remembered() {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE) || "{}");
    return { scenes: Array.isArray(v.scenes) ? v.scenes : [], lectures: Array.isArray(v.lectures) ? v.lectures : [] };
  } catch {
    return { scenes: [], lectures: [] };
  }
}
function remember(kind, entry) {
  const all = remembered();
  all[kind] = [entry, ...all[kind].filter((e) => e.id !== entry.id)].slice(0, 200);
  try {
    localStorage.setItem(STORAGE, JSON.stringify(all));
  } catch {
    // private mode or full: the ids still work as links, only editing needs the token
  }
}

/** The page state without what belongs to whoever opens it (scene, step, timeline, presenter). */
export function savedState(state) {
  const out = { ...state };
  for (const k of VIEW_KEYS) delete out[k];
  return out;
}

export const shareUrl = (id) => `${location.origin}/#lecture=${encodeURIComponent(id)}`;

/** Where stop k of lecture `id` is shown on `page`. */
function stopHref(page, id, k) {
  const p = PAGES[page];
  return `${p.path}#${p.prefix}scene=${encodeURIComponent(id)}&step=${k}`;
}

/** The lecture as a scene of `pageName`: one step per stop; other-page stops carry `href`. */
export function lectureScene(lecture, pageName) {
  const steps = lecture.steps.map((item, k) => {
    const text = item.step_caption || item.caption;
    const caption = `${k + 1}. ${item.title}${text ? `: ${text}` : ""}`;
    if (item.page === pageName) return { caption, state: item.state, claims: [] };
    return { caption: `${caption} (on the ${PAGES[item.page].label} page)`, state: {}, claims: [],
      href: stopHref(item.page, lecture.id, k) };
  });
  return { id: lecture.id, title: lecture.title, caption: "", lecture: "saved lecture",
    panels: steps.find((s) => s.state.panels)?.state.panels, steps, saved: true };
}

function hashParams() {
  const out = {};
  for (const part of location.hash.replace(/^#/, "").split("&")) {
    const i = part.indexOf("=");
    if (i > 0) {
      try {
        out[part.slice(0, i)] = decodeURIComponent(part.slice(i + 1));
      } catch {
        // a broken escape: ignore the pair, as the hash codec does
      }
    }
  }
  return out;
}

/**
 * Before the shell starts: a `#lecture=ID` link (or a lecture's `scene=l_...&step=k`) loads the
 * lecture and adds it to `catalog`'s scene list. Returns an error message or null.
 */
export async function loadLecture(catalog, pageName) {
  const params = hashParams();
  const id = params.lecture || (params.scene?.startsWith("l_") ? params.scene : "");
  if (!id) return null;
  let lecture;
  try {
    lecture = await rest("GET", `/api/lectures/${encodeURIComponent(id)}`);
  } catch (err) {
    return `Could not open the lecture: ${err.message}`;
  }
  const scene = lectureScene(lecture, pageName);
  const list = PAGES[pageName].list;
  catalog[list] = [...(catalog[list] || []).filter((s) => s.id !== scene.id), scene];
  const k = Math.min(Math.max(0, Math.round(Number(params.step) || 0)), scene.steps.length - 1);
  const href = scene.steps[k].href;
  if (href) location.replace(href); // the first stop is on the other page
  else if (params.lecture) history.replaceState(null, "", stopHref(pageName, scene.id, k));
  return null;
}

/** A lecture link that did not open (deleted, mistyped): said on the page, which still starts. */
export function lectureNotice(message) {
  if (message) document.body.append(h("div", { class: "toast lecture-error", role: "alert" }, message));
}

// ------------------------------------------------------------------ the header's buttons

function field(label, input) {
  return h("label", { class: "lecture-field" }, [h("span", {}, label), input]);
}

/** "Save scene" and "Lecture" in the header; `ctx` = {catalog, pageName, getState, notice}. */
export function lectureButtons(ctx) {
  const save = h("button", { type: "button", class: "chrome", id: "save-scene",
    title: "save this view as a scene of your own", onclick: () => saveDialog(ctx) }, "Save scene");
  const lecture = h("button", { type: "button", class: "chrome", id: "lecture-open",
    title: "order saved and built-in scenes into a lecture; share, export, import",
    onclick: () => lectureDialog(ctx) }, "Lecture");
  return [save, lecture];
}

function dialog(id, title, body) {
  document.getElementById(id)?.remove();
  const close = h("button", { type: "button", class: "lecture-close", "aria-label": "close" }, "×");
  const d = h("dialog", { id, class: "lecture-dialog", "aria-label": title },
    [h("header", {}, [h("h2", {}, title), close]), ...body]);
  close.addEventListener("click", () => d.close());
  d.addEventListener("close", () => d.remove());
  document.body.append(d);
  d.showModal();
  return d;
}

/** The server's limits (catalog) for what a text field may hold. */
const maxLength = (ctx, key, fallback) => String(ctx.catalog.limits?.[key] ?? fallback);

function saveDialog(ctx) {
  const title = h("input", { type: "text", id: "save-title", maxlength: maxLength(ctx, "max_title_length", 120),
    required: true });
  const caption = h("textarea", { id: "save-caption", rows: "3", maxlength: maxLength(ctx, "max_caption_length", 2000) });
  const status = h("p", { class: "lecture-status", role: "status" });
  const submit = h("button", { type: "submit", id: "save-submit" }, "Save");
  const form = h("form", { method: "dialog" }, [field("Title", title), field("Caption", caption),
    h("div", { class: "lecture-actions" }, [submit]), status]);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const made = await rest("POST", "/api/saved-scenes", { page: ctx.pageName, title: title.value,
        caption: caption.value, state: savedState(ctx.getState()) });
      remember("scenes", { id: made.id, title: made.title, page: made.page, token: made.edit_token });
      status.textContent = `Saved “${made.title}”. Add it to a lecture with the Lecture button.`;
      status.dataset.saved = made.id;
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
    } finally {
      submit.disabled = false;
    }
  });
  dialog("save-dialog", "Save scene", [form]);
  title.focus();
}

/** Everything a lecture may name: this browser's saved scenes, then both pages' built-in scenes. */
function choices(ctx) {
  const mine = remembered().scenes.map((s) => ({ id: s.id, label: `★ ${s.title} (${s.page})` }));
  const builtin = (page) => (ctx.catalog[PAGES[page].list] || [])
    .filter((s) => !s.saved && s.id && s.id !== "playground")
    .map((s) => ({ id: s.id, label: `${s.title} (${page})` }));
  return [...mine, ...builtin("surfaces"), ...builtin("networks")];
}

function lectureDialog(ctx) {
  const options = choices(ctx);
  const label = new Map(options.map((o) => [o.id, o.label]));
  const order = [];
  const title = h("input", { type: "text", id: "lecture-title", maxlength: maxLength(ctx, "max_title_length", 120),
    value: "My lecture" });
  const pick = h("select", { id: "lecture-pick" }, options.map((o) => h("option", { value: o.id }, o.label)));
  const list = h("ol", { id: "lecture-order", class: "lecture-order" });
  const status = h("p", { class: "lecture-status", role: "status" });
  const result = h("div", { class: "lecture-result", id: "lecture-result" });
  const renderList = () => setChildren(list, order.map((id, i) => h("li", { dataset: { ref: id } }, [
    h("span", {}, label.get(id) || id),
    h("button", { type: "button", "aria-label": "move up", disabled: i === 0,
      onclick: () => { [order[i - 1], order[i]] = [order[i], order[i - 1]]; renderList(); } }, "↑"),
    h("button", { type: "button", "aria-label": "move down", disabled: i === order.length - 1,
      onclick: () => { [order[i + 1], order[i]] = [order[i], order[i + 1]]; renderList(); } }, "↓"),
    h("button", { type: "button", "aria-label": "remove",
      onclick: () => { order.splice(i, 1); renderList(); } }, "✕"),
  ])));
  const add = h("button", { type: "button", id: "lecture-add",
    onclick: () => { if (pick.value) { order.push(pick.value); renderList(); } } }, "Add");
  let editing = null; // {id, token} of a lecture made in this browser, once "edit" is chosen
  const create = h("button", { type: "button", id: "lecture-create", onclick: async () => {
    create.disabled = true;
    try {
      const body = { title: title.value, scenes: order };
      const made = editing
        ? await rest("PUT", `/api/lectures/${encodeURIComponent(editing.id)}`, body, editing.token)
        : await rest("POST", "/api/lectures", body);
      remember("lectures", { id: made.id, title: made.title, token: made.edit_token || editing.token });
      status.textContent = `Lecture “${made.title}” ${editing ? "saved" : "created"}: ${made.steps.length} stops.`;
      showResult(result, made);
    } catch (err) {
      status.textContent = `Not ${editing ? "saved" : "created"}: ${err.message}`;
    } finally {
      create.disabled = false;
    }
  } }, "Create lecture");
  async function edit(entry) {
    try {
      const lecture = await rest("GET", `/api/lectures/${encodeURIComponent(entry.id)}`);
      for (const stop of lecture.steps) if (!label.has(stop.ref)) label.set(stop.ref, `★ ${stop.title} (${stop.page})`);
      editing = { id: lecture.id, token: entry.token };
      title.value = lecture.title;
      order.splice(0, order.length, ...lecture.scenes);
      renderList();
      create.textContent = "Save changes";
      status.textContent = `Editing “${lecture.title}”: its link stays the same.`;
    } catch (err) {
      status.textContent = `Cannot edit: ${err.message}`;
    }
  }
  const file = h("input", { type: "file", id: "lecture-import", accept: ".json,application/json" });
  file.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    try {
      let doc;
      try {
        doc = JSON.parse(await f.text());
      } catch {
        throw new Error(`${f.name} is not JSON`);
      }
      const made = await rest("POST", "/api/lectures/import", doc);
      remember("lectures", { id: made.id, title: made.title, token: made.edit_token });
      status.textContent = `Imported “${made.title}”: ${made.steps.length} stops.`;
      showResult(result, made);
    } catch (err) {
      status.textContent = `Not imported: ${err.message}`;
    }
    file.value = "";
  });
  const mine = remembered().lectures.slice(0, 8).map((l) => h("li", {}, [
    h("a", { href: shareUrl(l.id), onclick: openLink }, l.title), " ",
    l.token ? h("button", { type: "button", class: "lecture-edit", "aria-label": `edit ${l.title}`,
      onclick: () => edit(l) }, "edit") : null]));
  dialog("lecture-dialog", "Lecture", [
    field("Title", title),
    h("div", { class: "lecture-pick" }, [field("Scene", pick), add]),
    list,
    h("div", { class: "lecture-actions" }, [create]),
    status, result,
    field("Import a lecture file (.json)", file),
    mine.length ? h("details", {}, [h("summary", {}, "Lectures made in this browser"), h("ul", {}, mine)]) : null,
  ].filter(Boolean));
}

/** A lecture link loads the page again: the lecture is fetched at boot (loadLecture). */
function openLink(ev) {
  ev.preventDefault();
  location.assign(ev.currentTarget.href);
  location.reload();
}

function showResult(el, lecture) {
  const url = shareUrl(lecture.id);
  const link = h("input", { type: "text", id: "lecture-link", readonly: true, value: url, "aria-label": "share link" });
  const copy = h("button", { type: "button", onclick: async () => {
    try {
      await navigator.clipboard.writeText(url);
      copy.textContent = "Copied";
    } catch {
      link.select();
    }
  } }, "Copy link");
  setChildren(el, [
    field("Share link", link),
    h("div", { class: "lecture-actions" }, [
      copy,
      h("a", { class: "button", id: "lecture-export", href: `/api/lectures/${encodeURIComponent(lecture.id)}/export`,
        download: "lecture.json" }, "Export JSON"),
      h("a", { class: "button", id: "lecture-start", href: url, onclick: openLink }, "Open lecture"),
    ]),
  ]);
  el.dataset.lecture = lecture.id;
}
