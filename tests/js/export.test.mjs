// node --test: the pure parts of frontend/js/export.js (CSV, rows of every view, slide layout).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  csvField, legendTraces, rowsOf, runsCsv, slideLayout, toCsv,
} from "../../frontend/js/export.js";

test("csv fields are quoted only when needed, non-finite is empty", () => {
  assert.equal(csvField(1.5), "1.5");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField(null), "");
  assert.equal(csvField(Number.NaN), "");
  assert.equal(csvField(Infinity), "");
  assert.equal(csvField({ momentum: 0.9 }), '"{""momentum"":0.9}"');
});

test("toCsv takes the union of the keys in order", () => {
  assert.equal(toCsv([{ a: 1 }, { b: 2, a: 3 }]), "a,b\n1,\n3,2\n");
});

test("an lr sweep becomes one row per lr", () => {
  const rows = rowsOf({ lrs: [0.1, 1], final_loss: [0.5, null], best_loss: [0.4, 0.4],
    status: ["done", "diverged"], stopped_at: [-1, 3] });
  assert.deepEqual(rows[1], { lr: 1, final_loss: null, best_loss: 0.4, status: "diverged", stopped_at: 3 });
});

test("a basin map becomes one row per start, rows still computing left out", () => {
  const rows = rowsOf({ x: [0, 1], y: [5, 6], label: [[0, -2], null], final_loss: [[1, null], null],
    steps: [[10, 3], null] });
  assert.deepEqual(rows, [
    { x: 0, y: 5, label: 0, final_loss: 1, steps: 10 },
    { x: 1, y: 5, label: -2, final_loss: null, steps: 3 },
  ]);
});

test("an lr x momentum map becomes (lr, momentum) rows", () => {
  const rows = rowsOf({ lrs: [0.1, 0.2], momenta: [0, 0.9], hyperparam: "beta1",
    final_loss: [[1, 2], [3, null]], status: [["done", "done"], ["done", "diverged"]] });
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[3], { lr: 0.2, beta1: 0.9, final_loss: null, status: "diverged" });
});

test("a network history becomes one row per record", () => {
  const rows = rowsOf({ record_steps: [0, 5], train_loss: [1, 0.5], validation_loss: [1.1, 0.6],
    train_accuracy: null, lrs: [0.1, 0.1, 0.1, 0.1, 0.1] });
  assert.deepEqual(rows[1], { step: 5, train_loss: 0.5, validation_loss: 0.6, train_accuracy: null,
    validation_accuracy: null, lr: 0.1 });
});

test("runs CSV keeps the page's columns", () => {
  const state = { runs: [{ optimizer: "gd", lr: 0.1, start: [1, 1] }] };
  const text = runsCsv(state, [{ x: [1, 0.9], y: [1, 0.9], loss: [1, 0.81], lrs: [0.1], status: "done" }]);
  assert.equal(text, "run,optimizer,lr,step,x,y,loss,lr_t,status\n1,gd,0.1,0,1,1,1,0.1,\n1,gd,0.1,1,0.9,0.9,0.81,,done\n");
});

test("slides get a title, white paper and a legend of the named traces only", () => {
  const lay = slideLayout({ margin: { l: 50 } }, { title: "Adam vs GD" });
  assert.equal(lay.title.text, "Adam vs GD");
  assert.equal(lay.paper_bgcolor, "#ffffff");
  assert.equal(lay.showlegend, true);
  assert.equal(lay.margin.l, 50);
  const t = legendTraces([{ name: "run 1: gd" }, { type: "contour" }, { name: "x", showlegend: false }]);
  assert.deepEqual(t.map((x) => x.showlegend), [true, false, false]);
});

test("data URLs decode without fetch (the page's CSP forbids fetching them)", async () => {
  const { dataUrlToBlob } = await import("../../frontend/js/export.js");
  const png = dataUrlToBlob("data:image/png;base64,iVBORw0KGgo=");
  assert.equal(png.type, "image/png");
  assert.deepEqual([...new Uint8Array(await png.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = dataUrlToBlob("data:image/svg+xml,%3Csvg%3Ea%2Cb%3C%2Fsvg%3E");
  assert.equal(svg.type, "image/svg+xml");
  assert.equal(await svg.text(), "<svg>a,b</svg>");
});
