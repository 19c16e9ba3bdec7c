/* lms-profiles.js: LMS APIs that behave as named real LMSs do, for the browser tests (lms_profiles.py).
 * Loaded into host.html (which has scorm-again) by lms_profiles.launch. Each profile answers the SCO's
 * calls the way that LMS's own code does (lms_profiles.py cites the file and line of each behaviour) and
 * keeps what that LMS keeps between launches in window.__store: {cmi: {element: value}} for the key-value
 * LMSs, scorm-again's cmi for Moodle (which validates like the specification, then adds its own rules).
 * Every call is recorded in window.__calls ({name, args, result, error}); error is null unless the call
 * answered "false", so a test can see which GetLastError calls the SCO made. Asynchronous requests
 * (scormhost's PUT, wagtail-lms's and the XBlock's POSTs) are counted in window.__inflight until they land. */
"use strict";

window.__inflight = 0;
/** A request on its way: `land` runs after `ms`, in order with the others. */
function request(land, ms) {
  window.__inflight += 1;
  setTimeout(() => { land(); window.__inflight -= 1; }, ms);
}

const EDITION_CALLS = {
  scorm12: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
    "LMSGetErrorString", "LMSGetDiagnostic"],
  scorm2004: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString",
    "GetDiagnostic"],
};
const GLOBAL = { scorm12: "API", scorm2004: "API_1484_11" };

/** A key-value LMS: `defaults` first, then what it kept (`stored`); `keep(data)` is what it stores. */
function keyValue(defaults, stored) {
  return Object.assign({}, defaults, (stored && stored.cmi) || {});
}

const PROFILES = {
  /* scormhost 0.1.0: static/scorm12-api.js and scorm2004-api.js. */
  scormhost(config) {
    const twelve = config.format === "scorm12";
    const defaults = twelve ? {
      "cmi.core.lesson_status": "not attempted", "cmi.core.score.raw": "0", "cmi.core.score.min": "0",
      "cmi.core.score.max": "100", "cmi.suspend_data": "", "cmi.core.lesson_location": "",
      "cmi.core.student_id": config.learner.id, "cmi.core.student_name": config.learner.name,
      "cmi.core.entry": "ab-initio", "cmi.core.exit": "", "cmi.core.session_time": "00:00:00",
    } : {
      "cmi.completion_status": "unknown", "cmi.success_status": "unknown", "cmi.score.scaled": "",
      "cmi.suspend_data": "", "cmi.location": "", "cmi.entry": "ab-initio",
      "cmi.learner_id": config.learner.id, "cmi.learner_name": config.learner.name,
    };
    const data = keyValue(defaults, config.stored);
    const state = { initialized: false, terminated: false, lastError: "0" };
    const persist = () => { const whole = Object.assign({}, data); request(() => { window.__store = { cmi: whole }; }, 5); };
    const live = () => state.initialized && !state.terminated;
    const api = {};
    const [init, finish, get, set, commit, error, errorString, diagnostic] = EDITION_CALLS[config.format];
    api[init] = () => {
      if (state.initialized) { if (twelve) state.lastError = "101"; return "false"; }
      state.initialized = true;
      return "true";
    };
    api[finish] = () => {
      if (!live()) { if (twelve) state.lastError = "301"; return "false"; }
      if (twelve) data["cmi.core.exit"] = "suspend";
      state.terminated = true;
      persist();
      return "true";
    };
    api[get] = (element) => {
      if (!live()) { if (twelve) state.lastError = "301"; return ""; }
      return data[element] ?? "";
    };
    api[set] = (element, value) => {
      if (!live()) { if (twelve) state.lastError = "301"; return "false"; }
      if (!String(element).startsWith("cmi.")) return "false";
      data[element] = String(value);
      return "true";
    };
    api[commit] = () => {
      if (!live()) { if (twelve) state.lastError = "301"; return "false"; }
      persist();
      return "true";
    };
    api[error] = () => state.lastError;
    api[errorString] = () => "No error";
    api[diagnostic] = () => "";
    return { globals: { [GLOBAL[config.format]]: api } };
  },

  /* wagtail-lms 0.11.1: templates/wagtail_lms/scorm_player.html (the API object) and views.py (the server). */
  wagtail(config) {
    const row = Object.assign({ completion_status: "not_attempted", location: "", suspend_data: "", score_raw: null,
      score_min: null, score_max: null }, (config.stored && config.stored.row) || {});
    const kept = Object.assign({}, (config.stored && config.stored.cmi) || {});
    const save = () => { window.__store = { row: Object.assign({}, row), cmi: Object.assign({}, kept) }; };
    const ROW = { "cmi.core.lesson_status": "completion_status", "cmi.core.lesson_location": "location",
      "cmi.suspend_data": "suspend_data", "cmi.core.score.raw": "score_raw", "cmi.core.score.min": "score_min",
      "cmi.core.score.max": "score_max" };
    function getValue(key) { // views.get_scorm_value
      if (key in kept) return kept[key];
      const number = (x) => (x === null ? "" : String(x));
      const defaults = { "cmi.core.lesson_status": row.completion_status, "cmi.core.student_id": config.learner.id,
        "cmi.core.student_name": config.learner.name, "cmi.core.credit": "credit", "cmi.core.entry": "ab-initio",
        "cmi.core.lesson_mode": "normal", "cmi.core.exit": "", "cmi.core.session_time": "",
        "cmi.core.total_time": "0000:00:00.00", "cmi.core.lesson_location": row.location,
        "cmi.suspend_data": row.suspend_data, "cmi.core.score.raw": number(row.score_raw),
        "cmi.core.score.max": number(row.score_max), "cmi.core.score.min": number(row.score_min) };
      return key in defaults ? defaults[key] : "";
    }
    function setValue(key, value) { // views.set_scorm_value
      if (ROW[key]) row[ROW[key]] = /^cmi\.core\.score\./.test(key) ? (Number.isNaN(parseFloat(value)) ? row[ROW[key]] : parseFloat(value)) : value;
      kept[key] = value;
      save();
    }
    const API = {
      initialized: false,
      terminated: false,
      LMSInitialize() { if (this.initialized) return "false"; this.initialized = true; return "true"; },
      LMSTerminate() { if (!this.initialized || this.terminated) return "false"; this.terminated = true; return "true"; },
      LMSGetValue(element) { return !this.initialized || this.terminated ? "" : String(getValue(element)); }, // synchronous
      LMSSetValue(element, value) {
        if (!this.initialized || this.terminated) return "false";
        request(() => setValue(element, String(value)), 10); // asynchronous: answered "true" before it lands
        return "true";
      },
      LMSCommit() { if (!this.initialized || this.terminated) return "false"; request(() => {}, 10); return "true"; },
      LMSGetLastError() { return "0"; },
      LMSGetErrorString() { return ""; },
      LMSGetDiagnostic() { return ""; },
    };
    save();
    return { globals: { API, API_1484_11: API } }; // the same object under both names
  },

  /* openedx-scorm-xblock 19.0.5: static/js/src/scorm.js (the API objects) and scormxblock.js (GetValue/SetValue). */
  xblock(config) {
    const UNCACHED = ["cmi.core.lesson_status", "cmi.completion_status", "cmi.success_status", "cmi.core.score.raw",
      "cmi.score.raw", "cmi.score.scaled", "cmi.mode"];
    const KEPT = config.format === "scorm12" ? ["cmi.core.lesson_location", "cmi.suspend_data"] : ["cmi.location", "cmi.suspend_data"];
    const LIMIT = config.format === "scorm12" ? 4096 : 64000;
    const scormData = {};
    KEPT.forEach((k) => { if (config.stored && config.stored.cmi && k in config.stored.cmi) scormData[k] = config.stored.cmi[k]; });
    if (config.format === "scorm12") { scormData["cmi.core.student_id"] = config.learner.id; scormData["cmi.core.student_name"] = config.learner.name; }
    else { scormData["cmi.learner_id"] = config.learner.id; scormData["cmi.learner_name"] = config.learner.name; }
    const server = Object.assign({}, scormData); // what the LMS has received
    const save = () => {
      const cmi = {};
      Object.keys(server).forEach((k) => { cmi[k] = k === "cmi.suspend_data" ? server[k].slice(0, LIMIT) : server[k]; });
      window.__store = { cmi, kept: KEPT };
    };
    save();
    const GetValue = (element) => (UNCACHED.includes(element) ? "" : (element in scormData ? scormData[element] : ""));
    const SetValue = (element, value) => {
      if (!UNCACHED.includes(element)) scormData[element] = value;
      request(() => { server[element] = String(value); save(); }, 10);
      return "true";
    };
    const ok = () => "true";
    const api = config.format === "scorm12"
      ? { LMSInitialize: ok, LMSFinish: ok, LMSCommit: ok, LMSGetLastError: () => "0", LMSGetErrorString: () => "Some Error",
          LMSGetDiagnostic: () => "Some Diagnostic", LMSGetValue: GetValue, LMSSetValue: SetValue }
      : { Initialize: ok, Terminate: ok, Commit: ok, GetLastError: () => "0", GetErrorString: () => "Some Error",
          GetDiagnostic: () => "Some Diagnostic", GetValue, SetValue };
    return { globals: { [GLOBAL[config.format]]: api } };
  },

  /* Moodle 4.x mod_scorm: scorm-again for the specification's formats and codes, plus Moodle's own rules
   * (datamodels/scorm_13.js: CMIShortIdentifier for choice, sequencing, matching and likert values, 406),
   * and review mode with no-credit on a relaunch after the attempt is complete (lib.php scorm_check_mode). */
  moodle(config) {
    const twelve = config.format === "scorm12";
    const api = twelve ? new window.Scorm12API(Object.assign({}, SETTINGS)) : new window.Scorm2004API(Object.assign({}, SETTINGS));
    const cmi = config.stored && config.stored.cmi;
    if (cmi) { // what Moodle gives back: all but the write-only session values
      const given = JSON.parse(JSON.stringify(cmi));
      ["exit", "session_time", "entry"].forEach((k) => { delete given[k]; if (given.core) delete given.core[k]; });
      api.loadFromJSON(given, "cmi");
    }
    const done = cmi && (twelve ? ["completed", "passed", "failed"].includes(cmi.core.lesson_status)
      : cmi.completion_status === "completed");
    const mode = done ? "review" : "normal";
    const suspended = cmi && (twelve ? cmi.core.exit : cmi.exit) === "suspend";
    if (twelve) {
      Object.assign(api.cmi.core, { student_id: config.learner.id, student_name: config.learner.name,
        credit: done ? "no-credit" : "credit", entry: suspended ? "resume" : (cmi ? "" : "ab-initio") });
      api.cmi.core.lesson_mode = mode;
    } else {
      Object.assign(api.cmi, { learner_id: config.learner.id, learner_name: config.learner.name,
        credit: done ? "no-credit" : "credit", entry: suspended ? "resume" : (cmi ? "" : "ab-initio") });
      api.cmi.mode = mode;
    }
    const SHORT = /^[\w.]{1,250}$/; // scorm_13.js CMIShortIdentifier
    const types = {};
    let injected = null;
    const [, , , set, commit, error] = EDITION_CALLS[config.format];
    /** Moodle 2004's learner_response / correct_responses check for the types whose values are short identifiers. */
    function refuses(element, value) {
      if (twelve) return false;
      const m = /^cmi\.interactions\.(\d+)\.(type|learner_response|correct_responses\.\d+\.pattern)$/.exec(element);
      if (!m) return false;
      if (m[2] === "type") { types[m[1]] = value; return false; }
      const type = types[m[1]] || (cmi && cmi.interactions && cmi.interactions[m[1]] && cmi.interactions[m[1]].type);
      if (!["choice", "sequencing", "matching", "likert"].includes(type)) return false;
      const nodes = String(value).split("[,]");
      return nodes.some((node) => (type === "matching" ? node.split("[.]") : [node]).some((x) => !SHORT.test(x)));
    }
    const innerSet = api[set].bind(api);
    const innerError = api[error].bind(api);
    api[set] = (element, value) => {
      injected = refuses(element, value) ? "406" : null;
      return injected ? "false" : innerSet(element, value);
    };
    api[error] = () => injected || innerError();
    const innerCommit = api[commit].bind(api);
    api[commit] = (...args) => {
      injected = null;
      const answer = innerCommit(...args);
      if (String(answer) === "true") window.__store = { cmi: JSON.parse(JSON.stringify(api.renderCMIToJSONObject().cmi)), mode };
      return answer;
    };
    const finishName = EDITION_CALLS[config.format][1];
    const innerFinish = api[finishName].bind(api);
    api[finishName] = (...args) => {
      const answer = innerFinish(...args);
      if (String(answer) === "true") window.__store = { cmi: JSON.parse(JSON.stringify(api.renderCMIToJSONObject().cmi)), mode };
      return answer;
    };
    window.__store = cmi ? { cmi, mode } : null;
    return { globals: { [GLOBAL[config.format]]: api }, mode };
  },
};

/** config: {profile, format, sco (URL), learner {id, name}, stored (what the LMS kept, or null), window ("popup":
 *  the SCO in a window this page opens, so the API is in its opener)}. */
window.startProfile = function (config) {
  const lms = PROFILES[config.profile](config);
  window.__calls = [];
  window.__mode = lms.mode || "normal";
  const wrapped = new Map(); // one recording wrapper per API object (wagtail-lms gives one object two names)
  Object.entries(lms.globals).forEach(([name, api]) => {
    if (!wrapped.has(api)) {
      const record = {};
      EDITION_CALLS.scorm12.concat(EDITION_CALLS.scorm2004).forEach((method) => {
        if (typeof api[method] !== "function") return; // a method the LMS lacks stays missing
        const inner = api[method];
        record[method] = function (...args) {
          const result = inner.apply(api, args);
          window.__calls.push({ name: method, args: args.map(String), result: String(result) });
          return result;
        };
      });
      wrapped.set(api, record);
    }
    window[name] = wrapped.get(api);
  });
  if (config.window === "popup") window.open(config.sco, "sco-window");
  else document.getElementById("sco").src = config.sco;
};
