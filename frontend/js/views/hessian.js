// Hessian probe: at a clicked point, the gradient, the Hessian, its eigenvalues and eigenvectors
// and the kind of point; the eigen-directions are drawn as arrows on the contour.

import { h, setChildren } from "../dom.js";
import { fmt } from "../format.js";
import { emitDrawn } from "../plot.js";

const KIND_TEXT = {
  minimum: "minimum: the gradient vanishes and every direction curves up (both λ > 0)",
  maximum: "maximum: the gradient vanishes and every direction curves down (both λ < 0)",
  saddle: "saddle point: the gradient vanishes, some directions curve up and others down",
  degenerate: "degenerate critical point: the gradient vanishes and a λ is zero (flat direction)",
  regular: "not a critical point: the gradient is not zero, descent moves along −∇f",
};

export function createHessianView(el) {
  const box = h("div", { class: "probe", "aria-live": "polite" });
  el.append(box);

  function update(state, data) {
    const hs = data.hessian;
    if (!state.probe) {
      setChildren(box, [h("p", { class: "hint" },
        "Shift-click the contour (or set “click” to probe in the controls) to read the curvature there.")]);
      return;
    }
    if (!hs || data.hessianError) {
      setChildren(box, [h("p", { class: "hint" }, data.hessianError || "probing…")]);
      return;
    }
    const [l1, l2] = hs.eigenvalues;
    const cond = Math.abs(l1) > 0 ? Math.abs(l2 / l1) : Infinity;
    const row = (k, v) => h("tr", {}, [h("th", { scope: "row" }, k), h("td", {}, v)]);
    const vec = (v) => `(${fmt(v[0])}, ${fmt(v[1])})`;
    setChildren(box, [
      h("p", { class: `kind kind-${hs.kind}` }, KIND_TEXT[hs.kind] || hs.kind),
      h("table", { class: "probe-table" }, [
        h("tbody", {}, [
          row("point", vec(hs.point)),
          row("f", fmt(hs.value, 5)),
          row("∇f", vec(hs.gradient)),
          row("H", `[[${fmt(hs.hessian[0][0])}, ${fmt(hs.hessian[0][1])}], [${fmt(hs.hessian[1][0])}, ${fmt(hs.hessian[1][1])}]]`),
          row("λ₁, v₁", `${fmt(l1)}  ${vec(hs.eigenvectors[0])}`),
          row("λ₂, v₂", `${fmt(l2)}  ${vec(hs.eigenvectors[1])}`),
          row("|λ₂/λ₁|", Number.isFinite(cond) ? fmt(cond) : "∞"),
          row("GD stable if lr <", l2 > 0 ? fmt(2 / l2) : "–"),
        ]),
      ]),
    ]);
    emitDrawn(el, "hessian", { kind: hs.kind });
  }

  return { update, name: "hessian", figure: null };
}
