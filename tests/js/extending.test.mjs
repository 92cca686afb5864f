// The README's "Extending" example is the shipped code, and it works: one view file plus one
// registry row give a panel the planner, the shell and the hash all know.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import { planRequests, shownRows } from "../../frontend/js/planner.js";
import { SURFACE_PANELS } from "../../frontend/js/panels.js";
import { SURFACE_BASE } from "../../frontend/js/requests.js";
import { decodeHash, encodeHash, normalize, panelIds } from "../../frontend/js/state.js";
import { stepLengths } from "../../frontend/js/views/speed.js";
import { CATALOG } from "./catalog.mjs";

const root = new URL("../../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");
const squash = (s) => s.replace(/\s+/g, " ").trim();

function extendingBlocks() {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## Extending"), readme.indexOf("\n## ", readme.indexOf("## Extending") + 3));
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

test("the README's view file and registry row are the shipped ones", () => {
  const [view, row] = extendingBlocks();
  assert.equal(view, read("frontend/js/views/speed.js"));
  assert.ok(squash(read("frontend/js/panels.js")).includes(squash(row)), row);
});

test("the new panel is shown, planned, linked and computes step lengths", () => {
  assert.ok(panelIds().includes("speed"));
  const s = normalize(CATALOG, { surface: "quadratic", panels: ["speed"] });
  assert.deepEqual(shownRows(SURFACE_PANELS, CATALOG, s).map((r) => r.id), ["speed"]);
  // it asks for nothing beyond the runs' paths
  assert.deepEqual(planRequests(SURFACE_PANELS, SURFACE_BASE, CATALOG, s).map((r) => r.lane), ["trajectories:0"]);
  assert.deepEqual(decodeHash(CATALOG, `#${encodeHash(CATALOG, s)}`).panels, ["speed"]);
  // a 3-4-5 step, then a 0.6-0.8 step, then none
  assert.deepEqual(stepLengths([0, 3, 3.6, 3.6], [0, 4, 4.8, 4.8]).map((v) => Number(v.toFixed(12))), [5, 1, 0]);
});
