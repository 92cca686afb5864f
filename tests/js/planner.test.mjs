// The request planner over the real panel registry: what each set of shown panels asks for.
import assert from "node:assert/strict";
import test from "node:test";
import { planRequests, shownRows } from "../../frontend/js/planner.js";
import { NETWORK_PANELS, SURFACE_PANELS } from "../../frontend/js/panels.js";
import { SURFACE_BASE } from "../../frontend/js/requests.js";
import { NETWORK_BASE, normalizeNet } from "../../frontend/js/network/state.js";
import { normalize } from "../../frontend/js/state.js";
import { CATALOG } from "./catalog.mjs";

const lanes = (reqs) => reqs.map((r) => r.lane);

test("a row is planned only when shown and applicable; shared lanes are asked once", () => {
  const s = normalize(CATALOG, { surface: "quadratic", panels: ["contour", "surface3d", "basins", "curve1d"],
    runs: [{ optimizer: "gd" }, { optimizer: "gd", batch_size: 4 }] });
  assert.deepEqual(shownRows(SURFACE_PANELS, CATALOG, s).map((r) => r.id), ["contour", "surface3d", "basins"]);
  const reqs = planRequests(SURFACE_PANELS, SURFACE_BASE, CATALOG, s);
  // two run groups (own batch size), one grid for three panels, no Hessian without a probe
  assert.deepEqual(lanes(reqs), ["trajectories:0", "trajectories:1", "grid", "sweep_basins"]);
  assert.equal(reqs.find((r) => r.lane === "grid").panel, "contour");
  assert.ok(reqs.every((r) => typeof r.reduce === "function"));
});

test("a 1-D surface swaps the contour for the curve and its basin strip", () => {
  const s = normalize(CATALOG, { surface: "double_well", panels: ["contour", "curve1d", "curves"], probe: [0.1, 0] });
  const reqs = planRequests(SURFACE_PANELS, SURFACE_BASE, CATALOG, s);
  assert.deepEqual(lanes(reqs), ["trajectories:0", "grid", "hessian", "sweep_basins"]);
  assert.equal(reqs.find((r) => r.lane === "grid").body.resolution, 401);
});

test("reduce folds a result into the data the views read", () => {
  const s = normalize(CATALOG, { surface: "quadratic", panels: ["lr_sweep"] });
  const [traj, sweep] = planRequests(SURFACE_PANELS, SURFACE_BASE, CATALOG, s);
  assert.deepEqual(sweep.reduce({}, { req: sweep, body: { lr: [1] }, seq: 3 }), { lrSweep: { lr: [1] } });
  const run = { x: [1, 0], y: [1, 0], loss: [1, 0], status: "converged" };
  const patch = traj.reduce({}, { req: traj, body: { runs: [run], surface: { name: "quadratic" } }, seq: 5, state: s, catalog: CATALOG });
  assert.deepEqual(patch.runs, [run]);
  assert.equal(patch.runsRev, 5);
});

test("network: the threshold never reaches a request body", () => {
  const upload = { text: "" };
  const a = normalizeNet(CATALOG, { panels: "data,metrics,training", threshold: 0.2 });
  const b = { ...a, threshold: 0.9 };
  const pa = planRequests(NETWORK_PANELS, NETWORK_BASE, CATALOG, a, { upload });
  const pb = planRequests(NETWORK_PANELS, NETWORK_BASE, CATALOG, b, { upload });
  assert.deepEqual(lanes(pa), ["network_dataset", "network_train", "network_boundary", "network_metrics"]);
  assert.deepEqual(pa.map((r) => JSON.stringify(r.body)), pb.map((r) => JSON.stringify(r.body)));
  // a regression data set has no boundary and no metrics
  const reg = planRequests(NETWORK_PANELS, NETWORK_BASE, CATALOG, { ...a, dataset: "housing" }, { upload });
  assert.deepEqual(lanes(reg), ["network_dataset", "network_train"]);
});
