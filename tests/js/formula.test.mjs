// Named parameters of a typed formula: found in the text as the server's lexer reads them,
// sent with the surface (1 unless set), kept in the hash (only those away from 1).
import assert from "node:assert/strict";
import test from "node:test";
import { expressionRef, formulaParams, paramRange } from "../../frontend/js/formula.js";
import { decodeHash, encodeHash } from "../../frontend/js/state.js";
import { CATALOG } from "./catalog.mjs";

test("parameters are the names that are not x, y, constants or functions, in order", () => {
  assert.deepEqual(formulaParams("a*x**2 + b*y**2"), ["a", "b"]);
  assert.deepEqual(formulaParams("k*sin(w*x) + exp(-y**2) + pi*e + k"), ["k", "w"]);
  assert.deepEqual(formulaParams("1e-3*x**2 + 2.5E+2*y + .5e1"), []); // exponents are not names
  assert.deepEqual(formulaParams("x**2 + y**2"), []);
});

test("the surface sent carries every parameter, 1 unless the state sets it", () => {
  const s = { formula: "a*x**2 + b*y**2", fparams: { b: 10, gone: 3 }, fview: null };
  assert.deepEqual(expressionRef(s), { expression: "a*x**2 + b*y**2", params: { a: 1, b: 10 } });
  assert.deepEqual(expressionRef({ formula: "x**2", fparams: { a: 2 }, fview: [-1, 1, -1, 1] }),
    { expression: "x**2", view: [-1, 1, -1, 1] });
});

test("slider ranges hold the value with room either side", () => {
  assert.deepEqual(paramRange(1), { min: -10, max: 10, kind: "float", log: false });
  assert.deepEqual(paramRange(-40), { min: -80, max: 80, kind: "float", log: false });
});

test("the hash keeps the parameters away from 1 and reads them back", () => {
  const s = decodeHash(CATALOG, "#s=expression&f=a*x**2%2Bb*y**2&fp=b:10,a:1");
  assert.deepEqual(s.fparams, { b: 10, a: 1 });
  const hash = encodeHash(CATALOG, s);
  assert.match(hash, /(^|&)fp=b:10(&|$)/);
  assert.deepEqual(decodeHash(CATALOG, `#${hash}`).fparams, { b: 10 });
  const bad = decodeHash(CATALOG, "#s=expression&f=a*x&fp=a:NaN,b:1e99");
  assert.deepEqual(bad.fparams, { b: 1e6 });
});
