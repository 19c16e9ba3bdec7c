/* elearn-save.js between the SCORM adapters and the real scorm-again with the faults of tests/browser/faults.py:
 * writes and commits refused for a while, Commit alone refused, the API gone mid-session, a tab closed with
 * work the LMS never took, storage full; the learner is told through say(), the backup in localStorage keeps
 * the work, and the LMS ends with every interaction, the bookmark and the status. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { courses, MemoryStorage } = require("./harness");
const { host, sco, resumeCmi } = require("./lms");
const A = require("./answers");

const FORMATS = ["scorm12", "scorm2004"];
const REFUSALS = { scorm12: { set: "101", commit: "301" }, scorm2004: { set: "351", commit: "391" } };
const KEY = "elearn-lms:test|programme|stage|learner-0042";
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits for `check` to hold, failing after `ms` (the saver's own retries are 10-40 ms apart here). */
async function until(check, what, ms) {
  const end = Date.now() + (ms || 3000);
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(5);
  }
}
const plain = (x) => JSON.parse(JSON.stringify(x));

/** A page of the package in the LMS `lms` with its saver (elearn.js's wiring: held from the launch and its suspend data). */
function open(fmt, lms, tab, options) {
  const data = courses()[`runtime-variants-types-${fmt}`];
  const window = sco(["elearn.js", "elearn-state.js", "elearn-save.js", `adapter-${fmt}.js`], lms.window, { tab });
  const adapter = window.Elearn.adapters[fmt](data);
  const launch = adapter.start();
  assert.ok(launch, "the session starts");
  const said = [];
  const held = Math.max(launch.interactions || 0, window.Elearn.state.decode(launch.suspendData, data).next || 0);
  const track = window.Elearn.save(adapter, launch, Object.assign({ key: KEY, held, base: 10, max: 40,
    say: (key, level) => said.push([key, level || "info"]) }, options));
  return { data, window, adapter, launch, track, said, tab: { localStorage: window.localStorage, sessionStorage: window.sessionStorage } };
}

/** `count` answers to the course's questions (cycling), as interactions from index `from`. */
function answers(data, from, count) {
  const qs = data.assessment.questions;
  return Array.from({ length: count }, (_, k) => { const q = qs[k % qs.length]; return { q, response: A.right(q), n: from + k }; });
}
const record = (track, list) => list.forEach((x) => track.record(A.interaction(x.q, x.response, x.n)));
const put = (track, location, next) => {
  track.put("setLocation", location);
  track.put("setSuspendData", JSON.stringify({ v: 2, at: location, i: next }));
  track.put("setProgress", 0.5);
  track.put("setStatus", false, null);
};
const held = (cmi) => Object.keys((cmi && cmi.interactions) || {}).length;
const backup = (s) => JSON.parse(s.window.localStorage.getItem(KEY));
const said = (s) => s.said.map(([key]) => key);
const location = (cmi, fmt) => (fmt === "scorm12" ? cmi.core.lesson_location : cmi.location);
function check(cmi, fmt, list) {
  assert.equal(held(cmi), list.length);
  list.forEach((x) => {
    const want = A.expected(x.q, x.response, fmt);
    const got = cmi.interactions[String(x.n)];
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, plain(got[k])])), want, `interaction ${x.n}`);
  });
}

for (const fmt of FORMATS) {
  test(`${fmt}: writes and commits refused for a while: nothing lost, retried on its own, the learner told both ways`, async () => {
    const lms = host(fmt);
    const s = open(fmt, lms);
    put(s.track, "self-assessment", 0);
    assert.equal(s.track.commit(), true);
    const before = lms.committed();
    lms.setFault(REFUSALS[fmt]);
    const work = answers(s.data, 0, 6);
    record(s.track, work);
    put(s.track, "assessment", 6);
    assert.equal(s.track.commit(), false);
    assert.deepEqual(s.said[s.said.length - 1], ["save_failed", "warning"]);
    assert.deepEqual(lms.committed(), before);
    assert.equal(held(lms.cmi()), 0, "nothing got through");
    const kept = backup(s);
    assert.equal(kept.interactions.length, 6);
    assert.deepEqual(kept.want.setLocation, ["assessment"]);
    assert.ok(lms.refused.length && lms.refused.every((c) => Object.values(REFUSALS[fmt]).includes(c.code)));
    await wait(60);
    const retried = lms.refused.length;
    assert.ok(retried > 1, "the timer tries again");
    lms.setFault({ set: null, commit: null });
    await until(() => said(s).includes("save_recovered"), "save_recovered"); // the runtime's own retry: the learner does nothing
    const cmi = lms.committed();
    check(cmi, fmt, work);
    assert.equal(location(cmi, fmt), "assessment");
    assert.equal(cmi.suspend_data, kept.want.setSuspendData[0]);
    assert.deepEqual(lms.calls.filter((c) => c.error !== null && c.error !== "0" && !/GetValue/.test(c.name)), []);
    const calls = lms.calls.length;
    await wait(80);
    assert.equal(lms.calls.length, calls, "no retry once it worked");
    assert.equal(backup(s).confirmed, true);
  });

  test(`${fmt}: Commit alone refused: retried with back-off (doubling, capped), then one commit per change`, async () => {
    const lms = host(fmt);
    const s = open(fmt, lms, undefined, { base: 20, max: 80 });
    put(s.track, "self-assessment", 0);
    s.track.commit();
    lms.setFault({ commit: REFUSALS[fmt].commit });
    const work = answers(s.data, 0, 3);
    record(s.track, work);
    put(s.track, "page-1", 3);
    const commitName = fmt === "scorm12" ? "LMSCommit" : "Commit";
    s.window.timeouts.length = 0;
    s.track.commit();
    await until(() => lms.refused.filter((c) => c.name === commitName).length >= 5, "five refused commits");
    assert.deepEqual(s.window.timeouts.slice(0, 4), [20, 40, 80, 80], "the retries' delays: doubling, capped at max");
    assert.deepEqual(s.said.map(([k]) => k), ["save_failed"]);
    lms.setFault({ commit: null });
    await until(() => said(s).includes("save_recovered"), "save_recovered");
    check(lms.committed(), fmt, work);
    const commits = () => lms.calls.filter((c) => c.name === commitName).length;
    const after = commits();
    assert.equal(s.track.commit(), true);
    assert.equal(commits(), after, "nothing new: no commit");
    put(s.track, "page-2", 3);
    assert.equal(s.track.commit(), true);
    assert.equal(commits(), after + 1);
  });

  test(`${fmt}: the API gone mid-session: exit waits and says so; the next launch restores the backup and writes it`, async () => {
    const lms = host(fmt);
    const s = open(fmt, lms);
    const rated = answers(s.data, 0, 4);
    record(s.track, rated);
    put(s.track, "self-assessment", 4);
    assert.equal(s.track.commit(), true);
    const before = lms.committed();
    lms.setFault({ gone: true });
    const later = answers(s.data, 4, 5);
    record(s.track, later);
    put(s.track, "assessment", 9);
    s.track.put("setScore", 40);
    assert.equal(s.track.commit(), false);
    assert.deepEqual(s.said[s.said.length - 1], ["save_failed", "warning"]);
    let done = null;
    s.track.finish(false, (saved) => { done = saved; });
    assert.deepEqual(s.said[s.said.length - 1], ["exit_pending", "warning"]);
    assert.equal(done, null, "exit waits for the LMS");
    assert.deepEqual(lms.committed(), before);
    assert.equal(backup(s).interactions.length, 9);

    const next = host(fmt, { cmi: resumeCmi(before, fmt), entry: "resume" });
    const again = open(fmt, next, s.tab);
    assert.equal(again.launch.location, "assessment", "the backup's bookmark, before the course reads it");
    assert.equal(JSON.parse(again.launch.suspendData).i, 9);
    assert.equal(again.track.commit(), true);
    assert.deepEqual(again.said, [["save_restored", "info"]]);
    const cmi = next.committed();
    check(cmi, fmt, rated.concat(later));
    assert.equal(location(cmi, fmt), "assessment");
    const written = next.calls.filter((c) => /SetValue$/.test(c.name) && /^cmi\.interactions\.\d+\.id$/.test(c.args[0]));
    assert.deepEqual(written.map((c) => Number(c.args[0].split(".")[2])), [4, 5, 6, 7, 8], "only what the LMS lacks");
    assert.equal(fmt === "scorm12" ? cmi.core.score.raw : cmi.score.raw, "40");
  });

  test(`${fmt}: the tab closed while the LMS refuses: exit ends at once, the backup is restored by the next launch`, async () => {
    const lms = host(fmt);
    const s = open(fmt, lms);
    const first = answers(s.data, 0, 2);
    record(s.track, first);
    put(s.track, "page-1", 2);
    s.track.commit();
    const before = lms.committed();
    lms.setFault({ commit: REFUSALS[fmt].commit });
    const lost = answers(s.data, 2, 3);
    record(s.track, lost);
    put(s.track, "assessment", 5);
    s.track.commit();
    let done = null;
    s.track.finish(true, (saved) => { done = saved; });
    assert.equal(done, false, "pagehide does not wait");
    const finishes = lms.calls.filter((c) => /Finish|Terminate/.test(c.name));
    assert.equal(finishes.length, 1);
    const calls = lms.calls.length;
    await wait(60);
    assert.equal(lms.calls.length, calls, "no retry after the end");

    const next = host(fmt, { cmi: resumeCmi(before, fmt), entry: "resume" });
    const again = open(fmt, next, s.tab);
    assert.equal(again.launch.location, "assessment");
    again.track.commit();
    assert.deepEqual(said(again), ["save_restored"]);
    check(next.committed(), fmt, first.concat(lost));
  });

  test(`${fmt}: commits answered "true" whose data never arrived (an asynchronous LMS, the tab closed): the next launch restores`, () => {
    const lms = host(fmt);
    const s = open(fmt, lms);
    const first = answers(s.data, 0, 2);
    record(s.track, first);
    put(s.track, "page-1", 2);
    assert.equal(s.track.commit(), true);
    const arrived = lms.committed(); // the last commit that reached the LMS's server
    const later = answers(s.data, 2, 3);
    record(s.track, later);
    put(s.track, "page-2", 5);
    assert.equal(s.track.commit(), true); // answered at once; its request is still on its way when the tab closes
    put(s.track, "assessment", 5);
    s.track.finish(true, () => {});

    const next = host(fmt, { cmi: resumeCmi(arrived, fmt), entry: "resume" });
    const again = open(fmt, next, s.tab);
    assert.equal(again.launch.location, "assessment");
    assert.equal(again.track.commit(), true);
    assert.deepEqual(said(again), ["save_restored"]);
    check(next.committed(), fmt, first.concat(later));
  });

  test(`${fmt}: a new attempt after a session the LMS took whole, or work gone on elsewhere, drops the backup`, () => {
    const lms = host(fmt);
    const s = open(fmt, lms);
    record(s.track, answers(s.data, 0, 2));
    put(s.track, "page-1", 2);
    assert.equal(s.track.commit(), true); // a page shown
    put(s.track, "page-2", 2);
    let saved = null;
    s.track.finish(false, (ok) => { saved = ok; });
    assert.equal(saved, true);
    assert.equal(backup(s).confirmed, true);
    const fresh = open(fmt, host(fmt), s.tab); // ab-initio, nothing saved: a new attempt
    assert.equal(fresh.launch.location, "");
    assert.equal(fresh.track.commit(), true);
    assert.deepEqual(fresh.said, []);

    const elsewhere = host(fmt, { cmi: { suspend_data: "another browser's", ...(fmt === "scorm12" ? { core: { lesson_location: "page-3" } } : { location: "page-3" }) }, entry: "resume" });
    const other = open(fmt, elsewhere, s.tab);
    assert.deepEqual([other.launch.location, other.launch.suspendData], ["page-3", "another browser's"]);
    other.track.commit();
    assert.deepEqual(other.said, []);
  });

  test(`${fmt}: without storage the LMS still gets everything; when it refuses too, the learner is told it may be lost`, async () => {
    const lms = host(fmt);
    const full = new MemoryStorage();
    full.setItem = () => { throw new Error("QuotaExceededError"); };
    const s = open(fmt, lms, { localStorage: full, sessionStorage: new MemoryStorage() });
    assert.equal(s.window.Elearn.save.storable(), false);
    const work = answers(s.data, 0, 3);
    record(s.track, work);
    put(s.track, "page-1", 3);
    assert.equal(s.track.commit(), true);
    check(lms.committed(), fmt, work);
    lms.setFault({ commit: REFUSALS[fmt].commit });
    put(s.track, "page-2", 3);
    s.track.commit();
    assert.deepEqual(s.said[s.said.length - 1], ["save_failed_volatile", "warning"]);
    let done = null;
    s.track.finish(false, (ok) => { done = ok; });
    assert.deepEqual(s.said[s.said.length - 1], ["exit_pending_volatile", "warning"]);
    lms.setFault({ commit: null });
    await until(() => done !== null, "exit to finish");
    assert.equal(done, true, "exit finishes once a retry is taken");
    assert.equal(location(lms.committed(), fmt), "page-2");
  });
}

test("a review launch writes and commits nothing, and no GetLastError without a refusal", () => {
  for (const fmt of FORMATS) {
    const cmi = fmt === "scorm12" ? { core: { lesson_mode: "review", lesson_location: "cpd-record" } } : { mode: "review", location: "cpd-record" };
    const lms = host(fmt, { cmi, entry: "resume" });
    const s = open(fmt, lms, undefined, { key: null }); // elearn.js keeps no backup of a review
    assert.equal(s.launch.review, true);
    record(s.track, answers(s.data, 0, 2));
    put(s.track, "assessment", 2);
    let saved = null;
    s.track.finish(false, (ok) => { saved = ok; });
    assert.equal(saved, true);
    assert.deepEqual(lms.calls.filter((c) => /SetValue|Commit/.test(c.name)), [], fmt);
    assert.deepEqual(lms.calls.filter((c) => /GetLastError/.test(c.name)), []);
  }
});
