/* Elearn.connect (elearn.js): finding the LMS's API up the parents and in the opener, and the guarded calls
 * (no call before init or after finish, a throw counts as 101, GetLastError only after a "false", reads kept,
 * no write of a value the LMS holds, no commit with nothing written, nothing written in review), against a
 * fake API that records every call. Run: node --test tests/js */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("./harness");

const CALLS = { init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
  error: "GetLastError", errorString: "GetErrorString" };

/** A fake 2004 API: `answers` {method: value or function} override the defaults ("true", "" for reads). */
function fakeApi(answers) {
  const api = { calls: [], values: {} };
  const reply = (name, args, fallback) => {
    api.calls.push([name, ...args]);
    const a = (answers || {})[name];
    return typeof a === "function" ? a(...args) : (a === undefined ? fallback : a);
  };
  api.Initialize = (...args) => reply("Initialize", args, "true");
  api.Terminate = (...args) => reply("Terminate", args, "true");
  api.GetValue = (...args) => reply("GetValue", args, api.values[args[0]] || "");
  api.SetValue = (...args) => { const r = reply("SetValue", args, "true"); if (r === "true") api.values[args[0]] = args[1]; return r; };
  api.Commit = (...args) => reply("Commit", args, "true");
  api.GetLastError = (...args) => reply("GetLastError", args, "0");
  api.GetErrorString = (...args) => reply("GetErrorString", args, "");
  return api;
}

/** A chain of `levels` parent windows above the SCO, the API on the top one. */
function framed(api, levels, name) {
  let top = { [name || "API_1484_11"]: api };
  top.parent = top;
  for (let i = 1; i < levels; i += 1) top = { parent: top };
  return top;
}
const connect = (parent, depth, extra) => page(["elearn.js"], undefined, undefined, undefined, Object.assign({ parent }, extra))
  .Elearn.connect("API_1484_11", CALLS, depth);

test("the API is found up to `depth` parents (1.2's 7, 2004's 500), past frames of another origin, and in the opener", () => {
  const api = fakeApi();
  assert.ok(connect(framed(api, 1), 500));
  assert.ok(connect(framed(api, 7), 7));
  assert.equal(connect(framed(api, 8), 7), null);
  assert.ok(connect(framed(api, 400), 500));
  const foreign = { get API_1484_11() { throw new Error("SecurityError"); }, parent: framed(api, 1) };
  assert.ok(connect(foreign, 500), "a frame of another origin is climbed past");
  const popup = { opener: framed(api, 1) }; // the SCO's window has no parent: the LMS opened it
  assert.ok(page(["elearn.js"], undefined, undefined, undefined, popup).Elearn.connect("API_1484_11", CALLS, 500));
  assert.equal(page(["elearn.js"]).Elearn.connect("API_1484_11", CALLS, 500), null, "no LMS: null (standalone)");
});

test("no call before Initialize or after Terminate; Initialize once", () => {
  const api = fakeApi();
  const lms = connect(framed(api, 1), 500);
  assert.equal(lms.get("cmi.location"), "");
  assert.equal(lms.set("cmi.location", "x"), false);
  assert.equal(lms.commit(), false);
  assert.deepEqual(api.calls, []);
  assert.equal(lms.init(), true);
  assert.equal(lms.init(), false);
  assert.equal(lms.finish(), true);
  assert.equal(lms.set("cmi.location", "x"), false);
  assert.equal(lms.finish(), false);
  assert.deepEqual(api.calls.map((c) => c[0]), ["Initialize", "Terminate"]);
});

test("reads are kept; a value the LMS holds is not written again; no commit with nothing written", () => {
  const api = fakeApi();
  api.values["cmi.location"] = "page-2";
  const lms = connect(framed(api, 1), 500);
  lms.init();
  assert.equal(lms.get("cmi.location"), "page-2");
  assert.equal(lms.get("cmi.location"), "page-2");
  assert.equal(lms.set("cmi.location", "page-2"), true);
  assert.equal(lms.commit(), true);
  assert.deepEqual(api.calls.map((c) => c[0]), ["Initialize", "GetValue"]);
  assert.equal(lms.set("cmi.location", "page-3"), true);
  assert.equal(lms.set("cmi.location", "page-3"), true);
  assert.equal(lms.commit(), true);
  assert.equal(lms.commit(), true);
  assert.deepEqual(api.calls.map((c) => c[0]), ["Initialize", "GetValue", "SetValue", "Commit"]);
});

test("a refusal: GetLastError only after a \"false\"; a 4xx data model error is final, a general failure is not", () => {
  const codes = { "cmi.bad": "406", "cmi.busy": "351" }; // 406: a value the data model refuses; 351: general set failure
  let last = "0";
  const api = fakeApi({ SetValue: (element) => { last = codes[element] || "0"; return last === "0" ? "true" : "false"; },
    GetLastError: () => last });
  const lms = connect(framed(api, 1), 500);
  lms.init();
  assert.equal(lms.set("cmi.good", "1"), true);
  assert.equal(lms.set("cmi.bad", "1"), true, "406: refused for good, never tried again");
  assert.equal(lms.set("cmi.busy", "1"), false, "351: try later");
  const names = api.calls.map((c) => c[0]);
  assert.deepEqual(names, ["Initialize", "SetValue", "SetValue", "GetLastError", "GetErrorString", "SetValue", "GetLastError", "GetErrorString"]);
});

test("a method that throws, or is missing, counts as refused (101) without asking GetLastError", () => {
  const api = fakeApi({ Commit: () => { throw new Error("gone"); } });
  const lms = connect(framed(api, 1), 500);
  lms.init();
  lms.set("cmi.location", "x");
  assert.equal(lms.commit(), false);
  assert.ok(!api.calls.some((c) => c[0] === "GetLastError"));
  const bare = { Initialize: () => "true" }; // wagtail-lms's 1.2 object as API_1484_11 has no Initialize: here no SetValue
  const other = connect(framed(bare, 1), 500);
  assert.equal(other.init(), true);
  assert.equal(other.set("cmi.location", "x"), false);
  const none = connect(framed({}, 1), 500);
  assert.equal(none.init(), false, "no Initialize at all: no session");
});

test("Initialize refused: no session, and the LMS is asked why once", () => {
  const api = fakeApi({ Initialize: "false", GetLastError: "103" });
  const lms = connect(framed(api, 1), 500);
  assert.equal(lms.init(), false);
  assert.deepEqual(api.calls.map((c) => c[0]), ["Initialize", "GetLastError", "GetErrorString"]);
  assert.equal(lms.get("cmi.location"), "");
});

test("read-only (review, browse): no write and no commit reach the LMS", () => {
  const api = fakeApi();
  const lms = connect(framed(api, 1), 500);
  lms.init();
  lms.readonly = true;
  assert.equal(lms.set("cmi.location", "x"), true);
  assert.equal(lms.commit(), true);
  assert.equal(lms.finish(), true);
  assert.deepEqual(api.calls.map((c) => c[0]), ["Initialize", "Terminate"]);
});
