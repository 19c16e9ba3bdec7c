/* elearn-state.js, suspend data v2: the largest state every built package can produce stays within its
 * edition's limit and the worst case the build computed, and resumes as it was; the fingerprint decides
 * between resuming and restarting (keeping the interaction count); what does not fit the course is dropped;
 * typed text is cleaned and cut; the shuffle is stable and never the given order. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page, courses } = require("./harness");

const S = page(["elearn-state.js"]).Elearn.state;
const plain = (x) => JSON.parse(JSON.stringify(x));
const HEAVY = { "long-fill-in": '"\\\n\t\u0001', "fill-in": '"\\\u0002' }; // JSON escapes each of the first ones as two; drops the last
const LIMIT = { scorm12: 4096, scorm2004: 64000 };
const range = (n) => [...Array(n).keys()];

/** The heaviest response the state can hold for question q (as elearn-assessment.js keeps it: indexes, text cleaned). */
function heaviest(q) {
  if (HEAVY[q.type]) {
    const unit = HEAVY[q.type];
    return S.clean(unit.repeat(Math.ceil(q.maxLength / unit.length) + 10), q.maxLength); // past the field's maxlength
  }
  if (q.type === "matching") return q.sources.map(() => q.targets.length - 1);
  if (q.type === "sequencing") return range(q.choices.length).reverse();
  if (q.type === "multiple-response") return range(q.choices.length).reverse();
  return [q.choices.length - 1];
}

/** Every draw's heaviest attempt: per bank the `draw` questions whose answers are longest, at the largest indexes. */
function heaviestAttempt(data) {
  const A = data.assessment;
  const size = (i) => JSON.stringify(heaviest(A.questions[i])).length + String(i).length;
  const d = [];
  A.banks.forEach((bank) => {
    const pool = bank.questions.slice();
    const take = bank.draw > 0 && bank.draw < pool.length ? bank.draw : pool.length;
    d.push(...pool.sort((x, y) => size(y) - size(x)).slice(0, take).sort((x, y) => x - y));
  });
  const c = {};
  d.forEach((i, k) => { if (!A.questions[i].scored) c[String(k)] = "fffffff".slice(0, Math.max(1, Math.ceil((A.questions[i].criteria || []).length / 4))); });
  const attempt = { n: A.attempts || 99, d, r: d.map((i) => heaviest(A.questions[i])), s: 100, o: 4294967295 };
  return Object.keys(c).length ? Object.assign(attempt, { c }) : attempt;
}

const scormPackages = () => Object.keys(courses()).filter((name) => /-scorm(12|2004)$/.test(name));

test("the largest state of every SCORM package fits its edition's limit and the build's worst case, and resumes", (t) => {
  const names = scormPackages();
  assert.ok(names.length >= 14, names.join(", "));
  const sizes = {};
  for (const name of names) {
    const data = courses()[name];
    const fmt = name.endsWith("scorm12") ? "scorm12" : "scorm2004";
    assert.equal(data.stateLimit, LIMIT[fmt], name);
    assert.ok(data.stateWorstCase <= data.stateLimit, name);
    const contentCount = data.pages.filter((p) => p.kind === "content").length;
    const top = String(data.selfAssessment.scale.length).repeat(data.selfAssessment.statements.length);
    const attempt = heaviestAttempt(data);
    const state = { visitedContent: range(contentCount), sa: { b: top, l: top }, attempt,
      next: 9999999, x: { r: "00000000-0000-4000-8000-000000000000", k: 9999999 } };
    const text = S.encode(state, data);
    sizes[name] = `${text.length}/${data.stateWorstCase}`;
    assert.ok(text.length <= Math.min(data.stateLimit, data.stateWorstCase), `${name}: ${text.length} > ${data.stateWorstCase}`);
    const { saved, reset } = S.decode(text, data);
    assert.equal(reset, false);
    assert.deepEqual(plain(saved.visited), range(contentCount));
    assert.deepEqual(plain(saved.sa), { b: top, l: top });
    assert.deepEqual(plain(saved.attempt), plain(attempt), `${name}: the attempt resumes as it was`);
    assert.equal(saved.next, 9999999);
    const parsed = JSON.parse(text);
    assert.equal(parsed.p, "f".repeat(Math.floor(contentCount / 4)) + (contentCount % 4 ? ((1 << contentCount % 4) - 1).toString(16) : ""));
  }
  t.diagnostic(`characters / worst case: ${JSON.stringify(sizes)}`);
});

test("typed text is kept without control characters (but newline and tab), lone surrogates, or more than the limit", () => {
  assert.equal(S.clean("a\r\nb\rc\u0001\u0007\td\u007f\u0085", 0), "a\nb\nc\td");
  assert.equal(S.clean("x\ud800y\udc00z", 0), "x\ufffdy\ufffdz");
  assert.equal(S.clean("ab\u{1F600}", 3), "ab", "a pair is never split");
  assert.equal(S.clean("ab\u{1F600}", 4), "ab\u{1F600}");
  assert.equal(S.clean(null, 5), "");
});

test("another version's state (fingerprint) restarts but keeps the interaction count; nonsense restarts", () => {
  const data = courses()["runtime-variants-types-scorm2004"];
  const text = S.encode({ visitedContent: [0], sa: {}, attempt: { n: 1, d: [0], r: [[0]], s: 0 }, next: 7, x: null }, data);
  assert.equal(S.decode(text, data).saved.next, 7);
  const other = Object.assign({}, data, { fingerprint: "ffffffff" });
  assert.deepEqual(plain(S.decode(text, other)), { saved: null, reset: true, next: 7 });
  assert.deepEqual(plain(S.decode("{not json", data)), { saved: null, reset: true, next: 0 });
  assert.deepEqual(plain(S.decode('{"v":1}', data)), { saved: null, reset: true, next: 0 });
  assert.deepEqual(plain(S.decode("", data)), { saved: null, reset: false });
});

test("what does not fit the course is dropped, the rest kept", () => {
  const data = courses()["runtime-variants-types-scorm2004"];
  const qs = data.assessment.questions;
  const choice = qs.findIndex((q) => q.type === "choice");
  const text = qs.findIndex((q) => q.type === "fill-in");
  const n = data.selfAssessment.statements.length;
  const raw = { v: 2, h: data.fingerprint, p: "zz", s: { b: "9".repeat(n), l: "1".repeat(n) },
    a: { n: -1, d: [choice, text], r: [[99], 5], s: 50, o: -3, c: { 0: "xyz" } }, i: "many", x: { r: "not a uuid", k: 2 } };
  const { saved } = S.decode(JSON.stringify(raw), data);
  assert.deepEqual(plain(saved), { visited: [], sa: {}, attempt: { n: 0, d: [choice, text], r: [[], ""] }, next: 0, x: { k: 2 } });
  const good = { v: 2, h: data.fingerprint, p: "1", s: { b: "1".repeat(n) }, a: { n: 1, d: [choice], r: [[1]], s: 50 }, i: 3 };
  assert.deepEqual(plain(S.decode(JSON.stringify(good), data).saved),
    { visited: [0], sa: { b: "1".repeat(n) }, attempt: { n: 1, d: [choice], r: [[1]], s: 50 }, next: 3, x: {} });
  assert.deepEqual(plain(S.decode(JSON.stringify(Object.assign({}, good, { a: { n: 1, d: [choice, choice], r: [[1], [1]] } })), data).saved.attempt),
    { n: 1 }, "a draw with a question twice is no draw");
});

test("the shuffle is stable for a seed and never the given order when there is another", () => {
  const list = ["a", "b", "c", "d"];
  assert.deepEqual(plain(S.shuffle(list, "seed-1")), plain(S.shuffle(list, "seed-1")));
  for (let seed = 0; seed < 200; seed += 1) {
    const out = S.shuffle(list, `q-${seed}`);
    assert.deepEqual([...out].sort(), list);
    assert.notDeepEqual(plain(out), list);
  }
  assert.deepEqual(plain(S.shuffle(["only"], "x")), ["only"]);
  const seen = new Set(range(50).map((seed) => S.shuffle(list, `s${seed}`).join("")));
  assert.ok(seen.size > 5, "seeds give different orders");
});
