/* adapter-scorm12.js: SCORM 1.2 through the LMS's `API` object (RTE 1.2 section 3).
 * Owns 1.2's element names and value formats: CMITimespan session time (HHHH:MM:SS.SS),
 * CMITime interaction time, choices as letters a..z by position, true-false as t/f, result "wrong".
 * The facade (elearn.js) provides Elearn.connect: discovery, state checks and error handling. */
(function (Elearn) {
  "use strict";

  const CALLS = {
    init: "LMSInitialize", finish: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
    commit: "LMSCommit", error: "LMSGetLastError", errorString: "LMSGetErrorString",
  };
  const DEPTH = 7; // ADL's 1.2 APIWrapper gives up after seven parents
  const LETTERS = "abcdefghijklmnopqrstuvwxyz";
  const RESULT = { true: "correct", false: "wrong" };
  const pad = (n, width) => String(n).padStart(width, "0");

  /** CMITimespan, HHHH:MM:SS.SS (hours capped at 9999). */
  function timespan(ms) {
    const cs = Math.max(Math.round(ms / 10), 0);
    const hours = Math.min(Math.floor(cs / 360000), 9999);
    return `${pad(hours, 4)}:${pad(Math.floor(cs / 6000) % 60, 2)}:${pad(Math.floor(cs / 100) % 60, 2)}.${pad(cs % 100, 2)}`;
  }

  /** CMITime, HH:MM:SS on the learner's clock. */
  const clock = (d) => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`;

  /** A CMIFeedback response: letters by choice position, or t/f. */
  function responses(interaction, ids) {
    if (interaction.type === "true-false") return ids.map((id) => (id === "true" ? "t" : "f")).join(",");
    return ids.map((id) => LETTERS[interaction.options.indexOf(id)]).join(",");
  }

  (Elearn.adapters = Elearn.adapters || {}).scorm12 = function () {
    const lms = Elearn.connect("API", CALLS, DEPTH);
    if (!lms) return null;
    let began = 0;
    let count = 0;
    return {
      name: "scorm12",
      start() {
        if (!lms.init()) return null;
        began = Date.now();
        count = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
        return {
          entry: lms.get("cmi.core.entry"),
          location: lms.get("cmi.core.lesson_location"),
          suspendData: lms.get("cmi.suspend_data"),
          credit: lms.get("cmi.core.credit"),
          mode: lms.get("cmi.core.lesson_mode"),
        };
      },
      setLocation: (pageId) => lms.set("cmi.core.lesson_location", pageId),
      setSuspendData: (text) => lms.set("cmi.suspend_data", text),
      setProgress: () => true, // 1.2 has no progress measure
      setScore(percent) {
        lms.set("cmi.core.score.raw", percent);
        lms.set("cmi.core.score.min", 0);
        lms.set("cmi.core.score.max", 100);
      },
      /** 1.2 has one status: passed/failed once complete, incomplete until then. */
      setStatus(completed, passed) {
        lms.set("cmi.core.lesson_status", completed && passed !== null ? (passed ? "passed" : "failed") : "incomplete");
      },
      recordInteraction(interaction) {
        const n = `cmi.interactions.${count}.`;
        count += 1;
        lms.set(`${n}id`, interaction.id);
        lms.set(`${n}type`, interaction.type);
        lms.set(`${n}time`, clock(interaction.time));
        lms.set(`${n}weighting`, interaction.weight);
        lms.set(`${n}correct_responses.0.pattern`, responses(interaction, interaction.correct));
        lms.set(`${n}student_response`, responses(interaction, interaction.response));
        lms.set(`${n}result`, RESULT[interaction.isCorrect]);
      },
      commit: () => lms.commit(),
      finish() {
        lms.set("cmi.core.exit", "suspend");
        lms.set("cmi.core.session_time", timespan(Date.now() - began));
        lms.commit();
        return lms.finish();
      },
    };
  };
})(window.Elearn = window.Elearn || {});
