/* Storage full (setItem throws QuotaExceededError) or disabled (any use of localStorage throws SecurityError):
 * the statement queue keeps its statements in memory for the page's life and delivers them, the status line says
 * they would be lost with the window (lrs_volatile), the SCORM saver still gives the LMS everything and says when
 * closing may lose work, standalone runs for the visit. The same in Chromium with scorm-again and Ralph:
 * tests/browser/test_faults_storage.py. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page, courses, MemoryStorage } = require("./harness");
const { host, sco } = require("./lms");

const LRS = "https://lrs.example.org/xAPI/";
const ACTOR = { objectType: "Agent", name: "Ada", account: { homePage: "https://lms.example.org", name: "ada" } };
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const statement = (n) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, n });

/** Makes `window`'s storage full or disabled, as a browser does, before anything uses it. */
function block(window, mode) {
  if (mode === "full") {
    const full = new MemoryStorage();
    full.setItem = () => { throw new Error("QuotaExceededError: the quota has been exceeded"); };
    window.localStorage = full;
  } else {
    Object.defineProperty(window, "localStorage", { configurable: true, get() { throw new Error("SecurityError: access is denied"); } });
  }
  return window;
}

for (const mode of ["full", "disabled"]) {
  test(`storage ${mode}: the queue keeps statements in memory, says so, and delivers them while the page lives`, async () => {
    const window = block(page(["elearn-queue.js"]), mode);
    let online = false;
    const sent = [];
    const transport = (url, init) => {
      if (!online) return Promise.reject(new TypeError("Failed to fetch"));
      const list = JSON.parse(init.body);
      sent.push(...list.map((s) => s.id));
      return Promise.resolve({ status: 200, body: JSON.stringify(list.map((s) => s.id)) });
    };
    const changes = [];
    const q = window.Elearn.queue({ endpoint: LRS, registration: "r", auth: "Basic x", transport, base: 10, max: 40,
      onChange: (info) => changes.push(info) });
    assert.equal(q.add(statement(1)), false, "not durable");
    assert.equal(q.add(statement(2)), false);
    await wait(30);
    assert.equal(q.pending(), 2);
    assert.equal(q.state(), "waiting");
    const last = changes[changes.length - 1];
    assert.deepEqual([last.durable, last.pending], [false, 2]);
    online = true;
    const end = Date.now() + 3000;
    while (q.pending() && Date.now() < end) await wait(5);
    assert.equal(q.pending(), 0);
    assert.deepEqual(sent, [statement(1).id, statement(2).id]);
  });

  test(`storage ${mode}: the status line says lrs_volatile while statements wait only in memory`, async () => {
    const d = courses()["reflective-supervision-social-worker-xapi"];
    const window = block(page(["elearn-lrs.js", "elearn-queue.js", "elearn-xapi.js"]), mode);
    window.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    const said = [];
    const conn = { endpoint: LRS, auth: Promise.resolve("Basic x"), actor: ACTOR, registration: "6f1e2a50-1c1d-4b8e-9a55-3b2f8c1d0e77",
      sessionId: "s", courseId: d.xapi.activities.course, grouping: [], organisation: "" };
    const tracker = window.Elearn.xapi.launch(d, { lrs: conn }, null, (key) => said.push(key));
    tracker.page(d.pages.find((p) => p.kind === "content"), 0.1);
    const end = Date.now() + 3000;
    while (!said.includes("lrs_volatile") && Date.now() < end) await wait(5);
    assert.ok(said.includes("lrs_volatile"), said.join(", "));
    assert.ok(!said.includes("lrs_waiting"), "the warning that counts: nothing outlives the window");
  });

  test(`storage ${mode}: SCORM still gets everything; when the LMS refuses, closing may lose work; standalone runs for the visit`, async () => {
    const fmt = "scorm2004";
    const data = courses()[`runtime-variants-types-${fmt}`];
    const lms = host(fmt);
    const window = block(sco(["elearn.js", "elearn-state.js", "elearn-save.js", `adapter-${fmt}.js`, "adapter-standalone.js"], lms.window), mode);
    assert.equal(window.Elearn.save.storable(), false, "elearn.js's status line adds _no_storage where it matters");
    const adapter = window.Elearn.adapters[fmt](data);
    const launch = adapter.start();
    const said = [];
    const track = window.Elearn.save(adapter, launch, { key: "elearn-lms:k", held: 0, base: 10, max: 40, say: (k) => said.push(k) });
    track.put("setLocation", "page-1");
    assert.equal(track.commit(), true);
    assert.equal(lms.committed().location, "page-1");
    lms.setFault({ commit: "391" });
    track.put("setLocation", "page-2");
    assert.equal(track.commit(), false);
    assert.deepEqual(said, ["save_failed_volatile"]);
    lms.setFault({ commit: null });
    const end = Date.now() + 3000;
    while (!said.includes("save_recovered") && Date.now() < end) await wait(5);
    assert.equal(lms.committed().location, "page-2");

    const alone = window.Elearn.adapters.standalone(data);
    assert.equal(alone.start().entry, "ab-initio");
    assert.equal(alone.setLocation("assessment"), true);
    assert.equal(alone.finish(), false, "exit says exit_no_storage, not saved");
  });
}
