// Number formatting and a small LaTeX-to-Unicode prettifier for formulas in the catalog.

/** A number in at most `digits` significant digits, without trailing noise. */
export function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

/** Round to `digits` significant digits (for values written to the URL). */
export function roundSig(v, digits = 4) {
  if (!Number.isFinite(v) || v === 0) return v;
  return Number(v.toPrecision(digits));
}

const SYMBOLS = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
  theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ",
  tau: "τ", phi: "φ", omega: "ω", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Sigma: "Σ",
  nabla: "∇", partial: "∂", leftarrow: "←", rightarrow: "→", gets: "←", to: "→",
  cdot: "·", times: "×", odot: "⊙", sqrt: "√", sum: "Σ", infty: "∞", le: "≤", ge: "≥",
  leq: "≤", geq: "≥", approx: "≈", pm: "±", min: "min ", max: "max ", exp: "exp ", log: "log ",
  cos: " cos ", sin: " sin ", tanh: " tanh ", lfloor: "⌊", rfloor: "⌋", in: "∈",
};
const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹",
  "-": "⁻", "+": "⁺", t: "ᵗ", n: "ⁿ", T: "ᵀ", i: "ⁱ", k: "ᵏ" };
const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉",
  t: "ₜ", i: "ᵢ", j: "ⱼ", k: "ₖ", "+": "₊", "-": "₋" };

/** Parenthesise a fraction's part unless it is a single symbol or number. */
function wrap(part) {
  const t = part.trim();
  return /^[\\A-Za-z0-9.]+$/.test(t) && !/^\\[A-Za-z]+\{/.test(t) ? t : `(${t})`;
}

function script(body, table, mark) {
  const chars = [...body];
  return chars.every((c) => c in table) ? chars.map((c) => table[c]).join("") : `${mark}(${body})`;
}

/** Readable plain text for the LaTeX subset used in formulas (display only, never evaluated). */
export function prettyLatex(src) {
  if (!src) return "";
  let s = String(src);
  s = s.replace(/\\(?:mathcal|mathbf|boldsymbol|mathrm|operatorname|text)\{([^{}]*)\}/g, (_, a) =>
    a === "E" ? "ℰ" : a,
  );
  s = s.replace(/\\[td]?frac(\d)(\d)/g, "$1/$2");
  for (let i = 0; i < 3; i++) {
    s = s.replace(/\\sqrt\{([^{}]*)\}/g, "√($1)");
    s = s.replace(/\\[td]?frac\{([^{}]*)\}\{([^{}]*)\}/g, (_, a, b) => `${wrap(a)}/${wrap(b)}`);
  }
  s = s.replace(/\\(left|right|big|Big|bigl|bigr)(?=[()[\]|.])/g, "");
  s = s.replace(/\\left\.|\\right\./g, "");
  s = s.replace(/\\[,;:! ]|~/g, " ").replace(/\\quad|\\qquad/g, "  ");
  s = s.replace(/\\([A-Za-z]+)/g, (m, name) => SYMBOLS[name] ?? name);
  s = s.replace(/\^\{([^{}]*)\}/g, (_, a) => script(a, SUP, "^"));
  s = s.replace(/\^([0-9A-Za-z+-])/g, (_, a) => script(a, SUP, "^"));
  s = s.replace(/_\{([^{}]*)\}/g, (_, a) => script(a, SUB, "_"));
  s = s.replace(/_([0-9A-Za-z])/g, (_, a) => script(a, SUB, "_"));
  s = s.replace(/[{}]/g, "").replace(/\s+/g, " ");
  return s.trim();
}

/** "diverged at step 12", "converged at step 80", "escaped at step 40", "" when done. */
export function statusText(run) {
  if (!run || run.status === "done") return "";
  const at = run.stopped_at ?? run.steps_taken;
  return `${run.status} at step ${at}`;
}

/**
 * Tick labels for `values` that never repeat: the shortest precision at which every label
 * differs (a log colour bar's ticks can round to the same text, e.g. two "1e+4").
 */
export function distinctLabels(values) {
  let labels = [];
  for (let k = 0; k < 7; k++) {
    labels = values.map((v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)
      ? v.toExponential(k) : String(Number(v.toPrecision(k + 2)))));
    if (new Set(labels).size === labels.length) return labels;
  }
  return labels;
}
