/* adapter-standalone.js: with no LMS, progress stays in this browser under one key per programme, stage, version
 * and format, and resumes; storage that fails loses nothing while the page lives. And the SCORM adapters fall back
 * to it: no API, or an LMS that refuses Initialize (only the refused Initialize reaches it). Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page, courses, MemoryStorage } = require("./harness");
const { host, sco } = require("./lms");

const plain = (x) => JSON.parse(JSON.stringify(x));

for (const fmt of ["scorm12", "scorm2004"]) {
  test(`${fmt}: standalone keeps the bookmark, suspend data and status under one key per programme, stage, version and format`, () => {
    const data = courses()[`runtime-variants-quiet-${fmt}`];
    const first = page(["adapter-standalone.js"]);
    const a = first.Elearn.adapters.standalone(data);
    assert.deepEqual(plain(a.start()), { entry: "ab-initio", location: "", suspendData: "", credit: "no-credit", mode: "normal" });
    a.setLocation("assessment");
    a.setSuspendData('{"v":2}');
    a.setStatus(false, false);
    assert.equal(a.commit(), true);
    assert.equal(a.finish(), true);
    const key = `elearn:${data.programme.id}:${data.stage.id}:${data.programme.version}:${fmt}`;
    assert.equal(key, `elearn:runtime-variants:quiet:0.1.0:${fmt}`);
    assert.deepEqual(Array.from(first.localStorage.items.keys()), [key]);
    const again = page(["adapter-standalone.js"], undefined, { localStorage: first.localStorage, sessionStorage: new MemoryStorage() });
    assert.deepEqual(plain(again.Elearn.adapters.standalone(data).start()),
      { entry: "resume", location: "assessment", suspendData: '{"v":2}', credit: "no-credit", mode: "normal" });
    const other = Object.assign({}, data, { format: fmt === "scorm12" ? "scorm2004" : "scorm12" });
    assert.equal(again.Elearn.adapters.standalone(other).start().entry, "ab-initio", "another format's package keeps its own");
  });

  test(`${fmt}: no LMS, or one that refuses Initialize: the adapter gives no session and only Initialize reached the LMS`, () => {
    const data = courses()[`runtime-variants-quiet-${fmt}`];
    const alone = page(["elearn.js", `adapter-${fmt}.js`]);
    assert.equal(alone.Elearn.adapters[fmt](data), null, "no API anywhere: standalone, status no_lms");
    const lms = host(fmt, { refuseInitialize: true });
    const window = sco(["elearn.js", `adapter-${fmt}.js`], lms.window);
    const adapter = window.Elearn.adapters[fmt](data);
    assert.equal(adapter.start(), null, "elearn.js then runs standalone and says lms_error");
    assert.deepEqual(lms.calls.filter((c) => c.error !== null).map((c) => c.name), [fmt === "scorm12" ? "LMSInitialize" : "Initialize"]);
  });
}

test("storage that throws: standalone still runs for this visit, and says nothing is kept", () => {
  const data = courses()["runtime-variants-quiet-scorm2004"];
  const broken = new MemoryStorage();
  broken.getItem = () => { throw new Error("SecurityError"); };
  broken.setItem = () => { throw new Error("QuotaExceededError"); };
  const window = page(["elearn-save.js", "adapter-standalone.js"], undefined, { localStorage: broken, sessionStorage: new MemoryStorage() });
  const a = window.Elearn.adapters.standalone(data);
  assert.equal(a.start().entry, "ab-initio");
  assert.equal(a.setLocation("assessment"), true);
  assert.equal(a.commit(), true, "the status line said so at start: nothing to retry");
  assert.equal(a.finish(), false, "nothing will outlive this window (exit_no_storage)");
  assert.equal(window.Elearn.save.storable(), false, "elearn.js says no_lms_no_storage");
});
