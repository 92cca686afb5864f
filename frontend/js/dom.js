// Tiny DOM helpers: build elements without innerHTML (no inline handlers, CSP-safe).

/**
 * h("button", {class: "x", onclick: fn, "aria-label": "..."}, ["text", child])
 * Attributes starting with "on" become listeners; `dataset`, `style` (an object) and `props`
 * are assigned; never a style attribute string (the page's CSP forbids inline styles).
 */
export function h(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") Object.assign(el.style, v); // CSSOM: allowed under a strict CSP
    else if (k === "props") Object.assign(el, v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of [].concat(children)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replace all children of `el`. */
export function setChildren(el, children) {
  el.replaceChildren(...[].concat(children).filter((c) => c !== null && c !== undefined));
}

/** A unique-enough id for label/for pairs. */
export function uid(prefix, ...parts) {
  return [prefix, ...parts].join("-").replace(/[^A-Za-z0-9_-]/g, "_");
}
