// The panel registry: a panel is one view file (views/*.js) and one row here. The shell lays
// the rows out in this order, the planner asks for what each shown row's `requests` returns,
// and a result comes back through the `reduce` of the request (or of the row that planned it).
//
// row = {
//   id, title,
//   factory(el, ctx) -> {update(state, data), figure?}   ctx: {onPointer, getState, setState}
//     quick?(state, data): a heavy view's drawing during a drag (views/quick.js), Plotly's after it
//   deps(state, data) -> [...]        the view redraws only when one of these changes (===)
//   requests?(catalog, state) -> [{lane, type, body, reduce?, progress?, sweep?}]
//   reduce?(data, result) -> patch    result: {req, body, seq}; patch is merged into data
//   applicable?(catalog, state), tools?(ctx) -> {els, sync(state)}, heavy?, afterDrag?
// }

import { h } from "./dom.js";
import {
  basinsRequest, gradcheckRequests, gridRequest, hessianRequest, lrMomentumRequest, lrSweepRequest,
} from "./requests.js";
import { surfaceSpec } from "./state.js";
import { netRequests } from "./network/state.js";
import { atStep, stepDeps } from "./network/steps.js";
import { createBasinsView } from "./views/basins.js";
import { createContourView } from "./views/contour.js";
import { createCurve1dView } from "./views/curve1d.js";
import { createCurvesView } from "./views/curves.js";
import { createHessianView } from "./views/hessian.js";
import { createLrMomentumView } from "./views/lrmomentum.js";
import { createLrSweepView } from "./views/lrsweep.js";
import { createSpeedView } from "./views/speed.js";
import { createSurface3dView } from "./views/surface3d.js";
import { createVelocityView } from "./views/velocity.js";
import { createTableView } from "./views/table.js";
import { createNetCurvesView } from "./views/netcurves.js";
import { createNetDataView } from "./views/netdata.js";
import { createNetGradcheckView } from "./views/netgradcheck.js";
import { createNetHistView } from "./views/nethist.js";
import { createNetLandscapeView } from "./views/netlandscape.js";
import { createNetMetricsView } from "./views/netmetrics.js";
import { createNetNoiseView } from "./views/netnoise.js";
import { createNetStudyView } from "./views/netstudy.js";
import { createNetWeightsView } from "./views/netweights.js";

const colors = (s) => s.runs.map((r) => r.color).join();
const runKey = (s) => JSON.stringify(s.runs.map((r) => [r.optimizer, r.lr, r.hyperparams]));
const dims = (catalog, s) => surfaceSpec(catalog, s.surface)?.dims ?? 2;
const twoD = (catalog, s) => dims(catalog, s) === 2;

/** A checkbox in a panel header bound to one boolean state field (keeps focus: values only synced). */
function toggleTool(id, label, field, { getState, setState }) {
  const box = h("input", { type: "checkbox", id, onchange: (ev) => setState({ ...getState(), [field]: ev.target.checked }) });
  return { els: [h("label", { for: id, class: "inline" }, [box, label])],
    sync: (s) => { if (box.checked !== Boolean(s[field])) box.checked = Boolean(s[field]); } };
}

// --------------------------------------------------------------------------- classroom page

export const SURFACE_PANELS = [
  { id: "contour", title: "Contour and paths", applicable: twoD,
    factory: (el, ctx) => createContourView(el, { onPointer: ctx.onPointer }),
    deps: (s, d) => [d.runs, d.grid, d.hessian, d.surfaceInfo, s.t, s.arrows, s.probe, s.present,
      s.averaging, s.internals, s.click, colors(s), s.surface, s.runs.length],
    requests: (c, s) => [gridRequest(c, s), hessianRequest(c, s)] },
  { id: "surface3d", title: "3-D surface", applicable: twoD, afterDrag: true, factory: createSurface3dView,
    deps: (s, d) => [d.runs, d.grid, s.t, s.present, colors(s)],
    requests: (c, s) => [gridRequest(c, s)] },
  { id: "curve1d", title: "1-D curve", applicable: (c, s) => dims(c, s) === 1,
    factory: (el, ctx) => createCurve1dView(el, { onPointer: ctx.onPointer }),
    deps: (s, d) => [d.runs, d.grid, d.basins, s.t, s.present, colors(s)],
    requests: (c, s) => [gridRequest(c, s), hessianRequest(c, s), basinsRequest(c, s)] },
  { id: "curves", title: "Training curves", heavy: true, factory: createCurvesView,
    deps: (s, d) => [d.runs, s.t, s.logy, s.present, s.averaging, colors(s), s.steps],
    tools: (ctx) => toggleTool("curves-log", " log", "logy", ctx) },
  { id: "speed", title: "Step length", factory: createSpeedView,
    deps: (s, d) => [d.runs, s.t, s.present, colors(s)] },
  { id: "velocity", title: "Step length vs terminal velocity", factory: createVelocityView,
    deps: (s, d) => [d.runs, s.t, s.present, colors(s), runKey(s)] },
  { id: "lr_sweep", title: "Learning-rate sweep", heavy: true, factory: createLrSweepView,
    deps: (s, d) => [d.lrSweep, d.runs, s.present, colors(s), d.pending?.sweep_lr],
    requests: (c, s) => [lrSweepRequest(c, s)] },
  { id: "basins", title: "Basins of attraction", heavy: true,
    factory: (el, ctx) => createBasinsView(el, { onPointer: ctx.onPointer }),
    deps: (s, d) => [d.basins, d.runs, d.grid, s.t, s.present, colors(s), s.click, d.pending?.sweep_basins],
    requests: (c, s) => [gridRequest(c, s), basinsRequest(c, s)] },
  { id: "lr_momentum", title: "Learning rate × momentum", heavy: true, factory: createLrMomentumView,
    deps: (s, d) => [d.lrm, s.present, runKey(s), colors(s)],
    requests: (c, s) => [lrMomentumRequest(c, s)] },
  { id: "hessian", title: "Hessian probe", applicable: twoD, factory: createHessianView,
    deps: (s, d) => [d.hessian, d.hessianError, s.probe, s.present],
    requests: (c, s) => [hessianRequest(c, s)] },
  { id: "table", title: "Recap",
    factory: (el, ctx) => createTableView(el, { onToggleBug: (on) => ctx.setState({ ...ctx.getState(), gradbug: on }) }),
    deps: (s, d) => [d.gradcheck, s.gradbug, s.scene, s.present],
    requests: (c, s) => gradcheckRequests(c, s) },
];

// --------------------------------------------------------------------------- network page

const hist = (s, d) => [d.history, s.t, s.present];

export const NETWORK_PANELS = [
  // the boundary and the metrics follow the timeline: recomputed in the page from the run's
  // weight snapshot at step t (network/steps.js)
  { id: "data", title: "Data and decision boundary", factory: atStep(createNetDataView),
    deps: (s, d) => [d.dataset, d.boundary, d.task, s.threshold, s.present, ...stepDeps(s, d)],
    requests: (c, s, ctx) => netRequests.boundary(c, s, ctx) },
  { id: "training", title: "Training curves", factory: createNetCurvesView, deps: (s, d) => [...hist(s, d), s.steps] },
  { id: "weights", title: "Hidden-unit weights over time", factory: createNetWeightsView, deps: hist },
  { id: "activations", title: "Hidden activations", factory: createNetHistView, deps: hist },
  { id: "metrics", title: "Metrics at a threshold", factory: atStep(createNetMetricsView),
    deps: (s, d) => [d.metrics, d.metricsError, d.task, s.threshold, s.present, ...stepDeps(s, d)],
    requests: (c, s, ctx) => netRequests.metrics(c, s, ctx),
    tools: ({ getState, setState }) => {
      const input = h("input", { id: "net-threshold", type: "range", min: "0", max: "1", step: "0.01",
        "aria-label": "decision threshold", oninput: (ev) => setState({ ...getState(), threshold: Number(ev.target.value) }) });
      const out = h("output", { for: "net-threshold" });
      return { els: [h("label", { for: "net-threshold", class: "inline" }, ["threshold ", input, out])],
        sync: (s) => {
          if (document.activeElement !== input && input.value !== String(s.threshold)) input.value = String(s.threshold);
          const text = Number(s.threshold).toFixed(2);
          if (out.textContent !== text) out.textContent = text;
        } };
    } },
  { id: "landscape", title: "Loss landscape (w1, w2)", factory: createNetLandscapeView,
    deps: (s, d) => [d.landscape, d.landscapeError, s.present],
    requests: (c, s, ctx) => netRequests.landscape(c, s, ctx),
    tools: ({ getState, setState }) => {
      const btn = h("button", { type: "button", id: "net-normalize-toggle", "aria-pressed": "false",
        title: "one click: raw x or normalised (x - mu) / sigma",
        onclick: () => setState({ ...getState(), normalize: !getState().normalize }) }, "normalise");
      return { els: [btn], sync: (s) => {
        btn.setAttribute("aria-pressed", String(s.normalize));
        const text = s.normalize ? "normalised x ✓" : "raw x (click to normalise)";
        if (btn.textContent !== text) btn.textContent = text;
      } };
    } },
  { id: "noise", title: "Mini-batch gradient variance vs S", factory: createNetNoiseView,
    deps: (s, d) => [d.noise, s.present], requests: (c, s, ctx) => netRequests.noise(c, s, ctx) },
  { id: "study", title: "Steps to target vs batch size", factory: createNetStudyView,
    deps: (s, d) => [d.study, s.present], requests: (c, s, ctx) => netRequests.study(c, s, ctx) },
  { id: "gradcheck", title: "Gradient check", factory: createNetGradcheckView,
    deps: (s, d) => [d.gradcheck, s.present], requests: (c, s, ctx) => netRequests.gradcheck(c, s, ctx),
    tools: (ctx) => toggleTool("net-broken", " break backprop", "broken", ctx) },
];
