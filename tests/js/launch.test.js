/* What each launch asks of the packages, at the runtime's level (elearn-lrs.js, elearn-xapi.js, adapter-cmi5.js,
 * adapter-xapi.js) with the built programme's course data and a fake LMS/LRS: cmi5's launchMode, masteryScore,
 * returnURL and verdict rules; the tincan launch's pre-1.0 actor and kept registration; a SCORM launch with no
 * LRS, with a token URL, or naming an LRS the build does not allow. Whole sessions against Ralph stay in the
 * browser tests (test_xapi_launch.py keeps one of each kind). Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page, courses } = require("./harness");

const LMS = "http://127.0.0.1:9000";
const LRS = "http://127.0.0.1:9100/xAPI/";
const REGISTRATION = "6f1e2a50-1c1d-4b8e-9a55-3b2f8c1d0e77";
const ACTOR = { objectType: "Agent", name: "Ada", account: { homePage: LMS, name: "ada" } };
const FILES = ["elearn-lrs.js", "elearn-queue.js", "elearn-xapi.js", "adapter-cmi5.js", "adapter-xapi.js"];
const plain = (x) => JSON.parse(JSON.stringify(x));
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const data = (fmt) => JSON.parse(JSON.stringify(courses()[`reflective-supervision-social-worker-${fmt}`]));
const verbOf = (d) => (s) => Object.keys(d.xapi.vocabulary.verbs).find((v) => d.xapi.vocabulary.verbs[v].id === s.verb.id);
const COURSE_PAGE = (d) => d.pages.find((p) => p.kind === "content");

/** A fake LMS + LRS behind one fetch: the cmi5 fetch URL, LMS.LaunchData, State, agent profile, statements. */
function fakeLms(launchData) {
  const lms = { fetches: 0, requests: [], state: {}, statements: [] };
  lms.fetch = (url, init) => {
    const u = new URL(url);
    const method = (init && init.method) || "GET";
    lms.requests.push({ method, url, keepalive: !!(init && init.keepalive) });
    const reply = (status, body) => Promise.resolve({ status, text: () => Promise.resolve(body === undefined ? "" : JSON.stringify(body)),
      json: () => Promise.resolve(body) });
    if (u.pathname === "/fetch" || u.pathname === "/token") { lms.fetches += 1; return reply(200, { "auth-token": `token-${lms.fetches}` }); }
    const stateId = u.searchParams.get("stateId");
    if (u.pathname.endsWith("/activities/state") && stateId === "LMS.LaunchData") return reply(200, launchData);
    if (u.pathname.endsWith("/activities/state")) {
      if (method === "PUT") { lms.state[stateId] = JSON.parse(init.body); return reply(204); }
      return lms.state[stateId] ? reply(200, lms.state[stateId]) : reply(404, {});
    }
    if (u.pathname.endsWith("/agents/profile")) return reply(404, {});
    if (u.pathname.endsWith("/statements") && method === "GET") {
      const verb = u.searchParams.get("verb");
      return reply(200, { statements: lms.statements.filter((s) => s.verb.id === verb) });
    }
    if (u.pathname.endsWith("/statements")) {
      const list = JSON.parse(init.body);
      lms.statements.push(...list);
      return reply(200, list.map((s) => s.id));
    }
    return reply(404, {});
  };
  return lms;
}

const launchData = (d, extra) => Object.assign({ contextTemplate: { contextActivities: { grouping: [{ id: `${LMS}/au/1` }] },
  extensions: { [d.xapi.vocabulary.extensions.session]: "lms-session-1" } }, launchMode: "Normal", moveOn: "Passed" }, extra || {});
const cmi5Url = () => `http://127.0.0.1:8000/pkg/index.html?${new URLSearchParams({ endpoint: `${LMS}/xAPI/`, fetch: `${LMS}/fetch`,
  actor: JSON.stringify(ACTOR), registration: REGISTRATION, activityId: `${LMS}/activities/au-1` })}`;

/** A cmi5 launch: its page, adapter, launch and the statements' tracker (through the durable queue, to the fake LMS). */
async function cmi5(lms, d, tab) {
  const window = page(FILES, cmi5Url(), tab);
  window.fetch = lms.fetch;
  const adapter = window.Elearn.adapters.cmi5(d);
  const launch = await adapter.start();
  assert.ok(launch, "the launch starts");
  const said = [];
  const tracker = window.Elearn.xapi.launch(d, launch, null, (k) => said.push(k));
  return { window, adapter, launch, tracker, said };
}

/** Everything a learner does in a session, as elearn.js tells the tracker. */
function session(t, d, options) {
  const o = Object.assign({ verdicts: [[90, true]] }, options);
  t.page(COURSE_PAGE(d), 0.2);
  t.progress(false);
  const q = d.assessment.questions[0];
  o.verdicts.forEach(([score, passed], k) => {
    t.interaction({ id: q.id, type: q.interactionType, response: q.correct, isCorrect: passed }, k + 1);
    t.verdict(score, passed, k + 1);
  });
  t.progress(true);
}

for (const mode of ["Browse", "Review"]) {
  test(`cmi5 ${mode}: initialized and terminated only, and nothing saved for the learner`, async () => {
    const d = data("cmi5");
    const lms = fakeLms(launchData(d, { launchMode: mode }));
    const s = await cmi5(lms, d);
    assert.equal(s.launch.mode, mode.toLowerCase());
    assert.equal(s.launch.credit, "no-credit");
    session(s.tracker, d);
    s.adapter.setLocation("assessment");
    s.adapter.setStatus(true, true);
    s.adapter.commit();
    s.adapter.finish();
    await s.tracker.end(1, false);
    await s.tracker.queue.flush();
    assert.deepEqual(lms.statements.map(verbOf(d)), ["initialized", "terminated"]);
    assert.deepEqual(lms.requests.filter((r) => r.method === "PUT"), [], "no State document written");
  });
}

test("cmi5: the launch's masteryScore replaces the pass mark and rides on both verdicts; the organisation from launchParameters", async () => {
  const d = data("cmi5");
  const lms = fakeLms(launchData(d, { masteryScore: 0.5, launchParameters: JSON.stringify({ organisation: "council-a" }) }));
  const s = await cmi5(lms, d);
  assert.equal(s.launch.passMark, 50);
  s.tracker.verdict(60, true, 1);
  await s.tracker.queue.flush();
  const passed = lms.statements.filter((x) => verbOf(d)(x) === "passed");
  assert.equal(passed.length, 2, "the assessment's and cmi5's on the AU");
  for (const x of passed) {
    assert.equal(x.result.score.scaled, 0.6);
    assert.equal(x.context.extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"], 0.5);
  }
  assert.deepEqual([...new Set(lms.statements.map((x) => x.context.extensions[d.xapi.vocabulary.extensions.organisation]))], ["council-a"]);
});

test("cmi5: one verdict per session; a failure waits for the session's end unless no attempt is left", async () => {
  const d = data("cmi5");
  assert.equal(d.assessment.attempts, 3);
  const au = `${LMS}/activities/au-1`;
  const onAu = (verb) => (x) => verbOf(d)(x) === verb && x.object.id === au;
  const lms = fakeLms(launchData(d));
  const first = await cmi5(lms, d);
  first.tracker.verdict(20, false, 1);
  await first.tracker.queue.flush();
  assert.equal(lms.statements.filter(onAu("failed")).length, 0, "the failure waits");
  await first.tracker.end(0.5, false);
  assert.equal(lms.statements.filter(onAu("failed")).length, 1, "sent at the session's end");

  const second = await cmi5(lms, d); // a new launch of the same registration (a new page: a new fetch)
  second.tracker.verdict(20, false, 2);
  await second.tracker.queue.flush();
  assert.equal(lms.statements.filter(onAu("failed")).length, 1);
  second.tracker.verdict(30, false, 3); // the last attempt: final, at once
  await second.tracker.queue.flush();
  assert.equal(lms.statements.filter(onAu("failed")).length, 2);
  await second.tracker.end(0.5, false);
  assert.equal(lms.statements.filter(onAu("failed")).length, 2, "not again at the end");

  const third = await cmi5(lms, d); // a pass in a session replaces its waiting failure
  third.tracker.verdict(20, false, 1);
  third.tracker.verdict(90, true, 2);
  await third.tracker.end(1, false);
  assert.equal(lms.statements.filter(onAu("failed")).length, 2);
  assert.equal(lms.statements.filter(onAu("passed")).length, 1);
});

test("cmi5: exit follows the returnURL once the statements are sent; a javascript: returnURL is refused and never followed", async () => {
  for (const [returnURL, follows] of [[`${LMS}/back?x=1`, true], ["javascript:window.top.pwned = 1", false], [" JaVaScRiPt:x=1", false]]) {
    const d = data("cmi5");
    const lms = fakeLms(launchData(d, { returnURL }));
    const s = await cmi5(lms, d);
    const went = [];
    s.window.location.assign = (url) => went.push([url, lms.statements.map(verbOf(d))]);
    assert.deepEqual(s.said, follows ? [] : ["return_refused"], returnURL);
    s.tracker.page(COURSE_PAGE(d), 0.1);
    await s.tracker.end(0.1, false);
    if (follows) assert.deepEqual(went, [[returnURL, ["initialized", "experienced", "suspended", "terminated"]]]);
    else assert.deepEqual(went, []);
  }
});

test("tincan launch: a pre-1.0 actor becomes a 1.0 Agent; without a registration one is made once and kept", async () => {
  const d = data("xapi");
  const actor = { name: ["Ada Okafor"], mbox: ["ada@example.org"] };
  const url = `http://127.0.0.1:8000/pkg/index.html?${new URLSearchParams({ endpoint: LRS, auth: "Basic abc", actor: JSON.stringify(actor),
    activity_id: "https://example.org/stage", organisation: "council-b" })}`;
  const lms = fakeLms({});
  let tab = null;
  const registrations = [];
  for (let launch = 0; launch < 2; launch += 1) {
    const window = page(FILES, url, tab);
    tab = { localStorage: window.localStorage, sessionStorage: window.sessionStorage };
    window.fetch = lms.fetch;
    const started = await window.Elearn.adapters.xapi(d).start();
    assert.ok(started);
    registrations.push(started.lrs.registration);
    assert.deepEqual(plain(started.lrs.actor), { objectType: "Agent", name: "Ada Okafor", mbox: "mailto:ada@example.org" });
    assert.equal(started.lrs.organisation, "council-b");
    assert.equal(started.lrs.courseId, "https://example.org/stage");
  }
  assert.equal(registrations[0], registrations[1]);
  assert.match(registrations[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const other = page(FILES, url.replace("Ada+Okafor", "Bo"), null); // another browser: another registration
  other.fetch = lms.fetch;
  assert.notEqual((await other.Elearn.adapters.xapi(d).start()).lrs.registration, registrations[0]);
  const L = page(["elearn-lrs.js"]).Elearn.lrs;
  assert.deepEqual(plain(L.agent({ account: [{ accountServiceHomePage: "https://lms", accountName: "7" }], mbox: "x@y" })),
    { objectType: "Agent", account: { homePage: "https://lms", name: "7" } });
  assert.equal(L.agent("{not json"), null);
  assert.equal(L.agent({ name: "no identifier" }), null);
});

/** The LRS a SCORM package reaches from `query` with the build's `settings` (data.xapi.lrs), and what the status line said. */
function scorm(query, settings) {
  const d = data("scorm2004");
  d.xapi.lrs = settings || {};
  const window = page(["elearn-lrs.js", "elearn-queue.js", "elearn-xapi.js"],
    `http://127.0.0.1:8000/pkg/index.html?${new URLSearchParams(query)}`);
  const asked = [];
  window.fetch = (url, init) => { asked.push([url, init.method]); return Promise.resolve({ status: 200, json: () => Promise.resolve({ "auth-token": "t" }), text: () => Promise.resolve("[]") }); };
  const said = [];
  const tracker = window.Elearn.xapi.launch(d, { learner: { id: "learner-7", name: "Okafor, Ada" } }, null, (k) => said.push(k));
  return { tracker, said, asked, window };
}

test("SCORM without an LRS records in SCORM only: no tracker, no request", () => {
  const s = scorm({});
  assert.equal(s.tracker, null);
  assert.deepEqual(s.said, []);
  assert.deepEqual(s.asked, []);
});

test("SCORM with an allowed endpoint and a token URL: the credentials asked once, the actor the LMS's learner", async () => {
  const s = scorm({ endpoint: LRS, token_url: `${LMS}/token` }, { origins: [new URL(LRS).origin] });
  assert.ok(s.tracker);
  s.tracker.page(COURSE_PAGE(data("scorm2004")), 0.1);
  await s.tracker.end(0.1, false);
  await wait(5);
  assert.deepEqual(s.asked.filter(([u]) => u.startsWith(LMS)), [[`${LMS}/token`, "POST"]]);
  const conn = s.window.Elearn.active.conn;
  assert.equal(await conn.auth, "Basic t");
  assert.deepEqual(plain(conn.actor), { objectType: "Agent", name: "Okafor, Ada", account: { homePage: "http://127.0.0.1:8000", name: "learner-7" } });
});

for (const [name, query, settings] of [
  ["the build's token URL", { endpoint: LRS }, { tokenUrl: `${LMS}/token` }],
  ["the link's token URL", { endpoint: LRS, token_url: `${LMS}/token` }, {}],
  ["an origin the build does not allow", { endpoint: LRS, auth: "Basic x" }, { origins: ["https://lrs.example.org"] }],
]) {
  test(`a SCORM launch naming an LRS the build does not allow sends nothing (${name}); the status line says so`, () => {
    const s = scorm(query, settings);
    assert.equal(s.tracker, null);
    assert.deepEqual(s.said, ["lrs_refused"]);
    assert.deepEqual(s.asked, [], "no token fetched, no statement sent");
  });
}

test("the page going away: xAPI and SCORM send suspended and terminated with keepalive; cmi5 (maybe a reload) only what is queued", async () => {
  for (const fmt of ["xapi", "scorm2004", "cmi5"]) {
    const d = data(fmt);
    const lms = fakeLms(launchData(d));
    let window;
    let tracker;
    if (fmt === "cmi5") ({ window, tracker } = await cmi5(lms, d));
    else {
      const query = { endpoint: `${LMS}/xAPI/`, auth: "Basic x", actor: JSON.stringify(ACTOR) };
      if (fmt === "scorm2004") d.xapi.lrs = { origins: [LMS] };
      window = page(FILES, `http://127.0.0.1:8000/pkg/index.html?${new URLSearchParams(query)}`);
      window.fetch = lms.fetch;
      const launch = fmt === "xapi" ? await window.Elearn.adapters.xapi(d).start() : { learner: { id: "7" } };
      tracker = window.Elearn.xapi.launch(d, launch, null, () => {});
    }
    tracker.page(COURSE_PAGE(d), 0.3);
    await tracker.queue.flush();
    const before = lms.requests.length;
    lms.fetch = ((inner) => (url, init) => (init && init.keepalive ? inner(url, init) : new Promise(() => {})))(lms.fetch); // only keepalive gets out
    tracker.queue.add({ id: "00000000-0000-4000-8000-000000000001", verb: { id: "x" }, actor: ACTOR, object: { id: "y" } });
    await tracker.end(0.3, true);
    const sent = lms.requests.slice(before).filter((r) => r.method === "POST" && r.keepalive);
    const last = lms.statements.slice(-3).map((s) => verbOf(d)(s) || "queued");
    if (fmt === "cmi5") assert.deepEqual(last.slice(-1), ["queued"], "cmi5: no suspended or terminated at pagehide");
    else assert.deepEqual(last, ["queued", "suspended", "terminated"], fmt);
    assert.equal(sent.length, 1, `${fmt}: one keepalive POST`);
    assert.ok(window.Elearn.active.queue.pending() === 0);
  }
});
