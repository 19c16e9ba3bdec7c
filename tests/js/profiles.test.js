/* The SCORM adapters and elearn-save.js under the LMS profiles of tests/browser/lms-profiles.js (Moodle,
 * scormhost, wagtail-lms, the Open edX XBlock; lms_profiles.py cites each behaviour), run as they are in
 * Node: three sessions (ratings; answers and a verdict; a relaunch after completion) at the adapter's level,
 * each interaction written once at a fresh index, none refused, GetLastError only after a "false", what the
 * LMS keeps being what was earned, Moodle's review mode writing nothing, wagtail-lms's 2004 object refused.
 * Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { courses } = require("./harness");
const { profile, sco } = require("./lms");
const A = require("./answers");

const CASES = [["moodle", "scorm12"], ["moodle", "scorm2004"], ["scormhost", "scorm12"], ["scormhost", "scorm2004"],
  ["wagtail", "scorm12"], ["xblock", "scorm12"], ["xblock", "scorm2004"]];
const STAGE = "reflective-supervision-experienced-social-worker";
const ID = /^cmi\.interactions\.(\d+)\.id$/;

const writes = (calls) => calls.filter((c) => /SetValue$/.test(c.name)).map((c) => ID.exec(c.args[0])).filter(Boolean).map((m) => Number(m[1]));
const refused = (calls) => calls.filter((c) => /SetValue|Commit$/.test(c.name) && c.result === "false");
/** GetLastError calls that did not follow a call answering "false" (lms_profiles.error_calls_without_cause). */
function errorsWithoutCause(calls) {
  const out = [];
  let before = null;
  for (const c of calls) {
    if (/GetLastError$/.test(c.name) && (!before || before.result !== "false")) out.push(c);
    if (!/GetLastError|GetErrorString|GetDiagnostic/.test(c.name)) before = c;
  }
  return out;
}
/** What the LMS keeps as {element: value} (flat for the key-value LMSs, flattened from Moodle's scorm-again cmi). */
function flat(store) {
  if (!store) return {};
  const out = {};
  const walk = (node, prefix) => Object.entries(node).forEach(([k, v]) => {
    if (v && typeof v === "object") walk(v, `${prefix}${k}.`); else out[`${prefix}${k}`] = String(v);
  });
  if (Object.keys(store.cmi || {}).some((k) => k.startsWith("cmi."))) return Object.assign(out, store.cmi);
  walk(store.cmi || {}, "cmi.");
  return out;
}

/** One session: the adapter and its saver in a page of the profile's LMS window (Moodle: a popup, the API in the opener). */
function session(name, fmt, stored) {
  const data = courses()[`${STAGE}-${fmt}`];
  const lms = profile(name, fmt, { stored });
  const window = sco(["elearn.js", "elearn-state.js", "elearn-save.js", `adapter-${fmt}.js`], lms.window, { opener: name === "moodle" });
  const adapter = window.Elearn.adapters[fmt](data);
  const launch = adapter.start();
  const said = [];
  const held = launch ? Math.max(launch.interactions || 0, window.Elearn.state.decode(launch.suspendData, data).next || 0) : 0;
  const track = launch && window.Elearn.save(adapter, launch, { key: null, held, base: 10, max: 40, say: (k) => said.push(k) });
  return { data, lms, window, adapter, launch, track, said, held };
}

function exit(s) {
  let saved = null;
  s.track.finish(false, (ok) => { saved = ok; });
  assert.equal(saved, true, "the learner is told it was saved");
}

const state = (s, attempt, next, location) => s.window.Elearn.state.encode({ visitedContent: [0, 1], sa: {}, attempt, next, x: null }, s.data);

for (const [name, fmt] of CASES) {
  test(`${name} ${fmt}: three sessions: nothing refused, each interaction once at a fresh index, the status earned kept`, async () => {
    // Session 1: the ratings, a bookmark, exit.
    const one = session(name, fmt, null);
    assert.ok(one.launch, "the LMS starts a session");
    const points = A.points(one.data, 5);
    const ratings = one.data.selfAssessment.statements.map((st, i) => A.rating(st, points[i], i));
    ratings.forEach((r) => one.track.record(r));
    one.track.put("setLocation", "page-last");
    one.track.put("setSuspendData", state(one, { n: 0 }, ratings.length));
    one.track.put("setStatus", false, null);
    one.track.commit();
    exit(one);
    let calls = one.lms.calls();
    assert.deepEqual(refused(calls), []);
    assert.deepEqual(writes(calls), ratings.map((r) => r.n));
    let store = await one.lms.settle();

    // Session 2: back at the bookmark; answers after the ratings; passed.
    const two = session(name, fmt, store);
    assert.equal(two.launch.location, "page-last", "resumed at the bookmark");
    assert.equal(two.held, ratings.length, "the interactions the LMS holds, from _count or the suspend data");
    const qs = two.data.assessment.questions;
    const answers = qs.map((q, k) => ({ q, response: A.right(q), n: ratings.length + k }));
    answers.forEach((x) => two.track.record(A.interaction(x.q, x.response, x.n)));
    two.track.put("setLocation", "cpd-record");
    two.track.put("setSuspendData", state(two, { n: 1, s: 100 }, ratings.length + answers.length));
    two.track.put("setProgress", 1);
    two.track.put("setScore", 100);
    two.track.put("setStatus", true, true);
    two.track.commit();
    exit(two);
    calls = two.lms.calls();
    assert.deepEqual(refused(calls), []);
    assert.deepEqual(writes(calls), answers.map((x) => x.n), "none over session 1's");
    store = await two.lms.settle();
    const kept = flat(store);
    const earned = fmt === "scorm12" ? [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "100"]]
      : [["cmi.completion_status", "completed"], ["cmi.success_status", "passed"], ["cmi.score.raw", "100"]];
    if (name !== "xblock") earned.forEach(([k, v]) => assert.equal(kept[k], v, k));
    answers.forEach((x) => {
      const want = A.expected(x.q, x.response, fmt);
      const response = fmt === "scorm12" ? "student_response" : "learner_response";
      assert.equal(kept[`cmi.interactions.${x.n}.id`], want.id);
      assert.equal(kept[`cmi.interactions.${x.n}.${response}`], want[response]);
    });

    // Session 3: after completion; Moodle relaunches in review and nothing is written.
    const three = session(name, fmt, store);
    assert.equal(three.launch.location, "cpd-record");
    three.track.put("setLocation", "cpd-record");
    three.track.put("setSuspendData", state(two, { n: 1, s: 100 }, ratings.length + answers.length));
    three.track.put("setScore", 100);
    three.track.put("setStatus", true, true);
    three.track.commit();
    exit(three);
    calls = three.lms.calls();
    assert.deepEqual(refused(calls), []);
    assert.deepEqual(writes(calls), []);
    if (name === "moodle") {
      assert.equal(three.lms.mode(), "review");
      assert.equal(three.launch.review, true);
      assert.deepEqual(calls.filter((c) => /SetValue|Commit$/.test(c.name)), [], "nothing written in review mode");
    }
    const after = flat(await three.lms.settle());
    if (name === "xblock") { // it reads back "" for the status: the course tells it again
      assert.equal(after[fmt === "scorm12" ? "cmi.core.lesson_status" : "cmi.success_status"], "passed");
    } else earned.forEach(([k, v]) => assert.equal(after[k], v, k));
    for (const s of [one, two, three]) assert.deepEqual(errorsWithoutCause(s.lms.calls()), [], "GetLastError only after a false");
  });
}

test("wagtail-lms's 1.2 object as API_1484_11 (no Initialize): the 2004 adapter starts no session and nothing reaches it", async () => {
  const s = session("wagtail", "scorm2004", null);
  assert.equal(s.launch, null, "no session: elearn.js runs standalone and says lms_error");
  assert.deepEqual(s.lms.calls(), []);
  assert.deepEqual((await s.lms.settle()).cmi, {});
});

test("one failed attempt per launch under the XBlock and scormhost: the count comes from the suspend data", async () => {
  for (const [name, fmt] of [["xblock", "scorm2004"], ["scormhost", "scorm12"]]) {
    let store = null;
    let written = 0;
    for (let n = 1; n <= 3; n += 1) {
      const s = session(name, fmt, store);
      const saved = s.window.Elearn.state.decode(s.launch.suspendData, s.data).saved;
      assert.equal(saved ? saved.attempt.n : 0, n - 1, `${name}: attempts used before launch ${n}`);
      assert.equal(s.held, written);
      const q = s.data.assessment.questions[0];
      s.track.record(A.interaction(q, A.wrong(q), written));
      s.track.put("setSuspendData", state(s, { n, s: 0 }, written + 1));
      s.track.put("setStatus", false, false);
      s.track.commit();
      exit(s);
      assert.deepEqual(writes(s.lms.calls()), [written]);
      written += 1;
      store = await s.lms.settle();
    }
  }
});
