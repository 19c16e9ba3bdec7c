/* The LMS side of a SCORM launch under Node's test runner, for the adapters and elearn-save.js:
 * - host(fmt, config): the browser tests' test LMS (tests/browser/host.html) without a page: the real
 *   scorm-again (node_modules, loaded once into its own realm) as window.API / API_1484_11 with the launch
 *   data, every call recorded as host.html records it ({name, args, result, error}), and the faults of
 *   tests/browser/faults.py wrapped outside the recording: fault({set, commit, gone}) refuses SetValue /
 *   Commit with a code (never reaching scorm-again) or makes every method throw and the global vanish;
 *   committed() is what scorm-again held at its last successful commit.
 * - profile(name, fmt, config): tests/browser/lms-profiles.js (Moodle, scormhost, wagtail-lms, the Open edX
 *   XBlock) run as it is, beside that scorm-again; settle() waits for its asynchronous requests.
 * - sco(files, lmsWindow, options): a package's page (harness.page) whose window.parent (or opener) is the LMS.
 * Run: node --test tests/js */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { page } = require("./harness");

const REPO = path.join(__dirname, "..", "..");
const SCORM_AGAIN = path.join(REPO, "node_modules", "scorm-again", "dist", "scorm-again.js");
const PROFILES = path.join(REPO, "tests", "browser", "lms-profiles.js");
const SETTINGS = { autocommit: false, logLevel: 4, lmsCommitUrl: false, dataCommitFormat: "json" }; // host.html's
const LEARNER = { id: "learner-0042", name: "Okafor, Ada" }; // tests/browser/sco.py's
const quiet = { log() {}, warn() {}, error() {}, info() {}, debug() {} };

const EDITIONS = {
  scorm12: {
    global: "API", make: "Scorm12API", error: "LMSGetLastError", set: "LMSSetValue", commit: "LMSCommit",
    calls: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
      "LMSGetErrorString", "LMSGetDiagnostic"],
    launch(api, c) {
      Object.assign(api.cmi.core, { student_id: c.learner.id, student_name: c.learner.name, credit: "credit", entry: c.entry });
    },
  },
  scorm2004: {
    global: "API_1484_11", make: "Scorm2004API", error: "GetLastError", set: "SetValue", commit: "Commit",
    calls: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString", "GetDiagnostic"],
    launch(api, c) { Object.assign(api.cmi, { learner_id: c.learner.id, learner_name: c.learner.name, entry: c.entry }); },
  },
};
const ERROR_CALLS = /GetLastError|GetErrorString|GetDiagnostic/;

let library = null;
/** scorm-again's window (Scorm12API, Scorm2004API), loaded once per test process. */
function scormAgain() {
  if (!library) {
    const window = {};
    const context = vm.createContext({ window, console: quiet, setTimeout, clearTimeout, setInterval, clearInterval });
    context.self = window;
    vm.runInContext(fs.readFileSync(SCORM_AGAIN, "utf8"), context, { filename: "scorm-again.js" });
    library = window;
    /* Its own realm's objects: loadFromJSON recurses only into objects whose constructor is its Object. */
    library.JSON = vm.runInContext("JSON", context);
    library.parse = (text) => library.JSON.parse(text);
  }
  return library;
}

const plain = (x) => JSON.parse(JSON.stringify(x));

/** host.html's startLms plus faults.py's wrapper: config {cmi, entry, learner, refuseInitialize, settings}. */
function host(fmt, config) {
  const c = Object.assign({ cmi: null, entry: "ab-initio", learner: LEARNER }, config);
  const edition = EDITIONS[fmt];
  const api = new (scormAgain()[edition.make])(Object.assign({}, SETTINGS, c.settings || {}));
  if (c.cmi) api.loadFromJSON(scormAgain().parse(JSON.stringify(c.cmi)), "cmi");
  edition.launch(api, c);
  if (c.refuseInitialize) api[edition.calls[0]] = () => "false";
  const lms = { calls: [], refused: [], fault: { set: null, commit: null, gone: false }, last: null };
  const lastError = api[edition.error].bind(api);
  edition.calls.forEach((name) => { // host.html: every call that reaches scorm-again, with GetLastError after it
    const original = api[name].bind(api);
    api[name] = (...args) => {
      const result = original(...args);
      const error = ERROR_CALLS.test(name) ? null : String(lastError());
      lms.calls.push({ name, args: args.map(String), result: String(result), error });
      return result;
    };
  });
  let injected = null;
  edition.calls.forEach((name) => { // faults.py WRAP: outside the recording
    const inner = api[name];
    api[name] = function (...args) {
      if (lms.fault.gone) {
        lms.refused.push({ name, args: args.map(String), code: "gone" });
        throw new Error("the LMS API has gone");
      }
      if (/GetLastError$/.test(name) && injected) return injected;
      const code = name === edition.set ? lms.fault.set : (name === edition.commit ? lms.fault.commit : null);
      if (code) {
        injected = code;
        lms.refused.push({ name, args: args.map(String), code });
        return "false";
      }
      if (!ERROR_CALLS.test(name)) injected = null;
      const result = inner.apply(this, args);
      if ((name === edition.commit || /Finish|Terminate/.test(name)) && String(result) === "true") {
        lms.last = plain(api.renderCMIToJSONObject().cmi);
      }
      return result;
    };
  });
  const window = { [edition.global]: api };
  return Object.assign(lms, {
    window, api, fmt,
    /** fault({set: "351"}), fault({commit: null}), fault({gone: true}) (the global is deleted too). */
    setFault(changes) { Object.assign(lms.fault, changes); if (changes.gone) delete window[edition.global]; },
    cmi: () => plain(api.renderCMIToJSONObject().cmi),
    committed: () => lms.last,
  });
}

/** What an LMS keeps for the next launch: all but the write-only session values (sco.py resume_cmi). */
function resumeCmi(cmi, fmt) {
  const kept = plain(cmi);
  ["exit", "session_time", "entry"].forEach((k) => { delete kept[k]; if (fmt === "scorm12" && kept.core) delete kept.core[k]; });
  return kept;
}

/** lms-profiles.js's startProfile in a window of its own: config {stored, learner}. The SCO is not loaded by it
 *  (sco() gives it this window as parent or opener). */
function profile(name, fmt, config) {
  const lib = scormAgain();
  const window = { Scorm12API: lib.Scorm12API, Scorm2004API: lib.Scorm2004API, open() {} };
  const context = vm.createContext({ window, console: quiet, setTimeout, clearTimeout, JSON: lib.JSON, // Moodle's loadFromJSON
    SETTINGS: Object.assign({}, SETTINGS),
    document: { getElementById: () => ({}) } });
  vm.runInContext(fs.readFileSync(PROFILES, "utf8"), context, { filename: "lms-profiles.js" });
  window.startProfile(Object.assign({ profile: name, format: fmt, learner: LEARNER, stored: null, sco: "sco.html" }, config));
  return {
    window,
    calls: () => plain(window.__calls),
    mode: () => window.__mode,
    /** What the LMS keeps once its asynchronous requests have landed. */
    async settle() {
      const end = Date.now() + 3000;
      while (window.__inflight > 0) {
        if (Date.now() > end) throw new Error("the LMS's requests never landed");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return window.__store ? plain(window.__store) : null;
    },
  };
}

/** A package's page inside the LMS window `lms` (its frame: window.parent; `opener`: a popup it opened). */
function sco(files, lms, options) {
  const o = options || {};
  const extra = o.opener ? { opener: lms } : { parent: lms };
  return page(files, o.href, o.tab, o.navigation, extra);
}

module.exports = { host, profile, sco, resumeCmi, scormAgain, LEARNER, EDITIONS };
