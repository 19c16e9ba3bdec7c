/* adapter-scorm2004.js: SCORM 2004 4th Edition through the LMS's `API_1484_11` object (RTE 4th section 3).
 * Owns 2004's element names and value formats: ISO 8601 session time and timestamps, the author's
 * choice ids joined with [,], matching pairs as source[.]target, true-false as true/false, fill-in
 * patterns with {case_matters=...}, result "incorrect", "neutral" for written answers and likert,
 * descriptions of at most 250 characters. The facade (elearn.js) provides Elearn.connect: discovery, state checks, errors. */
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

  /** Typed text as a localized string: line breaks shown as a pilcrow (one line, as LMSs store it),
   *  the [,] and [.] delimiters and a leading "{" (read as a delimiter) made harmless, at most `max`
   *  characters without splitting a pair. */
  function text(value, max) {
    let out = String(value).replace(/[ \t]*\n+[ \t]*/g, " \u00b6 ").replace(/\[([,.])\]/g, "[ $1]");
    if (out[0] === "{") out = ` ${out}`;
    out = out.slice(0, max);
    if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1);
    return out;
  }

  /** learner_response and correct_responses.n.pattern values (RTE 4th, interactions), options by the ids the
   *  LMS is given (`i.lms`: [A-Za-z0-9_.], which Moodle requires of choice, sequencing and matching values). */
  function encode(i, value) {
    const id = (x) => (i.lms && i.lms[x]) || x;
    switch (i.type) {
      case "true-false": return value[0];
      case "matching": return value.map(([s, t]) => `${id(s)}[.]${id(t)}`).join("[,]");
      case "fill-in": return text(value, 250);
      case "long-fill-in": return text(value, 4000);
      case "likert": return String(value);
      default: return value.map(id).join("[,]"); // choice and sequencing: ids in order
    }
  }
  function patterns(i) {
    if (i.type === "fill-in") return i.correct.map((a) => `{case_matters=${i.caseMatters}}${text(a, 250)}`);
    if (i.type === "long-fill-in" || i.type === "likert") return [];
    return [encode(i, i.correct)];
  }

  (Elearn.adapters = Elearn.adapters || {}).scorm2004 = function () {
    const lms = Elearn.connect("API_1484_11", CALLS, DEPTH);
    if (!lms) return null;
    let began = 0;
    return {
      name: "scorm2004",
      /** Location and suspend data are read whatever cmi.entry says (docs/runtime.md, Start). */
      start() {
        if (!lms.init()) return null;
        began = Date.now();
        const mode = lms.get("cmi.mode");
        lms.readonly = mode === "review" || mode === "browse"; // no writes
        const completion = lms.get("cmi.completion_status");
        const success = lms.get("cmi.success_status");
        return {
          recorded: { completed: completion === "completed",
            passed: success === "passed" ? true : (success === "failed" ? false : null) },
          mode,
          review: lms.readonly,
          location: lms.get("cmi.location"),
          suspendData: lms.get("cmi.suspend_data"),
          learner: { id: lms.get("cmi.learner_id"), name: lms.get("cmi.learner_name") }, // the xAPI actor's account
          interactions: parseInt(lms.get("cmi.interactions._count"), 10) || 0, // "": 0
        };
      },
      setLocation: (pageId) => lms.set("cmi.location", pageId),
      setSuspendData: (text) => lms.set("cmi.suspend_data", text),
      setProgress: (measure) => lms.set("cmi.progress_measure", measure),
      setScore: (percent) => [["scaled", percent / 100], ["raw", percent], ["min", 0], ["max", 100]]
        .map(([k, v]) => lms.set(`cmi.score.${k}`, v)).every(Boolean),
      setStatus(completed, passed) {
        const ok = lms.set("cmi.completion_status", completed ? "completed" : "incomplete");
        return (passed === null || lms.set("cmi.success_status", passed ? "passed" : "failed")) && ok;
      },
      /** Interaction `n`, each element once; false only when its id or type was refused for now. */
      recordInteraction(interaction) {
        const n = `cmi.interactions.${interaction.n}.`;
        if (!lms.set(`${n}id`, interaction.lmsId || interaction.id) || !lms.set(`${n}type`, interaction.type)) return false; // id, then type (408 otherwise)
        const values = [];
        const description = describe(interaction.lmsDescription || interaction.description); // the author's id and text
        if (description) values.push(["description", description]);
        values.push(["timestamp", timestamp(interaction.time)]);
        if (interaction.weight !== null) values.push(["weighting", interaction.weight]);
        patterns(interaction).forEach((pattern, k) => values.push([`correct_responses.${k}.pattern`, pattern]));
        values.push(["learner_response", encode(interaction, interaction.response)],
          ["result", interaction.isCorrect === null ? "neutral" : RESULT[interaction.isCorrect]]);
        values.forEach(([k, v]) => lms.set(`${n}${k}`, v));
        return true;
      },
      commit: () => lms.commit(),
      /** true when the session's data was committed, whatever Terminate answers. */
      finish() {
        lms.set("cmi.exit", "suspend");
        lms.set("cmi.session_time", duration(Date.now() - began));
        const committed = lms.commit();
        lms.finish();
        return committed;
      },
    };
  };
})(window.Elearn = window.Elearn || {});
