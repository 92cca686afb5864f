// A scene step's claims with their verdicts: ✓ held, ✗ failed, … pending. Self-contained view:
// the page fetches verdicts (POST /api/scenes/claims, live type "scene_claims") when a scene step
// is entered and calls update(). A teacher can hide the verdicts to ask the class first.

import { h, setChildren } from "./dom.js";

/**
 * createClaimsView(el, {onToggle}) -> {update(verdicts | null, {pending, stale, hidden, claims})}.
 * `claims` (the catalog's {id, text} list) is shown while verdicts are pending.
 */
export function createClaimsView(el, { onToggle } = {}) {
  let hidden = false;
  const toggle = h("button", { type: "button", class: "claims-toggle", "aria-pressed": "true",
    title: "show or hide whether each claim holds (ask the class first)",
    onclick: () => {
      hidden = !hidden;
      render();
      if (onToggle) onToggle(hidden);
    } }, "verdicts");
  const list = h("ul", { class: "claims-list", "aria-live": "polite" });
  const note = h("span", { class: "claims-note" });
  const box = h("div", { class: "claims", role: "group", "aria-label": "claims of this step" },
    [h("div", { class: "claims-head" }, [h("strong", {}, "Claims"), toggle, note]), list]);
  el.append(box);
  let last = { verdicts: null, opts: {} };

  function mark(v, pending) {
    if (hidden) return "?";
    if (pending || !v) return "…";
    return v.passed ? "✓" : "✗";
  }

  function render() {
    const { verdicts, opts } = last;
    const claims = verdicts || opts.claims || [];
    box.hidden = !claims.length;
    toggle.setAttribute("aria-pressed", String(!hidden));
    toggle.textContent = hidden ? "show verdicts" : "hide verdicts";
    note.textContent = opts.stale ? "settings changed: the claims are about the scene's own settings" : "";
    setChildren(list, claims.map((c) => {
      const v = verdicts ? c : null;
      const state = hidden ? "hidden" : opts.pending || !v ? "pending" : v.passed ? "passed" : "failed";
      const value = !hidden && v && v.detail ? h("span", { class: "claim-detail" }, ` (${v.detail})`) : null;
      return h("li", { class: `claim claim-${state}`, dataset: { claim: c.id, state } },
        [h("span", { class: "claim-mark", "aria-hidden": "true" }, mark(v, opts.pending)), ` ${c.text}`, value]);
    }));
  }

  function update(verdicts, opts = {}) {
    if (typeof opts.hidden === "boolean") hidden = opts.hidden;
    last = { verdicts, opts };
    render();
  }

  return { update, name: "claims" };
}
