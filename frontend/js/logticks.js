// Tick values for a log axis that never crowd: Plotly labels the minor ticks of a log axis
// spanning less than a decade (0.6, 0.55, 0.5, 0.45 ... on a 1024x768 projector), and their
// labels overlap. Here ticks come from the densest "nice" mantissa set whose closest pair is
// still a label height apart on screen; a range too narrow for any of them gets nice linear
// steps instead.

const MANTISSAS = [
  [1],
  [1, 3],
  [1, 2, 5],
  [1, 1.5, 2, 3, 5, 7],
  [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9],
];

// Ticks are spaced for this share of the axis's length today: a smaller window resizes a plot
// without redrawing it (1920x1080 -> 1366x768 shrinks a panel ~40%), and they must not touch.
const SHRINK = 0.6;

const SUPER = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** A short label: 0.15, 2, 150 as they are; 3×10⁻⁵ and 10⁶ outside [1e-3, 1e4). */
export function tickLabel(v) {
  if (v >= 1e-3 && v < 1e4) return String(Number(v.toPrecision(3)));
  const k = Math.floor(Math.log10(v) + 1e-9);
  const m = Number((v / 10 ** k).toPrecision(3));
  const pow = `10${String(k).split("").map((c) => SUPER[c]).join("")}`;
  return m === 1 ? pow : `${m}×${pow}`;
}

function inRange(mantissas, lo, hi) {
  const out = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/**
 * {tickvals, ticktext} for a log axis over values [lo, hi] (lo > 0) drawn `px` pixels long,
 * whose labels are `labelPx` pixels tall: consecutive ticks lie at least 1.5 label heights
 * apart on an axis SHRINK times as long, and there are at least two ticks.
 */
export function logTicks(lo, hi, px, labelPx) {
  if (!(lo > 0 && hi > lo)) return { tickvals: [lo], ticktext: [tickLabel(lo)] };
  const perDecade = (SHRINK * px) / (Math.log10(hi) - Math.log10(lo));
  const gap = 1.5 * labelPx;
  const fits = (vals) => vals.every((v, i) => i === 0 || Math.log10(v / vals[i - 1]) * perDecade >= gap);
  if (perDecade < gap) {
    // Many decades: every d-th power of ten.
    const d = Math.ceil(gap / perDecade);
    const vals = [];
    for (let k = Math.ceil(Math.log10(lo) / d) * d; 10 ** k <= hi * (1 + 1e-12); k += d) vals.push(Number((10 ** k).toPrecision(12)));
    if (vals.length >= 2) return { tickvals: vals, ticktext: vals.map(tickLabel) };
  }
  let best = null;
  for (const ms of MANTISSAS) {
    const vals = inRange(ms, lo, hi);
    if (vals.length >= 2 && fits(vals)) best = vals;
    else if (best) break;
  }
  if (!best || best.length < 3) {
    // Too narrow for nice log values: linear steps, as many as fit at the axis's tightest end.
    const slots = Math.max(2, Math.floor((Math.log10(hi / lo) * perDecade) / gap));
    const step = niceStep((hi - lo) / slots);
    const lin = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-12); v += step) lin.push(Number(v.toPrecision(12)));
    const linear = lin.filter((v) => v > 0);
    if (linear.length >= 2 && fits(linear) && linear.length > (best?.length ?? 0)) best = linear;
  }
  best = best || [lo, hi];
  return { tickvals: best, ticktext: best.map(tickLabel) };
}

/**
 * A whole log axis over the positive `values`: its range (log10, padded by `pad` of the span
 * or 0.1 decade at least) and uncrowded ticks for an axis `px` long with labels `labelPx`
 * long along it (height on a y axis, width on an x axis). {autorange: true} without values.
 */
export function fittedLogAxis(values, px, labelPx, pad = 0.05) {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return { autorange: true };
  const a = Math.log10(Math.min(...pos));
  const b = Math.log10(Math.max(...pos));
  const p = Math.max(pad * (b - a), 0.1);
  const range = [a - p, b + p];
  return { range, autorange: false, tickmode: "array", ...logTicks(10 ** range[0], 10 ** range[1], Math.max(60, px), labelPx) };
}
