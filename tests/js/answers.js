/* Answers to the built courses' questions and what an LMS must hold for them (docs/runtime.md, the format
 * table): the Node twin of tests/browser/sco.py's Answer, right_response, wrong_response, ratings and
 * expected_interaction, written from the specification, never from the runtime. `interaction()` is the
 * object elearn-assessment.js and elearn-selfassessment.js hand to the adapters (docs/runtime.md, Interactions). */
"use strict";

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const WRITTEN = "I would start with what happened on the visit,\nthen ask how it felt: \"what stayed with you?\"";
const norm = (text, caseMatters) => { const t = text.split(/\s+/).filter(Boolean).join(" "); return caseMatters ? t : t.toLowerCase(); };
const options = (q) => (q.choices || []).map((c) => c.id);

function right(q) {
  if (q.type === "matching") return q.correct.map((p) => p.slice());
  if (q.type === "fill-in") { const a = q.accepted[q.accepted.length - 1]; return q.caseMatters ? a : `  ${a.toUpperCase()} `; }
  if (q.type === "long-fill-in") return WRITTEN;
  return q.correct.slice();
}

function wrong(q) {
  if (q.type === "matching") {
    const targets = q.correct.map(([, t]) => t);
    return q.correct.map(([s], i) => [s, targets[(i + 1) % targets.length]]);
  }
  if (q.type === "sequencing") return q.correct.slice().reverse();
  if (q.type === "fill-in") {
    const a = q.accepted[0];
    return q.caseMatters && a.toLowerCase() !== a ? a.toLowerCase() : "not it";
  }
  if (q.type === "long-fill-in") return WRITTEN;
  const others = options(q).filter((o) => !q.correct.includes(o));
  if (q.type === "multiple-response") return others.length ? others : q.correct.slice().sort().slice(0, -1);
  return [others[0]];
}

/** true / false for a scored answer, null for a written one. */
function correct(q, response) {
  if (!q.scored) return null;
  if (q.type === "matching") return JSON.stringify(response.map(String).sort()) === JSON.stringify(q.correct.map(String).sort());
  if (q.type === "sequencing") return JSON.stringify(response) === JSON.stringify(q.correct);
  if (q.type === "fill-in") return q.accepted.some((a) => norm(a, q.caseMatters) === norm(response, q.caseMatters));
  return JSON.stringify(response.slice().sort()) === JSON.stringify(q.correct.slice().sort());
}

/** The interaction the assessment records for answer `response` to `q` (interaction index `n`). */
function interaction(q, response, n, time) {
  const lms = {};
  [].concat(q.choices || [], q.sources || [], q.targets || []).forEach((c) => { lms[c.id] = c.lmsId || c.id; });
  const out = { n, id: q.id, lmsId: q.lmsId || q.id, lms, type: q.interactionType, description: q.description,
    lmsDescription: q.lmsDescription, time: time || new Date(), isCorrect: correct(q, response),
    weight: q.scored ? (typeof q.weight === "number" ? q.weight : 1) : null, response };
  if (q.type === "matching") return Object.assign(out, { sources: q.sources.map((s) => s.id), targets: q.targets.map((t) => t.id), correct: q.correct });
  if (q.type === "fill-in") return Object.assign(out, { correct: q.accepted, caseMatters: !!q.caseMatters });
  if (q.type === "long-fill-in") return Object.assign(out, { correct: [] });
  return Object.assign(out, { options: options(q), correct: q.correct });
}

/** A self-assessment rating as elearn-selfassessment.js records it: a likert interaction. */
function rating(s, point, n, time) {
  return { n, id: s.id, lmsId: s.lmsId || s.id, type: "likert", description: s.description, lmsDescription: s.lmsDescription,
    time: time || new Date(), isCorrect: null, weight: null, correct: [], response: point };
}

const oneLine = (text) => text.replace(/\s*\n\s*/g, " ");
const weighting = (q) => (q.scored ? String(typeof q.weight === "number" ? q.weight : 1) : "");

/** What scorm-again renders for the interaction of `response` to `q` (sco.py expected_interaction). */
function expected(q, response, fmt) {
  const kind = q.type;
  const ok = correct(q, response);
  const result = ok === null ? "neutral" : (ok ? "correct" : (fmt === "scorm12" ? "wrong" : "incorrect"));
  const lms = {};
  [].concat(q.choices || [], q.sources || [], q.targets || []).forEach((c) => { lms[c.id] = c.lmsId || c.id; });
  const patterns = (encode) => {
    if (kind === "long-fill-in") return [];
    return [encode(q.correct)];
  };
  const numbered = (list) => Object.fromEntries(list.map((p, k) => [String(k), { pattern: p }]));
  if (fmt === "scorm12") {
    const sources = (q.sources || []).map((s) => s.id);
    const targets = (q.targets || []).map((t) => t.id);
    const encode = (value) => {
      if (kind === "true-false") return value.map((i) => (i === "true" ? "t" : "f")).join(",");
      if (kind === "matching") return value.map(([s, t]) => `${LETTERS[sources.indexOf(s)]}.${LETTERS[targets.indexOf(t)]}`).join(",");
      if (kind === "fill-in" || kind === "long-fill-in") return oneLine(value).slice(0, 255);
      return value.map((i) => LETTERS[options(q).indexOf(i)]).join(",");
    };
    return { id: q.lmsId || q.id, type: kind === "long-fill-in" ? "fill-in" : q.interactionType, student_response: encode(response),
      result, weighting: weighting(q), correct_responses: numbered(kind === "fill-in" ? q.accepted : patterns(encode)) };
  }
  const encode = (value) => {
    if (kind === "true-false") return value[0];
    if (kind === "matching") return value.map(([s, t]) => `${lms[s]}[.]${lms[t]}`).join("[,]");
    if (kind === "fill-in" || kind === "long-fill-in") return value.replace(/[ \t]*\n+[ \t]*/g, " \u00b6 ");
    return value.map((i) => lms[i]).join("[,]");
  };
  const list = kind === "fill-in" ? q.accepted.map((p) => `{case_matters=${q.caseMatters ? "true" : "false"}}${p}`) : patterns(encode);
  return { id: q.lmsId || q.id, type: q.interactionType, learner_response: encode(response), result, weighting: weighting(q),
    description: (q.lmsDescription || q.description).split(/\s+/).filter(Boolean).join(" ").slice(0, 250),
    correct_responses: numbered(list) };
}

/** What scorm-again renders for a rating (sco.py Rating.expected). */
function expectedRating(s, point, fmt) {
  const want = { id: s.lmsId || s.id, type: "likert", result: "neutral", correct_responses: {}, weighting: "" };
  if (fmt === "scorm12") return Object.assign(want, { student_response: String(point) });
  return Object.assign(want, { learner_response: String(point), description: s.lmsDescription || s.description });
}

/** A spread of ratings over the scale (every point used), as sco.ratings. */
const points = (data, seed) => data.selfAssessment.statements.map((s, i) => ((i * 3 + (seed || 0)) % data.selfAssessment.scale.length) + 1);

module.exports = { right, wrong, correct, interaction, rating, expected, expectedRating, points, WRITTEN, LETTERS };
