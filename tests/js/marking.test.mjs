// elearn-marking.js under Node's test runner (run by tests/test_runtime_js.py): normalised typed
// answers, word limits, the seeded option order, partial credit and alternative orders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const source = readFileSync(new URL("../../src/elearn_builder/theme/static/elearn-marking.js", import.meta.url), "utf8");
const sandbox = { window: {} };
vm.runInNewContext(source, sandbox);
const M = sandbox.window.Elearn.marking;

const fill = { type: "fill-in", scored: true, accepted: ["case record", "90"], caseMatters: false };
const choices = (...ids) => ids.map((id) => ({ id, text: id }));

test("typed answers compare without punctuation, spacing or case", () => {
  for (const given of ["Case record.", "  case   RECORD ", "case, record", "90.", "90", "(90)"]) {
    assert.equal(M.credit(fill, given), 1, given);
  }
  for (const given of ["case records", "9 0.5", "900", ""]) assert.equal(M.credit(fill, given), 0, given);
  assert.equal(M.normal("Kolb\u2019s self-assessment!"), "kolbs self assessment");
  assert.equal(M.normal("PCF.", true), "PCF");
  assert.equal(M.credit({ ...fill, accepted: ["PCF"], caseMatters: true }, "pcf"), 0);
});

test("a word limit is true: three words are not two", () => {
  const two = { ...fill, accepted: ["case record"], maxWords: 2 };
  assert.equal(M.words("the case record."), 3);
  assert.equal(M.words("self-assessment - done"), 2);
  assert.equal(M.tooLong(two, "the case record"), true);
  assert.equal(M.credit(two, "the case record"), 0);
  assert.equal(M.credit(two, "Case record."), 1);
  assert.equal(M.tooLong({ ...fill }, "one two three four"), false); // no limit set
});

test("the option order is seeded: the same for a seed, new for another, any place for the key", () => {
  const a = M.order(5, 123456, "q1");
  assert.deepEqual(M.order(5, 123456, "q1"), a);
  assert.deepEqual([...a].sort(), [0, 1, 2, 3, 4]);
  const seeds = Array.from({ length: 400 }, (_, s) => s * 7919);
  assert.ok(seeds.some((s) => M.order(5, s, "q1").join() !== a.join()));
  // Where option 0 lands over many seeds: every place, none far from a fifth (uniform, unlike
  // Elearn.state.shuffle, which never keeps the authored order).
  const places = [0, 0, 0, 0, 0];
  seeds.forEach((s) => { places[M.order(5, s, "q1").indexOf(0)] += 1; });
  places.forEach((n) => assert.ok(n > 50 && n < 110, `option 0 landed ${places} times`));
  assert.ok(seeds.some((s) => M.order(4, s, "q2").join() === "0,1,2,3"));
});

const match = { type: "matching", scored: true, sources: choices("a", "b", "c"), targets: choices("x", "y", "z", "w"),
  correct: [["a", "x"], ["b", "y"], ["c", "z"]] };

test("matching earns credit per pair only where the author says so", () => {
  assert.equal(M.credit(match, [0, 1, 2]), 1);
  assert.equal(M.credit(match, [0, 1, 3]), 0);
  const partial = { ...match, partial: true };
  assert.equal(M.credit(partial, [0, 1, 3]), 2 / 3);
  assert.equal(M.credit(partial, [0, -1, -1]), 1 / 3);
  assert.equal(M.isCorrect(partial, [0, 1, 3]), false);
  assert.equal(M.isCorrect(partial, [0, 1, 2]), true);
});

test("multiple-response partial credit: right ticks less wrong ticks, never below nothing", () => {
  const mr = { type: "multiple-response", scored: true, choices: choices("a", "b", "c", "d"), correct: ["a", "b"] };
  assert.equal(M.credit(mr, [0]), 0);
  const partial = { ...mr, partial: true };
  assert.equal(M.credit(partial, [0, 1]), 1);
  assert.equal(M.credit(partial, [0]), 0.5);
  assert.equal(M.credit(partial, [0, 2]), 0);
  assert.equal(M.credit(partial, [2, 3]), 0);
  assert.equal(M.credit(partial, [0, 1, 2, 3]), 0);
});

test("a sequence may match an accepted alternative order", () => {
  const seq = { type: "sequencing", scored: true, choices: choices("a", "b", "c", "d"), correct: ["a", "b", "c", "d"],
    accept: [["a", "b", "d", "c"]] };
  assert.equal(M.credit(seq, [0, 1, 2, 3]), 1);
  assert.equal(M.credit(seq, [0, 1, 3, 2]), 1);
  assert.equal(M.credit(seq, [1, 0, 2, 3]), 0);
  assert.equal(M.credit({ ...seq, accept: undefined }, [0, 1, 3, 2]), 0);
});

test("the score weighs partial credit; written answers are not marked", () => {
  const qs = [{ ...match, partial: true, weight: 3 }, { ...fill, weight: 1 }, { type: "long-fill-in", scored: false }];
  assert.equal(M.score(qs, [[0, 1, 3], "90.", "words"]), 75); // (3 x 2/3 + 1) / 4
  assert.equal(M.isCorrect(qs[2], "words"), null);
  assert.equal(M.score([qs[2]], ["words"]), 100);
});
