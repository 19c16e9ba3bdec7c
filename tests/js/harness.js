/* A page-like global for the runtime's plain scripts under Node's test runner: window with
 * localStorage, sessionStorage, location and crypto; the scripts are run as the browser runs them
 * (one shared global), and fetch is whatever the test puts in place. */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const STATIC = path.join(__dirname, "..", "..", "src", "elearn_builder", "theme", "static");

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
  get length() { return this.items.size; }
  key(i) { return Array.from(this.items.keys())[i] || null; }
}

/** A fresh page at `href` with the named runtime files loaded: returns its window (with window.Elearn).
 *  `tab`: {localStorage, sessionStorage} of an earlier page to share (a reload: same tab), `navigation`:
 *  the type the Navigation Timing entry gives ("navigate", "reload"); `extra`: more window properties
 *  (parent, opener: the LMS's window). The document is a stub that never finishes loading, so elearn.js
 *  registers its functions (Elearn.connect) without starting a course. */
function page(files, href, tab, navigation, extra) {
  const url = new URL(href || "http://127.0.0.1:8000/pkg/index.html");
  const listeners = {};
  const window = {
    localStorage: (tab && tab.localStorage) || new MemoryStorage(),
    sessionStorage: (tab && tab.sessionStorage) || new MemoryStorage(),
    performance: { getEntriesByType: (kind) => (kind === "navigation" ? [{ type: navigation || "navigate" }] : []) },
    location: { href: url.href, origin: url.origin, search: url.search, assign() {} },
    crypto: globalThis.crypto,
    addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
    listeners,
    fetch: () => Promise.reject(new TypeError("no fetch in this test")),
    console: { warn() {}, log() {}, error() {} },
  };
  window.timeouts = [];
  Object.assign(window, extra || {});
  const document = { readyState: "loading", referrer: "", addEventListener() {}, getElementById: () => null };
  const context = vm.createContext({
    window, URL, URLSearchParams, clearTimeout,
    // a retry timer keeps no test alive; window.timeouts: the delays the page asked for, in order
    setTimeout: (fn, ms) => { window.timeouts.push(ms); const t = setTimeout(fn, ms); t.unref(); return t; },
    AbortController, Promise, JSON, Math, Date,
    Set, Map, Array, Object, String, Number, Error, TypeError, DOMException, Uint8Array,
    console: window.console, fetch: (...args) => window.fetch(...args), document,
  });
  for (const file of files) vm.runInContext(fs.readFileSync(path.join(STATIC, file), "utf8"), context, { filename: file });
  return window;
}

/** A transport that answers from a script of replies and records each call. */
function scripted(replies) {
  const calls = [];
  const transport = (url, init) => {
    const body = JSON.parse(init.body);
    calls.push({ url, method: init.method, body, credentials: init.credentials, keepalive: init.keepalive });
    const next = replies.length ? replies.shift() : "echo";
    if (next === "offline") return Promise.reject(new TypeError("Failed to fetch"));
    if (next === "echo") return Promise.resolve({ status: 200, body: JSON.stringify(Array.isArray(body) ? body.map((s) => s.id) : [body.id]) });
    return Promise.resolve(typeof next === "function" ? next(body, url, init) : next);
  };
  return { calls, transport };
}

const statement = (n) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, n });

let built = null;
/** The course data of every built package ({name: data}), from the JSON file tests/test_runtime_js.py builds
 *  (ELEARN_JS_COURSES); without it (node --test run by hand) the packages are built here with .venv's Python. */
function courses() {
  if (built) return built;
  let file = process.env.ELEARN_JS_COURSES;
  if (!file) {
    const { execFileSync } = require("node:child_process");
    const repo = path.join(__dirname, "..", "..");
    const python = process.env.ELEARN_PYTHON || path.join(repo, ".venv", "bin", "python");
    const script = "import sys, pathlib; sys.path.insert(0, 'tests'); import test_runtime_js as t; "
      + "print(t.build_courses(pathlib.Path(sys.argv[1])))";
    const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "elearn-js-"));
    file = execFileSync(python, ["-c", script, dir], { cwd: repo, encoding: "utf8" }).trim();
  }
  built = JSON.parse(fs.readFileSync(file, "utf8"));
  return built;
}

module.exports = { page, scripted, statement, MemoryStorage, courses };
