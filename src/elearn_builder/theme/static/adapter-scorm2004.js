/* adapter-scorm2004.js: SCORM 2004 4th Edition through the LMS's `API_1484_11` object (RTE 4th section 3).
 * Owns 2004's element names and value formats: ISO 8601 session time and timestamps, the author's
 * choice ids joined with [,], true-false as true/false, result "incorrect", descriptions of at most
 * 250 characters. The facade (elearn.js) provides Elearn.connect: discovery, state checks, errors. */
(function (Elearn) {
  "use strict";

  const CALLS = {
    init: "Initialize", finish: "Terminate", get: "GetValue", set: "SetValue",
    commit: "Commit", error: "GetLastError", errorString: "GetErrorString",
  };
  const DEPTH = 500; // ADL's 2004 discovery algorithm tries up to 500 parents
  const DESCRIPTION_LIMIT = 250;
  const RESULT = { true: "correct", false: "incorrect" };

  /** ISO 8601 duration to the hundredth of a second, e.g. PT1H5M30.25S. */
  function duration(ms) {
    const cs = Math.max(Math.round(ms / 10), 0);
    const hours = Math.floor(cs / 360000);
    const minutes = Math.floor(cs / 6000) % 60;
    return `PT${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${(cs % 6000) / 100}S`;
  }

  /** ISO 8601 time in UTC with hundredths, e.g. 2024-05-01T10:00:00.25Z. */
  const timestamp = (d) => `${d.toISOString().slice(0, 22)}Z`;

  /** A localized_string_type description: one line, at most 250 characters. */
  const describe = (text) => String(text || "").replace(/\s+/g, " ").trim().slice(0, DESCRIPTION_LIMIT);

  (Elearn.adapters = Elearn.adapters || {}).scorm2004 = function () {
    const lms = Elearn.connect("API_1484_11", CALLS, DEPTH);
    if (!lms) return null;
    let began = 0;
    let count = 0;
    return {
      name: "scorm2004",
      start() {
        if (!lms.init()) return null;
        began = Date.now();
        const entry = lms.get("cmi.entry");
        const resume = entry === "resume"; // otherwise location and suspend data are not initialised (403)
        count = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
        return {
          entry,
          location: resume ? lms.get("cmi.location") : "",
          suspendData: resume ? lms.get("cmi.suspend_data") : "",
          credit: lms.get("cmi.credit"),
          mode: lms.get("cmi.mode"),
        };
      },
      setLocation: (pageId) => lms.set("cmi.location", pageId),
      setSuspendData: (text) => lms.set("cmi.suspend_data", text),
      setProgress: (measure) => lms.set("cmi.progress_measure", measure),
      setScore(percent) {
        lms.set("cmi.score.scaled", percent / 100);
        lms.set("cmi.score.raw", percent);
        lms.set("cmi.score.min", 0);
        lms.set("cmi.score.max", 100);
      },
      setStatus(completed, passed) {
        lms.set("cmi.completion_status", completed ? "completed" : "incomplete");
        if (passed !== null) lms.set("cmi.success_status", passed ? "passed" : "failed");
      },
      recordInteraction(interaction) {
        const n = `cmi.interactions.${count}.`;
        count += 1;
        lms.set(`${n}id`, interaction.id); // id, then type, then the rest (error 408 otherwise)
        lms.set(`${n}type`, interaction.type);
        if (describe(interaction.description)) lms.set(`${n}description`, describe(interaction.description));
        lms.set(`${n}timestamp`, timestamp(interaction.time));
        lms.set(`${n}weighting`, interaction.weight);
        lms.set(`${n}correct_responses.0.pattern`, interaction.correct.join("[,]"));
        lms.set(`${n}learner_response`, interaction.response.join("[,]"));
        lms.set(`${n}result`, RESULT[interaction.isCorrect]);
      },
      commit: () => lms.commit(),
      finish() {
        lms.set("cmi.exit", "suspend");
        lms.set("cmi.session_time", duration(Date.now() - began));
        lms.commit();
        return lms.finish();
      },
    };
  };
})(window.Elearn = window.Elearn || {});
