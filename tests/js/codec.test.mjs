// The hash codec (codec.js) and both pages' property tables (state.js, network/state.js).
import assert from "node:assert/strict";
import test from "node:test";
import { decodeProps, encodeProps, hashPairs, numberProp, boolProp, listProp, stringProp } from "../../frontend/js/codec.js";
import { decodeHash, encodeHash, normalize, sceneState, PROPS } from "../../frontend/js/state.js";
import { decodeNetHash, encodeNetHash, NET_PROPS, netSceneState, normalizeNet } from "../../frontend/js/network/state.js";
import { CATALOG } from "./catalog.mjs";

test("a property table writes only what differs and reads it back", () => {
  const props = [numberProp("lr", "lr", 0.1), stringProp("name"), boolProp("on"), listProp("v", "panels")];
  const state = { lr: 0.5, name: "a b&c", on: true, panels: ["x", "y"] };
  const text = encodeProps(props, state);
  assert.equal(text, "lr=0.5&name=a%20b%26c&on=1&v=x,y");
  assert.deepEqual(decodeProps(props, hashPairs(`#${text}`)), state);
  assert.equal(encodeProps(props, { ...state, lr: 0.1, on: false }), "name=a%20b%26c&v=x,y");
});

test("every classroom prop and network prop has a distinct key", () => {
  for (const props of [PROPS, NET_PROPS]) {
    const keys = props.map((p) => p.key);
    assert.equal(new Set(keys).size, keys.length, keys.join());
  }
});

test("classroom hash: an edited state survives encode then decode", () => {
  const s = normalize(CATALOG, {
    surface: "quadratic", params: { kappa: 30 }, steps: 321, noise: 0.5, seed: 4, logy: true,
    panels: ["contour", "curves", "basins"], t: 17, speed: 60, present: true, probe: [0.25, -1],
    runs: [{ optimizer: "momentum", lr: 0.03, start: [1, -1], color: "#D55E00", hyperparams: { momentum: 0.5 },
      schedule: { name: "step", params: { every: 50 } } },
    { optimizer: "gd", lr: 0.2, start: [0.5, 0.5], color: "#0072B2", batch_size: null }],
  });
  const hash = encodeHash(CATALOG, s);
  assert.match(hash, /(^|&)sp=kappa:30(&|$)/);
  assert.match(hash, /(^|&)present=1(&|$)/);
  assert.deepEqual(decodeHash(CATALOG, `#${hash}`), s);
});

test("an untouched scene step is written as its id; the link opens the whole step", () => {
  const s = sceneState(CATALOG, "ravine", 1);
  assert.equal(encodeHash(CATALOG, s), "scene=ravine&step=1");
  const back = decodeHash(CATALOG, "#scene=ravine&step=1");
  assert.deepEqual(back, s);
  assert.equal(back.runs[0].optimizer, "momentum"); // steps[1].state read as served
  assert.deepEqual(back.panels, ["contour", "curves", "lr_sweep"]);
});

test("network hash: defaults are left out; a scene link replaces the whole set-up", () => {
  const free = normalizeNet(CATALOG, { dataset: "screening", lr: 0.3, threshold: 0.05, normalize: false });
  const hash = encodeNetHash(CATALOG, free);
  assert.equal(hash, "net&lr=0.3&threshold=0.05&dataset=screening&optimizer=gd&normalize=0"); // adam: not in this catalog
  assert.deepEqual(decodeNetHash(CATALOG, `#${hash}`), free);
  const step1 = decodeNetHash(CATALOG, "#net&scene=symmetry&step=1");
  assert.equal(step1.init, "xavier");
  assert.equal(step1.lr, 0.5);
  assert.equal(step1.dataset, "moons");
  assert.deepEqual(step1.panels, ["data", "training", "weights"]);
  assert.equal(encodeNetHash(CATALOG, step1), "net&scene=symmetry&step=1");
  assert.deepEqual(netSceneState(CATALOG, "symmetry", 1), step1);
});

test("network state takes its choices from the catalog", () => {
  const s = normalizeNet(CATALOG, { optimizer: "newton", activation: "swish", panels: "metrics,bogus,data" });
  assert.equal(s.optimizer, "gd"); // newton is surfaces-only; adam is not in this catalog
  assert.equal(s.activation, "tanh");
  assert.deepEqual(s.panels, ["metrics", "data"]);
});
