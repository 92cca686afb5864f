// The lecture's recap table, each row linking to the scenes that show it, and a finite-difference
// gradient check that catches a deliberately planted gradient bug.

import { h, setChildren } from "../dom.js";
import { fmt } from "../format.js";
import { emitDrawn } from "../plot.js";
import { sceneById } from "../state.js";

export function createTableView(el, { onToggleBug = () => {} } = {}) {
  const box = h("div", { class: "recap" });
  el.append(box);

  function gradCheck(state, data) {
    const gc = data.gradcheck;
    const bug = h("input", { type: "checkbox", id: "gradcheck-bug", props: { checked: state.gradbug },
      onchange: (ev) => onToggleBug(ev.target.checked) });
    const parts = [
      h("h3", {}, "Gradient check (finite differences)"),
      h("label", { for: "gradcheck-bug", class: "inline" }, [bug,
        " plant a bug: report ∂f/∂x × 2 as the analytic gradient"]),
    ];
    if (!gc) {
      parts.push(h("p", { class: "hint" }, "checking at run 1's start…"));
      return parts;
    }
    // the planted bug the check must catch: dF/dx reported twice as large
    const analytic = state.gradbug ? [2 * gc.analytic[0], gc.analytic[1]] : gc.analytic;
    const rel = Math.hypot(analytic[0] - gc.numeric[0], analytic[1] - gc.numeric[1]) /
      Math.max(1e-12, Math.hypot(...analytic) + Math.hypot(...gc.numeric));
    const ok = rel < 1e-4;
    parts.push(h("table", { class: "probe-table" }, [h("tbody", {}, [
      h("tr", {}, [h("th", { scope: "row" }, "at"), h("td", {}, `(${fmt(gc.point[0])}, ${fmt(gc.point[1])})`)]),
      h("tr", {}, [h("th", { scope: "row" }, "analytic ∇f"), h("td", {}, `(${fmt(analytic[0], 6)}, ${fmt(analytic[1], 6)})`)]),
      h("tr", {}, [h("th", { scope: "row" }, "central difference"), h("td", {}, `(${fmt(gc.numeric[0], 6)}, ${fmt(gc.numeric[1], 6)})`)]),
      h("tr", {}, [h("th", { scope: "row" }, "relative error"), h("td", {}, fmt(rel, 2))]),
    ])]));
    parts.push(h("p", { class: ok ? "check ok" : "check fail", role: "status" },
      ok ? "✓ gradients agree" : "✗ gradient check fails: the analytic gradient is wrong"));
    return parts;
  }

  function update(state, data) {
    const scene = sceneById(data.catalog, state.scene)?.table ? sceneById(data.catalog, state.scene)
      : (data.catalog.scenes || []).find((s) => s.table);
    const rows = scene?.table || [];
    const head = h("tr", {}, ["Problem", "Diagnostics", "Workarounds", "Scene"].map((t) => h("th", { scope: "col" }, t)));
    // Every scene that shows the row: this page's first, then the network page's.
    const body = rows.map((r) => {
      const here = (r.scenes || (r.scene ? [r.scene] : []))
        .map((id) => sceneById(data.catalog, id)).filter(Boolean)
        .map((s) => h("a", { href: `#scene=${s.id}` }, s.title));
      const nets = (r.network_scenes || (r.network_scene ? [r.network_scene] : []))
        .map((id) => (data.catalog.network_scenes || []).find((s) => s.id === id) || { id, title: id })
        .map((s) => h("a", { href: `/network.html#net&scene=${s.id}`, class: "net-link" }, `${s.title} (network)`));
      const links = [...here, ...nets];
      return h("tr", {}, [
        h("td", {}, r.problem), h("td", {}, r.diagnostics), h("td", {}, r.workarounds),
        h("td", {}, links.length ? links.flatMap((a, i) => (i ? [" · ", a] : [a])) : "–"),
      ]);
    });
    setChildren(box, [
      h("table", { class: "recap-table" }, [h("thead", {}, head), h("tbody", {}, body)]),
      h("div", { class: "gradcheck" }, gradCheck(state, data)),
    ]);
    emitDrawn(el, "table", { rows: rows.length });
  }

  return { update, name: "table", figure: null };
}
