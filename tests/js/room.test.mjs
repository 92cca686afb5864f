// Rooms on the page: the join code in a link, and the request fingerprint a follower matches on.
import assert from "node:assert/strict";
import test from "node:test";
import { bodyKey } from "../../frontend/js/api.js";
import { roomCode } from "../../frontend/js/room.js";

test("a join link's code is found wherever it sits in the hash, in capitals", () => {
  assert.equal(roomCode("#room=abcd2345"), "ABCD2345");
  assert.equal(roomCode("#net&room=ABCD2345"), "ABCD2345");
  assert.equal(roomCode("#scene=ravine&step=1"), null);
  assert.equal(roomCode("#room=<x>"), null);
  assert.equal(roomCode("#classroom=ABCD2345"), null);
});

test("equal bodies share a key and any change of a value changes it", () => {
  const body = { surface: { name: "ravine" }, runs: [{ optimizer: "gd", lr: 0.038, start: [-2.5, 1] }] };
  assert.equal(bodyKey(body), bodyKey(JSON.parse(JSON.stringify(body))));
  const moved = { ...body, runs: [{ ...body.runs[0], start: [-2.5, 1.0001] }] };
  assert.notEqual(bodyKey(body), bodyKey(moved));
  assert.match(bodyKey(body), /^[0-9a-z]{1,7}$/); // 32 bits in base 36: short enough for an id
  assert.doesNotMatch(bodyKey(body), /#/); // the id's separator never appears in a key
});
