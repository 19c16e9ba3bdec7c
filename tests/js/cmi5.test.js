/* The cmi5 launch (adapter-cmi5.js) and its statements (elearn-xapi.js) against a fake LMS: one fetch per
 * launch, kept through a reload; a failed fetch reported; the context template's values kept; an LMS that
 * answers {"success": true} is never taken for a State document. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./harness");

const plain = (x) => JSON.parse(JSON.stringify(x)); // objects of the page's realm, compared as JSON
const FILES = ["elearn-lrs.js", "elearn-queue.js", "elearn-xapi.js", "adapter-cmi5.js"];
const ADL = "http://adlnet.gov/expapi/verbs/";
const CMI5 = "https://w3id.org/xapi/cmi5/";
const IRI = "https://example.org/course";
const SESSION = `${CMI5}context/extensions/sessionid`;
const LMS = "http://127.0.0.1:9000";
const VERBS = ["initialized", "resumed", "experienced", "completed", "passed", "failed", "suspended", "terminated", "answered"];

/** The smallest course data the tracker reads. */
function courseData() {
  const verbs = Object.fromEntries(VERBS.map((v) => [v, { id: ADL + v, display: { "en-GB": v, en: v, "en-US": v } }]));
  return {
    programme: { iri: IRI, title: "Course", language: "en-GB" },
    stage: { id: "stage-1", title: "Stage 1" },
    modules: [],
    assessment: { attempts: 3, title: "Check" },
    xapi: {
      organisation: "",
      activities: { course: `${IRI}/stage-1`, page: `${IRI}/page/{id}`, assessment: `${IRI}/assessment` },
      vocabulary: {
        verbs,
        category: { id: `${IRI}/profile/v1` },
        activityTypes: { course: "http://adlnet.gov/expapi/activities/course", lesson: "lesson", assessment: "assessment" },
        extensions: { session: SESSION, stage: `${IRI}/ext/stage`, organisation: `${IRI}/ext/org`,
          progress: `${CMI5}result/extensions/progress`, attempt: `${IRI}/ext/attempt` },
      },
    },
  };
}

/** A fake cmi5 LMS: fetch URL, LMS.LaunchData, State, statements. `kind`: "strict" (one fetch, then 403),
 *  "xblock" (a token per fetch; {"success": true} for everything but LaunchData and PUT statements). */
function fakeLms(kind, launchData) {
  const lms = { fetches: 0, requests: [], state: {}, statements: [] };
  lms.fetch = (url, init) => {
    const u = new URL(url);
    const method = (init && init.method) || "GET";
    lms.requests.push(`${method} ${u.pathname}`);
    const reply = (status, body) => Promise.resolve({ status, text: () => Promise.resolve(body === undefined ? "" : JSON.stringify(body)),
      json: () => Promise.resolve(body) });
    if (u.pathname === "/fetch") {
      lms.fetches += 1;
      if (kind === "strict" && lms.fetches > 1) return reply(403, { "error-code": "1", "error-text": "already in use" });
      return reply(200, { "auth-token": `token-${lms.fetches}` });
    }
    const stateId = u.searchParams.get("stateId");
    if (u.pathname === "/xAPI/activities/state" && stateId === "LMS.LaunchData") return reply(200, launchData);
    if (kind === "xblock") {
      if (u.pathname === "/xAPI/statements" && method === "PUT") { lms.statements.push(JSON.parse(init.body)); return reply(204); }
      return reply(200, { success: true });
    }
    if (u.pathname === "/xAPI/activities/state") {
      if (method === "PUT") { lms.state[stateId] = init.body; return reply(204); }
      return lms.state[stateId] ? reply(200, JSON.parse(lms.state[stateId])) : reply(404, { error: "none" });
    }
    if (u.pathname === "/xAPI/agents/profile") return reply(404, { error: "none" });
    if (u.pathname === "/xAPI/statements" && method === "GET") {
      const verb = u.searchParams.get("verb");
      return reply(200, { statements: lms.statements.filter((s) => s.verb.id === verb) });
    }
    if (u.pathname === "/xAPI/statements") {
      const list = JSON.parse(init.body);
      lms.statements.push(...list);
      return reply(200, list.map((s) => s.id));
    }
    return reply(404, {});
  };
  return lms;
}

const REGISTRATION = "6f1e2a50-1c1d-4b8e-9a55-3b2f8c1d0e77";
const ACTOR = { objectType: "Agent", name: "Ada", account: { homePage: LMS, name: "ada" } };
const launchUrl = () => `http://127.0.0.1:8000/pkg/index.html?${new URLSearchParams({
  endpoint: `${LMS}/xAPI/`, fetch: `${LMS}/fetch`, actor: JSON.stringify(ACTOR), registration: REGISTRATION,
  activityId: `${LMS}/activities/au-1` })}`;

/** One page of the launch in a tab: its window, the adapter and what start() gave. */
async function open(lms, tab, navigation) {
  const window = page(FILES, launchUrl(), tab, navigation);
  window.fetch = lms.fetch;
  const adapter = window.Elearn.adapters.cmi5(courseData());
  const launch = await adapter.start();
  return { window, adapter, launch };
}

const spec = (extra) => Object.assign({ contextTemplate: { contextActivities: { grouping: [{ id: "https://example.org/au/1" }] },
  extensions: { [SESSION]: "lms-session-1" } }, launchMode: "Normal", moveOn: "Passed" }, extra || {});
const xblock = () => ({ contextTemplate: { registration: REGISTRATION, contextActivities: { parent: [{ id: "https://example.org/course",
  definition: { name: { "en-US": "Course" } } }] } }, launchMode: "Normal", launchParameters: "" });

test("a reload of the page keeps the launch's token and session: one fetch, no second initialized", async () => {
  const lms = fakeLms("strict", spec());
  const first = await open(lms, null, "navigate");
  assert.ok(first.launch, "the first page starts");
  const made = [];
  first.window.Elearn.xapi(courseData(), first.launch.lrs, { sink: (s) => made.push(s) }).begin(false);
  const again = await open(lms, first.window, "reload");
  assert.ok(again.launch, "the reloaded page starts");
  assert.equal(lms.fetches, 1);
  assert.equal(await again.launch.lrs.auth, await first.launch.lrs.auth);
  assert.equal(again.launch.lrs.sessionId, "lms-session-1");
  again.window.Elearn.xapi(courseData(), again.launch.lrs, { sink: (s) => made.push(s) }).begin(true);
  assert.deepEqual(made.map((s) => s.verb.id), [`${ADL}initialized`]); // the session goes on
});

test("a second fetch refused by the LMS is reported, not a quiet standalone", async () => {
  const lms = fakeLms("strict", spec());
  await open(lms, null, "navigate");
  const other = await open(lms, null, "navigate"); // another tab: nothing kept, the fetch URL is spent
  assert.equal(other.launch, null);
  assert.equal(other.adapter.failure, "lms_token_failed");
  assert.equal(lms.fetches, 2);
});

test("an LMS without a session id (the Open edX XBlock): one made per launch and kept for the reload", async () => {
  const lms = fakeLms("xblock", xblock());
  const first = await open(lms, null, "navigate");
  const again = await open(lms, first.window, "reload");
  assert.equal(lms.fetches, 1);
  assert.match(first.launch.lrs.sessionId, /^[0-9a-f-]{36}$/);
  assert.equal(again.launch.lrs.sessionId, first.launch.lrs.sessionId);
  const fresh = await open(lms, first.window, "navigate"); // a new launch in the same tab: a new fetch, a new session
  assert.equal(lms.fetches, 2);
  assert.notEqual(fresh.launch.lrs.sessionId, first.launch.lrs.sessionId);
});

test("{\"success\": true} is not our State document nor learner preferences", async () => {
  const lms = fakeLms("xblock", xblock());
  const { launch } = await open(lms, null, "navigate");
  assert.equal(launch.entry, "ab-initio");
  assert.equal(launch.suspendData, "");
  assert.equal(launch.learnerPreferences, null);
  assert.deepEqual(plain(launch.recorded), { completed: false, passed: null });
});

test("the context template's values arrive unchanged; ours are merged under them", async () => {
  const template = { registration: "0e0e0e0e-1111-4222-8333-444444444444", language: "cy-GB",
    contextActivities: { grouping: [{ id: "https://example.org/au/1" }], parent: { id: "https://example.org/parent" } },
    extensions: { [SESSION]: "lms-session-9", "https://lms.example.org/ext/tenant": "t-1" } };
  const lms = fakeLms("strict", spec({ contextTemplate: template }));
  const { window, launch } = await open(lms, null, "navigate");
  const made = [];
  const tracker = window.Elearn.xapi(courseData(), launch.lrs, { sink: (s) => made.push(s) });
  tracker.begin(false);
  tracker.page({ id: "p1", title: "Page 1", kind: "content" }, 0.5);
  tracker.progress(false);
  tracker.progress(true);
  tracker.end(1, false);
  assert.equal(made.length, 5);
  for (const s of made) {
    assert.equal(s.context.registration, template.registration);
    assert.equal(s.context.language, "cy-GB");
    assert.equal(s.context.extensions[SESSION], "lms-session-9");
    assert.equal(s.context.extensions["https://lms.example.org/ext/tenant"], "t-1");
    assert.deepEqual(plain(s.context.contextActivities.grouping[0]), { id: "https://example.org/au/1" });
    assert.deepEqual(plain(s.context.contextActivities.parent[0]), { id: "https://example.org/parent" });
    const ids = s.context.contextActivities.grouping.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, "no activity twice");
  }
});

test("cmi5 completed and passed are dropped when the LRS already has them in the registration", async () => {
  const lms = fakeLms("strict", spec());
  const earlier = { id: "11111111-1111-4111-8111-111111111111", actor: ACTOR, verb: { id: `${ADL}completed` },
    object: { id: `${LMS}/activities/au-1` }, context: { registration: REGISTRATION } };
  const { window, launch } = await open(lms, null, "navigate");
  assert.equal(launch.recorded.completed, false);
  lms.statements.push(earlier); // another browser completes while this one runs
  const tracker = window.Elearn.xapi.start(courseData(), launch.lrs, {});
  tracker.begin(false);
  tracker.progress(false);
  tracker.progress(true); // completed: made, asked about, dropped
  await tracker.queue.flush();
  const completed = lms.statements.filter((s) => s.verb.id === `${ADL}completed`);
  assert.deepEqual(completed.map((s) => s.id), [earlier.id]);
  assert.equal(tracker.queue.pending(), 0);
  assert.ok(lms.requests.some((r) => r === "GET /xAPI/statements"));
});

test("a launch whose registration is completed and passed knows it before the learner does anything", async () => {
  const lms = fakeLms("strict", spec());
  for (const verb of ["completed", "passed"]) {
    lms.statements.push({ id: `${verb}-1`, verb: { id: ADL + verb }, object: { id: `${LMS}/activities/au-1` } });
  }
  const { launch } = await open(lms, null, "navigate");
  assert.deepEqual(plain(launch.recorded), { completed: true, passed: true });
});

test("a State PUT answered 200 {\"success\": true} is not stored: kept in the browser, PUT again, the learner told", async () => {
  const window = page(["elearn-lrs.js", "elearn-queue.js"]);
  const puts = [];
  const answers = [{ status: 200, body: { success: true } }, { status: 200, body: { success: true } }, { status: 204 }];
  window.fetch = (url, init) => {
    puts.push(init.method);
    const a = answers.shift();
    return Promise.resolve({ status: a.status, text: () => Promise.resolve(a.body ? JSON.stringify(a.body) : "") });
  };
  const told = [];
  const conn = { endpoint: `${LMS}/xAPI/`, auth: Promise.resolve("Basic x"), actor: ACTOR, say: (key) => told.push(key) };
  const store = window.Elearn.lrs.stateStore(conn, { activityId: "a", registration: REGISTRATION, stateId: "s" });
  await store.save({ location: "p1" });
  assert.deepEqual(told, ["state_unconfirmed"]);
  assert.equal(JSON.parse(window.localStorage.getItem(store.key)).location, "p1");
  await store.save({ location: "p2" });
  await store.save({ location: "p3" });
  assert.deepEqual(puts, ["PUT", "PUT", "PUT"]);
  assert.deepEqual(told, ["state_unconfirmed"]); // said once
});
