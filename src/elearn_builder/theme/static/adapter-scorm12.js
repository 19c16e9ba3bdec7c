/* adapter-scorm12.js: SCORM 1.2 through the LMS's `API` object (RTE 1.2 section 3).
 * Owns 1.2's element names and value formats: CMITimespan session time (HHHH:MM:SS.SS),
 * CMITime interaction time, choices as letters a..z by position, true-false as t/f, result "wrong",
 * "neutral" for written answers and likert. 1.2 has no long-fill-in: a written answer is a fill-in
 * whose response is its first 255 characters, the whole text appended to cmi.comments.
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

  const COMMENTS_LIMIT = 4096; // cmi.comments is a CMIString4096
  const FEEDBACK_LIMIT = 255; // CMIFeedback
  const letter = (list, id) => LETTERS[list.indexOf(id)];
  /** Text as a CMIFeedback value: one line, at most 255 characters (no pair split). */
  function line(text) {
    let out = String(text).replace(/\s*\n\s*/g, " ").slice(0, FEEDBACK_LIMIT);
    if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1);
    return out;
  }

  /** CMIFeedback values: choices and sequence items as letters by position, true-false as t/f,
   *  matching as source letter "." target letter, text as one line. */
  function encode(i, value) {
    switch (i.type) {
      case "true-false": return value.map((id) => (id === "true" ? "t" : "f")).join(",");
      case "matching": return value.map(([s, t]) => `${letter(i.sources, s)}.${letter(i.targets, t)}`).join(",");
      case "fill-in": case "long-fill-in": case "likert": return line(value);
      default: return value.map((id) => letter(i.options, id)).join(",");
    }
  }
  /** Correct patterns: one per accepted fill-in answer; none for written answers and likert. */
  function patterns(i) {
    if (i.type === "fill-in") return i.correct.map(line);
    if (i.type === "long-fill-in" || i.type === "likert") return [];
    return [encode(i, i.correct)];
  }

  (Elearn.adapters = Elearn.adapters || {}).scorm12 = function (data) {
    const lms = Elearn.connect("API", CALLS, DEPTH);
    if (!lms) return null;
    const written = ((data && data.assessment && data.assessment.questions) || []).some((q) => q.type === "long-fill-in");
    let began = 0;
    let comments = ""; // cmi.comments as the LMS holds it (read only when the course has written answers)
    /** cmi.comments with `text` appended, newest kept when full (an LMS without it refuses for good: left out). */
    function comment(text) {
      let all = comments ? `${comments}\n${text}` : text;
      if (all.length > COMMENTS_LIMIT) all = all.slice(all.length - COMMENTS_LIMIT).replace(/^[\udc00-\udfff]/, "");
      if (!lms.set("cmi.comments", all)) return false;
      comments = all;
      return true;
    }
    return {
      name: "scorm12",
      /** Location and suspend data are read whatever cmi.entry says (docs/runtime.md, Start). */
      start() {
        if (!lms.init()) return null;
        began = Date.now();
        const mode = lms.get("cmi.core.lesson_mode");
        lms.readonly = mode === "review" || mode === "browse"; // no writes
        if (written) comments = lms.get("cmi.comments");
        const status = lms.get("cmi.core.lesson_status");
        return {
          recorded: { completed: ["passed", "failed", "completed"].includes(status),
            passed: status === "passed" ? true : (status === "failed" ? false : null) },
          mode,
          review: lms.readonly,
          location: lms.get("cmi.core.lesson_location"),
          suspendData: lms.get("cmi.suspend_data"),
          learner: { id: lms.get("cmi.core.student_id"), name: lms.get("cmi.core.student_name") }, // the xAPI actor's account
          interactions: parseInt(lms.get("cmi.interactions._count"), 10) || 0, // "": 0
        };
      },
      setLocation: (pageId) => lms.set("cmi.core.lesson_location", pageId),
      setSuspendData: (text) => lms.set("cmi.suspend_data", text),
      setProgress: () => true, // 1.2 has no progress measure
      setScore: (percent) => [["raw", percent], ["min", 0], ["max", 100]]
        .map(([k, v]) => lms.set(`cmi.core.score.${k}`, v)).every(Boolean),
      /** 1.2 has one status: passed/failed once complete, incomplete until then. */
      setStatus(completed, passed) {
        const done = passed === null ? "completed" : (passed ? "passed" : "failed");
        return lms.set("cmi.core.lesson_status", completed ? done : "incomplete");
      },
      /** Interaction `n`, each element once; false only when its id or type was refused for now. */
      recordInteraction(interaction) {
        const n = `cmi.interactions.${interaction.n}.`;
        const type = interaction.type === "long-fill-in" ? "fill-in" : interaction.type;
        if (!lms.set(`${n}id`, interaction.lmsId || interaction.id) || !lms.set(`${n}type`, type)) return false;
        const values = [["time", clock(interaction.time)]];
        if (interaction.weight !== null) values.push(["weighting", interaction.weight]);
        patterns(interaction).forEach((pattern, k) => values.push([`correct_responses.${k}.pattern`, pattern]));
        values.push(["student_response", encode(interaction, interaction.response)],
          ["result", interaction.isCorrect === null ? "neutral" : RESULT[interaction.isCorrect]]);
        values.forEach(([k, v]) => lms.set(`${n}${k}`, v));
        if (interaction.type === "long-fill-in") comment(`[${interaction.id}] ${interaction.response}`);
        return true;
      },
      commit: () => lms.commit(),
      /** true when the session's data was committed, whatever LMSFinish answers (an LMS may lack it). */
      finish() {
        lms.set("cmi.core.exit", "suspend");
        lms.set("cmi.core.session_time", timespan(Date.now() - began));
        const committed = lms.commit();
        lms.finish();
        return committed;
      },
    };
  };
})(window.Elearn = window.Elearn || {});
