/* adapter-standalone.js: no LMS was found, so progress stays in this browser (localStorage).
 * Same interface as the SCORM adapters; one stored record per programme, stage, version and format.
 * Storage can be missing or full (private windows, file://): then progress lasts for this visit only. */
(function (Elearn) {
  "use strict";

  (Elearn.adapters = Elearn.adapters || {}).standalone = function (data) {
    const key = ["elearn", data.programme.id, data.stage.id, data.programme.version, data.format].join(":");
    let record = {};
    const save = () => {
      try { window.localStorage.setItem(key, JSON.stringify(record)); return true; } catch (e) { return false; }
    };
    return {
      name: "standalone",
      start() {
        try { record = JSON.parse(window.localStorage.getItem(key)) || {}; } catch (e) { record = {}; }
        return {
          entry: record.suspendData ? "resume" : "ab-initio",
          location: record.location || "",
          suspendData: record.suspendData || "",
          credit: "no-credit",
          mode: "normal",
        };
      },
      setLocation: (pageId) => { record.location = pageId; return true; },
      setSuspendData: (text) => { record.suspendData = text; return true; },
      setProgress: (measure) => { record.progress = measure; return true; },
      setScore: (percent) => { record.score = percent; return true; },
      setStatus: (completed, passed) => { record.completed = completed; record.passed = passed; return true; },
      recordInteraction: () => true, // nobody to report them to
      commit: () => { save(); return true; }, // storage that fails will not recover: the status line said so at start
      finish: save, // false: nothing will outlive this window (the exit message says so)
    };
  };
})(window.Elearn = window.Elearn || {});
