// The URL hash from one property table, for both pages (after TensorFlow Playground's
// State.PROPS): each row names a hash key, how to write the state's value and how to read
// it back. A row may repeat its key (one `r=` per run) and may omit itself (a default).
//
// prop = {key, enc(state, ctx) -> string | string[] | null, dec(values: string[], raw, ctx)}

// Characters left raw in the hash (all legal in a URL fragment) so links stay readable.
const RAW = /[A-Za-z0-9_.\-~!*:,]/;
export function enc(s) {
  return [...String(s)].map((c) => (RAW.test(c) ? c : encodeURIComponent(c))).join("");
}

/** "k=v&k=v" for `state` through `props` (rows returning null or undefined are left out). */
export function encodeProps(props, state, ctx) {
  const out = [];
  for (const p of props) {
    const v = p.enc(state, ctx);
    if (v === null || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(`${p.key}=${enc(one)}`);
  }
  return out.join("&");
}

/** [[key, value]] of a hash (leading '#' and an optional page prefix dropped). */
export function hashPairs(hash, prefix = "") {
  let text = String(hash || "").replace(/^#/, "");
  if (prefix && (text === prefix || text.startsWith(`${prefix}&`))) text = text.slice(prefix.length);
  const pairs = [];
  for (const part of text.split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    const k = i < 0 ? part : part.slice(0, i);
    let v = i < 0 ? "" : part.slice(i + 1);
    try {
      v = decodeURIComponent(v);
    } catch {
      v = "";
    }
    pairs.push([k, v]);
  }
  return pairs;
}

/** The raw (unnormalised) fields `pairs` describe; keys absent from the hash stay absent. */
export function decodeProps(props, pairs, ctx) {
  const raw = {};
  for (const p of props) {
    const values = pairs.filter(([k]) => k === p.key).map(([, v]) => v);
    if (values.length) p.dec(values, raw, ctx);
  }
  return raw;
}

// ------------------------------------------------------------------ row builders

const toNum = (v) => (v === "" ? NaN : Number(v));

/** A number at state[field]; left out when equal to `omit` (a value or a predicate). */
export function numberProp(key, field = key, omit = undefined) {
  return {
    key,
    enc: (s) => (s[field] === null || s[field] === undefined || skip(omit, s[field], s) ? null : String(s[field])),
    dec: (vs, raw) => { raw[field] = toNum(vs[0]); },
  };
}

export function stringProp(key, field = key, omit = undefined) {
  return {
    key,
    enc: (s) => (s[field] === null || s[field] === undefined || skip(omit, s[field], s) ? null : String(s[field])),
    dec: (vs, raw) => { raw[field] = vs[0]; },
  };
}

/** A boolean as 1 / 0; left out when equal to `omit`. */
export function boolProp(key, field = key, omit = false) {
  return {
    key,
    enc: (s) => (skip(omit, Boolean(s[field]), s) ? null : s[field] ? "1" : "0"),
    dec: (vs, raw) => { raw[field] = vs[0] !== "0" && vs[0] !== "false"; },
  };
}

/** A list of strings joined by commas. */
export function listProp(key, field = key, omit = undefined) {
  return {
    key,
    enc: (s) => (skip(omit, s[field], s) ? null : s[field].join(",")),
    dec: (vs, raw) => { raw[field] = vs[0] ? vs[0].split(",") : []; },
  };
}

function skip(omit, value, state) {
  if (omit === undefined) return false;
  if (typeof omit === "function") return omit(value, state);
  return value === omit;
}

// ------------------------------------------------------------------ shared by both pages

/** Timeline playback speeds (steps per second). */
export const SPEEDS = [5, 15, 30, 60, 120, 300];

/** What a link carries besides the set-up: the timeline step, its speed, presenter mode. */
export const VIEW_PROPS = [
  numberProp("t", "t", null),
  numberProp("speed", "speed", 30),
  boolProp("present"),
];
