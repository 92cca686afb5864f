// Tick labels of a log colour bar never repeat.
import assert from "node:assert/strict";
import test from "node:test";
import { distinctLabels } from "../../frontend/js/format.js";

test("labels keep the short form when it is already distinct", () => {
  assert.deepEqual(distinctLabels([0.001, 0.1, 10, 1e5]), ["1e-3", "0.1", "10", "1e+5"]);
});

test("close values get one more digit instead of a repeated label", () => {
  const labels = distinctLabels([10400, 14000, 19000, 1.02, 1.04]);
  assert.equal(new Set(labels).size, 5, labels.join());
  assert.deepEqual(labels, ["1.0e+4", "1.4e+4", "1.9e+4", "1.02", "1.04"]);
});

test("a log colour bar over a narrow range: six distinct ticks", () => {
  // a surface whose values span 1 to 1.3: geometric ticks
  const ticks = Array.from({ length: 6 }, (_, i) => 1.3 ** (i / 5));
  const labels = distinctLabels(ticks);
  assert.equal(new Set(labels).size, 6, labels.join());
});
