/* lms.js: the preview's own small LMS. It records what a package tells it through window.API
 * (SCORM 1.2) or window.API_1484_11 (SCORM 2004), checks the values an LMS checks most often
 * (statuses, scores, read-only and write-only elements), and keeps the learner's data between
 * launches (a reload after an edit resumes where the learner was). Not a full LMS: enough to see
 * what a package would report. The most cmi.suspend_data may hold is the format's state limit, which
 * the server gives with each launch (the standard's record in standards/). Registers window.PreviewLms.
 * Plain ES2017. */
(function () {
  "use strict";

  const LEARNER = { id: "preview-learner", name: "Learner, Preview" };
  const STATUS_12 = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"];
  const EDITIONS = {
    scorm12: {
      global: "API", init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
      commit: "LMSCommit", error: "LMSGetLastError", errorString: "LMSGetErrorString", diagnostic: "LMSGetDiagnostic",
      entry: "cmi.core.entry", exit: "cmi.core.exit",
      defaults: { "cmi.core.student_id": LEARNER.id, "cmi.core.student_name": LEARNER.name, "cmi.core.credit": "credit",
        "cmi.core.lesson_mode": "normal", "cmi.core.lesson_status": "not attempted", "cmi.core.lesson_location": "",
        "cmi.core.total_time": "0000:00:00", "cmi.suspend_data": "", "cmi.launch_data": "", "cmi.comments": "",
        "cmi.core.score.raw": "", "cmi.core.score.min": "", "cmi.core.score.max": "" },
      readOnly: /^cmi\.(core\.(student_id|student_name|credit|entry|lesson_mode|total_time)|launch_data|.*\._count|.*\._children)$/,
      writeOnly: /^cmi\.(core\.(exit|session_time)|interactions\.\d+\.(id|type|time|weighting|student_response|result|latency|correct_responses\.\d+\.pattern))$/,
      checks: [
        [/^cmi\.core\.lesson_status$/, (v) => STATUS_12.includes(v) && v !== "not attempted", "405"],
        [/^cmi\.core\.score\.(raw|min|max)$/, (v) => v === "" || (isFinite(v) && +v >= 0 && +v <= 100), "405"],
        [/^cmi\.core\.exit$/, (v) => ["", "time-out", "suspend", "logout"].includes(v), "405"],
        [/^cmi\.suspend_data$/, (v, limit) => v.length <= limit, "405"],
      ],
      codes: { notRunning: "301", again: "101", after: "101", readOnly: "403", writeOnly: "404" },
      response: "student_response",
      summary: (v) => ({ status: v("cmi.core.lesson_status"),
        score: v("cmi.core.score.raw") === "" ? "-" : `${v("cmi.core.score.raw")} (0-100)`,
        location: v("cmi.core.lesson_location") || "-" }),
    },
    scorm2004: {
      global: "API_1484_11", init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue",
      commit: "Commit", error: "GetLastError", errorString: "GetErrorString", diagnostic: "GetDiagnostic",
      entry: "cmi.entry", exit: "cmi.exit",
      defaults: { "cmi.learner_id": LEARNER.id, "cmi.learner_name": LEARNER.name, "cmi.credit": "credit",
        "cmi.mode": "normal", "cmi.completion_status": "unknown", "cmi.success_status": "unknown", "cmi.location": "",
        "cmi.suspend_data": "", "cmi.launch_data": "", "cmi.total_time": "PT0S" },
      readOnly: /^cmi\.(learner_id|learner_name|credit|entry|mode|total_time|launch_data|.*\._count|.*\._children)$/,
      writeOnly: /^cmi\.(exit|session_time)$/,
      checks: [
        [/^cmi\.completion_status$/, (v) => ["completed", "incomplete", "not attempted", "unknown"].includes(v), "406"],
        [/^cmi\.success_status$/, (v) => ["passed", "failed", "unknown"].includes(v), "406"],
        [/^cmi\.score\.scaled$/, (v) => isFinite(v) && +v >= -1 && +v <= 1, "407"],
        [/^cmi\.progress_measure$/, (v) => isFinite(v) && +v >= 0 && +v <= 1, "407"],
        [/^cmi\.exit$/, (v) => ["", "time-out", "suspend", "logout", "normal"].includes(v), "406"],
        [/^cmi\.suspend_data$/, (v, limit) => v.length <= limit, "407"],
      ],
      codes: { notRunning: "132", again: "103", after: "133", readOnly: "404", writeOnly: "405" },
      response: "learner_response",
      summary: (v) => ({ status: `${v("cmi.completion_status")} / ${v("cmi.success_status")}`
          + (v("cmi.progress_measure") ? `, progress ${v("cmi.progress_measure")}` : ""),
        score: v("cmi.score.scaled") === "" ? "-" : `scaled ${v("cmi.score.scaled")}, raw ${v("cmi.score.raw")}`,
        location: v("cmi.location") || "-" }),
    },
  };
  const TEXT = { 0: "No error", 101: "General exception", 103: "Already initialized", 132: "Store data before initialization",
    133: "Store data after termination", 301: "Not initialized", 401: "Not implemented", 403: "Element is read only",
    404: "Element is write only", 405: "Incorrect data type", 406: "Data model element type mismatch",
    407: "Data model element value out of range" };

  /** The learner's record for one package: kept in the page across launches. */
  function newStore() {
    return { data: {}, launches: 0, exit: "", running: false, calls: [] };
  }

  /** The number of entries of a collection such as cmi.interactions, from the keys written. */
  function count(data, prefix) {
    const seen = new Set();
    const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}(\\d+)\\.`);
    Object.keys(data).forEach((k) => { const m = re.exec(k); if (m) seen.add(m[1]); });
    return String(seen.size);
  }

  /** A fresh API object for one launch of a package, writing into `store`; `changed()` after each call;
   * `stateLimit`: the characters cmi.suspend_data may hold. */
  function api(format, store, changed, stateLimit) {
    const E = EDITIONS[format];
    let state = "new";
    let last = "0";
    const d = store.data;
    function log(name, args, result) {
      store.calls.push({ name, args, result: String(result), error: last, time: Date.now() });
      if (store.calls.length > 200) store.calls.splice(0, store.calls.length - 200);
      changed();
      return result;
    }
    const fail = (code, name, args, result) => { last = code; return log(name, args, result); };
    const obj = {};
    obj[E.init] = function () {
      if (state !== "new") return fail(state === "running" ? E.codes.again : E.codes.after, E.init, [], "false");
      state = "running";
      store.launches += 1;
      store.running = true;
      d[E.entry] = store.exit === "suspend" ? "resume" : (store.launches === 1 ? "ab-initio" : "");
      delete d[E.exit];
      last = "0";
      return log(E.init, [], "true");
    };
    obj[E.finish] = function () {
      if (state !== "running") return fail(E.codes.notRunning, E.finish, [], "false");
      state = "finished";
      store.running = false;
      store.exit = d[E.exit] || "";
      last = "0";
      return log(E.finish, [], "true");
    };
    obj[E.get] = function (element) {
      const el = String(element);
      if (state !== "running") return fail(E.codes.notRunning, E.get, [el], "");
      if (E.writeOnly.test(el)) return fail(E.codes.writeOnly, E.get, [el], "");
      last = "0";
      if (/\._count$/.test(el)) return log(E.get, [el], count(d, el.replace(/_count$/, "")));
      const value = el in d ? d[el] : (el in E.defaults ? E.defaults[el] : "");
      return log(E.get, [el], value);
    };
    obj[E.set] = function (element, value) {
      const el = String(element);
      const v = String(value);
      if (state !== "running") return fail(state === "new" ? E.codes.notRunning : E.codes.after, E.set, [el, v], "false");
      if (E.readOnly.test(el)) return fail(E.codes.readOnly, E.set, [el, v], "false");
      const bad = E.checks.find(([re, ok]) => re.test(el) && !ok(v, stateLimit));
      if (bad) return fail(bad[2], E.set, [el, v], "false");
      d[el] = v;
      last = "0";
      return log(E.set, [el, v], "true");
    };
    obj[E.commit] = function () {
      if (state !== "running") return fail(E.codes.notRunning, E.commit, [], "false");
      last = "0";
      store.committed = Date.now();
      return log(E.commit, [], "true");
    };
    obj[E.error] = () => last;
    obj[E.errorString] = (code) => TEXT[code] || "Unknown error";
    obj[E.diagnostic] = (code) => TEXT[code || last] || "";
    return obj;
  }

  /** Puts a fresh API for `format` on `win` (removing the other edition's), for the next launch. */
  function install(win, format, store, changed, stateLimit) {
    Object.keys(EDITIONS).forEach((f) => { delete win[EDITIONS[f].global]; });
    win[EDITIONS[format].global] = api(format, store, changed, stateLimit);
  }

  /** The value the learner's record holds for an element (what the package last set, else the default). */
  function value(format, store, element) {
    const E = EDITIONS[format];
    return element in store.data ? store.data[element] : (E.defaults[element] || "");
  }

  /** What the panel shows of the learner's record: {entry, status, score, location}, as text. */
  function summary(format, store) {
    const E = EDITIONS[format];
    const v = (element) => value(format, store, element);
    return Object.assign({ entry: v(E.entry) }, E.summary(v));
  }

  /** The interactions recorded, as rows: {id, type, response, result}. */
  function interactions(format, store) {
    const rows = [];
    const response = EDITIONS[format].response;
    Object.keys(store.data).forEach((k) => {
      const m = /^cmi\.interactions\.(\d+)\.id$/.exec(k);
      if (!m) return;
      const at = (name) => store.data[`cmi.interactions.${m[1]}.${name}`] || "";
      rows[+m[1]] = { id: at("id"), type: at("type"), response: at(response), result: at("result") };
    });
    return rows.filter(Boolean);
  }

  window.PreviewLms = { LEARNER, newStore, install, value, summary, interactions };
})();
