// Typed-in surfaces (issue 6): the "typed formula" choice, its text field, a readable rendering of
// the formula, inline errors at the offending column, and an optional view box.
//
// The formula lives in the page state (`state.formula`, `state.fview`), so a typed surface is a
// shareable link, and every view reaches the server through the same requests as a catalogue
// surface (requests.js's surfaceRef sends `{"expression": ...}`). A typed text is first checked
// with a tiny grid request; only a formula the server accepts enters the state, so an error
// leaves the last good plot (and the URL) as they were.

import { h, setChildren } from "./dom.js";

export const EXPRESSION = "expression";
export const MAX_FORMULA = 200; // backend/losscape/api/schemas.py: MAX_EXPRESSION_LENGTH
export const DEFAULT_FORMULA = "x**2 + 3*y**2";
const DEFAULT_VIEW = [-3, 3, -3, 3];
const CHECK_MS = 350; // live re-run this long after the last keystroke
const VIEW_NAMES = ["x min", "x max", "y min", "y max"];

/** The catalog-like spec of the typed surface (its view and minima come from the server). */
export function expressionSpec(fview) {
  return {
    name: EXPRESSION, title: "typed formula", formula: "", dims: 2, params: [],
    view: fview || DEFAULT_VIEW, default_start: [-1.5, 1.5], critical_points: [], concept: "",
  };
}

/** A formula from anything (a hash, a scene): a string of at most MAX_FORMULA characters. */
export function normFormula(v) {
  return typeof v === "string" && v.trim() ? v.slice(0, MAX_FORMULA) : DEFAULT_FORMULA;
}

/** A view box [xmin, xmax, ymin, ymax] with xmin < xmax and ymin < ymax, or null. */
export function normView(v, limit = 1e6) {
  if (!Array.isArray(v) || v.length !== 4) return null;
  const n = v.map((x) => (typeof x === "string" && x.trim() !== "" ? Number(x) : x));
  if (!n.every((x) => typeof x === "number" && Number.isFinite(x) && Math.abs(x) <= limit)) return null;
  return n[0] < n[1] && n[2] < n[3] ? n : null;
}

// --------------------------------------------------------------------------- named parameters
// A name in the formula that is not x, y, a constant or a function is a parameter (a and b in
// a*x**2 + b*y**2), as backend/losscape/expressions/lexer.py reads it: at most 8, default 1.

export const MAX_PARAMS = 8;
export const MAX_PARAM_VALUE = 1e6;
const KNOWN_NAMES = new Set(["x", "y", "pi", "e", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh",
  "abs", "sigmoid", "softplus", "relu", "min", "max"]);
// Numbers first, so the e3 of 1e3 is never read as a name.
const NAME_OR_NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|([A-Za-z][A-Za-z0-9_]*)/g;

/** The formula's parameter names, in order of first use (at most MAX_PARAMS). */
export function formulaParams(text) {
  const out = [];
  for (const m of String(text).matchAll(NAME_OR_NUMBER)) {
    const name = m[1];
    if (name && !KNOWN_NAMES.has(name) && !out.includes(name) && name.length <= 16) out.push(name);
  }
  return out.slice(0, MAX_PARAMS);
}

/** Parameter values from anything (a hash, a scene): finite numbers within +-MAX_PARAM_VALUE. */
export function normFormulaParams(v) {
  const out = {};
  if (!v || typeof v !== "object") return out;
  for (const [k, x] of Object.entries(v).slice(0, 4 * MAX_PARAMS)) {
    if (/^[A-Za-z][A-Za-z0-9_]{0,15}$/.test(k) && typeof x === "number" && Number.isFinite(x)) {
      out[k] = Math.min(MAX_PARAM_VALUE, Math.max(-MAX_PARAM_VALUE, x));
    }
  }
  return out;
}

/** The values sent for the formula: each of its parameters, 1 unless the state sets it. */
export function paramValues(state) {
  return Object.fromEntries(formulaParams(state.formula).map((n) => [n, state.fparams?.[n] ?? 1]));
}

/** A slider range for a parameter now at `v`: symmetric, at least [-10, 10], twice |v|. */
export function paramRange(v) {
  const r = Math.max(10, 2 * Math.abs(v));
  return { min: -r, max: r, kind: "float", log: false };
}

/** The request's surface for the typed formula. */
export function expressionRef(state) {
  const out = { expression: state.formula };
  if (state.fview) out.view = state.fview;
  const params = paramValues(state);
  if (Object.keys(params).length) out.params = params;
  return out;
}

// --------------------------------------------------------------------------- rendering

const SUPERSCRIPT = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷",
  "8": "⁸", "9": "⁹", "-": "⁻", ".": "·" };
// One token of the readable form: a power, a multiplication, a name, or anything else.
const TOKEN = /\*\*\s*(\(-?[^()]*\)|-?[0-9.]+|[A-Za-z_]\w*)|\*|[A-Za-z_]\w*|\s+|./g;
const NAMES = { pi: "π", sqrt: "√", e: "e" };

/**
 * DOM nodes showing `text` readably: x**2 -> x², a**(b) -> a<sup>b</sup>, * -> ·, sqrt -> √,
 * pi -> π. Built from text nodes only (the user's text never becomes markup).
 */
export function renderFormula(text) {
  const out = [];
  for (const m of String(text).matchAll(TOKEN)) {
    const tok = m[0];
    if (m[1] !== undefined) {
      const exp = m[1].replace(/^\((.*)\)$/, "$1").trim();
      if (/^-?[0-9]+$/.test(exp)) out.push([...exp].map((c) => SUPERSCRIPT[c]).join(""));
      else out.push(h("sup", {}, exp));
    } else if (tok === "*") out.push(" · ");
    else if (/^\s+$/.test(tok)) out.push(" ");
    else if (tok === "+" || tok === "-" || tok === "/") out.push(` ${tok === "-" ? "−" : tok} `);
    else out.push(NAMES[tok] ?? tok);
  }
  // Join adjacent strings, tidy doubled spaces from "x * y" and the like.
  const merged = [];
  for (const part of out) {
    if (typeof part === "string" && typeof merged[merged.length - 1] === "string") merged[merged.length - 1] += part;
    else merged.push(part);
  }
  return merged.map((p) => (typeof p === "string" ? p.replace(/ {2,}/g, " ") : p));
}

/** The inline error: the message, then the text with the offending token marked and a caret. */
function errorNodes(text, err) {
  const col = Number.isInteger(err.column) ? err.column - 1 : -1; // the server counts from 1
  const nodes = [h("span", { class: "formula-error-msg" }, err.msg)];
  if (col >= 0 && col <= text.length) {
    const len = Math.max(1, Math.min(String(err.token ?? "").length || 1, text.length - col));
    nodes.push(h("code", { class: "formula-where" }, [
      text.slice(0, col), h("mark", {}, text.slice(col, col + len) || " "), text.slice(col + len),
      "\n", `${" ".repeat(col)}^`,
    ]));
  }
  return nodes;
}

// --------------------------------------------------------------------------- controls

/**
 * The typed-formula controls for the Surface section: {items (elements), sync(state)}.
 * commit(fn) applies fn to the current state; check(surface) resolves to the api's outcome
 * ({status, error?, detail?}) of a small request on that surface.
 */
export function formulaControls(state, { commit, check, paramControl }) {
  let timer = 0;
  let asked = 0; // latest check: older answers are ignored
  let shown = state.formula; // the text the field shows (may be a rejected one)
  let fparams = state.fparams || {}; // the latest parameter values (checks send them too)
  const getParams = () => fparams;

  const preview = h("p", { class: "formula formula-preview", id: "formula-preview", "aria-live": "polite" });
  const error = h("div", { class: "formula-error", id: "formula-error", role: "alert", hidden: true });
  const input = h("input", {
    type: "text", id: "formula-input", class: "formula-input", maxlength: MAX_FORMULA, spellcheck: "false",
    autocomplete: "off", autocapitalize: "off", "aria-describedby": "formula-preview formula-error",
    title: "numbers, x, y, pi, e, + - * / **, sin cos tan exp log sqrt tanh abs sigmoid softplus relu min max",
    props: { value: state.formula },
    oninput: () => {
      setChildren(preview, ["f = ", ...renderFormula(input.value)]);
      clearTimeout(timer);
      timer = setTimeout(run, CHECK_MS);
    },
    onkeydown: (ev) => {
      if (ev.key !== "Enter") return;
      clearTimeout(timer);
      run();
    },
  });

  function showError(err) {
    input.setAttribute("aria-invalid", "true");
    setChildren(error, errorNodes(input.value, err));
    error.hidden = false;
  }
  function clearError() {
    input.removeAttribute("aria-invalid");
    error.hidden = true;
    setChildren(error, []);
  }

  async function run() {
    const text = input.value;
    if (!text.trim()) {
      showError({ msg: "type a formula in x and y, e.g. x**2 + 3*y**2" });
      return;
    }
    const my = ++asked;
    const outcome = await check(expressionRef({ formula: text, fparams: getParams() }));
    if (my !== asked || outcome.status === "superseded") return;
    const first = Array.isArray(outcome.detail) ? outcome.detail[0] : null;
    if (outcome.status === "error" && first?.type === "expression_error") {
      showError(first);
      return;
    }
    if (outcome.status === "error" && !first) {
      showError({ msg: outcome.error || "the server did not answer" });
      return;
    }
    // Accepted (or refused for a reason other than its text: the views will say so).
    clearError();
    shown = text;
    commit((s) => ({ ...s, formula: text, t: null }));
  }

  const boxes = VIEW_NAMES.map((name, k) => h("input", {
    type: "number", step: "any", class: "num", id: `formula-view-${k}`, "aria-label": `view box ${name}`,
    placeholder: "auto", props: { value: state.fview ? String(state.fview[k]) : "" },
    onchange: () => applyView(),
  }));
  const viewNote = h("span", { class: "formula-view-note", role: "status" });
  function applyView() {
    const raw = boxes.map((b) => b.value.trim());
    if (raw.every((v) => v === "")) {
      viewNote.textContent = "";
      commit((s) => ({ ...s, fview: null }));
      return;
    }
    const v = normView(raw);
    if (!v) {
      viewNote.textContent = "give all four, with min < max (or clear them for auto)";
      return;
    }
    viewNote.textContent = "";
    commit((s) => ({ ...s, fview: v }));
  }
  const auto = h("button", { type: "button", title: "let the server find the view box",
    onclick: () => {
      for (const b of boxes) b.value = "";
      applyView();
    } }, "auto");
  const viewBox = h("details", { class: "hp formula-view", open: Boolean(state.fview) }, [
    h("summary", {}, "view box (optional)"),
    h("div", { class: "param formula-view-grid" }, boxes.flatMap((b, k) => [
      h("label", { for: b.id }, VIEW_NAMES[k]), b])),
    h("div", { class: "row" }, [auto, viewNote]),
  ]);

  setChildren(preview, ["f = ", ...renderFormula(state.formula)]);
  // A formula that came with a link is checked too, so a bad one is shown at its column.
  check(expressionRef(state)).then((outcome) => {
    const first = Array.isArray(outcome.detail) ? outcome.detail[0] : null;
    if (asked === 0 && input.value === state.formula && first?.type === "expression_error") showError(first);
  });
  // One slider per named parameter, below the field; rebuilt when the names change.
  const paramsBox = h("div", { class: "formula-params", role: "group", "aria-label": "formula parameters" });
  let paramKey = null;
  let paramSyncs = [];
  function renderParams(s) {
    const names = formulaParams(s.formula);
    const key = names.join(",");
    if (key !== paramKey) {
      paramKey = key;
      const controls = names.map((name) => {
        const v = s.fparams?.[name] ?? 1;
        const c = paramControl(`fp-${name}`, name, paramRange(v), v,
          (x) => commit((st) => ({ ...st, fparams: { ...st.fparams, [name]: x }, t: null })),
          { title: `parameter ${name} of the formula` });
        return { name, c };
      });
      paramSyncs = controls.map(({ name, c }) => (st) => c.sync(st.fparams?.[name] ?? 1));
      setChildren(paramsBox, controls.map(({ c }) => c.el));
      paramsBox.hidden = controls.length === 0;
    }
    for (const f of paramSyncs) f(s);
  }
  renderParams(state);

  const items = [
    h("div", { class: "param param-formula" }, [
      h("label", { for: "formula-input" }, "formula f(x, y)"), input,
    ]),
    preview, error, paramsBox, viewBox,
  ];

  function sync(s) {
    fparams = s.fparams || {};
    renderParams(s);
    // A new formula from elsewhere (a link, the history): show it unless the user is typing.
    if (s.formula !== shown && document.activeElement !== input) {
      shown = s.formula;
      input.value = s.formula;
      setChildren(preview, ["f = ", ...renderFormula(s.formula)]);
      clearError();
    }
    if (s.fview) {
      boxes.forEach((b, k) => {
        if (document.activeElement !== b && b.value !== String(s.fview[k])) b.value = String(s.fview[k]);
      });
    }
  }
  return { items, sync };
}
