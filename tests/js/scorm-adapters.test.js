/* adapter-scorm12.js and adapter-scorm2004.js through Elearn.connect (elearn.js) against the real scorm-again
 * (the browser tests' LMS), with the built courses' own questions: every question type of every SCORM package
 * answered right and wrong, every rating, the score, status, progress, bookmark, suspend data and exit, each
 * value taken by scorm-again (GetLastError 0) and held exactly as the format table says. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { courses } = require("./harness");
const { host, sco, resumeCmi } = require("./lms");
const A = require("./answers");

const FORMATS = ["scorm12", "scorm2004"];
const FILES = (fmt) => ["elearn.js", `adapter-${fmt}.js`];
const TIME_12 = /^\d{2}:\d{2}:\d{2}$/;
const TIMESTAMP_2004 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?Z$/;
const SESSION_TIME = { scorm12: /^\d{4}:\d{2}:\d{2}\.\d{2}$/, scorm2004: /^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$/ };
const ALWAYS_READ = { scorm12: [], scorm2004: ["cmi.location", "cmi.suspend_data"] }; // 403 before they are set (sco.py)
const plain = (x) => JSON.parse(JSON.stringify(x));

/** The SCORM packages of both courses in `fmt` with an assessment. */
const packages = (fmt) => Object.keys(courses()).filter((name) => name.endsWith(`-${fmt}`));

/** A launch of `fmt`'s adapter in a frame of the test LMS; returns {lms, adapter, launch, window}. */
function launch(fmt, data, config) {
  const lms = host(fmt, config);
  const window = sco(FILES(fmt), lms.window);
  const adapter = window.Elearn.adapters[fmt](data);
  assert.ok(adapter, "the adapter finds the LMS's API through window.parent");
  return { lms, adapter, launch: adapter.start(), window };
}

/** Calls that answered with an error other than a first read of what is not set yet. */
const failures = (lms, fmt) => lms.calls.filter((c) => c.error !== null && c.error !== "0"
  && !(/GetValue$/.test(c.name) && c.error === "403" && ALWAYS_READ[fmt].includes(c.args[0])));

for (const fmt of FORMATS) {
  test(`${fmt}: every question type of every package, right and wrong, and every rating is held as the format table says`, () => {
    const names = packages(fmt);
    assert.ok(names.length >= 7, names.join(", "));
    const types = new Set();
    for (const name of names) {
      const data = courses()[name];
      const { lms, adapter, launch: started } = launch(fmt, data);
      assert.ok(started, `${name}: a session starts`);
      const wanted = [];
      let n = 0;
      const points = A.points(data, 1);
      data.selfAssessment.statements.forEach((s, i) => {
        assert.equal(adapter.recordInteraction(A.rating(s, points[i], n)), true);
        wanted.push(A.expectedRating(s, points[i], fmt));
        n += 1;
      });
      for (const q of data.assessment.questions) {
        for (const response of [A.right(q), A.wrong(q)]) {
          types.add(q.type);
          assert.equal(adapter.recordInteraction(A.interaction(q, response, n)), true, `${name} ${q.id}`);
          wanted.push(A.expected(q, response, fmt));
          n += 1;
        }
      }
      assert.equal(adapter.commit(), true);
      assert.deepEqual(failures(lms, fmt), [], `${name}: calls scorm-again refused`);
      const held = lms.cmi().interactions;
      assert.deepEqual(Object.keys(held).sort((a, b) => a - b), wanted.map((w, k) => String(k)));
      const sent = {}; // what the adapter wrote (scorm-again's rendering maps some values: 1.2's "incorrect" to "wrong")
      lms.calls.filter((c) => /SetValue$/.test(c.name)).forEach((c) => { sent[c.args[0]] = c.args[1]; });
      wanted.forEach((want, k) => {
        const got = held[String(k)];
        ["id", "type", "result", "student_response", "learner_response", "weighting", "description"].filter((key) => want[key])
          .forEach((key) => assert.equal(sent[`cmi.interactions.${k}.${key}`], want[key], `${name} interaction ${k} ${key} as written`));
        assert.deepEqual(Object.fromEntries(Object.keys(want).map((key) => [key, plain(got[key])])), want, `${name} interaction ${k}`);
        if (fmt === "scorm12") {
          assert.match(got.time, TIME_12);
          assert.ok(got.student_response.length <= 255);
        } else assert.match(got.timestamp, TIMESTAMP_2004);
      });
    }
    assert.deepEqual([...types].sort(), ["choice", "fill-in", "long-fill-in", "matching", "multiple-response", "sequencing", "true-false"]);
  });

  test(`${fmt}: status, score, progress, bookmark and suspend data; exit suspends with the session time, commits, then finishes`, () => {
    const data = courses()[`runtime-variants-types-${fmt}`];
    const cases = [[false, null], [true, null], [true, false], [true, true], [false, false]];
    for (const [completed, passed] of cases) {
      const { lms, adapter } = launch(fmt, data);
      assert.equal(adapter.setLocation("assessment"), true);
      assert.equal(adapter.setSuspendData('{"v":2}'), true);
      assert.equal(adapter.setProgress(0.5), true);
      assert.equal(adapter.setScore(67), true);
      assert.equal(adapter.setStatus(completed, passed), true);
      assert.equal(adapter.finish(), true);
      assert.deepEqual(failures(lms, fmt), []);
      const cmi = lms.cmi();
      const made = lms.calls.filter((c) => c.error !== null).map((c) => c.name);
      if (fmt === "scorm12") {
        const status = !completed ? "incomplete" : (passed === null ? "completed" : (passed ? "passed" : "failed"));
        assert.deepEqual([cmi.core.lesson_status, cmi.core.score.raw, cmi.core.score.min, cmi.core.score.max, cmi.core.lesson_location,
          cmi.core.exit], [status, "67", "0", "100", "assessment", "suspend"]);
        assert.deepEqual(made.slice(-2), ["LMSCommit", "LMSFinish"]);
        const time = lms.calls.find((c) => c.args[0] === "cmi.core.session_time");
        assert.match(time.args[1], SESSION_TIME.scorm12);
      } else {
        assert.deepEqual([cmi.completion_status, cmi.success_status, cmi.score.scaled, cmi.score.raw, cmi.progress_measure, cmi.location,
          cmi.exit], [completed ? "completed" : "incomplete", passed === null ? "unknown" : (passed ? "passed" : "failed"), "0.67", "67",
          "0.5", "assessment", "suspend"]);
        assert.deepEqual(made.slice(-2), ["Commit", "Terminate"]);
        const time = lms.calls.find((c) => c.args[0] === "cmi.session_time");
        assert.match(time.args[1], SESSION_TIME.scorm2004);
      }
      assert.equal(cmi.suspend_data, '{"v":2}');
    }
  });

  test(`${fmt}: a relaunch reads the bookmark, suspend data, recorded status, learner and interaction count`, () => {
    const data = courses()[`runtime-variants-types-${fmt}`];
    const first = launch(fmt, data);
    assert.equal(first.launch.location, "");
    assert.equal(first.launch.interactions, 0);
    assert.equal(first.launch.review, false);
    assert.deepEqual(plain(first.launch.learner), { id: "learner-0042", name: "Okafor, Ada" });
    assert.deepEqual(plain(first.launch.recorded), { completed: false, passed: null });
    const q = data.assessment.questions[0];
    first.adapter.recordInteraction(A.interaction(q, A.right(q), 0));
    first.adapter.setLocation("cpd-record");
    first.adapter.setSuspendData("state");
    first.adapter.setScore(80);
    first.adapter.setStatus(true, true);
    first.adapter.finish();
    const again = launch(fmt, data, { cmi: resumeCmi(first.lms.cmi(), fmt), entry: "resume" });
    assert.deepEqual([again.launch.location, again.launch.suspendData, again.launch.interactions], ["cpd-record", "state", 1]);
    assert.deepEqual(plain(again.launch.recorded), { completed: true, passed: true });
    assert.deepEqual(failures(again.lms, fmt), []);
  });

  test(`${fmt}: text escapes, long text and surrogate pairs never break the LMS's format`, () => {
    const data = courses()[`runtime-variants-types-${fmt}`];
    const q = data.assessment.questions.find((x) => x.type === "fill-in");
    const long = data.assessment.questions.find((x) => x.type === "long-fill-in");
    const { lms, adapter } = launch(fmt, data);
    const odd = `{case}[,]a[.]b\n\nnext line ${"\u{1F600}".repeat(200)}`;
    adapter.recordInteraction(A.interaction(q, odd, 0));
    adapter.recordInteraction(A.interaction(long, `${"w".repeat(3999)}\u{1F600}`, 1));
    assert.equal(adapter.commit(), true);
    assert.deepEqual(failures(lms, fmt), []);
    const held = lms.cmi().interactions;
    if (fmt === "scorm12") {
      const response = held["0"].student_response;
      assert.ok(response.length <= 255 && !/\n/.test(response) && !/[\ud800-\udbff]$/.test(response), response);
      assert.ok(held["1"].student_response.length <= 255);
    } else {
      const response = held["0"].learner_response;
      assert.ok(response.length <= 250 && !/[\ud800-\udbff]$/.test(response), response);
      assert.ok(response.startsWith(" {case}[ ,]a[ .]b \u00b6 next line"), response);
      assert.equal(held["1"].learner_response, "w".repeat(3999)); // 4000 units would split the pair: cut before it
    }
  });
}

test("scorm12: written answers also go to cmi.comments, appended, the newest kept at 4096 characters", () => {
  const data = courses()["runtime-variants-types-scorm12"];
  const long = data.assessment.questions.find((x) => x.type === "long-fill-in");
  const { lms, adapter } = launch("scorm12", data);
  adapter.recordInteraction(A.interaction(long, "first answer", 0));
  adapter.recordInteraction(A.interaction(long, "second\nanswer", 1));
  adapter.commit();
  assert.equal(lms.cmi().comments, `[${long.id}] first answer\n[${long.id}] second\nanswer`);
  adapter.recordInteraction(A.interaction(long, "x".repeat(5000), 2));
  adapter.commit();
  const comments = lms.cmi().comments;
  assert.equal(comments.length, 4096);
  assert.ok(comments.endsWith("x".repeat(4000)));
  assert.deepEqual(failures(lms, "scorm12"), []);
  const again = launch("scorm12", data, { cmi: resumeCmi(lms.cmi(), "scorm12"), entry: "resume" });
  again.adapter.recordInteraction(A.interaction(long, "third", 3));
  again.adapter.commit();
  assert.ok(again.lms.cmi().comments.endsWith(`\n[${long.id}] third`), "appended to what the LMS held");
});

test("scorm2004: an interaction description is one line of at most 250 characters", () => {
  const data = courses()["runtime-variants-types-scorm2004"];
  const q = Object.assign({}, data.assessment.questions[0], { lmsDescription: `line one\n\n   ${"d".repeat(400)}` });
  const { lms, adapter } = launch("scorm2004", data);
  adapter.recordInteraction(A.interaction(q, A.right(q), 0));
  adapter.commit();
  assert.equal(lms.cmi().interactions["0"].description, `line one ${"d".repeat(241)}`);
});
