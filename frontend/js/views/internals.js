// Optimizer internals on the contour, as lilipads draws them: at the timeline's step, each
// run's velocity as an arrow and its per-axis step scales as a cross. The same drawing as
// Python's losscape.plot.internals (read its docstring for the scales): one arrow gain for
// every run and step so lengths compare; cross arms relative to the largest step scale.
// Pure: no DOM, tested with node --test.

import { fmt } from "../format.js";

export const ARROW_SHARE = 0.18;
export const CROSS_SHARE = 0.08;

/** The largest finite |(x, y)| (norm) or |entry| over [xs, ys] pairs; 0 when none. */
function largest(pairs, norm) {
  let best = 0;
  for (const [xs, ys] of pairs) {
    for (let k = 0; k < xs.length; k++) {
      const a = xs[k];
      const b = ys[k];
      if (a === null || b === null) continue;
      const v = norm ? Math.hypot(a, b) : Math.max(Math.abs(a), Math.abs(b));
      if (Number.isFinite(v) && v > best) best = v;
    }
  }
  return best;
}

const finite = (...v) => v.every((x) => x !== null && Number.isFinite(x));

/**
 * Arrows (annotations) and crosses (one scatter trace per run) at timeline step `state.t`
 * (null: each run's last point) for the runs whose result carries `state` (record_state),
 * and `note`, a key for the corner (null when nothing is drawn).
 */
export function internalsParts(state, runs, box, size = 1) {
  const width = box[1] - box[0];
  const withState = [];
  state.runs.forEach((run, i) => {
    const res = runs[i];
    if (res && res.state && res.x) withState.push({ run, res, i });
  });
  const vel = withState.map((r) => r.res.state.velocity).filter(Boolean);
  const scl = withState.map((r) => r.res.state.step_scale).filter(Boolean);
  const vmax = largest(vel, true);
  const smax = largest(scl, false);
  const gain = vmax > 0 ? (ARROW_SHARE * width) / vmax : 0;
  const traces = [];
  const annotations = [];
  for (const { run, res, i } of withState) {
    const last = res.x.length - 1;
    const k = state.t === null || state.t === undefined ? last : Math.min(Math.max(state.t, 0), last);
    const x = res.x[k];
    const y = res.y[k];
    const v = res.state.velocity;
    const s = res.state.step_scale;
    const label = `run ${i + 1}`;
    if (v && gain > 0 && finite(x, y, v[0][k], v[1][k]) && (v[0][k] !== 0 || v[1][k] !== 0)) {
      annotations.push({
        x: x + gain * v[0][k], y: y + gain * v[1][k], ax: x, ay: y,
        xref: "x", yref: "y", axref: "x", ayref: "y", text: "",
        showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: 2.4 * size, arrowcolor: run.color,
        hovertext: `${label}: velocity (${fmt(v[0][k])}, ${fmt(v[1][k])}) at step ${k}, drawn ×${fmt(gain, 3)}`,
      });
    }
    if (s && smax > 0 && finite(x, y, s[0][k], s[1][k]) && (s[0][k] !== 0 || s[1][k] !== 0)) {
      const hx = (CROSS_SHARE * width * s[0][k]) / smax;
      const hy = (CROSS_SHARE * width * s[1][k]) / smax;
      traces.push({
        type: "scatter", mode: "lines", name: `step scale (${label})`, // not "run …": that is a path
        x: [x - hx, x + hx, null, x, x], y: [y, y, null, y - hy, y + hy],
        line: { color: run.color, width: 3 * size }, showlegend: false,
        hovertemplate: `${label}<br>step scale at step ${k}: x ${fmt(s[0][k])}, y ${fmt(s[1][k])}<extra></extra>`,
      });
    }
  }
  // A key in the corner, so a pasted slide says what the marks are.
  const what = [annotations.length ? `arrows: velocity ×${fmt(gain, 3)}` : "",
    traces.length ? "crosses: step scale per axis" : ""].filter(Boolean).join(" · ");
  const note = what ? { ...internalsNote(size), text: what } : null;
  return { traces, annotations, note };
}

/** The corner key's placement and style (its text is set by the caller). */
export function internalsNote(size = 1) {
  return { xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "top", showarrow: false,
    font: { size: 12 * size, color: "#1a1a1a" }, bgcolor: "rgba(255,255,255,0.85)" };
}
